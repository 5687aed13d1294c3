"""Helm releases into the cluster: pinned official charts, and the project's own charts under ``charts/``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class ChartRef:
    """A chart pinned to an exact version in its official repository."""

    chart: str
    repo: str
    version: str

    @property
    def is_oci(self) -> bool:
        """OCI registries (``oci://...``) are addressed by chart URL; Helm takes no ``--repo`` for them."""
        return self.repo.startswith("oci://")


def release(
    name: str,
    ref: ChartRef,
    *,
    namespace: pulumi.Input[str],
    values: Mapping[str, Any],
    parent: pulumi.Resource,
    provider: k8s.Provider,
    release_name: Optional[str] = None,
    create_namespace: bool = True,
    depends_on: Optional[list[pulumi.Resource]] = None,
) -> k8s.helm.v3.Release:
    """A ``helm.v3.Release`` of ``ref`` (logical name ``name``) that waits for its resources to become ready.

    Atomic: a failed install or upgrade rolls back instead of leaving a half-applied release.
    """
    return _release(
        name,
        chart=f"{ref.repo.rstrip('/')}/{ref.chart}" if ref.is_oci else ref.chart,
        version=ref.version,
        repository_opts=None if ref.is_oci else k8s.helm.v3.RepositoryOptsArgs(repo=ref.repo),
        release_name=release_name or ref.chart,
        namespace=namespace,
        values=values,
        create_namespace=create_namespace,
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on or []),
    )


def local_release(
    name: str,
    chart_path: str,
    *,
    release_name: str,
    namespace: pulumi.Input[str],
    values: Mapping[str, Any],
    parent: pulumi.Resource,
    provider: k8s.Provider,
    create_namespace: bool = False,
    depends_on: Optional[list[pulumi.Resource]] = None,
) -> k8s.helm.v3.Release:
    """A ``helm.v3.Release`` of one of the project's own charts (a path relative to the project root)."""
    return _release(
        name,
        chart=chart_path,
        version=None,
        repository_opts=None,
        release_name=release_name,
        namespace=namespace,
        values=values,
        create_namespace=create_namespace,
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on or []),
    )


def _release(
    name: str,
    *,
    chart: str,
    version: Optional[str],
    repository_opts: Optional[k8s.helm.v3.RepositoryOptsArgs],
    release_name: str,
    namespace: pulumi.Input[str],
    values: Mapping[str, Any],
    create_namespace: bool,
    opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    return k8s.helm.v3.Release(
        name,
        k8s.helm.v3.ReleaseArgs(
            # Helm release names are cluster-scoped per namespace and capped at 53 characters.
            name=release_name,
            chart=chart,
            version=version,
            repository_opts=repository_opts,
            namespace=namespace,
            create_namespace=create_namespace,
            atomic=True,
            cleanup_on_fail=True,
            values=dict(values),
        ),
        opts=opts,
    )

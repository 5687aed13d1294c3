"""Helm releases into the cluster: pinned official charts, and the project's own charts under ``charts/``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s


# Helm's own default wait (and the provider's) is 300 s; nothing waits less. An hour is the
# most any release here could need (a GPU node from zero plus a multi-gigabyte image).
MIN_TIMEOUT_SECONDS = 300
MAX_TIMEOUT_SECONDS = 3600


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
    timeout_seconds: int,
    release_name: Optional[str] = None,
    create_namespace: bool = True,
    depends_on: Optional[list[pulumi.Resource]] = None,
) -> k8s.helm.v3.Release:
    """A ``helm.v3.Release`` of ``ref`` (logical name ``name``) that waits for its resources to become ready.

    Atomic: a failed install or upgrade rolls back instead of leaving a half-applied release.
    ``timeout_seconds`` is how long that wait may take (the provider's default, 300 s, is too
    short for anything that waits on a new node, a volume or a large image): every caller
    chooses it for what its release waits for.
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
        timeout_seconds=timeout_seconds,
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
    timeout_seconds: int,
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
        timeout_seconds=timeout_seconds,
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
    timeout_seconds: int,
    opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    if not MIN_TIMEOUT_SECONDS <= timeout_seconds <= MAX_TIMEOUT_SECONDS:
        raise ValueError(f"release {name}: timeout {timeout_seconds}s outside {MIN_TIMEOUT_SECONDS}-{MAX_TIMEOUT_SECONDS}s")
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
            timeout=timeout_seconds,
            values=dict(values),
        ),
        opts=opts,
    )

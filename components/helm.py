"""Helm releases of pinned, official charts into the cluster: one way to do it for every component."""

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
    namespace: str,
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
    return k8s.helm.v3.Release(
        name,
        k8s.helm.v3.ReleaseArgs(
            # Helm release names are cluster-scoped per namespace and capped at 53 characters.
            name=release_name or ref.chart,
            chart=f"{ref.repo.rstrip('/')}/{ref.chart}" if ref.is_oci else ref.chart,
            version=ref.version,
            repository_opts=None if ref.is_oci else k8s.helm.v3.RepositoryOptsArgs(repo=ref.repo),
            namespace=namespace,
            create_namespace=create_namespace,
            atomic=True,
            cleanup_on_fail=True,
            values=dict(values),
        ),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on or []),
    )

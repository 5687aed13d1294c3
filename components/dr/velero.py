"""Velero: scheduled backups of the platform's namespaces (seed "Disaster Recovery": "Application State:
Velero for Kubernetes backups").

- Its bucket: a :class:`~components.storage.SecureBucket` (SSE-KMS under the stack's storage key, private,
  versioned, TLS-only, access-logged) whose lifecycle follows the backups' TTL (``velero_plan``).
- An IRSA role for Velero's service account: the AWS plugin's published policy scoped to that bucket and
  key, and to EBS snapshots Velero tags (``velero_plan.velero_policy``).
- The official chart (pinned) with the AWS plugin, on the system nodes, in a namespace of its own
  (baseline Pod Security Standard), with one schedule over the platform's namespaces.

The bucket joins the critical buckets S3 replicates to the DR Region when ``dr.velero.replicate`` is set
(``primary.py`` hands it to :class:`~components.dr.BucketReplication`).

:class:`VeleroRestore` is the other side, in the pilot light's cluster: the same chart restoring from that
replica, a ReadOnly location with no schedule and no volume snapshots, and a role that reads the replica
(and writes only a restore's own results).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..platform import ComponentTags, release, service_account_role
from ..storage import AccessLogTarget, SecureBucket, SecureBucketArgs, bucket_arn
from .settings import VeleroSettings
from .velero_plan import (
    RELEASE_TIMEOUT_SECONDS,
    SERVICE_ACCOUNT,
    VELERO,
    bucket_lifecycle,
    restore_policy,
    restore_values,
    velero_policy,
    velero_values,
)


@dataclass
class VeleroBackupsArgs:
    """Inputs of :class:`VeleroBackups`."""

    settings: VeleroSettings
    namespace: str
    """Velero's own namespace."""
    backed_up_namespaces: Sequence[str]
    """The platform's namespaces the schedule backs up."""
    region: str
    account_id: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    """The bucket's physical name (``<prefix>-velero-<account>-<region>``: known before it exists, the
    access-log destination's policy names it)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's storage key: the bucket's objects and the cluster's EBS volumes (restores)."""
    access_logs: AccessLogTarget
    k8s_provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_provider_url: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What the release waits for: the cluster's nodes, CNI, kube-proxy and CoreDNS."""
    force_destroy: bool = False
    protect: bool = True


class VeleroBackups(pulumi.ComponentResource):
    """Velero's bucket, its IRSA role and the release with its schedule."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]

    def __init__(self, name: str, args: VeleroBackupsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not args.backed_up_namespaces:
            raise ValueError("VeleroBackups: no namespace to back up")
        if args.namespace in args.backed_up_namespaces:
            raise ValueError("VeleroBackups: Velero's own namespace is not one of the platform's to back up")
        super().__init__("betterprompts:dr:VeleroBackups", name, None, opts)
        settings = args.settings

        self.bucket = SecureBucket(
            f"{name}-bucket",
            SecureBucketArgs(
                kms_key_arn=args.kms_key_arn,
                bucket_name=args.bucket_name,
                lifecycle_rules=bucket_lifecycle(settings.ttl_days),
                access_logs=args.access_logs,
                force_destroy=args.force_destroy,
                protect=args.protect,
                component="velero",
            ),
            pulumi.ResourceOptions(parent=self),
        )

        self.role, self.release = _server(
            name,
            self,
            description="Velero: backups into its bucket, EBS snapshots of the cluster's volumes (IRSA)",
            namespace=args.namespace,
            k8s_provider=args.k8s_provider,
            oidc_provider_arn=args.oidc_provider_arn,
            oidc_provider_url=args.oidc_provider_url,
            policy=pulumi.Output.all(self.bucket.arn, args.kms_key_arn, args.account_id).apply(
                lambda v: velero_policy(bucket_arn=v[0], kms_key_arn=v[1], region=args.region, account_id=v[2])
            ),
            values=lambda role_arn: velero_values(
                region=args.region,
                bucket=self.bucket.bucket_name,
                kms_key_arn=args.kms_key_arn,
                role_arn=role_arn,
                schedule=settings.schedule,
                ttl_days=settings.ttl_days,
                namespaces=list(args.backed_up_namespaces),
                snapshot_volumes=settings.snapshot_volumes,
            ),
            # The backup location is validated at start: the bucket whole, the role's policy attached.
            location_ready=self.bucket.ready,
            cluster_ready=args.depends_on,
        )
        self.bucket_name = self.bucket.bucket_name
        self.bucket_arn = self.bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


def _server(
    name: str,
    parent: pulumi.Resource,
    *,
    description: str,
    namespace: str,
    k8s_provider: k8s.Provider,
    oidc_provider_arn: pulumi.Input[str],
    oidc_provider_url: pulumi.Input[str],
    policy: pulumi.Input[str],
    values: Callable[[pulumi.Output[str]], dict[str, Any]],
    location_ready: Sequence[pulumi.Resource],
    cluster_ready: Sequence[pulumi.Resource],
) -> tuple[aws.iam.Role, k8s.helm.v3.Release]:
    """Velero's server: its IRSA role (``policy``), its namespace and the pinned chart with ``values(role ARN)``. The
    release waits for the role's policy and ``location_ready`` (Velero validates its backup location at start)."""
    role_key = f"{name}-server"
    role, role_policy = service_account_role(
        role_key,
        description=description,
        oidc_provider_arn=oidc_provider_arn,
        oidc_provider_url=oidc_provider_url,
        namespace=namespace,
        service_account=SERVICE_ACCOUNT,
        policy=policy,
        tags=ComponentTags("velero")(role_key),
        parent=parent,
    )
    created = k8s.core.v1.Namespace(
        f"{name}-namespace",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=namespace,
            # Baseline, warned at restricted: Velero's image names its user, so restricted's runAsNonRoot cannot hold.
            labels={"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"},
        ),
        opts=pulumi.ResourceOptions(parent=parent, provider=k8s_provider, depends_on=list(cluster_ready)),
    )
    server = release(
        f"{name}-release",
        VELERO,
        namespace=created.metadata.name,
        timeout_seconds=RELEASE_TIMEOUT_SECONDS,
        values=values(role.arn),
        release_name="velero",
        parent=parent,
        provider=k8s_provider,
        create_namespace=False,
        depends_on=[created, role, role_policy, *location_ready, *cluster_ready],
    )
    return role, server


@dataclass
class VeleroRestoreArgs:
    """Inputs of :class:`VeleroRestore`."""

    namespace: str
    """Velero's own namespace."""
    region: str
    """The DR Region: the replica's and the cluster's."""
    bucket_name: pulumi.Input[str]
    """The replica of the primary's Velero bucket in this Region (the primary stack's)."""
    kms_key_arn: pulumi.Input[str]
    """The replica's key (the primary stack's storage key in this Region)."""
    k8s_provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_provider_url: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What the release waits for: the cluster's nodes, CNI, kube-proxy and CoreDNS."""


class VeleroRestore(pulumi.ComponentResource):
    """Velero in the pilot light's cluster, reading the replica of the primary's backups (``velero restore create``)."""

    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: VeleroRestoreArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("betterprompts:dr:VeleroRestore", name, None, opts)
        replica_arn = pulumi.Output.from_input(args.bucket_name).apply(bucket_arn)
        self.role, self.release = _server(
            name,
            self,
            description="Velero: restores from the replica of the primary's backups (IRSA)",
            namespace=args.namespace,
            k8s_provider=args.k8s_provider,
            oidc_provider_arn=args.oidc_provider_arn,
            oidc_provider_url=args.oidc_provider_url,
            policy=pulumi.Output.all(replica_arn, args.kms_key_arn).apply(
                lambda v: restore_policy(bucket_arn=v[0], kms_key_arn=v[1], region=args.region)
            ),
            values=lambda role_arn: restore_values(region=args.region, bucket=args.bucket_name, kms_key_arn=args.kms_key_arn, role_arn=role_arn),
            location_ready=(),
            cluster_ready=args.depends_on,
        )
        self.role_arn = self.role.arn
        self.register_outputs({"role_arn": self.role_arn})

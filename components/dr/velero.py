"""Velero: scheduled backups of the platform's namespaces (seed "Disaster Recovery": "Application State:
Velero for Kubernetes backups").

- Its bucket: a :class:`~components.storage.SecureBucket` (SSE-KMS under the stack's storage key, private,
  versioned, TLS-only, access-logged) whose lifecycle follows the backups' TTL (``velero_plan``).
- An IRSA role for Velero's service account: the AWS plugin's published policy scoped to that bucket and
  key, and to EBS snapshots Velero tags (``velero_plan.velero_policy``).
- The official chart (pinned) with the AWS plugin, on the system nodes, in a namespace of its own
  (baseline Pod Security Standard), with one schedule over the platform's namespaces.

The bucket joins the critical buckets S3 replicates to the DR Region when ``dr.velero.replicate`` is set
(``__main__.py`` hands it to :class:`~components.dr.BucketReplication`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from ..platform import ComponentTags, release, service_account_role
from ..storage import AccessLogTarget, SecureBucket, SecureBucketArgs
from .settings import VeleroSettings
from .velero_plan import RELEASE_TIMEOUT_SECONDS, SERVICE_ACCOUNT, VELERO, bucket_lifecycle, velero_policy, velero_values


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
        tags = ComponentTags("velero")

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

        role_key = f"{name}-server"
        self.role, role_policy = service_account_role(
            role_key,
            description="Velero: backups into its bucket, EBS snapshots of the cluster's volumes (IRSA)",
            oidc_provider_arn=args.oidc_provider_arn,
            oidc_provider_url=args.oidc_provider_url,
            namespace=args.namespace,
            service_account=SERVICE_ACCOUNT,
            policy=pulumi.Output.all(self.bucket.arn, args.kms_key_arn, args.account_id).apply(
                lambda v: velero_policy(bucket_arn=v[0], kms_key_arn=v[1], region=args.region, account_id=v[2])
            ),
            tags=tags(role_key),
            parent=self,
        )

        cluster_ready = list(args.depends_on)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.namespace,
                # Baseline, warned at restricted: Velero's image names its user, so restricted's runAsNonRoot cannot hold.
                labels={"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"},
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=cluster_ready),
        )
        self.release = release(
            f"{name}-release",
            VELERO,
            namespace=namespace.metadata.name,
            timeout_seconds=RELEASE_TIMEOUT_SECONDS,
            values=velero_values(
                region=args.region,
                bucket=self.bucket.bucket_name,
                kms_key_arn=args.kms_key_arn,
                role_arn=self.role.arn,
                schedule=settings.schedule,
                ttl_days=settings.ttl_days,
                namespaces=list(args.backed_up_namespaces),
                snapshot_volumes=settings.snapshot_volumes,
            ),
            release_name="velero",
            parent=self,
            provider=args.k8s_provider,
            create_namespace=False,
            # The backup location is validated at start: the bucket whole, the role's policy attached.
            depends_on=[namespace, self.role, role_policy, *self.bucket.ready, *cluster_ready],
        )
        self.bucket_name = self.bucket.bucket_name
        self.bucket_arn = self.bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})

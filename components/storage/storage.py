"""PlatformStorage: the one owner of the platform's S3 buckets (seed "6. Storage").

The seed's four buckets (models, assets, backups, logs), each a :class:`SecureBucket`
(SSE-KMS with the storage key, private, owner-enforced, versioned, TLS-only) with its
lifecycle from stack config, plus the destination of their S3 server access logs.

Server access logs cannot go to an SSE-KMS bucket (AWS: default encryption on the target
bucket may only be SSE-S3), so they have their own destination (``access-logs``) rather
than the CMK-encrypted ``logs`` bucket: SSE-S3, its policy admitting the logging service
principal for exactly these buckets, each under its own prefix, from this account only.

Names are ``<prefix>-<purpose>-<account>-<region>``: globally unique and predictable.
An adopted bucket (the model bucket, which InferenceEndpoint used to create) keeps its
logical name and auto-generated physical name, and moves here by an alias.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi

from .bucket import AccessLogTarget, SecureBucket, SecureBucketArgs
from .bucket_plan import (
    LifecyclePolicy,
    bucket_arn,
    cloudfront_read_statements,
    lifecycle_rules,
    load_balancer_log_statements,
    server_access_log_statements,
)
from .plan import SEED_BUCKETS, BucketPurpose, access_log_prefix, bucket_name


@dataclass
class AdoptedBucket:
    """A bucket another component created, now owned here without being replaced."""

    logical_name: str
    """Its existing logical name (which also seeded its auto-generated physical name)."""
    previous_parent_urn: pulumi.Input[str]
    """The URN of the component that parented it; the alias points there."""


@dataclass
class PlatformStorageArgs:
    """Inputs of :class:`PlatformStorage`."""

    account_id: pulumi.Input[str]
    """The stack's account: in every bucket name and the log-delivery grants' ``aws:SourceAccount``."""
    region: str
    """The stack's region: in every bucket name."""
    bucket_name_prefix: str
    """``<prefix>-<purpose>-<account>-<region>`` (``StorageSettings.bucket_name_prefix``)."""
    kms_key_arn: pulumi.Input[str]
    """The storage key every seed bucket is encrypted with (``keys["storage"]``)."""
    lifecycles: Mapping[BucketPurpose, LifecyclePolicy]
    """Lifecycle per bucket, the access-log destination included (``StorageSettings.lifecycles``)."""
    adopted: Mapping[BucketPurpose, AdoptedBucket] = field(default_factory=dict)
    policy_grants: Mapping[BucketPurpose, Callable[[str, str], Sequence[Mapping[str, Any]]]] = field(default_factory=dict)
    """More bucket-policy statements per bucket, as a function of (bucket ARN, account): the grants of
    services that deliver into it (CloudTrail and AWS Config into the logs bucket). Not for adopted buckets."""
    """Buckets that exist already under another parent (auto-named; moved by alias)."""
    cdn_readers: Mapping[BucketPurpose, Sequence[pulumi.Input[str]]] = field(default_factory=dict)
    """CloudFront distributions (ARNs) that read a bucket through Origin Access Control (the assets
    bucket): its policy admits ``cloudfront.amazonaws.com`` for exactly these."""
    load_balancer_log_prefix: Optional[str] = None
    """Admit Elastic Load Balancing's access logs into the access-log destination under this prefix
    (the edge layer's load balancer; ELB logs, like S3's, support only SSE-S3)."""
    log_sources: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Buckets other layers own that log into the access-log destination: key (their prefix there,
    ``<key>/``) -> the bucket's physical name (Velero's)."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` empty the buckets (staging); never with ``protect``."""
    protect: bool = True
    """Pulumi-protect every bucket."""


class PlatformStorage(pulumi.ComponentResource):
    """The seed's buckets and their access-log destination."""

    buckets: dict[BucketPurpose, SecureBucket]
    bucket_names: dict[BucketPurpose, pulumi.Output[str]]
    bucket_arns: dict[BucketPurpose, pulumi.Output[str]]

    def __init__(self, name: str, args: PlatformStorageArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:storage:PlatformStorage", name, None, opts)
        account = pulumi.Output.from_input(args.account_id)

        def physical(purpose: BucketPurpose) -> Optional[pulumi.Output[str]]:
            if purpose in args.adopted:
                return None  # keeps the name it was created with: S3 cannot rename a bucket
            return account.apply(lambda a: bucket_name(args.bucket_name_prefix, purpose, a, args.region))

        def source_arn(purpose: BucketPurpose) -> pulumi.Output[str]:
            adopted = args.adopted.get(purpose)
            if adopted is not None:
                # Pulumi auto-names "<logical name>-<7 random characters>".
                return pulumi.Output.from_input(bucket_arn(f"{adopted.logical_name}-*"))
            return physical(purpose).apply(bucket_arn)  # type: ignore[union-attr]

        # The destination first: its policy must admit log delivery before logging is switched on.
        destination_name = physical(BucketPurpose.ACCESS_LOGS)
        elb_prefix = args.load_balancer_log_prefix
        others = sorted(args.log_sources)
        seeds = len(SEED_BUCKETS)
        grants = pulumi.Output.all(
            account, *(source_arn(p) for p in SEED_BUCKETS), *(args.log_sources[k] for k in others), destination_name
        ).apply(
            lambda v: [
                *server_access_log_statements(
                    bucket_arn(v[-1]),
                    {
                        **{arn: access_log_prefix(purpose) for purpose, arn in zip(SEED_BUCKETS, v[1 : 1 + seeds])},
                        **{bucket_arn(name): f"{key}/" for key, name in zip(others, v[1 + seeds : -1])},
                    },
                    v[0],
                ),
                *(load_balancer_log_statements(bucket_arn(v[-1]), elb_prefix, v[0], args.region) if elb_prefix else []),
            ]
        )
        self.access_logs = SecureBucket(
            f"{name}-{BucketPurpose.ACCESS_LOGS.value}",
            SecureBucketArgs(
                kms_key_arn=None,
                bucket_name=destination_name,
                access_log_destination=True,
                lifecycle_rules=lifecycle_rules(args.lifecycles[BucketPurpose.ACCESS_LOGS]),
                policy_statements=grants,
                force_destroy=args.force_destroy,
                protect=args.protect,
            ),
            pulumi.ResourceOptions(parent=self),
        )

        self.buckets = {}
        for purpose in SEED_BUCKETS:
            adopted = args.adopted.get(purpose)
            bucket_opts = pulumi.ResourceOptions(parent=self)
            if adopted is not None:
                # Same name, new parent: its children follow the parent's alias, so nothing is replaced.
                bucket_opts = pulumi.ResourceOptions(
                    parent=self, aliases=[pulumi.Alias(parent=adopted.previous_parent_urn)]
                )
            self.buckets[purpose] = SecureBucket(
                adopted.logical_name if adopted is not None else f"{name}-{purpose.value}",
                SecureBucketArgs(
                    kms_key_arn=args.kms_key_arn,
                    bucket_name=physical(purpose),
                    lifecycle_rules=lifecycle_rules(args.lifecycles[purpose]),
                    policy_statements=_grants(args, purpose, account, physical(purpose)),
                    access_logs=AccessLogTarget(
                        bucket=self.access_logs.bucket_name,
                        prefix=access_log_prefix(purpose),
                        ready=self.access_logs.policy,
                    ),
                    force_destroy=args.force_destroy,
                    protect=args.protect,
                ),
                bucket_opts,
            )

        every = {**self.buckets, BucketPurpose.ACCESS_LOGS: self.access_logs}
        self.bucket_names = {purpose: bucket.bucket_name for purpose, bucket in every.items()}
        self.bucket_arns = {purpose: bucket.arn for purpose, bucket in every.items()}
        self.register_outputs(
            {
                "bucket_names": {p.value: n for p, n in self.bucket_names.items()},
                "bucket_arns": {p.value: a for p, a in self.bucket_arns.items()},
            }
        )


def _grants(
    args: PlatformStorageArgs, purpose: BucketPurpose, account: pulumi.Output[str], name: Optional[pulumi.Output[str]]
) -> pulumi.Input[Sequence[Mapping[str, Any]]]:
    grants = args.policy_grants.get(purpose)
    readers = list(args.cdn_readers.get(purpose, ()))
    if (grants is None and not readers) or name is None:
        return ()
    return pulumi.Output.all(account, name, *readers).apply(
        lambda v: [
            *(grants(bucket_arn(v[1]), v[0]) if grants is not None else []),
            *cloudfront_read_statements(bucket_arn(v[1]), list(v[2:])),
        ]
    )


def _check_args(args: PlatformStorageArgs) -> None:
    prefix = args.load_balancer_log_prefix
    if prefix is not None and (not prefix or prefix.startswith("/") or prefix.endswith("/") or "AWSLogs" in prefix):
        # ELB refuses a prefix with a leading or trailing slash or containing AWSLogs (it adds that itself).
        raise ValueError(f"PlatformStorage: load balancer log prefix {prefix!r} must be non-empty, without surrounding '/' or 'AWSLogs'")
    missing = [p.value for p in BucketPurpose if p not in args.lifecycles]
    if missing:
        raise ValueError(f"PlatformStorage: no lifecycle for {', '.join(missing)}")
    if (set(args.policy_grants) | set(args.cdn_readers)) & set(args.adopted):
        raise ValueError("PlatformStorage: an adopted bucket keeps its policy (its name is auto-generated)")
    if BucketPurpose.ACCESS_LOGS in args.cdn_readers:
        raise ValueError("PlatformStorage: the access-log destination is never a CloudFront origin")
    if BucketPurpose.ACCESS_LOGS in args.policy_grants:
        raise ValueError("PlatformStorage: the access-log destination admits only S3's log delivery")
    if BucketPurpose.ACCESS_LOGS in args.adopted:
        raise ValueError("PlatformStorage: the access-log destination cannot be adopted (it is created SSE-S3)")
    # Each source writes under its own prefix of the destination (the grants are per prefix).
    taken = {access_log_prefix(p).rstrip("/") for p in SEED_BUCKETS} | {args.load_balancer_log_prefix}
    clash = sorted(set(args.log_sources) & taken)
    if clash:
        raise ValueError(f"PlatformStorage: log source keys {clash} would share a seed bucket's or the load balancer's prefix")
    if args.protect and args.force_destroy:
        raise ValueError("PlatformStorage: protected buckets cannot be force-destroyed")
    for policy in args.lifecycles.values():
        lifecycle_rules(policy)  # raises on rules S3 would reject, before any child exists

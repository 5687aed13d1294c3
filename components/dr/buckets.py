"""BucketReplication: S3 cross-Region replication of the critical buckets into replicas in the DR Region.

Each replica is a :class:`~components.storage.SecureBucket` in the DR Region (SSE-KMS with a DR-Region
key, every public access block, owner-enforced, versioned, TLS-only, the source's lifecycle) logging
into an access-log destination of its own Region (S3 delivers server access logs within a Region
only). One replication role for all of them, allowed exactly what S3 needs (``replication_plan``).
One replication configuration per source bucket (S3 keeps one per bucket): every object version,
delete markers included, SSE-KMS objects opted in and re-encrypted with the replica key, and with
Replication Time Control (15 minutes for 99.99% of objects, replication metrics on) when the RPO needs it.
A replica that is a CloudFront origin (the assets', the static site's secondary origin) admits exactly the
distributions in ``cdn_readers`` through Origin Access Control, read-only (``s3:GetObject``).

The DR Region's provider arrives as ``dr_provider``; the replication configurations belong to the
source buckets' Region (``opts``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, create_alarms, service_assume_role_policy
from ..storage import (
    AccessLogTarget,
    LifecycleRule,
    SecureBucket,
    SecureBucketArgs,
    bucket_arn,
    cloudfront_read_statements,
    server_access_log_statements,
)
from .replication_plan import RTC_MINUTES, ReplicatedPair, replication_alarm_specs, replication_role_policy, rule_id

ENABLED = "Enabled"


@dataclass
class ReplicationSource:
    """A bucket of the stack's Region that S3 replicates into the DR Region."""

    name: pulumi.Input[str]
    arn: pulumi.Input[str]
    replica_name: pulumi.Input[str]
    """The replica's physical name (``<prefix>-<purpose>-<account>-<dr region>``)."""
    lifecycle_rules: Sequence[LifecycleRule] = ()
    """The replica keeps what the source keeps (its lifecycle)."""
    ready: Sequence[pulumi.Resource] = field(default_factory=list)
    """The source's versioning (and the rest of SecureBucket.ready): replication needs it first."""


@dataclass
class BucketReplicationArgs:
    """Inputs of :class:`BucketReplication`."""

    sources: Mapping[str, ReplicationSource]
    """Key (the bucket's purpose) -> the source; replicas are named ``<name>-<key>``."""
    region: str
    dr_region: str
    account_id: pulumi.Input[str]
    dr_provider: pulumi.ProviderResource
    source_kms_key_arn: pulumi.Input[str]
    """The key the sources are encrypted with (the stack's storage key)."""
    replica_kms_key_arn: pulumi.Input[str]
    """A key of the DR Region the replicas are encrypted with."""
    access_log_bucket_name: pulumi.Input[str]
    """The DR Region's access-log destination (created here, SSE-S3 as S3 log delivery requires)."""
    access_log_lifecycle_rules: Sequence[LifecycleRule] = ()
    replication_time_control: bool = True
    """S3 RTC: 99.99% of objects within 15 minutes (billed per GB); without it S3 gives no time bound."""
    cdn_readers: Mapping[str, Sequence[pulumi.Input[str]]] = field(default_factory=dict)
    """Source key -> the CloudFront distributions (ARNs) whose OAC reads that replica (the static site's
    secondary origin); its policy grants them ``s3:GetObject`` and nothing else."""
    alarm_topic_arn: Optional[pulumi.Input[str]] = None
    """The stack's alarm topic (its Region, the sources'): with replication time control each rule alarms on a
    replica past the 15 minutes and on objects that failed to replicate. None: no alarms."""
    force_destroy: bool = False
    protect: bool = True


class BucketReplication(pulumi.ComponentResource):
    """Replica buckets in the DR Region, their access-log destination, the role and the replication rules."""

    replica_names: dict[str, pulumi.Output[str]]
    replica_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: BucketReplicationArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:dr:BucketReplication", name, None, opts)
        tags = ComponentTags("dr-replication")
        account = pulumi.Output.from_input(args.account_id)
        in_dr = pulumi.ResourceOptions(parent=self, provider=args.dr_provider)
        keys = sorted(args.sources)

        replica_arns = {key: pulumi.Output.from_input(args.sources[key].replica_name).apply(bucket_arn) for key in keys}
        destination_name = pulumi.Output.from_input(args.access_log_bucket_name)
        grants = pulumi.Output.all(account, destination_name, *(replica_arns[k] for k in keys)).apply(
            lambda v: server_access_log_statements(bucket_arn(v[1]), {arn: f"{key}/" for key, arn in zip(keys, v[2:])}, v[0])
        )
        self.access_logs = SecureBucket(
            f"{name}-access-logs",
            SecureBucketArgs(
                kms_key_arn=None,
                bucket_name=destination_name,
                access_log_destination=True,
                lifecycle_rules=args.access_log_lifecycle_rules,
                policy_statements=grants,
                force_destroy=args.force_destroy,
                protect=args.protect,
                component="dr-replication",
            ),
            in_dr,
        )
        self.replicas: dict[str, SecureBucket] = {}
        for key in keys:
            source = args.sources[key]
            readers = list(args.cdn_readers.get(key, ()))
            self.replicas[key] = SecureBucket(
                f"{name}-{key}",
                SecureBucketArgs(
                    kms_key_arn=args.replica_kms_key_arn,
                    bucket_name=source.replica_name,
                    policy_statements=(
                        pulumi.Output.all(source.replica_name, *readers).apply(
                            lambda v: cloudfront_read_statements(bucket_arn(v[0]), list(v[1:]))
                        )
                        if readers
                        else ()
                    ),
                    lifecycle_rules=source.lifecycle_rules,
                    access_logs=AccessLogTarget(bucket=self.access_logs.bucket_name, prefix=f"{key}/", ready=self.access_logs.policy),
                    force_destroy=args.force_destroy,
                    protect=args.protect,
                    component="dr-replication",
                ),
                in_dr,
            )

        role_name = f"{name}-s3"
        self.role = aws.iam.Role(
            role_name,
            description="S3 replicates the critical buckets into their replicas in the DR Region",
            assume_role_policy=account.apply(lambda a: service_assume_role_policy("s3.amazonaws.com", source_account=a)),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        pairs = pulumi.Output.all(
            *(pulumi.Output.from_input(args.sources[k].arn) for k in keys), *(self.replicas[k].arn for k in keys)
        ).apply(lambda arns: [ReplicatedPair(s, r) for s, r in zip(arns[: len(keys)], arns[len(keys) :])])
        policy = aws.iam.RolePolicy(
            role_name,
            role=self.role.id,
            policy=pulumi.Output.all(pairs, args.source_kms_key_arn, args.replica_kms_key_arn).apply(
                lambda v: replication_role_policy(v[0], source_key_arn=v[1], replica_key_arn=v[2], region=args.region, dr_region=args.dr_region)
            ),
            opts=pulumi.ResourceOptions(parent=self.role),
        )

        for key in keys:
            source, replica = args.sources[key], self.replicas[key]
            configuration = aws.s3.BucketReplicationConfig(
                f"{name}-{key}",
                bucket=source.name,
                role=self.role.arn,
                rules=[_rule(key, replica.arn, args.replica_kms_key_arn, args.dr_region, args.replication_time_control)],
                # Versioning on both sides first (S3 refuses replication without it), and the role's policy.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*source.ready, replica.versioning, policy]),
            )
            # The metrics exist only with RTC (which turns them on); they are published in the sources' Region.
            if args.replication_time_control and args.alarm_topic_arn is not None:
                create_alarms(
                    f"{name}-{key}",
                    replication_alarm_specs(),
                    dimensions={"SourceBucket": source.name, "DestinationBucket": replica.bucket_name, "RuleId": rule_id(key, args.dr_region)},
                    topic_arn=args.alarm_topic_arn,
                    tags=tags,
                    parent=configuration,
                )

        self.replica_names = {key: b.bucket_name for key, b in self.replicas.items()}
        self.replica_arns = {key: b.arn for key, b in self.replicas.items()}
        self.register_outputs({"replica_names": self.replica_names, "replica_arns": self.replica_arns})


def _rule(
    key: str, replica_arn: pulumi.Input[str], replica_key: pulumi.Input[str], dr_region: str, rtc: bool
) -> aws.s3.BucketReplicationConfigRuleArgs:
    return aws.s3.BucketReplicationConfigRuleArgs(
        id=rule_id(key, dr_region),
        status=ENABLED,
        # A filter (every object) makes this a V2 rule: delete markers and priorities are allowed.
        filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
        priority=1,
        delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(status=ENABLED),
        source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
            # The sources are SSE-KMS: without this S3 skips every object.
            sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(status=ENABLED),
        ),
        destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
            bucket=replica_arn,
            encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(replica_kms_key_id=replica_key),
            # RTC requires replication metrics.
            replication_time=(
                aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                    status=ENABLED, time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(minutes=RTC_MINUTES)
                )
                if rtc
                else None
            ),
            metrics=(
                aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                    status=ENABLED,
                    event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(minutes=RTC_MINUTES),
                )
                if rtc
                else None
            ),
        ),
    )


def _check_args(args: BucketReplicationArgs) -> None:
    if not args.sources:
        raise ValueError("BucketReplication: no bucket to replicate")
    if args.region == args.dr_region:
        raise ValueError("BucketReplication: the replicas belong in another Region (cross-Region replication)")
    if args.protect and args.force_destroy:
        raise ValueError("BucketReplication: protected replicas cannot be force-destroyed")
    unknown = sorted(set(args.cdn_readers) - set(args.sources))
    if unknown:
        raise ValueError(f"BucketReplication: CloudFront readers for {unknown}, which are not replicated")

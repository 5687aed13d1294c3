"""AuditTrail: the account's CloudTrail trail (seed "Compliance: CloudTrail: Audit logging").

A multi-region trail of management events (and, when configured, object-level events of the
platform's buckets) with log file validation, encrypted with its own customer-managed key whose
policy admits CloudTrail for this trail only, delivered to the storage layer's logs bucket (whose
policy the stack gives the grants from :func:`trail_plan.trail_bucket_statements`) and to a log
group under the stack's logs key, where the CIS metric filters raise alarms on the alarm topic.

The trail's name is fixed (``<prefix>-audit``): the key and bucket policies name its ARN before it
exists, and CreateTrail fails unless both already admit it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, component_key, create_alarms, service_assume_role_policy
from .trail_plan import (
    CIS_FILTERS,
    CLOUDTRAIL,
    METRIC_NAMESPACE,
    log_group_delivery_arn,
    object_prefixes,
    trail_arn,
    trail_key_policy,
    trail_logs_role_policy,
)


@dataclass
class AuditTrailArgs:
    """Inputs of :class:`AuditTrail`."""

    trail_name: str
    """The trail's fixed name (``trail_plan.trail_name``); the logs bucket's policy names it already."""
    region: str
    account_id: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    """The storage layer's logs bucket (SSE-KMS, versioned, access-logged)."""
    bucket_ready: Sequence[pulumi.Resource]
    """The bucket and its policy admitting this trail (CreateTrail checks the policy)."""
    logs_kms_key_arn: pulumi.Input[str]
    """The stack's logs key, for the trail's log group."""
    alarm_topic_arn: pulumi.Input[str]
    log_retention_days: int = 365
    data_event_bucket_arns: Sequence[pulumi.Input[str]] = field(default_factory=tuple)
    """Buckets whose object-level events are recorded (never the logs bucket itself)."""
    kms_deletion_window_days: int = 30
    protect: bool = True


class AuditTrail(pulumi.ComponentResource):
    """A validated, encrypted, multi-region CloudTrail trail with CIS alarms."""

    trail_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: AuditTrailArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not args.bucket_ready:
            raise ValueError("AuditTrail: bucket_ready must include the logs bucket's policy (CreateTrail checks it)")
        super().__init__("betterprompts:compliance:AuditTrail", name, None, opts)
        tags = ComponentTags("audit-trail")
        account = pulumi.Output.from_input(args.account_id)
        arn = account.apply(lambda a: trail_arn(args.trail_name, region=args.region, account_id=a))

        key_name = f"{name}-key"
        self.key = component_key(
            key_name,
            description=f"{key_name}: CloudTrail log and digest files of {args.trail_name}",
            policy=pulumi.Output.all(account, arn).apply(lambda v: trail_key_policy(account_id=v[0], region=args.region, trail=v[1])),
            tags=tags(key_name, {"KeyPurpose": "audit"}),
            deletion_window_days=args.kms_deletion_window_days,
            protect=args.protect,
            parent=self,
        )

        group_name = f"{name}-events"
        self.log_group = aws.cloudwatch.LogGroup(
            group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(group_name),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        role_name = f"{name}-to-logs"
        role = aws.iam.Role(
            role_name,
            description="CloudTrail delivers the audit trail's events to its log group",
            # The trust policy the CloudTrail guide writes for this role (no source condition it documents).
            assume_role_policy=service_assume_role_policy(CLOUDTRAIL),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        role_policy = aws.iam.RolePolicy(
            role_name,
            role=role.id,
            policy=pulumi.Output.all(self.log_group.arn, account).apply(
                lambda v: trail_logs_role_policy(v[0], account_id=v[1], region=args.region)
            ),
            opts=pulumi.ResourceOptions(parent=role),
        )

        # Management events always; object-level events of the platform's buckets when asked for.
        data_resources = (
            [
                aws.cloudtrail.TrailEventSelectorDataResourceArgs(
                    type="AWS::S3::Object",
                    values=pulumi.Output.all(*args.data_event_bucket_arns).apply(lambda arns: object_prefixes(list(arns))),
                )
            ]
            if args.data_event_bucket_arns
            else None
        )
        trail_resource_name = f"{name}-trail"
        self.trail = aws.cloudtrail.Trail(
            trail_resource_name,
            name=args.trail_name,
            s3_bucket_name=args.bucket_name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=self.key.arn,
            cloud_watch_logs_group_arn=self.log_group.arn.apply(log_group_delivery_arn),
            cloud_watch_logs_role_arn=role.arn,
            event_selectors=[
                aws.cloudtrail.TrailEventSelectorArgs(
                    read_write_type="All", include_management_events=True, data_resources=data_resources
                )
            ],
            tags=tags(trail_resource_name),
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                # CreateTrail checks the bucket policy, the key policy and the role before it succeeds.
                depends_on=[*args.bucket_ready, role_policy],
            ),
        )

        for spec in CIS_FILTERS:
            aws.cloudwatch.LogMetricFilter(
                f"{name}-{spec.key}",
                log_group_name=self.log_group.name,
                pattern=spec.pattern,
                metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                    name=spec.metric, namespace=METRIC_NAMESPACE, value="1"
                ),
                opts=pulumi.ResourceOptions(parent=self.log_group),
            )
        create_alarms(
            name,
            [spec.alarm() for spec in CIS_FILTERS],
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self,
        )

        self.trail_arn = self.trail.arn
        self.key_arn = self.key.arn
        self.log_group_name = self.log_group.name
        self.register_outputs({"trail_arn": self.trail_arn, "key_arn": self.key_arn, "log_group_name": self.log_group_name})

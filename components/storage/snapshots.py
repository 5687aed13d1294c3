"""SnapshotLifecycle: the seed's "Snapshot Lifecycle: Delete snapshots > 30 days".

A Data Lifecycle Manager policy that snapshots the stack's tagged EBS volumes on a
schedule and deletes each snapshot when it is older than the configured days (age-based
retention), with the role DLM assumes (AWS's managed ``AWSDataLifecycleManagerServiceRole``).

Which volumes: those carrying ``betterprompts.io/snapshots=<stack prefix>``, which the
Prometheus StorageClass puts on every volume it provisions. Node root volumes are not
snapshotted: nodes are cattle, rebuilt from their launch templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, service_assume_role_policy
from .plan import DLM_INTERVAL_HOURS, DLM_SERVICE_ROLE_POLICY, check_snapshot_time
from .settings import SnapshotSettings


@dataclass
class SnapshotLifecycleArgs:
    """Inputs of :class:`SnapshotLifecycle`."""

    target_tags: Mapping[str, str]
    """Volumes with any of these tags are snapshotted (``plan.snapshot_target_tags``)."""
    settings: SnapshotSettings
    """Retention, interval and start time (``StorageSettings.snapshots``)."""


class SnapshotLifecycle(pulumi.ComponentResource):
    """A DLM policy and its role."""

    policy_arn: pulumi.Output[str]

    def __init__(self, name: str, args: SnapshotLifecycleArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:storage:SnapshotLifecycle", name, None, opts)
        tags = ComponentTags("snapshots")
        settings = args.settings

        role_name = f"{name}-dlm"
        self.role = aws.iam.Role(
            role_name,
            description="Data Lifecycle Manager: create and delete the stack's EBS snapshots",
            # As AWS's AWSDataLifecycleManagerDefaultRole: trusted by DLM with no source condition
            # (DLM does not document sending aws:SourceAccount when it assumes the role).
            assume_role_policy=service_assume_role_policy("dlm.amazonaws.com"),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            role_name, role=self.role.name, policy_arn=DLM_SERVICE_ROLE_POLICY, opts=pulumi.ResourceOptions(parent=self.role)
        )
        self.policy = aws.dlm.LifecyclePolicy(
            name,
            # DLM descriptions: letters, digits, spaces, hyphens and underscores only.
            description=f"EBS snapshots every {settings.interval_hours} hours kept {settings.retain_days} days",
            execution_role_arn=self.role.arn,
            state="ENABLED",
            policy_details=aws.dlm.LifecyclePolicyPolicyDetailsArgs(
                policy_type="EBS_SNAPSHOT_MANAGEMENT",
                resource_types=["VOLUME"],
                target_tags=dict(args.target_tags),
                schedules=[
                    aws.dlm.LifecyclePolicyPolicyDetailsScheduleArgs(
                        name=f"every-{settings.interval_hours}h-keep-{settings.retain_days}d",
                        create_rule=aws.dlm.LifecyclePolicyPolicyDetailsScheduleCreateRuleArgs(
                            interval=settings.interval_hours, interval_unit="HOURS", times=settings.time
                        ),
                        # Age-based: a snapshot older than retain_days is deleted.
                        retain_rule=aws.dlm.LifecyclePolicyPolicyDetailsScheduleRetainRuleArgs(
                            interval=settings.retain_days, interval_unit="DAYS"
                        ),
                        copy_tags=True,
                    )
                ],
            ),
            tags=tags(name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
        )
        self.policy_arn = self.policy.arn
        self.register_outputs({"policy_arn": self.policy_arn})


def _check_args(args: SnapshotLifecycleArgs) -> None:
    if not args.target_tags:
        raise ValueError("SnapshotLifecycle: target_tags must name the volumes to snapshot")
    if args.settings.interval_hours not in DLM_INTERVAL_HOURS:
        raise ValueError(f"SnapshotLifecycle: DLM creates snapshots every {DLM_INTERVAL_HOURS} hours")
    if args.settings.retain_days < 1:
        raise ValueError("SnapshotLifecycle: snapshots must be kept at least one day")
    check_snapshot_time(args.settings.time)

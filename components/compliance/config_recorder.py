"""ConfigRecorder: AWS Config (seed "Compliance: AWS Config: Continuous compliance monitoring").

A recorder of every supported resource type (global IAM types included), its own role
(``AWS_ConfigRole`` plus delivery into the logs bucket under the bucket's key), a delivery channel
to the storage layer's logs bucket, and managed rules mirroring the policy pack, so that drift after
deployment is caught as the pack catches it at preview. One recorder per account and region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, service_assume_role_policy
from .recorder_plan import CONFIG, ManagedRule, config_role_delivery_policy, config_role_managed_policy


@dataclass
class ConfigRecorderArgs:
    """Inputs of :class:`ConfigRecorder`."""

    recorder_name: str
    region: str
    account_id: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    bucket_kms_key_arn: pulumi.Input[str]
    """The logs bucket's default-encryption key (the storage key): delivered files are encrypted with it."""
    bucket_ready: Sequence[pulumi.Resource]
    """The bucket and its policy (PutDeliveryChannel checks that Config may write)."""
    rules: Sequence[ManagedRule]


class ConfigRecorder(pulumi.ComponentResource):
    """Records every resource of the account and region and evaluates the pack's controls."""

    recorder_name: pulumi.Output[str]
    recorder: aws.cfg.RecorderStatus

    def __init__(self, name: str, args: ConfigRecorderArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        keys = [rule.key for rule in args.rules]
        if len(set(keys)) != len(keys):
            raise ValueError(f"ConfigRecorder: rule keys must be unique, got {keys}")
        super().__init__("betterprompts:compliance:ConfigRecorder", name, None, opts)
        tags = ComponentTags("config-recorder")
        account = pulumi.Output.from_input(args.account_id)

        role_name = f"{name}-role"
        role = aws.iam.Role(
            role_name,
            description="AWS Config records the account's resources and delivers to the logs bucket",
            assume_role_policy=account.apply(lambda a: service_assume_role_policy(CONFIG, source_account=a)),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        reader = aws.iam.RolePolicyAttachment(
            f"{role_name}-reader",
            role=role.name,
            policy_arn=config_role_managed_policy(args.region),
            opts=pulumi.ResourceOptions(parent=role),
        )
        delivery_policy = aws.iam.RolePolicy(
            f"{role_name}-delivery",
            role=role.id,
            policy=pulumi.Output.all(args.bucket_arn, account, args.bucket_kms_key_arn).apply(
                lambda v: config_role_delivery_policy(v[0], account_id=v[1], bucket_key_arn=v[2])
            ),
            opts=pulumi.ResourceOptions(parent=role),
        )
        recorder = aws.cfg.Recorder(
            name,
            name=args.recorder_name,
            role_arn=role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(all_supported=True, include_global_resource_types=True),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[reader]),
        )
        channel = aws.cfg.DeliveryChannel(
            name,
            name=args.recorder_name,
            s3_bucket_name=args.bucket_name,
            snapshot_delivery_properties=aws.cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs(delivery_frequency="TwentyFour_Hours"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[recorder, delivery_policy, *args.bucket_ready]),
        )
        self.recorder = aws.cfg.RecorderStatus(
            name,
            name=recorder.name,
            is_enabled=True,
            # Recording starts once the channel exists (StartConfigurationRecorder needs one).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[channel]),
        )
        for rule in args.rules:
            rule_name = f"{name}-{rule.key}"
            aws.cfg.Rule(
                rule_name,
                description=f"{rule.identifier}" + (f" (the pack's {rule.mirrors} after deployment)" if rule.mirrors else ""),
                source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=rule.identifier),
                input_parameters=pulumi.Output.json_dumps(dict(rule.parameters)) if rule.parameters else None,
                tags=tags(rule_name),
                # A rule needs a recorder to evaluate against.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.recorder]),
            )

        self.recorder_name = recorder.name
        self.register_outputs({"recorder_name": self.recorder_name})

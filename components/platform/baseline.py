"""PlatformBaseline: what every other component leans on.

One customer-managed KMS key per purpose (logs, data, eks, storage, alarms; see
``kms_policy.KEY_PURPOSES``) and the one SNS topic every alarm of the platform
publishes to. Later concerns (the logs bucket, CloudTrail) hang off this component.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from .iam import policy_document
from .kms_policy import KEY_PURPOSES, key_policy
from .naming import ComponentTags


@dataclass
class PlatformBaselineArgs:
    """Inputs of :class:`PlatformBaseline`."""

    region: str
    """The stack's AWS region; key policies name its service principals."""
    account_id: pulumi.Input[str]
    """The AWS account the stack deploys into (key policies name its root)."""
    kms_deletion_window_days: int = 30
    """Days before a scheduled key deletion takes effect; the longest window is the safest."""
    alarm_emails: tuple[str, ...] = ()
    """Addresses subscribed to the alarm topic (each must confirm by mail)."""
    protect: bool = True
    """Pulumi-protect the keys: deleting one destroys every byte encrypted with it."""
    purposes: tuple[str, ...] = field(default_factory=lambda: tuple(KEY_PURPOSES))


class PlatformBaseline(pulumi.ComponentResource):
    """Shared KMS keys by purpose and the platform's alarm topic."""

    key_arns: pulumi.Output[dict[str, str]]
    alarm_topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: PlatformBaselineArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("betterprompts:baseline:PlatformBaseline", name, None, opts)
        tags = ComponentTags("baseline")
        child = pulumi.ResourceOptions(parent=self)
        self.keys: dict[str, aws.kms.Key] = {}
        for purpose in args.purposes:
            key_name = f"{name}-{purpose}"
            key = aws.kms.Key(
                key_name,
                description=f"{key_name}: {KEY_PURPOSES[purpose].description}",
                enable_key_rotation=True,
                deletion_window_in_days=args.kms_deletion_window_days,
                policy=_key_policy_output(purpose, args),
                tags=tags(key_name, {"KeyPurpose": purpose}),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            aws.kms.Alias(
                key_name,
                name=f"alias/{key_name}",
                target_key_id=key.key_id,
                opts=pulumi.ResourceOptions(parent=key),
            )
            self.keys[purpose] = key

        topic_name = f"{name}-alarms"
        self.alarm_topic = aws.sns.Topic(
            topic_name,
            kms_master_key_id=self.keys["alarms"].arn,
            tags=tags(topic_name),
            opts=child,
        )
        aws.sns.TopicPolicy(
            topic_name,
            arn=self.alarm_topic.arn,
            policy=pulumi.Output.all(self.alarm_topic.arn, args.account_id).apply(
                lambda values: alarm_topic_policy(values[0], values[1])
            ),
            opts=pulumi.ResourceOptions(parent=self.alarm_topic),
        )
        for email in args.alarm_emails:
            aws.sns.TopicSubscription(
                f"{topic_name}-{email}",
                topic=self.alarm_topic.arn,
                protocol="email",
                endpoint=email,
                opts=pulumi.ResourceOptions(parent=self.alarm_topic),
            )

        self.key_arns = pulumi.Output.all(**{p: k.arn for p, k in self.keys.items()})
        self.alarm_topic_arn = self.alarm_topic.arn
        self.register_outputs({"key_arns": self.key_arns, "alarm_topic_arn": self.alarm_topic_arn})


# Services that publish alarms to the topic: CloudWatch alarms, AWS Budgets, Cost Anomaly Detection.
ALARM_PUBLISHERS = ("cloudwatch", "budgets", "costalerts")


def alarm_topic_policy(topic_arn: str, account_id: str) -> str:
    """Each alarm publisher may publish to the topic, on behalf of this account only."""
    return policy_document(
        [
            {
                "Sid": f"{service.capitalize()}Publish",
                "Effect": "Allow",
                "Principal": {"Service": f"{service}.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
            for service in ALARM_PUBLISHERS
        ]
    )


def _key_policy_output(purpose: str, args: PlatformBaselineArgs) -> pulumi.Output[str]:
    return pulumi.Output.from_input(args.account_id).apply(
        lambda account: key_policy(purpose, account_id=account, region=args.region)
    )

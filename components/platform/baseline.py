"""PlatformBaseline: what every other component leans on.

One customer-managed KMS key per purpose (logs, data, eks, storage, alarms; see
``kms_policy.KEY_PURPOSES``) and the one SNS topic every alarm of the platform
publishes to, with at least one destination (or a recorded reason why not). Optionally the
EC2 Auto Scaling service-linked role the storage key names, for a fresh account. Later
concerns (the logs bucket, CloudTrail) hang off this component.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Optional

import pulumi
import pulumi_aws as aws

from .iam import policy_document
from .kms_policy import AUTOSCALING_SERVICE, KEY_PURPOSES, KeyOptions, key_policy
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
    alarm_destination_opt_out: Optional[str] = None
    """Why the alarm topic may have no subscriber; without emails this reason is required."""
    eventbridge_to_queues: bool = False
    """EventBridge sends to an SQS queue under the alarms key (Karpenter's interruption queue)."""
    ebs_through_ec2: bool = False
    """Principals of the account may use the storage key through EC2 (Karpenter launches nodes)."""
    eventbridge_to_topic: bool = False
    """EventBridge rules of this stack publish to the alarm topic (GuardDuty findings): the topic's
    policy and the alarms key admit them."""
    cloudfront_readers: Sequence[pulumi.Input[str]] = ()
    """CloudFront distributions (ARNs) that read the storage key's objects through OAC (the assets bucket):
    the storage key admits ``cloudfront.amazonaws.com`` for exactly these."""
    create_autoscaling_service_linked_role: bool = False
    """Create AWSServiceRoleForAutoScaling before the storage key that names it (a fresh account
    only: creating it where it exists fails). Kept on ``pulumi destroy``: it is the account's."""
    protect: bool = True
    """Pulumi-protect the keys: deleting one destroys every byte encrypted with it."""
    purposes: tuple[str, ...] = field(default_factory=lambda: tuple(KEY_PURPOSES))


class PlatformBaseline(pulumi.ComponentResource):
    """Shared KMS keys by purpose and the platform's alarm topic."""

    key_arns: pulumi.Output[dict[str, str]]
    alarm_topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: PlatformBaselineArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:baseline:PlatformBaseline", name, None, opts)
        tags = ComponentTags("baseline")
        child = pulumi.ResourceOptions(parent=self)
        # KMS refuses a key policy naming a principal that does not exist yet.
        key_dependencies: list[pulumi.Resource] = []
        if args.create_autoscaling_service_linked_role:
            role_name = f"{name}-autoscaling-service-role"
            key_dependencies.append(
                aws.iam.ServiceLinkedRole(
                    role_name,
                    aws_service_name=AUTOSCALING_SERVICE,
                    description="EC2 Auto Scaling launches node groups with volumes under the storage key",
                    tags=tags(role_name),
                    opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
                )
            )
        options = KeyOptions(
            name_prefix=name,
            eventbridge_to_queues=args.eventbridge_to_queues,
            ebs_through_ec2=args.ebs_through_ec2,
            eventbridge_to_topics=args.eventbridge_to_topic,
        )
        self.keys: dict[str, aws.kms.Key] = {}
        for purpose in args.purposes:
            key_name = f"{name}-{purpose}"
            key = aws.kms.Key(
                key_name,
                description=f"{key_name}: {KEY_PURPOSES[purpose].description}",
                enable_key_rotation=True,
                deletion_window_in_days=args.kms_deletion_window_days,
                policy=_key_policy_output(purpose, args, options),
                tags=tags(key_name, {"KeyPurpose": purpose}),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    protect=args.protect,
                    depends_on=key_dependencies if purpose == "storage" else None,
                ),
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
                lambda values: alarm_topic_policy(
                    values[0],
                    values[1],
                    region=args.region,
                    name_prefix=name,
                    publishers=ALARM_PUBLISHERS + (("events",) if args.eventbridge_to_topic else ()),
                )
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


def publisher_source_arn(service: str, *, account_id: str, region: str, name_prefix: str, partition: str = "aws") -> str:
    """The ``aws:SourceArn`` pattern a publisher's requests to SNS carry (confused-deputy protection).

    CloudWatch: this stack's alarms (every alarm is named under the stack prefix). Budgets and Cost
    Anomaly Detection: this account's budgets and anomaly monitors, as their guides write it (a monitor's
    ARN is a generated id, so no name narrows it).
    """
    if service == "cloudwatch":
        return f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:{name_prefix}-*"
    if service == "budgets":
        return f"arn:{partition}:budgets::{account_id}:*"
    if service == "costalerts":
        return f"arn:{partition}:ce::{account_id}:anomalymonitor/*"
    if service == "events":
        # This stack's EventBridge rules (each named under the stack prefix).
        return f"arn:{partition}:events:{region}:{account_id}:rule/{name_prefix}-*"
    raise ValueError(f"no source ARN known for publisher {service!r}")


def alarm_topic_policy(
    topic_arn: str,
    account_id: str,
    *,
    region: str,
    name_prefix: str,
    partition: str = "aws",
    publishers: tuple[str, ...] = ALARM_PUBLISHERS,
) -> str:
    """Each alarm publisher may publish to the topic, for this account's own alarms, budgets, monitors
    (and, when asked, EventBridge rules) only."""
    return policy_document(
        [
            {
                "Sid": f"{service.capitalize()}Publish",
                "Effect": "Allow",
                "Principal": {"Service": f"{service}.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {
                        "aws:SourceArn": publisher_source_arn(
                            service, account_id=account_id, region=region, name_prefix=name_prefix, partition=partition
                        )
                    },
                },
            }
            for service in publishers
        ]
    )


def _key_policy_output(purpose: str, args: PlatformBaselineArgs, options: KeyOptions) -> pulumi.Output[str]:
    readers = list(args.cloudfront_readers) if purpose == "storage" else []
    return pulumi.Output.all(args.account_id, *readers).apply(
        lambda v: key_policy(
            purpose,
            account_id=v[0],
            region=args.region,
            options=replace(options, cloudfront_distribution_arns=tuple(v[1:])),
        )
    )


def _check_args(args: PlatformBaselineArgs) -> None:
    """An alarm topic nobody reads is a silent failure: refuse it unless the reason is recorded."""
    if not args.alarm_emails and not (args.alarm_destination_opt_out or "").strip():
        raise ValueError(
            "PlatformBaseline needs at least one alarm destination (alarm_emails), or alarm_destination_opt_out "
            "saying why the alarm topic may have none"
        )
    unknown = set(args.purposes) - set(KEY_PURPOSES)
    if unknown:
        raise ValueError(f"PlatformBaseline: unknown key purposes {sorted(unknown)}; known: {sorted(KEY_PURPOSES)}")

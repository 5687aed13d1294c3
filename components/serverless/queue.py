"""WorkQueue: an SQS queue with a customer-managed key, a dead-letter queue under the same key,
TLS-only queue policies and alarms on backlog age and dead-letter depth.

The intent classifier's work queue is one: the webhook function enqueues, the intent-classifier
pods drain it, and its depth (through the CloudWatch exporter of ``apps.MetricsPipeline``) is the
HPA's queue-depth signal. Its name is fixed (``queue_plan.intent_queue_name``) so the exporter and
the HPA name it before it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, create_alarms
from .queue_plan import (
    KMS_DATA_KEY_REUSE_SECONDS,
    check_queue_name,
    dead_letter_queue_name,
    queue_alarms,
    redrive_allow_policy,
    redrive_policy,
    tls_only_queue_policy,
)
from .settings import WorkQueueSettings


@dataclass
class WorkQueueArgs:
    """Inputs of :class:`WorkQueue`."""

    queue_name: str
    """The queue's physical name (letters, digits, '-' and '_', at most 80); the dead-letter queue adds ``-dlq``."""
    settings: WorkQueueSettings
    kms_key_arn: pulumi.Input[str]
    """Customer-managed key of both queues (``baseline.keys["data"]``: the messages are application data)."""
    alarm_topic_arn: pulumi.Input[str]


class WorkQueue(pulumi.ComponentResource):
    """A work queue and its dead-letter queue."""

    queue_url: pulumi.Output[str]
    queue_arn: pulumi.Output[str]
    dead_letter_queue_url: pulumi.Output[str]
    dead_letter_queue_arn: pulumi.Output[str]

    def __init__(self, name: str, args: WorkQueueArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        # Refuse a name SQS would refuse before any child exists.
        check_queue_name(args.queue_name)
        dead_letter_name = dead_letter_queue_name(args.queue_name)
        super().__init__("betterprompts:serverless:WorkQueue", name, None, opts)
        settings = args.settings
        tags = ComponentTags("work-queue")

        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-dlq",
            name=dead_letter_name,
            message_retention_seconds=settings.dead_letter_retention_seconds,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            tags=tags(f"{name}-dlq", {"QueueRole": "dead-letter"}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.queue = aws.sqs.Queue(
            name,
            name=args.queue_name,
            visibility_timeout_seconds=settings.visibility_timeout_seconds,
            message_retention_seconds=settings.message_retention_seconds,
            # Long polling: consumers wait up to 20 s for a message instead of paying for empty receives.
            receive_wait_time_seconds=20,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            redrive_policy=self.dead_letter_queue.arn.apply(lambda arn: redrive_policy(arn, settings.max_receive_count)),
            tags=tags(name, {"QueueRole": "work"}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Only the work queue may move messages into the dead-letter queue.
        aws.sqs.RedriveAllowPolicy(
            f"{name}-dlq",
            queue_url=self.dead_letter_queue.url,
            redrive_allow_policy=self.queue.arn.apply(lambda arn: redrive_allow_policy([arn])),
            opts=pulumi.ResourceOptions(parent=self.dead_letter_queue),
        )
        for key, queue in (("work", self.queue), ("dlq", self.dead_letter_queue)):
            aws.sqs.QueuePolicy(
                f"{name}-{key}-tls",
                queue_url=queue.url,
                policy=queue.arn.apply(tls_only_queue_policy),
                opts=pulumi.ResourceOptions(parent=queue),
            )
        create_alarms(
            name,
            queue_alarms(args.queue_name, dead_letter_name, settings.alarms),
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self,
        )

        self.queue_url = self.queue.url
        self.queue_arn = self.queue.arn
        self.dead_letter_queue_url = self.dead_letter_queue.url
        self.dead_letter_queue_arn = self.dead_letter_queue.arn
        self.register_outputs(
            {
                "queue_url": self.queue_url,
                "queue_arn": self.queue_arn,
                "dead_letter_queue_url": self.dead_letter_queue_url,
                "dead_letter_queue_arn": self.dead_letter_queue_arn,
            }
        )

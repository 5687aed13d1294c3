"""The intent classifier's work queue as data: names, redrive, queue policy and alarms.

SQS facts the mocks cannot see (Amazon SQS Developer Guide, "Quotas", "Dead-letter queues",
CreateQueue API reference):

- queue names: up to 80 characters of letters, digits, hyphens and underscores;
- visibility timeout 0-43,200 s; message retention 60-1,209,600 s; maxReceiveCount 1-1,000;
- a message keeps its original enqueue timestamp when it moves to the dead-letter queue, so the
  dead-letter queue must retain messages longer than the source queue or they expire there early
  (the guide: "always set the retention period of a dead-letter queue to be longer than the
  retention period of the original queue");
- the source and its dead-letter queue must be of the same type (standard here) in the same
  account and region.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..platform import GREATER, AlarmSpec, policy_document

QUEUE_NAME_LIMIT = 80
_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")

# SQS API limits (CreateQueue attributes).
VISIBILITY_TIMEOUT_MAX_SECONDS = 43_200
RETENTION_MIN_SECONDS = 60
RETENTION_MAX_SECONDS = 1_209_600
MAX_RECEIVE_COUNT_MAX = 1_000
# How long SQS reuses a data key before asking KMS again (60-86,400 s): 5 minutes keeps KMS
# requests (and their cost) low without holding one key for long.
KMS_DATA_KEY_REUSE_SECONDS = 300

INTENT_QUEUE_KEY = "intent-classification"
DEAD_LETTER_SUFFIX = "dlq"


def intent_queue_name(prefix: str) -> str:
    """The intent classifier's work queue: a fixed name, so the metrics exporter and the HPA can
    name it before the queue exists (``<prefix>-intent-classification``)."""
    return queue_name(prefix, INTENT_QUEUE_KEY)


def queue_name(prefix: str, key: str) -> str:
    return check_queue_name(f"{prefix}-{key}")


def check_queue_name(name: str) -> str:
    """A name SQS accepts, or ValueError."""
    if not _QUEUE_NAME.match(name):
        raise ValueError(f"SQS queue name {name!r}: letters, digits, '-' and '_' only, at most {QUEUE_NAME_LIMIT} characters")
    return name


def dead_letter_queue_name(name: str) -> str:
    """The dead-letter queue of ``name``: ``<name>-dlq``."""
    return queue_name(name, DEAD_LETTER_SUFFIX)


def queue_arn(name: str, *, region: str, account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:sqs:{region}:{account_id}:{name}"


def queue_url(name: str, *, region: str, account_id: str) -> str:
    """The queue's URL as CreateQueue returns it (the current ``sqs.<region>.amazonaws.com`` form)."""
    return f"https://sqs.{region}.amazonaws.com/{account_id}/{name}"


# What a consumer of an SSE-KMS queue needs (Amazon SQS Developer Guide, "Key management": a
# consumer needs kms:Decrypt on the queue's key; producers also GenerateDataKey). GetQueueUrl and
# GetQueueAttributes let an SDK resolve the queue by name and read its visibility timeout.
CONSUMER_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)


def consumer_policy(queue_arn_value: str, kms_key_arn: str) -> str:
    """A worker that drains one queue: receive, extend and delete its messages, decrypt them; nothing else."""
    return policy_document(
        [
            {"Sid": "ConsumeWorkQueue", "Effect": "Allow", "Action": list(CONSUMER_ACTIONS), "Resource": queue_arn_value},
            {"Sid": "DecryptMessages", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": kms_key_arn},
        ]
    )


def redrive_policy(dead_letter_arn: str, max_receive_count: int) -> str:
    """After ``max_receive_count`` receives without a delete, SQS moves the message to the dead-letter queue."""
    if not 1 <= max_receive_count <= MAX_RECEIVE_COUNT_MAX:
        raise ValueError(f"maxReceiveCount {max_receive_count} outside 1-{MAX_RECEIVE_COUNT_MAX}")
    return json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receive_count}, sort_keys=True)


def redrive_allow_policy(source_arns: list[str]) -> str:
    """The dead-letter queue takes messages from the named source queues only."""
    return json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": sorted(source_arns)}, sort_keys=True)


def tls_only_queue_policy(queue_arn_value: str) -> str:
    """Refuse every request to the queue that does not arrive over TLS (seed: encryption in transit).

    Nothing else is granted here: producers and consumers of this account are allowed by their
    own IAM policies (and the key's account-root statement for the queue's key).
    """
    return policy_document(
        [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn_value,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    )


@dataclass(frozen=True)
class QueueAlarmSettings:
    """When the work queue pages: its oldest message too old, or anything in the dead-letter queue."""

    oldest_message_age_seconds: int = 600
    dead_letter_messages: int = 0
    """Alarm when the dead-letter queue holds more than this many messages."""
    period_seconds: int = 60
    evaluation_periods: int = 5
    datapoints_to_alarm: int = 3


def queue_alarms(queue: str, dead_letter: str, alarms: QueueAlarmSettings) -> list[AlarmSpec]:
    """Backlog age on the work queue (consumers stalled or too few) and depth of the dead-letter queue.

    SQS publishes its metrics once a minute; an idle queue may stop reporting for hours, so a
    missing datapoint is not a breach.
    """
    return [
        AlarmSpec(
            key="oldest-age",
            namespace="AWS/SQS",
            metric="ApproximateAgeOfOldestMessage",
            comparison=GREATER,
            threshold=alarms.oldest_message_age_seconds,
            statistic="Maximum",
            description=f"{queue}: the oldest message waited over {alarms.oldest_message_age_seconds} s (intent classifiers stalled or too few)",
            period_seconds=alarms.period_seconds,
            evaluation_periods=alarms.evaluation_periods,
            datapoints_to_alarm=alarms.datapoints_to_alarm,
            treat_missing_data="notBreaching",
            dimensions={"QueueName": queue},
        ),
        AlarmSpec(
            key="dlq-depth",
            namespace="AWS/SQS",
            metric="ApproximateNumberOfMessagesVisible",
            comparison=GREATER,
            threshold=alarms.dead_letter_messages,
            statistic="Maximum",
            description=f"{dead_letter}: more than {alarms.dead_letter_messages} message(s) failed processing repeatedly",
            period_seconds=alarms.period_seconds,
            # One datapoint is enough: a message in the dead-letter queue stays there until someone acts.
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            dimensions={"QueueName": dead_letter},
        ),
    ]

"""``betterprompts:serverless``: the intent classifier's work queue (and, as they land, the
functions, the API and the bulk-processing workflow). Every size, timeout and limit is checked
against the service's own limits before anything is created."""

from __future__ import annotations

from dataclasses import dataclass

from ..platform import ConfigError, Section
from .api_settings import ApiSettings, read_api
from .function_plan import UNRESERVED_MINIMUM
from .function_settings import FunctionsSettings
from .queue_plan import (
    MAX_RECEIVE_COUNT_MAX,
    RETENTION_MAX_SECONDS,
    RETENTION_MIN_SECONDS,
    VISIBILITY_TIMEOUT_MAX_SECONDS,
    QueueAlarmSettings,
)
from .workflow_settings import BulkTransformSettings


@dataclass(frozen=True)
class WorkQueueSettings:
    """An SQS work queue with its dead-letter queue."""

    visibility_timeout_seconds: int
    """How long a received message stays hidden from other consumers (longer than one classification)."""
    message_retention_seconds: int
    max_receive_count: int
    """Receives without a delete before SQS moves a message to the dead-letter queue."""
    dead_letter_retention_seconds: int
    """Longer than ``message_retention_seconds``: a moved message keeps its original enqueue time."""
    alarms: QueueAlarmSettings


@dataclass(frozen=True)
class ServerlessSettings:
    intent_queue: WorkQueueSettings
    functions: FunctionsSettings
    api: ApiSettings
    bulk_transform: BulkTransformSettings

    @staticmethod
    def read(
        section: Section, *, region: str, zone_name: str | None, zone_key: str, taken_names: dict[str, str] | None = None
    ) -> "ServerlessSettings":
        """``region``: the stack's (the batch transform's instance type is checked against it);
        ``zone_name``: the edge layer's public zone (the API's custom domain lives in it);
        ``taken_names``: names the edge layer serves already (name -> its key)."""
        queue = read_work_queue(section.child("intentQueue"))
        functions = FunctionsSettings.read(section.child("functions"))
        api_section = section.child("api")
        api = read_api(api_section, zone_name=zone_name, zone_key=zone_key, taken=taken_names or {})
        reserved = functions.webhook.function.reserved_concurrency
        # A survey's stand-ins say nothing of how the two relate (it looks for missing keys only).
        if api.burst_limit > reserved and not section.surveying:
            # Each request in a burst holds one execution of the webhook: beyond its reserved concurrency
            # Lambda throttles, and senders see 500s from the integration instead of API Gateway's clean 429.
            raise ConfigError(
                f"{api_section.path}.throttle.burstLimit",
                api.burst_limit,
                f"at most {section.path}.functions.webhook.reservedConcurrency ({reserved}): every request of a burst "
                "holds one execution of the webhook function",
            )
        bulk = BulkTransformSettings.read(section.child("bulkTransform"), region)
        # The workflow's task functions reserve from the same account concurrency as the seed's three.
        reserved = functions.reserved_concurrency + sum(f.reserved_concurrency for f in bulk.functions)
        if reserved > functions.account_concurrency - UNRESERVED_MINIMUM and not section.surveying:
            raise ConfigError(
                section.key("functions.accountConcurrency"),
                functions.account_concurrency,
                f"at least {reserved + UNRESERVED_MINIMUM}: the functions (with bulkTransform's) reserve {reserved} and "
                f"Lambda keeps {UNRESERVED_MINIMUM} of the account's concurrency unreserved",
            )
        section.finish()
        return ServerlessSettings(intent_queue=queue, functions=functions, api=api, bulk_transform=bulk)


def read_work_queue(section: Section) -> WorkQueueSettings:
    visibility = section.integer("visibilityTimeoutSeconds", minimum=0, maximum=VISIBILITY_TIMEOUT_MAX_SECONDS)
    retention = section.integer("messageRetentionSeconds", minimum=RETENTION_MIN_SECONDS, maximum=RETENTION_MAX_SECONDS)
    receives = section.integer("maxReceiveCount", minimum=1, maximum=MAX_RECEIVE_COUNT_MAX)
    dead_letter = section.integer("deadLetterRetentionSeconds", minimum=RETENTION_MIN_SECONDS, maximum=RETENTION_MAX_SECONDS)
    if dead_letter <= retention and not section.stand_in("deadLetterRetentionSeconds", "messageRetentionSeconds"):
        raise ConfigError(
            section.key("deadLetterRetentionSeconds"),
            dead_letter,
            f"more than {section.key('messageRetentionSeconds')} ({retention}): a message keeps its original enqueue time in the "
            "dead-letter queue and would expire there before anyone looks at it",
        )
    alarms = section.child("alarms", {})
    period = alarms.integer("periodSeconds", 60, minimum=60, maximum=86_400)
    if period % 60:
        raise ConfigError(alarms.key("periodSeconds"), period, "a multiple of 60 (SQS publishes one datapoint a minute)")
    evaluation = alarms.integer("evaluationPeriods", 5, minimum=1, maximum=100)
    # Bounded by the retention: the default follows a short retention instead of blaming a key nobody wrote,
    # and a value set too high names the retention it exceeds.
    oldest = alarms.integer("oldestMessageAgeSeconds", min(600, retention), minimum=60)
    if oldest > retention and not section.stand_in("messageRetentionSeconds"):
        raise ConfigError(
            alarms.key("oldestMessageAgeSeconds"),
            oldest,
            f"at most {section.key('messageRetentionSeconds')} ({retention}): no message gets older than that",
        )
    alarm_settings = QueueAlarmSettings(
        oldest_message_age_seconds=oldest,
        dead_letter_messages=alarms.integer("deadLetterMessages", 0, minimum=0),
        period_seconds=period,
        evaluation_periods=evaluation,
        datapoints_to_alarm=alarms.integer("datapointsToAlarm", min(3, evaluation), minimum=1, maximum=evaluation),
    )
    alarms.finish()
    section.finish()
    return WorkQueueSettings(
        visibility_timeout_seconds=visibility,
        message_retention_seconds=retention,
        max_receive_count=receives,
        dead_letter_retention_seconds=dead_letter,
        alarms=alarm_settings,
    )

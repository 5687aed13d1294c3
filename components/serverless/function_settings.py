"""``betterprompts:serverless.functions``: memory, timeout, concurrency, retries, alarms and the
behaviour of each function, checked against Lambda's, API Gateway's, SQS's and EventBridge
Scheduler's limits before anything is created."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

from ..platform import ConfigError, Section, check_log_retention
from .function_plan import (
    API_GATEWAY_TIMEOUT_SECONDS,
    ASYNC_RETRIES,
    DEFAULT_ACCOUNT_CONCURRENCY,
    MAX_EVENT_AGE_SECONDS,
    MEMORY_MB,
    TIMEOUT_SECONDS,
    UNRESERVED_MINIMUM,
    FunctionAlarmSettings,
)

# EventBridge Scheduler (CreateSchedule API reference): retries 0-185, event age 60-86,400 s.
SCHEDULER_RETRIES = (0, 185)
SCHEDULER_EVENT_AGE_SECONDS = (60, 86_400)
# A message the webhook enqueues wraps the body in a small envelope; SQS's classic 256 KiB
# message limit (queues may now accept 1 MiB, not every consumer library does) leaves this much.
WEBHOOK_BODY_MAX = 256 * 1024 - 1024
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
_RATE = re.compile(r"^rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\)$")
_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$")


@dataclass(frozen=True)
class FunctionSettings:
    memory_mb: int
    timeout_seconds: int
    reserved_concurrency: int
    """Taken from the account's concurrency: the most this function runs at once, and always available to it."""
    log_retention_days: int
    retries: int
    """Retries of an asynchronous invocation before it goes to the failure queue (0-2)."""
    max_event_age_seconds: int
    alarms: FunctionAlarmSettings


@dataclass(frozen=True)
class ImageOptimizerSettings:
    function: FunctionSettings
    uploads_prefix: str
    variants_prefix: str
    variant_widths: tuple[int, ...]
    webp_quality: int
    max_source_mb: int
    max_source_megapixels: int


@dataclass(frozen=True)
class WebhookSettings:
    function: FunctionSettings
    max_body_bytes: int
    timestamp_tolerance_seconds: int


@dataclass(frozen=True)
class CleanupSchedule:
    expression: str
    timezone: str
    upload_expiry_days: int


@dataclass(frozen=True)
class ScheduledTasksSettings:
    function: FunctionSettings
    cleanup: CleanupSchedule
    scheduler_retries: int
    scheduler_max_event_age_seconds: int


@dataclass(frozen=True)
class FunctionsSettings:
    account_concurrency: int
    """The account's Lambda concurrency in the region (Service Quotas L-B99A9384; 1,000 by default)."""
    image_optimizer: ImageOptimizerSettings
    webhook: WebhookSettings
    scheduled_tasks: ScheduledTasksSettings

    @property
    def reserved_concurrency(self) -> int:
        return sum(f.function.reserved_concurrency for f in (self.image_optimizer, self.webhook, self.scheduled_tasks))

    @staticmethod
    def read(section: Section) -> "FunctionsSettings":
        account = section.integer("accountConcurrency", DEFAULT_ACCOUNT_CONCURRENCY, minimum=UNRESERVED_MINIMUM + 1)
        images = _image_optimizer(section.child("imageOptimizer"))
        webhook = _webhook(section.child("webhook"))
        tasks = _scheduled_tasks(section.child("scheduledTasks"))
        reserved = sum(f.function.reserved_concurrency for f in (images, webhook, tasks))
        if reserved > account - UNRESERVED_MINIMUM:
            raise ConfigError(
                section.key("accountConcurrency"),
                account,
                f"at least {reserved + UNRESERVED_MINIMUM}: the functions reserve {reserved} and Lambda keeps "
                f"{UNRESERVED_MINIMUM} of the account's concurrency unreserved (lower the reservedConcurrency values "
                "or raise the quota first)",
            )
        section.finish()
        return FunctionsSettings(account, images, webhook, tasks)


def _function(section: Section, *, max_timeout: int = TIMEOUT_SECONDS[1], why: str = "") -> FunctionSettings:
    memory = section.integer("memoryMb", minimum=MEMORY_MB[0], maximum=MEMORY_MB[1])
    timeout = section.integer("timeoutSeconds", minimum=TIMEOUT_SECONDS[0], maximum=TIMEOUT_SECONDS[1])
    if timeout > max_timeout:
        raise ConfigError(section.key("timeoutSeconds"), timeout, f"at most {max_timeout} {why}".strip())
    reserved = section.integer("reservedConcurrency", minimum=1)
    retention = check_log_retention(section.key("logRetentionDays"), section.integer("logRetentionDays"))
    retries = section.integer("retries", 2, minimum=ASYNC_RETRIES[0], maximum=ASYNC_RETRIES[1])
    age = section.integer("maxEventAgeSeconds", 3600, minimum=MAX_EVENT_AGE_SECONDS[0], maximum=MAX_EVENT_AGE_SECONDS[1])
    alarms = section.child("alarms", {})
    period = alarms.integer("periodSeconds", 300, minimum=60, maximum=86_400)
    if period % 60:
        raise ConfigError(alarms.key("periodSeconds"), period, "a multiple of 60")
    duration = alarms.integer("durationP95Ms", timeout * 800, minimum=1)
    if duration > timeout * 1000 and not section.stand_in("timeoutSeconds"):
        # Lowering timeoutSeconds is the usual way here: name it.
        raise ConfigError(
            alarms.key("durationP95Ms"),
            duration,
            f"at most {section.key('timeoutSeconds')} ({timeout} s = {timeout * 1000} ms): no invocation runs longer",
        )
    alarm_settings = FunctionAlarmSettings(
        errors=alarms.integer("errors", 1, minimum=0),
        throttles=alarms.integer("throttles", 0, minimum=0),
        duration_p95_ms=duration,
        period_seconds=period,
        evaluation_periods=alarms.integer("evaluationPeriods", 1, minimum=1, maximum=100),
    )
    alarms.finish()
    return FunctionSettings(memory, timeout, reserved, retention, retries, age, alarm_settings)


def read_function(section: Section, *, max_timeout: int = TIMEOUT_SECONDS[1], why: str = "") -> FunctionSettings:
    """A function's section holding only the keys every function has (memory, timeout, concurrency, logs, alarms)."""
    settings = _function(section, max_timeout=max_timeout, why=why)
    section.finish()
    return settings


def read_prefix(section: Section, name: str, example: str) -> str:
    """An S3 key prefix: safe characters in '/'-separated parts, ending in '/' (``example``: the survey's stand-in)."""
    value = section.string(name, example=example)
    if not _PREFIX.match(value):
        raise ConfigError(section.key(name), value, f"an S3 key prefix of safe characters ending in '/' ({example})")
    return value


def _image_optimizer(section: Section) -> ImageOptimizerSettings:
    function = _function(section)
    # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
    uploads = read_prefix(section, "uploadsPrefix", "uploads/")
    variants = read_prefix(section, "variantsPrefix", "variants/")
    if (uploads.startswith(variants) or variants.startswith(uploads)) and not section.stand_in("uploadsPrefix", "variantsPrefix"):
        raise ConfigError(
            section.key("variantsPrefix"),
            variants,
            f"a prefix apart from uploadsPrefix ({uploads}): variants written under it would invoke the function again",
        )
    widths = section.strings(
        "variantWidths", min_items=1, max_items=10, item=lambda key, v: _int(key, v, 16, 10_000)
    )
    if len(set(widths)) != len(widths):
        raise ConfigError(section.key("variantWidths"), list(widths), "distinct widths")
    settings = ImageOptimizerSettings(
        function=function,
        uploads_prefix=uploads,
        variants_prefix=variants,
        variant_widths=tuple(sorted(widths)),
        webp_quality=section.integer("webpQuality", 80, minimum=1, maximum=100),
        max_source_mb=section.integer("maxSourceMb", 25, minimum=1, maximum=1024),
        max_source_megapixels=section.integer("maxSourceMegapixels", 50, minimum=1, maximum=500),
    )
    section.finish()
    return settings


def _webhook(section: Section) -> WebhookSettings:
    function = _function(
        section, max_timeout=API_GATEWAY_TIMEOUT_SECONDS, why="(API Gateway stops waiting for its integration after 29 s)"
    )
    settings = WebhookSettings(
        function=function,
        max_body_bytes=section.integer("maxBodyBytes", 65_536, minimum=1, maximum=WEBHOOK_BODY_MAX),
        timestamp_tolerance_seconds=section.integer("timestampToleranceSeconds", 300, minimum=30, maximum=3600),
    )
    section.finish()
    return settings


def _scheduled_tasks(section: Section) -> ScheduledTasksSettings:
    function = _function(section)
    cleanup = section.child("cleanupExpiredUploads")
    expression = cleanup.string("schedule", example="rate(1 day)")
    if not (_CRON.match(expression) or _RATE.match(expression)):
        raise ConfigError(
            cleanup.key("schedule"), expression, "an EventBridge Scheduler expression: cron(min hour day month weekday year) or rate(N unit)"
        )
    timezone = cleanup.string("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(cleanup.key("timezone"), timezone, "an IANA time zone such as UTC or Europe/Berlin") from None
    schedule = CleanupSchedule(expression, timezone, cleanup.integer("uploadExpiryDays", minimum=1, maximum=3650))
    cleanup.finish()
    scheduler = section.child("scheduler", {})
    settings = ScheduledTasksSettings(
        function=function,
        cleanup=schedule,
        scheduler_retries=scheduler.integer("retries", 3, minimum=SCHEDULER_RETRIES[0], maximum=SCHEDULER_RETRIES[1]),
        scheduler_max_event_age_seconds=scheduler.integer(
            "maxEventAgeSeconds", 3600, minimum=SCHEDULER_EVENT_AGE_SECONDS[0], maximum=SCHEDULER_EVENT_AGE_SECONDS[1]
        ),
    )
    scheduler.finish()
    section.finish()
    return settings


def _int(key: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(key, value, f"a whole number from {low} to {high}")
    return value

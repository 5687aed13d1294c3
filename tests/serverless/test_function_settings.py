"""betterprompts:serverless.functions: every size, timeout, concurrency, schedule and limit checked."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform import ConfigError
from tests.stack_config import load, with_value

F = "functions"


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        (f"{F}.imageOptimizer.memoryMb", 64, "from 128 to 10240"),
        (f"{F}.imageOptimizer.timeoutSeconds", 901, "from 1 to 900"),
        (f"{F}.imageOptimizer.reservedConcurrency", 0, "at least 1"),
        (f"{F}.imageOptimizer.retries", 3, "from 0 to 2"),
        (f"{F}.imageOptimizer.maxEventAgeSeconds", 21601, "from 60 to 21600"),
        (f"{F}.imageOptimizer.logRetentionDays", 10, "a CloudWatch Logs retention period"),
        (f"{F}.imageOptimizer.alarms.durationP95Ms", 60001, "at most betterprompts:serverless.functions.imageOptimizer.timeoutSeconds (60 s = 60000 ms)"),
        (f"{F}.imageOptimizer.alarms.periodSeconds", 90, "a multiple of 60"),
        (f"{F}.imageOptimizer.uploadsPrefix", "uploads", "ending in '/'"),
        (f"{F}.imageOptimizer.variantsPrefix", "uploads/variants/", "would invoke the function again"),
        (f"{F}.imageOptimizer.variantWidths", [], "a list of from 1 to 10 items"),
        (f"{F}.imageOptimizer.variantWidths", [320, 320], "distinct widths"),
        (f"{F}.imageOptimizer.webpQuality", 101, "from 1 to 100"),
        (f"{F}.webhook.timeoutSeconds", 30, "API Gateway stops waiting"),
        (f"{F}.webhook.maxBodyBytes", 300_000, "from 1 to 261120"),
        (f"{F}.scheduledTasks.cleanupExpiredUploads.schedule", "every day", "an EventBridge Scheduler expression"),
        (f"{F}.scheduledTasks.cleanupExpiredUploads.schedule", "cron(0 3 * * ?)", "an EventBridge Scheduler expression"),
        (f"{F}.scheduledTasks.cleanupExpiredUploads.timezone", "Mars/Olympus", "an IANA time zone"),
        (f"{F}.scheduledTasks.cleanupExpiredUploads.uploadExpiryDays", 0, "from 1 to 3650"),
        (f"{F}.scheduledTasks.scheduler.retries", 186, "from 0 to 185"),
        (f"{F}.scheduledTasks.scheduler.maxEventAgeSeconds", 59, "from 60 to 86400"),
        (f"{F}.webhook.memory", 128, "no such key"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("serverless", key, value))
    assert error.value.key == f"betterprompts:serverless.{key}"
    assert allowed in error.value.allowed


def test_reserved_concurrency_leaves_lambdas_unreserved_hundred() -> None:
    # Production's seed functions reserve 20 + 50 + 1 = 71, the bulk-transform tasks 2 + 2 + 2 more: an account
    # of 170 is too small for the first, 176 for all of them, 177 is enough.
    with pytest.raises(ConfigError) as error:
        load(with_value("serverless", f"{F}.accountConcurrency", 170))
    assert error.value.key == "betterprompts:serverless.functions.accountConcurrency"
    assert "at least 171" in error.value.allowed and "100 of the account's concurrency unreserved" in error.value.allowed
    with pytest.raises(ConfigError) as error:
        load(with_value("serverless", f"{F}.accountConcurrency", 176))
    assert error.value.key == "betterprompts:serverless.functions.accountConcurrency"
    assert "at least 177" in error.value.allowed and "with bulkTransform's" in error.value.allowed
    assert load(with_value("serverless", f"{F}.accountConcurrency", 177)).serverless.functions.account_concurrency == 177


def test_the_duration_alarm_defaults_below_the_timeout() -> None:
    config = with_value("serverless", f"{F}.webhook.alarms", {})
    assert load(config).serverless.functions.webhook.function.alarms.duration_p95_ms == 8000

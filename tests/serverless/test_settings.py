"""betterprompts:serverless: both stacks parse, staging is smaller, every bad value is a ConfigError naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform import ConfigError
from tests.stack_config import load, with_value


def test_both_stacks_parse_and_staging_keeps_less() -> None:
    production = load(with_value("serverless", "intentQueue.maxReceiveCount", 5)).serverless.intent_queue
    staging = load(with_value("serverless", "intentQueue.maxReceiveCount", 5, "staging"), "staging").serverless.intent_queue
    assert production.message_retention_seconds == 4 * 86400
    assert production.dead_letter_retention_seconds == 14 * 86400  # SQS's maximum
    assert staging.message_retention_seconds < production.message_retention_seconds
    assert staging.dead_letter_retention_seconds < production.dead_letter_retention_seconds
    for queue in (production, staging):
        assert queue.dead_letter_retention_seconds > queue.message_retention_seconds


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("intentQueue.visibilityTimeoutSeconds", 43201, "from 0 to 43200"),
        ("intentQueue.messageRetentionSeconds", 59, "from 60 to 1209600"),
        ("intentQueue.maxReceiveCount", 0, "from 1 to 1000"),
        ("intentQueue.maxReceiveCount", 1001, "from 1 to 1000"),
        ("intentQueue.deadLetterRetentionSeconds", 1209601, "from 60 to 1209600"),
        # Not longer than the work queue's retention: moved messages would expire early.
        ("intentQueue.deadLetterRetentionSeconds", 345600, "more than betterprompts:serverless.intentQueue.messageRetentionSeconds (345600)"),
        ("intentQueue.alarms.periodSeconds", 90, "a multiple of 60"),
        ("intentQueue.alarms.datapointsToAlarm", 6, "from 1 to 5"),
        ("intentQueue.alarms.oldestMessageAgeSeconds", 345601, "at most betterprompts:serverless.intentQueue.messageRetentionSeconds (345600)"),
        ("intentQueue.alarms.deadLetterMessages", -1, "at least 0"),
        ("intentQueue.retention", 1, "no such key"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("serverless", key, value))
    assert error.value.key == f"betterprompts:serverless.{key}"
    assert allowed in error.value.allowed


def test_the_section_is_required() -> None:
    config = with_value("serverless", "intentQueue.maxReceiveCount", 5)
    del config["betterprompts:serverless"]
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:serverless.intentQueue"

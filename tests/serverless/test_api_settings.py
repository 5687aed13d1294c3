"""betterprompts:serverless.api: stage name, throttle, logging, retention and custom domain checked
before anything exists, each error naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform import ConfigError
from tests.stack_config import config_of, load, with_value

A = "api"


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        (f"{A}.stageName", "v 1", "letters, digits, '-' and '_'"),
        (f"{A}.stageName", "x" * 129, "at most 128 characters"),
        (f"{A}.throttle.rateLimit", 0, "at least 1"),
        (f"{A}.throttle.rateLimit", 10_001, "the account's 10,000 requests a second"),
        (f"{A}.throttle.burstLimit", 0, "at least 1"),
        (f"{A}.throttle.burstLimit", 5_001, "the account's burst of 5,000"),
        (f"{A}.loggingLevel", "OFF", "one of ERROR, INFO"),
        (f"{A}.logRetentionDays", 10, "a CloudWatch Logs retention period"),
        (f"{A}.domainName", "hooks.example.com", "a name inside the zone betterprompts.io"),
        (f"{A}.domainName", "hooks_x.betterprompts.io", "a DNS name"),
        (f"{A}.domainName", "origin.betterprompts.io", "betterprompts:edge.domain.apiOrigin already uses it"),
        (f"{A}.domainName", "api.betterprompts.io", "betterprompts:edge.domain.api already uses it"),
        (f"{A}.createAccountLoggingRole", "yes", "true or false"),
        (f"{A}.throttle.rate", 10, "no such key"),
        (f"{A}.alarms.latencyP95Ms", 29_001, "from 1 to 29000"),
        (f"{A}.alarms.periodSeconds", 90, "a multiple of 60"),
        (f"{A}.alarms.serverErrors", -1, "at least 0"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("serverless", key, value))
    assert error.value.key == f"betterprompts:serverless.{key}"
    assert allowed in error.value.allowed


def test_a_burst_fits_the_webhooks_reserved_concurrency() -> None:
    # Production reserves 50 executions for the webhook: a burst of 51 would reach Lambda's throttle.
    with pytest.raises(ConfigError) as error:
        load(with_value("serverless", f"{A}.throttle.burstLimit", 51))
    assert error.value.key == "betterprompts:serverless.api.throttle.burstLimit"
    assert "at most betterprompts:serverless.functions.webhook.reservedConcurrency (50)" in error.value.allowed
    assert load(with_value("serverless", f"{A}.throttle.burstLimit", 50)).serverless.api.burst_limit == 50


def test_defaults_and_the_domain_is_optional() -> None:
    config = config_of("staging")
    config["betterprompts:serverless"]["api"] = {"throttle": {"rateLimit": 5, "burstLimit": 5}}
    api = load(config, "staging").serverless.api
    assert (api.stage_name, api.logging_level, api.detailed_metrics, api.log_retention_days) == ("v1", "ERROR", False, 365)
    assert api.create_account_logging_role is True
    assert api.domain_name is None


def test_the_domain_is_normalised() -> None:
    api = load(with_value("serverless", f"{A}.domainName", "Hooks.BetterPrompts.io.")).serverless.api
    assert api.domain_name == "hooks.betterprompts.io"

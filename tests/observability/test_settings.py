"""The ``observability`` section: both stacks' choices, the seed's defaults, every bad value refused by key."""

from __future__ import annotations

import pytest

from components.observability import KpiTargets
from components.platform import ConfigError
from tests.stack_config import config_of, load, with_value


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_both_stacks_have_the_dashboard_with_the_seeds_targets(stack: str) -> None:
    dashboard = load(config_of(stack), stack).observability.dashboard
    assert dashboard.enabled
    assert dashboard.kpis == KpiTargets(
        availability_percent=99.9, scale_up_seconds=120, cost_per_request_usd=0.001, utilization_percent=70, spot_success_percent=95
    )


def test_the_section_is_optional_and_its_defaults_are_the_seeds() -> None:
    config = config_of("production")
    config.pop("betterprompts:observability")
    settings = load(config).observability
    assert settings.dashboard.enabled and settings.dashboard.kpis == KpiTargets()


def test_dashboard_off_means_no_dashboard() -> None:
    assert not load(with_value("observability", "dashboard.enabled", False)).observability.dashboard.enabled


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("dashboard.enabled", "yes", "true or false"),
        ("dashboard.kpis.availabilityPercent", 101, "from 50 to 100"),
        ("dashboard.kpis.scaleUpSeconds", 90, "a multiple of 60"),
        ("dashboard.kpis.scaleUpSeconds", 30, "from 60 to 3600"),
        ("dashboard.kpis.costPerRequestUsd", 0, "from 1e-09 to 10"),
        ("dashboard.kpis.utilizationPercent", "high", "a number"),
        ("dashboard.kpis.spotSucces", 95, "no such key; known keys here: availabilityPercent"),
        ("dashboard.colour", "blue", "no such key"),
    ],
)
def test_bad_values_are_refused_with_their_key(key: str, value: object, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("observability", key, value))
    assert error.value.key.startswith("betterprompts:observability.dashboard")
    assert allowed in str(error.value)


def test_logs_per_stack() -> None:
    production = load(config_of("production")).observability.logs
    staging = load(config_of("staging"), "staging").observability.logs
    assert (production.retention_days, production.firehose_buffer_mb) == (90, 64)
    assert (staging.retention_days, staging.firehose_buffer_mb) == (14, 5)
    assert production.namespace == staging.namespace == "logging"


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("logs.retentionDays", 42, "a CloudWatch Logs retention period"),
        ("logs.firehoseBufferMb", 129, "from 1 to 128"),
        ("logs.firehoseBufferSeconds", 901, "from 0 to 900"),
        ("logs.namespace", "kube-system", "a namespace other than"),
        ("logs.namespace", "telemetry", "a namespace other than betterprompts:observability.tracing.namespace"),
        ("tracing.samplingRatio", 1.5, "from 0 to 1"),
        ("tracing.replicas", 0, "from 1 to 10"),
    ],
)
def test_bad_logs_and_tracing_values(key: str, value: object, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("observability", key, value))
    assert error.value.key.startswith(f"betterprompts:observability.{key.split('.')[0]}")
    assert allowed in str(error.value)

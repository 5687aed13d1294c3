"""The ``compliance`` section: defaults, both stacks' choices, and every bad value refused by key."""

from __future__ import annotations

import pytest

from components.platform import ConfigError
from tests.stack_config import config_of, load, with_value


def test_production_turns_every_service_on() -> None:
    compliance = load(config_of("production")).compliance
    assert compliance.cloud_trail.enabled and compliance.guard_duty.enabled
    assert compliance.security_hub.enabled and compliance.config.enabled
    assert compliance.cloud_trail.s3_data_events
    assert compliance.guard_duty.minimum_severity == 7.0
    assert set(compliance.guard_duty.features) >= {"EKS_AUDIT_LOGS", "RUNTIME_MONITORING", "RDS_LOGIN_EVENTS", "S3_DATA_EVENTS"}
    assert compliance.security_hub.standards == ("fsbp", "cis")


def test_staging_leaves_the_account_services_to_production() -> None:
    compliance = load(config_of("staging"), "staging").compliance
    assert not compliance.any_enabled


def test_defaults_are_the_secure_posture() -> None:
    config = config_of("production")
    config.pop("betterprompts:compliance", None)
    compliance = load(config).compliance
    assert compliance.cloud_trail.enabled and compliance.guard_duty.enabled
    assert compliance.security_hub.enabled and compliance.config.enabled


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("guardDuty.features", ["EKS_AUDIT_LOGS", "NOPE"], "one of S3_DATA_EVENTS"),
        ("guardDuty.features", ["EKS_AUDIT_LOGS", "EKS_AUDIT_LOGS"], "each feature once"),
        ("guardDuty.alarmSeverity", "severe", "one of low, medium, high, critical"),
        ("securityHub.standards", ["pci"], "one of fsbp, cis"),
        ("securityHub.standards", [], "a list of at least 1 items"),
        ("cloudTrail.logRetentionDays", 42, "a CloudWatch Logs retention period"),
        ("cloudTrail.enabled", "yes", "true or false"),
        ("config.minLogRetentionDays", 2, "a CloudWatch Logs retention period"),
        ("cloudTrail.surprise", True, "no such key"),
    ],
)
def test_bad_values_are_refused_with_their_key(key: str, value: object, allowed: str) -> None:
    config = with_value("compliance", key, value)
    with pytest.raises(ConfigError) as error:
        load(config)
    assert f"betterprompts:compliance.{key.split('.')[0]}" in str(error.value)
    assert allowed in str(error.value)


def test_security_hub_needs_a_recorder() -> None:
    config = with_value("compliance", "config.enabled", False)
    with pytest.raises(ConfigError, match="securityHub.enabled.*Security Hub's controls need an AWS Config recorder"):
        load(config)

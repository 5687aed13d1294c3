"""Every stack's alarms reach someone; the Auto Scaling service-linked role toggle."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from components.platform.baseline import PlatformBaseline, PlatformBaselineArgs
from components.settings import ConfigError
from preflight.harness import Plan
from preflight.monitor import run_function
from tests.stack_config import config_of, load, with_value

ACCOUNT = "123456789012"
SLR = "aws:iam/serviceLinkedRole:ServiceLinkedRole"


def _platform(config: dict[str, Any]) -> dict[str, Any]:
    section: dict[str, Any] = config["betterprompts:platform"]
    return section


def test_a_stack_without_an_alarm_destination_is_refused() -> None:
    config = config_of("staging")
    del _platform(config)["alarmEmails"]
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == "betterprompts:platform.alarmEmails"
    assert "alarmDestinationOptOut" in str(error.value)


def test_the_opt_out_records_why() -> None:
    config = config_of("staging")
    del _platform(config)["alarmEmails"]
    _platform(config)["alarmDestinationOptOut"] = "throw-away load-test stack, nobody on call"
    settings = load(config, "staging").platform
    assert settings.alarm_emails == ()
    assert settings.alarm_destination_opt_out == "throw-away load-test stack, nobody on call"
    # Both at once, or a blank reason, is a mistake.
    with pytest.raises(ConfigError, match="alarmDestinationOptOut"):
        load(with_value("platform", "alarmDestinationOptOut", "why", "staging"), "staging")
    blank = config_of("staging")
    del _platform(blank)["alarmEmails"]
    _platform(blank)["alarmDestinationOptOut"] = "  "
    with pytest.raises(ConfigError, match="non-empty"):
        load(blank, "staging")


def test_the_component_refuses_a_topic_nobody_reads() -> None:
    args = PlatformBaselineArgs(region="us-east-1", account_id=ACCOUNT)
    with pytest.raises(ValueError, match="at least one alarm destination"):
        PlatformBaseline("p", args)
    resources, _ = run_function(lambda: PlatformBaseline("p", replace(args, alarm_destination_opt_out="load test")))
    assert not [r for r in resources if r.type == "aws:sns/topicSubscription:TopicSubscription"]


def test_the_service_linked_role_is_created_only_when_asked(production: Plan, staging: Plan) -> None:
    assert production.of_type(SLR) == [] and staging.of_type(SLR) == []
    assert load(config_of("production")).platform.create_autoscaling_service_linked_role is False
    with pytest.raises(ConfigError, match="true or false|boolean"):
        load(with_value("platform", "createAutoScalingServiceLinkedRole", "maybe"))


def test_a_fresh_account_gets_the_role_before_the_storage_key() -> None:
    args = PlatformBaselineArgs(
        region="us-east-1", account_id=ACCOUNT, alarm_emails=("a@b.c",), create_autoscaling_service_linked_role=True
    )
    resources, _ = run_function(lambda: PlatformBaseline("p", args))
    (role,) = [r for r in resources if r.type == SLR]
    assert role.inputs["awsServiceName"] == "autoscaling.amazonaws.com"
    storage = next(r for r in resources if r.type == "aws:kms/key:Key" and r.name == "p-storage")
    # KMS refuses a policy naming a principal that does not exist yet: the key waits for the role.
    assert role.urn in storage.dependencies
    others = [r for r in resources if r.type == "aws:kms/key:Key" and r.name != "p-storage"]
    assert others and all(role.urn not in r.dependencies for r in others)

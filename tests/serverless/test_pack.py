"""The serverless stack policy and the edges of the resource policies (their violating and compliant
cases are in tests/policies/test_resources.py), through the real analyzer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy_plans import KEY, plan, resource, violations

FUNCTION = "aws:lambda/function:Function"
QUEUE = "aws:sqs/queue:Queue"
CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
ELSEWHERE = "arn:aws:sqs:us-east-1:123456789012:elsewhere"


def _function(**extra: Any) -> dict[str, Any]:
    return {
        "name": "fn",
        "kmsKeyArn": KEY,
        "environment": {"variables": {"A": "b"}},
        "tracingConfig": {"mode": "Active"},
        "deadLetterConfig": {"targetArn": ELSEWHERE},
        **extra,
    }


def test_a_function_without_environment_needs_no_key() -> None:
    bare = {k: v for k, v in _function().items() if k not in ("kmsKeyArn", "environment")}
    assert violations(plan(resource(FUNCTION, "subject", bare)), "lambda-function-hardened") == []


def test_failures_must_go_somewhere_encrypted() -> None:
    lost = {k: v for k, v in _function().items() if k != "deadLetterConfig"}
    [flagged] = violations(plan(resource(FUNCTION, "fn", lost)), "lambda-failures-kept-encrypted")
    assert "neither a dead-letter queue nor an on-failure destination" in flagged.message
    on_failure = resource(CONFIG, "fn", {"functionName": "fn", "destinationConfig": {"onFailure": {"destination": "arn:aws:sqs:us-east-1:123456789012:fn-failures"}}})
    plain_queue = resource(QUEUE, "fn-failures", {"name": "fn-failures"})
    [flagged] = violations(plan(resource(FUNCTION, "fn", lost), on_failure, plain_queue), "lambda-failures-kept-encrypted")
    assert "'fn-failures', whose kmsMasterKeyId is not set" in flagged.message
    keyed_queue = resource(QUEUE, "fn-failures", {"name": "fn-failures", "kmsMasterKeyId": KEY})
    assert violations(plan(resource(FUNCTION, "fn", lost), on_failure, keyed_queue), "lambda-failures-kept-encrypted") == []


# --- stepfunctions-logged-encrypted-traced -----------------------------------------------------

MACHINE = "aws:sfn/stateMachine:StateMachine"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/sm:*"


def _machine(**changes: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "name": "sm",
        "definition": "{}",
        "roleArn": "arn:aws:iam::123456789012:role/sm",
        "loggingConfiguration": {"level": "ALL", "includeExecutionData": False, "logDestination": GROUP_ARN},
        "encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": KEY, "kmsDataKeyReusePeriodSeconds": 300},
        "tracingConfiguration": {"enabled": True},
    }
    inputs.update(changes)
    return inputs


def _machine_messages(machine: dict[str, Any], group_key: Any = KEY) -> list[str]:
    group = resource(LOG_GROUP, "sm-logs", {"name": "/aws/vendedlogs/states/sm", "kmsKeyId": group_key, "retentionInDays": 365})
    return [v.message for v in violations(plan(resource(MACHINE, "sm", machine), group), "stepfunctions-logged-encrypted-traced")]


def test_a_logged_encrypted_traced_state_machine_passes() -> None:
    assert _machine_messages(_machine()) == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"loggingConfiguration": {"level": "ERROR", "includeExecutionData": False, "logDestination": GROUP_ARN}}, "level is ERROR"),
        ({"loggingConfiguration": {"level": "ALL", "includeExecutionData": False}}, "no logDestination"),
        ({"encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}, "type is AWS_OWNED_KEY"),
        ({"encryptionConfiguration": None}, "type is not set (AWS_OWNED_KEY)"),
        ({"encryptionConfiguration": {"type": "CUSTOMER_MANAGED_KMS_KEY"}}, "kmsKeyId is not set"),
        ({"tracingConfiguration": {"enabled": False}}, "tracingConfiguration.enabled is False"),
        ({"tracingConfiguration": None}, "tracingConfiguration.enabled is None"),
    ],
)
def test_a_state_machine_missing_logs_encryption_or_tracing_is_flagged(changes: dict[str, Any], fragment: str) -> None:
    [message] = _machine_messages(_machine(**changes))
    assert fragment in message and "Fix:" in message


def test_the_log_group_it_writes_to_must_have_a_customer_key() -> None:
    [message] = _machine_messages(_machine(), group_key=None)
    assert "logs to '/aws/vendedlogs/states/sm', whose kmsKeyId is not set" in message
    [message] = _machine_messages(_machine(), group_key="alias/aws/logs")
    assert "AWS-managed key" in message

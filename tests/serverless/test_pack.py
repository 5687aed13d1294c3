"""The serverless stack policy and the edges of the resource policies (their violating and compliant
cases are in tests/policies/test_resources.py), through the real analyzer."""

from __future__ import annotations

from typing import Any

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

"""Deliveries into encrypted topics, queues and log groups against their key policies (``encrypted-deliveries-admitted-by-key``)."""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest

from policies.kms_deliveries import (
    DELIVERIES,
    ENCRYPTION_CONTEXT_KEYS,
    LOGS,
    SNS,
    SQS,
    delivery_problem,
    destination_arn_pattern,
    key_statement,
)
from tests.policy_plans import KEY, messages, plan, resource, urn

POLICY = "encrypted-deliveries-admitted-by-key"
ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY_TYPE = "aws:kms/key:Key"
TOPIC = "aws:sns/topic:Topic"
QUEUE = "aws:sqs/queue:Queue"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROOT = {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}


def documented(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [key_statement(DELIVERIES[pair], region=REGION, account_id=ACCOUNT) for pair in pairs]


def key(statements: list[dict[str, Any]], name: str = "alarms") -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": [ROOT, *statements]}
    return resource(KEY_TYPE, name, {"policy": json.dumps(document), "enableKeyRotation": True})


def encrypted(type_: str, logical: str, key_name: str = "alarms", **inputs: Any) -> dict[str, Any]:
    prop = "kmsKeyId" if type_ == LOG_GROUP else "kmsMasterKeyId"
    return resource(type_, logical, {prop: KEY, **inputs}, property_dependencies={prop: [urn("production", KEY_TYPE, key_name)]})


def sender(type_: str, name: str, prop: str, value: Any, target: str, target_type: str = TOPIC) -> dict[str, Any]:
    return resource(type_, name, {prop: value}, property_dependencies={prop: [urn("production", target_type, target)]})


def alarm() -> dict[str, Any]:
    arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:alarms-1234567"
    return sender("aws:cloudwatch/metricAlarm:MetricAlarm", "cpu", "alarmActions", [arn], "alarms")


def budget() -> dict[str, Any]:
    notification = {"notificationType": "ACTUAL", "subscriberSnsTopicArns": ["arn"]}
    return sender("aws:budgets/budget:Budget", "monthly", "notifications", [notification], "alarms")


def anomalies() -> dict[str, Any]:
    return sender("aws:costexplorer/anomalySubscription:AnomalySubscription", "anomalies", "subscribers", [{"type": "SNS"}], "alarms")


def interruption_target() -> dict[str, Any]:
    return sender("aws:cloudwatch/eventTarget:EventTarget", "spot", "arn", "arn:aws:sqs:...", "interruptions", QUEUE)


SENDS_TO_TOPIC = (("cloudwatch", SNS), ("budgets", SNS), ("costalerts", SNS))


def test_every_row_names_its_documentation_and_supports_its_encryption_context() -> None:
    assert set(DELIVERIES) == {
        ("cloudwatch", SNS), ("budgets", SNS), ("costalerts", SNS), ("events", SNS), ("events", SQS), ("logs", LOGS)
    }
    for row in DELIVERIES.values():
        assert row.source.startswith("https://docs.aws.amazon.com/"), row
        assert row.actions and all(a.startswith("kms:") for a in row.actions)
        assert row.supported_conditions[0] == ENCRYPTION_CONTEXT_KEYS[row.destination]
    # EventBridge, Budgets and Cost Anomaly Detection do not carry aws:Source* to KMS.
    for pair in (("events", SNS), ("events", SQS), ("budgets", SNS), ("costalerts", SNS)):
        assert "aws:SourceAccount" not in DELIVERIES[pair].supported_conditions
        assert "aws:SourceArn" not in DELIVERIES[pair].supported_conditions


def test_the_documented_statements_admit_every_delivery() -> None:
    document = plan(
        key(documented(*SENDS_TO_TOPIC, ("events", SQS))),
        encrypted(TOPIC, "alarms"),
        encrypted(QUEUE, "interruptions"),
        alarm(),
        budget(),
        anomalies(),
        interruption_target(),
    )
    assert messages(document, POLICY) == []


def test_a_source_account_condition_drops_budget_and_anomaly_alerts() -> None:
    # The statements the alarms key had before: every service conditioned on aws:SourceAccount.
    legacy = [
        {
            "Sid": f"{service.capitalize()}Uses",
            "Effect": "Allow",
            "Principal": {"Service": f"{service}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
        for service in ("cloudwatch", "budgets", "costalerts", "events")
    ]
    document = plan(
        key(legacy), encrypted(TOPIC, "alarms"), encrypted(QUEUE, "interruptions"), alarm(), budget(), anomalies(), interruption_target()
    )
    found = messages(document, POLICY)
    # CloudWatch carries aws:SourceAccount (its alarms still arrive); the other three never match.
    assert len(found) == 3
    assert found[0].startswith(
        "aws:budgets/budget:Budget 'monthly' delivers to aws:sns/topic:Topic 'alarms', whose key 'alarms' does not admit it: "
        "budgets.amazonaws.com lacks kms:Decrypt, kms:GenerateDataKey* (statement BudgetsUses conditions on aws:SourceAccount, "
        "which budgets.amazonaws.com does not carry to KMS for deliveries to sns, so it never matches). Deliveries are dropped silently."
    )
    assert any(m.startswith("aws:costexplorer/anomalySubscription:AnomalySubscription 'anomalies'") for m in found)
    assert any(m.startswith("aws:cloudwatch/eventTarget:EventTarget 'spot' delivers to aws:sqs/queue:Queue 'interruptions'") for m in found)


def test_a_sender_the_key_does_not_name_is_flagged() -> None:
    document = plan(key(documented(("cloudwatch", SNS))), encrypted(TOPIC, "alarms"), alarm(), anomalies())
    (message,) = messages(document, POLICY)
    assert "costalerts.amazonaws.com lacks kms:Decrypt, kms:GenerateDataKey* (no statement names the principal" in message


def test_a_statement_without_the_documented_actions_is_flagged() -> None:
    statement = key_statement(DELIVERIES[("budgets", SNS)], region=REGION, account_id=ACCOUNT)
    statement["Action"] = ["kms:Decrypt"]
    (message,) = messages(plan(key([statement]), encrypted(TOPIC, "alarms"), budget()), POLICY)
    assert "budgets.amazonaws.com lacks kms:GenerateDataKey* (not granted)" in message


def test_an_unencrypted_or_foreign_key_destination_is_not_judged() -> None:
    topic = resource(TOPIC, "alarms", {"kmsMasterKeyId": "arn:aws:kms:us-east-1:999999999999:key/x"})
    assert messages(plan(topic, budget()), POLICY) == []


def test_log_groups_need_cloudwatch_logs_admitted_for_their_name() -> None:
    logs_row = DELIVERIES[("logs", LOGS)]
    scoped = key_statement(logs_row, region=REGION, account_id=ACCOUNT, name_pattern="/aws/rds/*")
    group = encrypted(LOG_GROUP, "os-metrics", key_name="logs", name="RDSOSMetrics", retentionInDays=30)
    rds_group = encrypted(LOG_GROUP, "postgresql", key_name="logs", name="/aws/rds/instance/db/postgresql")
    (message,) = messages(plan(key([scoped], name="logs"), group, rds_group), POLICY)
    assert message.startswith(
        "aws:cloudwatch/logGroup:LogGroup 'os-metrics' is encrypted with key 'logs', which does not admit CloudWatch Logs: "
        "logs.us-east-1.amazonaws.com lacks kms:Encrypt*"
    )
    assert f"does not match arn:aws:logs:us-east-1:{ACCOUNT}:log-group:RDSOSMetrics" in message
    everything = key_statement(logs_row, region=REGION, account_id=ACCOUNT)
    assert messages(plan(key([everything], name="logs"), group, rds_group), POLICY) == []


@pytest.mark.parametrize(
    "condition, admitted",
    [
        ({"ArnLike": {"kms:EncryptionContext:aws:sqs:arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:*"}}, True),
        ({"StringEquals": {"kms:EncryptionContext:aws:sqs:arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"}}, True),
        ({"ArnLike": {"kms:EncryptionContext:aws:sqs:arn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:other-*"}}, False),
        ({"ArnEquals": {"aws:SourceArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/spot"}}, False),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False),
        (None, True),
    ],
)
def test_eventbridge_to_a_queue(condition: Optional[dict[str, Any]], admitted: bool) -> None:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": ["events.amazonaws.com"]},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
    }
    if condition:
        statement["Condition"] = condition
    arn = destination_arn_pattern(SQS, region=REGION, account_id=ACCOUNT, name="q")
    problem = delivery_problem({"Statement": [statement]}, DELIVERIES[("events", SQS)], region=REGION, destination_arn=arn)
    assert (problem is None) is admitted, problem


def test_cloudwatch_may_carry_source_conditions_on_the_key() -> None:
    statement = key_statement(DELIVERIES[("cloudwatch", SNS)], region=REGION, account_id=ACCOUNT)
    statement["Condition"]["StringEquals"] = {"aws:SourceAccount": ACCOUNT}
    assert delivery_problem({"Statement": [statement]}, DELIVERIES[("cloudwatch", SNS)], region=REGION) is None


def test_a_deny_or_another_principal_does_not_count() -> None:
    row = DELIVERIES[("budgets", SNS)]
    allow = key_statement(row, region=REGION, account_id=ACCOUNT)
    other = dict(allow, Principal={"Service": "cloudwatch.amazonaws.com"})
    deny = dict(allow, Effect="Deny")
    assert delivery_problem({"Statement": [other, deny]}, row, region=REGION) is not None
    assert delivery_problem({"Statement": [allow]}, row, region=REGION) is None


def test_an_auto_named_topic_is_judged_by_its_logical_name_prefix() -> None:
    row = DELIVERIES[("budgets", SNS)]
    elsewhere = key_statement(row, region=REGION, account_id=ACCOUNT, name_pattern="other-stack-*")
    (message,) = messages(plan(key([elsewhere]), encrypted(TOPIC, "prod-alarms"), budget_to("prod-alarms")), POLICY)
    assert f"does not match arn:aws:sns:{REGION}:{ACCOUNT}:prod-alarms-0000000" in message
    ours = key_statement(row, region=REGION, account_id=ACCOUNT, name_pattern="prod-*")
    assert messages(plan(key([ours]), encrypted(TOPIC, "prod-alarms"), budget_to("prod-alarms")), POLICY) == []
    # An exact ARN cannot be compared with a name the engine has not generated yet: not judged.
    exact = key_statement(row, region=REGION, account_id=ACCOUNT)
    exact["Condition"] = {"StringEquals": {row.context_key: f"arn:aws:sns:{REGION}:{ACCOUNT}:prod-alarms-a1b2c3d"}}
    assert messages(plan(key([exact]), encrypted(TOPIC, "prod-alarms"), budget_to("prod-alarms")), POLICY) == []


def budget_to(topic: str) -> dict[str, Any]:
    return sender("aws:budgets/budget:Budget", "monthly", "notifications", [{"notificationType": "ACTUAL"}], topic)

"""CostControls (budget, anomaly detection, cost allocation tags, shutdown schedules) and its settings."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pulumi
import pytest

from components.cost.controls import CostControls, CostControlsArgs, NodeGroupTarget
from components.cost.plan import CronError, parse_cron, running_fraction, scheduler_policy
from components.cost.settings import ShutdownSettings
from components.platform.baseline import ALARM_PUBLISHERS, alarm_topic_policy
from components.platform.kms_policy import KeyOptions, key_policy
from components.settings import ConfigError, load_settings
from preflight.harness import Plan, Resource, read_stack_config
from preflight.monitor import run_function

TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"
ACCOUNT = "123456789012"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
SHUTDOWN = ShutdownSettings(
    enabled=True,
    timezone="America/New_York",
    stop=parse_cron("cron(0 20 ? * MON-FRI *)"),
    start=parse_cron("cron(0 8 ? * MON-FRI *)"),
)


def build(**changes: Any) -> list[Resource]:
    args = CostControlsArgs(
        environment="staging",
        budget_monthly_usd=700,
        alarm_topic_arn=TOPIC,
        account_id=ACCOUNT,
        region="us-east-1",
        budget_alert_emails=("finops@betterprompts.io",),
        anomaly_threshold_usd=50,
        cost_allocation_tag_keys=("Project", "Environment"),
        schedule_kms_key_arn=KEY,
    )
    for key, value in changes.items():
        setattr(args, key, value)
    resources, _ = run_function(lambda: CostControls("bp-staging-cost", args))
    return resources


def of_type(resources: list[Resource], token: str) -> list[Resource]:
    return [r for r in resources if r.type == token]


def test_budget_watches_the_environment_tag_and_alerts_at_80_and_100_percent() -> None:
    resources = build()
    (budget,) = of_type(resources, "aws:budgets/budget:Budget")
    inputs = budget.inputs
    assert inputs["name"] == "bp-staging-cost-monthly"
    assert (inputs["budgetType"], inputs["timeUnit"], inputs["limitAmount"], inputs["limitUnit"]) == ("COST", "MONTHLY", "700.00", "USD")
    assert inputs["costFilters"] == [{"name": "TagKeyValue", "values": ["user:Environment$staging"]}]
    alerts = [(n["notificationType"], n["threshold"], n["comparisonOperator"], n["thresholdType"]) for n in inputs["notifications"]]
    assert alerts == [
        ("ACTUAL", 80.0, "GREATER_THAN", "PERCENTAGE"),
        ("ACTUAL", 100.0, "GREATER_THAN", "PERCENTAGE"),
        ("FORECASTED", 100.0, "GREATER_THAN", "PERCENTAGE"),
    ]
    for n in inputs["notifications"]:
        assert n["subscriberSnsTopicArns"] == [TOPIC]
        assert n["subscriberEmailAddresses"] == ["finops@betterprompts.io"]
    assert inputs["tags"] == {"Name": "bp-staging-cost-monthly", "Component": "cost"}


def test_anomaly_monitor_and_immediate_subscription_to_the_alarm_topic() -> None:
    resources = build()
    (monitor,) = of_type(resources, "aws:costexplorer/anomalyMonitor:AnomalyMonitor")
    assert monitor.inputs["monitorType"] == "CUSTOM"
    assert json.loads(monitor.inputs["monitorSpecification"]) == {
        "Tags": {"Key": "Environment", "Values": ["staging"], "MatchOptions": ["EQUALS"]}
    }
    (subscription,) = of_type(resources, "aws:costexplorer/anomalySubscription:AnomalySubscription")
    assert subscription.parent == monitor.urn
    assert subscription.inputs["frequency"] == "IMMEDIATE"
    assert subscription.inputs["monitorArnLists"] == [f"arn:aws:costexplorer:us-east-1:{ACCOUNT}:anomalymonitor/{monitor.id}"]
    assert subscription.inputs["subscribers"] == [{"type": "SNS", "address": TOPIC}]
    assert subscription.inputs["thresholdExpression"] == {
        "dimension": {"key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE", "matchOptions": ["GREATER_THAN_OR_EQUAL"], "values": ["50"]}
    }


def test_cost_allocation_tags_are_activated_for_the_given_keys() -> None:
    tags = of_type(build(), "aws:costexplorer/costAllocationTag:CostAllocationTag")
    assert sorted((t.inputs["tagKey"], t.inputs["status"]) for t in tags) == [("Environment", "Active"), ("Project", "Active")]
    assert of_type(build(cost_allocation_tag_keys=()), "aws:costexplorer/costAllocationTag:CostAllocationTag") == []


def test_no_schedules_without_the_shutdown_or_without_targets() -> None:
    group = NodeGroupTarget("cluster", "app", 1, 3, 2)
    assert of_type(build(node_groups={"app": group}), "aws:scheduler/schedule:Schedule") == []
    assert of_type(build(shutdown=SHUTDOWN), "aws:scheduler/schedule:Schedule") == []
    assert of_type(build(shutdown=SHUTDOWN), "aws:iam/role:Role") == []


def test_shutdown_schedules_scale_node_groups_and_stop_databases() -> None:
    resources = build(
        shutdown=SHUTDOWN,
        node_groups={
            "application": NodeGroupTarget("bp-staging", "bp-staging-application", 2, 6, 3),
            "system": NodeGroupTarget(pulumi.Output.from_input("bp-staging"), pulumi.Output.from_input("bp-staging-system"), 1, 2, 1),
        },
        db_instances={"primary": pulumi.Output.from_input("bp-staging-db")},
    )
    schedules = {r.name: r.inputs for r in of_type(resources, "aws:scheduler/schedule:Schedule")}
    assert sorted(schedules) == [
        "bp-staging-cost-db-primary-start",
        "bp-staging-cost-db-primary-stop",
        "bp-staging-cost-nodes-application-start",
        "bp-staging-cost-nodes-application-stop",
        "bp-staging-cost-nodes-system-start",
        "bp-staging-cost-nodes-system-stop",
    ]
    for name, inputs in schedules.items():
        assert inputs["scheduleExpression"] == ("cron(0 20 ? * MON-FRI *)" if name.endswith("stop") else "cron(0 8 ? * MON-FRI *)")
        assert inputs["scheduleExpressionTimezone"] == "America/New_York"
        assert inputs["flexibleTimeWindow"] == {"mode": "OFF"}
        assert inputs["state"] == "ENABLED"
        # The payload is stored under the customer-managed key, not an AWS-owned one.
        assert inputs["kmsKeyArn"] == KEY
        assert inputs["target"]["retryPolicy"] == {"maximumEventAgeInSeconds": 3600, "maximumRetryAttempts": 3}

    def target(name: str) -> tuple[str, dict[str, Any]]:
        t = schedules[f"bp-staging-cost-{name}"]["target"]
        return t["arn"], json.loads(t["input"])

    nodegroup_api = "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig"
    assert target("nodes-application-stop") == (
        nodegroup_api,
        {"ClusterName": "bp-staging", "NodegroupName": "bp-staging-application", "ScalingConfig": {"MinSize": 0, "MaxSize": 6, "DesiredSize": 0}},
    )
    assert target("nodes-application-start") == (
        nodegroup_api,
        {"ClusterName": "bp-staging", "NodegroupName": "bp-staging-application", "ScalingConfig": {"MinSize": 2, "MaxSize": 6, "DesiredSize": 3}},
    )
    assert target("nodes-system-stop")[1]["ScalingConfig"] == {"MinSize": 0, "MaxSize": 2, "DesiredSize": 0}
    assert target("db-primary-stop") == ("arn:aws:scheduler:::aws-sdk:rds:stopDBInstance", {"DbInstanceIdentifier": "bp-staging-db"})

    assert target("db-primary-start") == ("arn:aws:scheduler:::aws-sdk:rds:startDBInstance", {"DbInstanceIdentifier": "bp-staging-db"})

    (role,) = of_type(resources, "aws:iam/role:Role")
    role_arns = {inputs["target"]["roleArn"] for inputs in schedules.values()}
    (role_arn,) = role_arns
    assert role_arn.startswith(f"arn:aws:iam::{ACCOUNT}:role/{role.name}")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    (policy,) = of_type(resources, "aws:iam/rolePolicy:RolePolicy")
    assert json.loads(policy.inputs["policy"]) == json.loads(
        scheduler_policy(
            partition="aws", region="us-east-1", account_id=ACCOUNT,
            nodegroups=[("bp-staging", "bp-staging-application"), ("bp-staging", "bp-staging-system")],
            db_instances=["bp-staging-db"],
            kms_key_arn=KEY,
        )
    )

def test_a_group_that_scales_from_zero_is_stopped_but_not_started() -> None:
    """A morning start with DesiredSize 0 would remove nodes the autoscaler brought up for waiting pods."""
    resources = build(
        shutdown=SHUTDOWN,
        node_groups={
            "application": NodeGroupTarget("bp-staging", "bp-staging-application", 2, 6, 3),
            "training": NodeGroupTarget("bp-staging", "bp-staging-training", 0, 1, 0),
        },
    )
    names = sorted(r.name for r in of_type(resources, "aws:scheduler/schedule:Schedule"))
    assert names == [
        "bp-staging-cost-nodes-application-start",
        "bp-staging-cost-nodes-application-stop",
        "bp-staging-cost-nodes-training-stop",
    ]


def test_schedules_without_a_customer_managed_key_are_refused_before_anything_exists() -> None:
    group = NodeGroupTarget("cluster", "app", 1, 3, 2)
    with pytest.raises(ValueError, match="shutdown schedules need schedule_kms_key_arn") as raised:
        build(shutdown=SHUTDOWN, node_groups={"app": group}, schedule_kms_key_arn=None)
    assert raised.value.registered == []  # type: ignore[attr-defined]
    # Without schedules no key is needed.
    assert of_type(build(schedule_kms_key_arn=None), "aws:scheduler/schedule:Schedule") == []


def test_staging_shutdown_config_drives_the_schedules() -> None:
    shutdown = load_settings(config("staging"), project="betterprompts", stack="staging").cost.shutdown
    resources = build(shutdown=shutdown, db_instances={"primary": "bp-staging-db"})
    schedules = {r.name: r.inputs for r in of_type(resources, "aws:scheduler/schedule:Schedule")}
    assert {n: (i["scheduleExpression"], i["scheduleExpressionTimezone"]) for n, i in schedules.items()} == {
        "bp-staging-cost-db-primary-stop": ("cron(0 20 ? * MON-FRI *)", "America/New_York"),
        "bp-staging-cost-db-primary-start": ("cron(0 8 ? * MON-FRI *)", "America/New_York"),
    }


def test_the_scheduler_may_touch_only_the_named_node_groups_and_databases() -> None:
    document = json.loads(
        scheduler_policy(
            partition="aws", region="us-east-1", account_id=ACCOUNT, nodegroups=[("c", "g")], db_instances=["db1"], kms_key_arn=KEY
        )
    )
    assert document["Statement"] == [
        {"Sid": "DecryptSchedulePayloads", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": KEY},
        {"Sid": "ScaleNodeGroups", "Effect": "Allow", "Action": ["eks:UpdateNodegroupConfig"],
         "Resource": [f"arn:aws:eks:us-east-1:{ACCOUNT}:nodegroup/c/g/*"]},
        {"Sid": "StopStartDatabases", "Effect": "Allow", "Action": ["rds:StopDBInstance", "rds:StartDBInstance"],
         "Resource": [f"arn:aws:rds:us-east-1:{ACCOUNT}:db:db1"]},
    ]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"budget_monthly_usd": 0}, "budget_monthly_usd must be positive"),
        ({"alert_thresholds_percent": (80.0, 0.0)}, "alert thresholds"),
        ({"anomaly_threshold_usd": -1}, "anomaly_threshold_usd"),
        ({"node_groups": {"app": NodeGroupTarget("c", "g", 3, 2, 2)}}, "node group 'app'"),
        ({"node_groups": {"app": NodeGroupTarget("c", "g", 0, 0, 0)}}, "max >= 1"),
    ],
)
def test_conflicting_args_are_rejected_before_anything_exists(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(**changes)


# --- the stacks -----------------------------------------------------------------------------


def test_each_stack_has_its_budget_and_anomaly_monitor(production: Plan, staging: Plan) -> None:
    for plan, limit, threshold in ((production, "6000.00", "200"), (staging, "700.00", "50")):
        (budget,) = plan.of_type("aws:budgets/budget:Budget")
        assert budget.inputs["limitAmount"] == limit
        assert budget.inputs["costFilters"] == [{"name": "TagKeyValue", "values": [f"user:Environment${plan.stack}"]}]
        (topic,) = plan.of_type("aws:sns/topic:Topic")
        assert {t for n in budget.inputs["notifications"] for t in n["subscriberSnsTopicArns"]} == {plan.outputs["alarmTopicArn"]}
        (subscription,) = plan.of_type("aws:costexplorer/anomalySubscription:AnomalySubscription")
        assert subscription.inputs["thresholdExpression"]["dimension"]["values"] == [threshold]
        assert plan.outputs["budgetName"] == f"betterprompts-{plan.stack}-cost-monthly"
    assert production.named("betterprompts-production-cost-monthly").inputs["notifications"][0]["subscriberEmailAddresses"] == [
        "finops@betterprompts.io"
    ]


def test_production_activates_every_required_tag_key_and_staging_leaves_them(production: Plan, staging: Plan) -> None:
    keys = sorted(t.inputs["tagKey"] for t in production.of_type("aws:costexplorer/costAllocationTag:CostAllocationTag"))
    assert keys == sorted(["Project", "Environment", "Service", "Component", "CostCenter", "Owner", "ManagedBy"])
    assert staging.of_type("aws:costexplorer/costAllocationTag:CostAllocationTag") == []


def test_alarm_topic_admits_budgets_and_cost_anomaly_detection(plan: Plan) -> None:
    (topic_policy,) = plan.of_type("aws:sns/topicPolicy:TopicPolicy")
    statements = json.loads(topic_policy.inputs["policy"])["Statement"]
    # Production's GuardDuty findings arrive through an EventBridge rule (staging has no detector).
    events = ["events.amazonaws.com"] if plan.stack == "production" else []
    assert [s["Principal"]["Service"] for s in statements] == [
        "cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com", *events
    ]
    # Confused-deputy protection: this account, and its own alarms, budgets and anomaly monitors.
    sources = {s["Principal"]["Service"]: s["Condition"] for s in statements}
    for condition in sources.values():
        assert condition["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert sources["cloudwatch.amazonaws.com"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:betterprompts-{plan.stack}-*"
    }
    assert sources["budgets.amazonaws.com"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:budgets::{ACCOUNT}:*"}
    assert sources["costalerts.amazonaws.com"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:ce::{ACCOUNT}:anomalymonitor/*"}
    if events:
        assert sources["events.amazonaws.com"]["ArnLike"] == {
            "aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/betterprompts-{plan.stack}-*"
        }
    for s in statements:
        assert s["Action"] == "sns:Publish"
        assert s["Resource"] == plan.outputs["alarmTopicArn"]
    assert ALARM_PUBLISHERS == ("cloudwatch", "budgets", "costalerts")
    policy = alarm_topic_policy("arn:t", "1", region="us-east-1", name_prefix="p")
    assert json.loads(policy)["Statement"][1]["Sid"] == "BudgetsPublish"


def test_every_alarm_matches_the_topic_policys_source_arn(plan: Plan) -> None:
    # Alarms are auto-named <logical name>-<7 characters>; the policy admits the stack's prefix.
    (topic_policy,) = plan.of_type("aws:sns/topicPolicy:TopicPolicy")
    statements = json.loads(topic_policy.inputs["policy"])["Statement"]
    pattern = next(s for s in statements if s["Sid"] == "CloudwatchPublish")["Condition"]["ArnLike"]["aws:SourceArn"]
    alarms = plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms
    for alarm in alarms:
        assert fnmatch.fnmatchcase(f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{alarm.name}-abc1234", pattern), alarm.name


def test_alarms_key_lets_each_publisher_encrypt_for_the_topic_only() -> None:
    statements = json.loads(key_policy("alarms", account_id=ACCOUNT, region="us-east-1"))["Statement"]
    services = {s["Principal"]["Service"]: s for s in statements[1:]}
    # EventBridge only when a stack sends it to a queue under this key (Karpenter).
    assert sorted(services) == ["budgets.amazonaws.com", "cloudwatch.amazonaws.com", "costalerts.amazonaws.com"]
    for s in services.values():
        # Exactly the documented actions, scoped by the topic's encryption context, never by aws:Source*.
        assert s["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
        assert s["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:sns:topicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:*"}}
    options = KeyOptions(name_prefix="betterprompts-staging", eventbridge_to_queues=True)
    statements = json.loads(key_policy("alarms", account_id=ACCOUNT, region="us-east-1", options=options))["Statement"]
    events = next(s for s in statements if s["Principal"].get("Service") == "events.amazonaws.com")
    assert events["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert events["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:sqs:arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:betterprompts-staging-*"}
    }


# --- schedules and settings -------------------------------------------------------------------


def test_weekday_office_hours_run_60_of_168_hours() -> None:
    assert running_fraction(parse_cron("cron(0 8 ? * MON-FRI *)"), parse_cron("cron(0 20 ? * MON-FRI *)")) == pytest.approx(60 / 168)
    # Every night 22:00-06:00 off, weekends on: 16 h a day.
    assert running_fraction(parse_cron("cron(0 6 * * ? *)"), parse_cron("cron(0 22 * * ? *)")) == pytest.approx(16 / 24)
    # Numbered days: 2-6 is MON-FRI.
    assert parse_cron("cron(30 7 ? * 2-6 *)").weekdays == parse_cron("cron(30 7 ? * MON-FRI *)").weekdays


@pytest.mark.parametrize(
    "expression",
    ["0 20 * * MON-FRI", "cron(0 20 ? * MON-FRI)", "cron(0 25 ? * MON-FRI *)", "cron(0 20 1 * ? *)",
     "cron(0 20 ? JAN MON-FRI *)", "cron(0 20 * * MON-FRI *)", "cron(0 20 ? * FRI-MON *)", "cron(0 20 ? * XYZ *)"],
)
def test_unsupported_cron_expressions_are_rejected(expression: str) -> None:
    with pytest.raises(CronError):
        parse_cron(expression)


def config(stack: str, **cost: Any) -> dict[str, Any]:
    values, _ = read_stack_config(stack)
    section = dict(values["betterprompts:cost"])
    for key, value in cost.items():
        if value is None:
            section.pop(key, None)
        else:
            section[key] = value
    values["betterprompts:cost"] = section
    return values


def test_settings_of_both_stacks() -> None:
    production = load_settings(config("production"), project="betterprompts", stack="production").cost
    staging = load_settings(config("staging"), project="betterprompts", stack="staging").cost
    assert (production.budget_monthly_usd, production.anomaly_threshold_usd, production.activate_cost_allocation_tags) == (6000, 200, True)
    assert production.shutdown.enabled is False and production.assumptions.running_fraction == 1.0
    assert (staging.budget_monthly_usd, staging.activate_cost_allocation_tags) == (700, False)
    assert staging.shutdown.enabled and staging.shutdown.timezone == "America/New_York"
    assert staging.shutdown.stop.expression == "cron(0 20 ? * MON-FRI *)"
    assert staging.assumptions.usage.cloudfront_tb == 0.1


@pytest.mark.parametrize(
    "changes, key",
    [
        ({"budgetMonthlyUsd": None}, "betterprompts:cost.budgetMonthlyUsd"),
        ({"budgetMonthlyUsd": 0}, "betterprompts:cost.budgetMonthlyUsd"),
        ({"spotDiscount": 0.95}, "betterprompts:cost.spotDiscount"),
        ({"budgetAlertEmails": ["nobody"]}, "betterprompts:cost.budgetAlertEmails[0]"),
        ({"usage": {"s3StorageGb": -1}}, "betterprompts:cost.usage.s3StorageGb"),
        ({"usage": {"efsInfrequentAccessFraction": 2}}, "betterprompts:cost.usage.efsInfrequentAccessFraction"),
        ({"usage": {"s3Gb": 1}}, "betterprompts:cost.usage.s3Gb"),
        ({"commitments": {"computeSavingsPlan": 0.9}}, "betterprompts:cost.commitments.computeSavingsPlan"),
        ({"shutdown": {"enabled": True, "timezone": "Mars/Olympus"}}, "betterprompts:cost.shutdown.timezone"),
        ({"shutdown": {"enabled": True, "stopSchedule": "0 20 * * 1-5"}}, "betterprompts:cost.shutdown.stopSchedule"),
        ({"shutdown": {"startSchedule": "cron(0 20 ? * MON-FRI *)"}}, "betterprompts:cost.shutdown.startSchedule"),
        ({"budget": 5}, "betterprompts:cost.budget"),
    ],
)
def test_bad_cost_config_names_the_key(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(config("staging", **changes), project="betterprompts", stack="staging")
    assert raised.value.key == key

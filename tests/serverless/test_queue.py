"""The intent classifier's work queue in both stacks, and the chain that turns its depth into the
HPA's metric: the SQS queue -> the CloudWatch exporter's config -> prometheus-adapter's external
rule -> the intent-classifier HPA's metric name and selector."""

from __future__ import annotations

import json
import re

import kubernetes_validate
import pytest
import yaml

from components.apps.metrics_plan import adapter_metric_name, adapter_rules
from components.apps.queue_metrics_plan import (
    CLOUDWATCH_EXPORTER,
    EXPORTER_READ_ACTIONS,
    EXPORTER_SERVICE_ACCOUNT,
    QUEUE_DEPTH,
    exporter_label,
    exporter_policy,
    exporter_series,
)
from components.apps.workloads_plan import QUEUE_DEPTH_METRIC
from components.platform import wildcard_grants
from components.serverless import dead_letter_queue_name, intent_queue_name
from components.serverless.queue_plan import check_queue_name, redrive_policy
from preflight.harness import Plan, Resource

QUEUE = "aws:sqs/queue:Queue"
RELEASE = "kubernetes:helm.sh/v3:Release"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


def _queues(plan: Plan) -> dict[str, Resource]:
    return {r.inputs["name"]: r for r in plan.of_type(QUEUE) if "WorkQueue" in r.urn}


def test_queue_and_dead_letter_queue_under_the_data_key(plan: Plan) -> None:
    name = intent_queue_name(f"betterprompts-{plan.stack}")
    dlq_name = dead_letter_queue_name(name)
    queues = _queues(plan)
    assert set(queues) == {name, dlq_name}
    data_key = plan.outputs["kmsKeyArns"]["data"]
    for queue in queues.values():
        assert queue.inputs["kmsMasterKeyId"] == data_key
        assert queue.inputs["kmsDataKeyReusePeriodSeconds"] == 300
    work, dlq = queues[name].inputs, queues[dlq_name].inputs
    redrive = json.loads(work["redrivePolicy"])
    assert redrive == {"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:123456789012:{dlq_name}", "maxReceiveCount": 5}
    # A moved message keeps its enqueue time: the dead-letter queue must keep it longer.
    assert dlq["messageRetentionSeconds"] > work["messageRetentionSeconds"]
    assert work["receiveWaitTimeSeconds"] == 20
    assert "redrivePolicy" not in dlq
    [allow] = plan.of_type("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [f"arn:aws:sqs:us-east-1:123456789012:{name}"],
    }
    assert plan.outputs["intentQueueUrl"].endswith(f"/{name}") or name in plan.outputs["intentQueueUrl"]


def test_both_queues_refuse_requests_without_tls(plan: Plan) -> None:
    policies = [r for r in plan.of_type("aws:sqs/queuePolicy:QueuePolicy") if "-serverless-intent-" in r.urn]
    assert len(policies) == 2
    for policy in policies:
        [statement] = json.loads(policy.inputs["policy"])["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_alarms_on_backlog_age_and_dead_letter_depth(production: Plan, staging: Plan) -> None:
    for plan, age in ((production, 600), (staging, 1800)):
        name = intent_queue_name(f"betterprompts-{plan.stack}")
        alarms = [r for r in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-serverless-intent-" in r.name]
        by_metric = {a.inputs["metricName"]: a.inputs for a in alarms}
        assert len(alarms) == 2
        assert set(by_metric) == {"ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible"}
        oldest = by_metric["ApproximateAgeOfOldestMessage"]
        assert (oldest["threshold"], oldest["statistic"], oldest["dimensions"]) == (age, "Maximum", {"QueueName": name})
        depth = by_metric["ApproximateNumberOfMessagesVisible"]
        assert (depth["threshold"], depth["evaluationPeriods"], depth["dimensions"]) == (
            0,
            1,
            {"QueueName": dead_letter_queue_name(name)},
        )
        for alarm in by_metric.values():
            assert alarm["alarmActions"] == [plan.outputs["alarmTopicArn"]]
            assert alarm["treatMissingData"] == "notBreaching"


# --- the HPA's queue-depth metric is the queue's depth ----------------------------------------


def _exporter(plan: Plan) -> Resource:
    [release] = [r for r in plan.of_type(RELEASE) if r.inputs["chart"] == CLOUDWATCH_EXPORTER.chart]
    return release


def test_exporter_config_adapter_rule_and_hpa_agree_on_one_queue(plan: Plan) -> None:
    queue = intent_queue_name(f"betterprompts-{plan.stack}")
    assert queue in _queues(plan)
    # The exporter reads exactly that queue's metric.
    values = _exporter(plan).inputs["values"]
    config = yaml.safe_load(values["config"])
    [metric] = config["metrics"]
    assert config["region"] == "us-east-1"
    assert metric["aws_dimension_select"] == {"QueueName": [queue]}
    assert metric["aws_dimensions"] == ["QueueName"]
    [statistic] = metric["aws_statistics"]
    series = exporter_series(type(QUEUE_DEPTH)(metric["aws_namespace"], metric["aws_metric_name"], statistic, "QueueName"))
    label = exporter_label(metric["aws_dimensions"][0])
    assert (series, label) == ("aws_sqs_approximate_number_of_messages_visible_maximum", "queue_name")
    # Samples carry the scrape time, or the adapter's instant query would find nothing.
    assert config["set_timestamp"] is False
    # prometheus-adapter's one external rule serves that series as the HPA's metric, across namespaces.
    [rule] = adapter_rules()["external"]
    assert adapter_metric_name(rule, series) == QUEUE_DEPTH_METRIC
    assert rule["resources"] == {"namespaced": False}
    assert f"by ({label})" in rule["metricsQuery"]
    # The intent-classifier's HPA asks for that metric of that queue.
    [hpa] = [r for r in plan.of_type(HPA) if r.inputs["metadata"]["name"] == "intent-classifier"]
    [external] = [m["external"] for m in hpa.inputs["spec"]["metrics"] if m["type"] == "External"]
    assert external["metric"] == {"name": QUEUE_DEPTH_METRIC, "selector": {"matchLabels": {label: queue}}}


def test_exporter_reads_cloudwatch_through_irsa_only(plan: Plan) -> None:
    values = _exporter(plan).inputs["values"]
    account = values["serviceAccount"]
    assert account["name"] == EXPORTER_SERVICE_ACCOUNT
    [role] = [r for r in plan.of_type("aws:iam/role:Role") if r.name.endswith("-metrics-cw-exporter")]
    assert re.fullmatch(rf"arn:aws:iam::123456789012:role/{role.name}-[0-9a-f]{{7}}", account["annotations"]["eks.amazonaws.com/role-arn"])
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert f"system:serviceaccount:monitoring:{EXPORTER_SERVICE_ACCOUNT}" in trust.values()
    [policy] = [r for r in plan.of_type("aws:iam/rolePolicy:RolePolicy") if r.name.endswith("-metrics-cw-exporter")]
    document = json.loads(policy.inputs["policy"])
    [statement] = document["Statement"]
    assert sorted(statement["Action"]) == sorted(EXPORTER_READ_ACTIONS)
    assert all(a.startswith("cloudwatch:Get") or a == "cloudwatch:ListMetrics" for a in statement["Action"])
    assert wildcard_grants(document) == []
    assert policy.inputs["policy"] == exporter_policy()
    assert values["serviceMonitor"] == {"enabled": True, "interval": "60s"}


def test_still_exactly_one_external_metrics_provider(plan: Plan) -> None:
    charts = [r.inputs["chart"] for r in plan.of_type(RELEASE)]
    assert charts.count("prometheus-adapter") == 1
    assert not any("keda" in chart or "metrics-adapter" in chart and chart != "prometheus-adapter" for chart in charts)


def test_queue_names_as_sqs_takes_them() -> None:
    assert intent_queue_name("betterprompts-production") == "betterprompts-production-intent-classification"
    assert dead_letter_queue_name("q") == "q-dlq"
    with pytest.raises(ValueError, match="at most 80"):
        check_queue_name("q" * 81)
    with pytest.raises(ValueError, match="letters, digits"):
        check_queue_name("queue.fifo.x")
    with pytest.raises(ValueError, match="outside 1-1000"):
        redrive_policy("arn", 0)


# --- the intent classifier's access to its queue (IRSA) ---------------------------------------


def test_the_intent_classifier_drains_its_queue_through_its_own_service_account(plan: Plan) -> None:
    name = intent_queue_name(f"betterprompts-{plan.stack}")
    (queue,) = [r for r in plan.of_type(QUEUE) if r.inputs["name"] == name]
    (role,) = [r for r in plan.of_type("aws:iam/role:Role") if r.name.endswith("-apps-intent-classifier")]
    (inline,) = [r for r in plan.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == role.name]
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    subject = {k: v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")}
    assert list(subject.values()) == ["system:serviceaccount:betterprompts:intent-classifier"]
    statements = {s["Sid"]: s for s in json.loads(inline.inputs["policy"])["Statement"]}
    # Exactly the queue the program registers (its ARN is computed before the queue exists) and its key.
    assert statements["ConsumeWorkQueue"]["Resource"] == f"arn:aws:sqs:us-east-1:123456789012:{queue.inputs['name']}"
    assert statements["ConsumeWorkQueue"]["Action"] == [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
    ]
    assert statements["DecryptMessages"] == {
        "Sid": "DecryptMessages",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": queue.inputs["kmsMasterKeyId"],
    }
    (account,) = [
        r
        for r in plan.of_type("kubernetes:core/v1:ServiceAccount")
        if r.inputs["metadata"]["name"] == "intent-classifier" and r.inputs["metadata"]["namespace"] == "betterprompts"
    ]
    (annotation,) = account.inputs["metadata"]["annotations"].items()
    assert annotation[0] == "eks.amazonaws.com/role-arn"
    assert re.fullmatch(rf"arn:aws:iam::123456789012:role/{role.name}-?[0-9a-f]*", annotation[1]), annotation[1]
    assert account.inputs["automountServiceAccountToken"] is False
    (deployment,) = [
        r for r in plan.of_type("kubernetes:apps/v1:Deployment") if r.inputs["metadata"]["name"] == "intent-classifier"
    ]
    assert deployment.inputs["spec"]["template"]["spec"]["serviceAccountName"] == "intent-classifier"
    # Its pods start once the role can already do what they ask.
    assert {account.urn, role.urn, inline.urn} <= set(deployment.dependencies)
    # Both objects as the cluster's API server takes them (the stack's Kubernetes version, strict schemas).
    (cluster,) = plan.of_type("eks:index:Cluster")
    version = cluster.inputs["version"]
    kubernetes_validate.validate({"apiVersion": "v1", "kind": "ServiceAccount", **account.inputs}, version, strict=True)
    kubernetes_validate.validate({"apiVersion": "apps/v1", "kind": "Deployment", **deployment.inputs}, version, strict=True)

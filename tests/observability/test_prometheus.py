"""Amazon Managed Service for Prometheus: production's workspace (its own CMK with AMP's documented key
statement, a KMS-encrypted vended log group), the in-cluster Prometheus remote-writing to it with SigV4 through
an IRSA role allowed aps:RemoteWrite on that workspace only, Grafana allowed to query that workspace only;
staging has none; bad config names its key; ingestion, storage and query samples priced from usage."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from components.apps import metrics_plan
from components.observability import ManagedPrometheus, ManagedPrometheusArgs, ManagedPrometheusSettings
from components.observability.prometheus_plan import (
    QUERY_ACTIONS,
    key_policy,
    logging_destination,
    query_policy,
    remote_write_url,
    workspace_alias,
)
from components.platform import ConfigError
from policies.cost_model import Assumptions, CostResource, Usage, estimate
from preflight.harness import Plan, Resource
from tests.stack_config import config_of, load, with_value

WORKSPACE = "aws:amp/workspace:Workspace"
RELEASE = "kubernetes:helm.sh/v3:Release"
ACCOUNT = "123456789012"
ENDPOINT = re.compile(r"^https://aps-workspaces\.us-east-1\.amazonaws\.com/workspaces/(ws-[0-9a-f-]{36})/$")


def _workspace(plan: Plan) -> Resource:
    [workspace] = plan.of_type(WORKSPACE)
    return workspace


def _prometheus_values(plan: Plan) -> dict[str, Any]:
    [release] = [r for r in plan.of_type(RELEASE) if r.inputs["chart"].endswith("kube-prometheus-stack")]
    return release.inputs["values"]


def _named(plan: Plan, token: str, name: str) -> Resource:
    [found] = [r for r in plan.of_type(token) if r.name == name]
    return found


def test_production_workspace_is_encrypted_with_its_own_key_and_logs(production: Plan) -> None:
    workspace = _workspace(production)
    assert workspace.inputs["alias"] == "betterprompts-production-metrics"
    key = _named(production, "aws:kms/key:Key", "betterprompts-production-amp-key")
    assert workspace.inputs["kmsKeyArn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key.id}"
    assert key.inputs["enableKeyRotation"] is True
    group = _named(production, "aws:cloudwatch/logGroup:LogGroup", "betterprompts-production-amp-logs")
    assert group.inputs["name"] == "/aws/vendedlogs/prometheus/betterprompts-production"
    assert group.inputs["retentionInDays"] == 90
    [logs_key] = [k for k in production.of_type("aws:kms/key:Key") if k.name.endswith("-logs")]
    assert group.inputs["kmsKeyId"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{logs_key.id}"
    # The API's pattern: the group's ARN with ':*'.
    assert workspace.inputs["loggingConfiguration"] == {
        "logGroupArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/vendedlogs/prometheus/betterprompts-production:*"
    }
    # Stateful: kept like the stack's other stores.
    assert workspace.protect and key.protect
    assert ENDPOINT.match(production.outputs["prometheusWorkspaceEndpoint"])
    assert production.outputs["prometheusWorkspaceId"] == ENDPOINT.match(production.outputs["prometheusWorkspaceEndpoint"]).group(1)


def test_the_key_admits_amp_for_this_account_only(production: Plan) -> None:
    key = _named(production, "aws:kms/key:Key", "betterprompts-production-amp-key")
    root, amp = json.loads(key.inputs["policy"])["Statement"]
    assert root["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"} and root["Action"] == "kms:*"
    assert amp["Principal"] == {"AWS": "*"}
    assert amp["Action"] == ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"]
    assert amp["Condition"] == {"StringEquals": {"kms:ViaService": "aps.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT}}


def test_prometheus_remote_writes_with_sigv4_through_its_irsa_role(production: Plan) -> None:
    workspace = _workspace(production)
    workspace_id = ENDPOINT.match(production.outputs["prometheusWorkspaceEndpoint"]).group(1)
    role = _named(production, "aws:iam/role:Role", "betterprompts-production-metrics-remote-write")
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    [subject] = [v for k, v in trust["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subject == "system:serviceaccount:monitoring:kube-prometheus-prometheus"
    [policy] = [p for p in production.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.urn]
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Action"] == ["aps:RemoteWrite"]
    assert workspace.id == workspace_id
    assert statement["Resource"] == f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/{workspace_id}"

    prometheus = _prometheus_values(production)["prometheus"]
    assert prometheus["serviceAccount"] == {
        "create": True,
        "name": "kube-prometheus-prometheus",
        "annotations": {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{ACCOUNT}:role/{role.id}"},
    }
    [write] = prometheus["prometheusSpec"]["remoteWrite"]
    assert write["url"] == f"https://aps-workspaces.us-east-1.amazonaws.com/workspaces/{workspace_id}/api/v1/remote_write"
    assert write["sigv4"] == {"region": "us-east-1"}
    assert write["queueConfig"] == {"maxSamplesPerSend": 1000, "maxShards": 200, "capacity": 2500}
    [keep] = write["writeRelabelConfigs"]
    assert keep["sourceLabels"] == ["__name__"] and keep["action"] == "keep"
    # The HPAs' source series are written (Grafana shows what scaling sees); the control plane's histograms are not.
    kept = re.compile(keep["regex"])
    for series in ("http_requests_total", "DCGM_FI_DEV_GPU_UTIL", "ts_inference_latency_microseconds", "up", "kube_pod_status_phase"):
        assert kept.fullmatch(series), series
    for series in ("apiserver_request_duration_seconds_bucket", "workqueue_depth", "container_tasks_state"):
        assert not kept.fullmatch(series), series
    # The in-cluster Prometheus stays (prometheus-adapter, so the HPAs, read it) with its own storage.
    assert prometheus["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]["storageClassName"] == "prometheus-encrypted"


def test_the_release_waits_for_the_remote_write_policy(production: Plan) -> None:
    [release] = [r for r in production.of_type(RELEASE) if r.inputs["chart"].endswith("kube-prometheus-stack")]
    role = _named(production, "aws:iam/role:Role", "betterprompts-production-metrics-remote-write")
    [policy] = [p for p in production.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.urn]
    assert policy.urn in release.dependencies


def test_grafana_queries_exactly_that_workspace(production: Plan) -> None:
    workspace = _workspace(production)
    [grafana] = production.of_type("aws:grafana/workspace:Workspace")
    assert grafana.inputs["dataSources"] == ["CLOUDWATCH", "XRAY", "PROMETHEUS"]
    policy = _named(production, "aws:iam/rolePolicy:RolePolicy", "betterprompts-production-grafana-workspace-prometheus")
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Action"] == ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
    assert statement["Resource"] == f"arn:aws:aps:us-east-1:{ACCOUNT}:workspace/{workspace.id}"
    assert policy.urn in grafana.dependencies


def test_staging_has_no_workspace_and_prometheus_keeps_its_samples(staging: Plan) -> None:
    assert staging.of_type(WORKSPACE) == []
    assert not [r for r in staging.of_type("aws:iam/role:Role") if r.name.endswith("-remote-write")]
    prometheus = _prometheus_values(staging)["prometheus"]
    assert "remoteWrite" not in prometheus["prometheusSpec"] and "serviceAccount" not in prometheus
    assert "prometheusWorkspaceId" not in staging.outputs


# --- pure helpers -------------------------------------------------------------------------------


def test_remote_write_url_and_logging_destination() -> None:
    endpoint = "https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-1234/"
    assert remote_write_url(endpoint) == "https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-1234/api/v1/remote_write"
    assert remote_write_url(endpoint.rstrip("/")) == remote_write_url(endpoint)
    group = "arn:aws:logs:us-west-2:123456789012:log-group:/aws/vendedlogs/prometheus/p"
    assert logging_destination(group) == group + ":*" == logging_destination(group + ":*")


def test_alias_limit_and_policies() -> None:
    assert workspace_alias("betterprompts-staging") == "betterprompts-staging-metrics"
    with pytest.raises(ValueError, match="1-100"):
        workspace_alias("p" * 95)
    arn = "arn:aws:aps:us-east-1:123456789012:workspace/ws-1"
    assert json.loads(query_policy(arn))["Statement"] == [{"Sid": "QueryTheWorkspace", "Effect": "Allow", "Action": list(QUERY_ACTIONS), "Resource": arn}]
    assert json.loads(metrics_plan.remote_write_policy(arn))["Statement"][0]["Action"] == ["aps:RemoteWrite"]
    statements = json.loads(key_policy(account_id="111122223333", region="eu-west-1"))["Statement"]
    assert statements[1]["Condition"]["StringEquals"]["kms:ViaService"] == "aps.eu-west-1.amazonaws.com"


def test_additional_series_are_kept_once() -> None:
    regex = metrics_plan.remote_write_regex(("istio_requests_total", "up"))
    assert regex.split("|").count("up") == 1 and regex.endswith("|istio_requests_total")


def test_the_component_refuses_a_disabled_workspace() -> None:
    args = ManagedPrometheusArgs(
        prefix="p", region="us-east-1", account_id=ACCOUNT, settings=ManagedPrometheusSettings(), logs_kms_key_arn="k", kms_deletion_window_days=30
    )
    with pytest.raises(ValueError, match="disabled"):
        ManagedPrometheus("p-amp", args)


# --- config -------------------------------------------------------------------------------------


def test_per_stack_choices() -> None:
    production = load(config_of("production")).observability.managed_prometheus
    staging = load(config_of("staging"), "staging").observability.managed_prometheus
    assert production == ManagedPrometheusSettings(enabled=True, log_retention_days=90, additional_series=())
    assert staging.enabled is False
    extra = load(with_value("observability", "managedPrometheus.additionalSeries", ["istio_.*", "nginx_up"])).observability
    assert extra.managed_prometheus.additional_series == ("istio_.*", "nginx_up")


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("managedPrometheus.enabled", "yes", "true or false"),
        ("managedPrometheus.logRetentionDays", 45, "a CloudWatch Logs retention period"),
        ("managedPrometheus.additionalSeries", ["up{job='x'}"], "a metric name or a regular expression of metric names"),
        ("managedPrometheus.additionalSeries", ["istio_(requests"], "that compiles"),
        ("managedPrometheus.additionalSeries", ["nginx_up", "nginx_up"], "each once"),
        ("managedPrometheus.retention", 150, "no such key"),
    ],
)
def test_bad_values_are_refused_with_their_key(key: str, value: object, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("observability", key, value))
    assert error.value.key.startswith("betterprompts:observability.managedPrometheus")
    assert allowed in str(error.value)


# --- cost -------------------------------------------------------------------------------------


def test_ingestion_is_tiered_and_storage_and_queries_priced_from_usage() -> None:
    workspace = CostResource(urn="urn:amp", type=WORKSPACE, name="amp", inputs={"alias": "p-metrics"})
    usage = Usage(amp_samples_ingested_millions=3_000, amp_storage_gb=10, amp_query_samples_billions=50)
    items = estimate([workspace], "us-east-1", Assumptions(usage=usage)).items
    by_text = {i.description: i.baseline for i in items}
    # First 2 billion at $0.90 / 10 M, the next billion at $0.35 / 10 M; $0.03 per GB-month; $0.10 per billion queried.
    assert by_text["Managed Prometheus workspace p-metrics: 3,000M samples ingested"] == pytest.approx(2_000 * 0.09 + 1_000 * 0.035)
    assert by_text["Managed Prometheus workspace p-metrics: 10 GB stored"] == pytest.approx(0.3)
    assert by_text["Managed Prometheus workspace p-metrics: 50B query samples"] == pytest.approx(5.0)


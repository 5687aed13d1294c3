"""Tracing: the pinned OpenTelemetry collector chart with values its schema accepts, exporting to X-Ray
with an IRSA role allowed exactly X-Ray's two write actions, and every service pointed at it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from components.observability import OTEL_COLLECTOR, collector_endpoint, workload_env
from components.observability.tracing_plan import SERVICE_ACCOUNT, XRAY_WRITE_ACTIONS, collector_values, xray_policy
from components.platform import wildcard_grants
from preflight.harness import Plan
from tests.policy_plans import plan as policy_plan, resource, violations

VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "charts" / OTEL_COLLECTOR.chart / OTEL_COLLECTOR.version
RELEASE = "kubernetes:helm.sh/v3:Release"


def _collector(plan: Plan) -> Any:
    [release] = [r for r in plan.of_type(RELEASE) if r.inputs["chart"] == OTEL_COLLECTOR.chart]
    return release


def test_the_release_is_the_pinned_chart_from_its_repository(plan: Plan) -> None:
    release = _collector(plan)
    assert release.inputs["version"] == "0.170.0"
    assert release.inputs["repositoryOpts"]["repo"] == "https://open-telemetry.github.io/opentelemetry-helm-charts"
    assert release.inputs["namespace"] == "telemetry"
    assert release.inputs["atomic"] is True


def helm_merge(defaults: Any, values: Any) -> Any:
    """Helm's coalescing of user values over a chart's: maps merge, a null removes the key, anything else replaces."""
    if not (isinstance(defaults, dict) and isinstance(values, dict)):
        return values
    merged = dict(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = helm_merge(defaults.get(key), value)
    return merged


def test_values_satisfy_the_charts_own_schema(plan: Plan) -> None:
    """Helm validates the chart's values.schema.json against the merged values at install: so do we."""
    schema = json.loads((VENDOR / "values.schema.json").read_text())
    defaults = yaml.safe_load((VENDOR / "values.yaml").read_text())
    values = _collector(plan).inputs["values"]
    jsonschema.validate(helm_merge(defaults, values), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(helm_merge(defaults, {**values, "mode": "sidecar"}), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(helm_merge(defaults, {**values, "replicas": 2}), schema)  # replicaCount is the key


def test_only_otlp_in_and_xray_out(plan: Plan) -> None:
    values = _collector(plan).inputs["values"]
    # The whole collector configuration (alternateConfig replaces the chart's, which listens for Jaeger,
    # Zipkin and Prometheus too): Pulumi drops nulls, so the defaults could not be removed key by key.
    assert "config" not in values
    config = values["alternateConfig"]
    assert list(config["receivers"]) == ["otlp"]
    assert config["receivers"]["otlp"]["protocols"] == {
        "grpc": {"endpoint": "${env:MY_POD_IP}:4317"},
        "http": {"endpoint": "${env:MY_POD_IP}:4318"},
    }
    assert config["exporters"] == {"awsxray": {"region": "us-east-1"}}
    assert config["service"]["pipelines"] == {
        "traces": {"receivers": ["otlp"], "processors": ["memory_limiter", "k8s_attributes", "batch"], "exporters": ["awsxray"]}
    }
    # The liveness and readiness probes ask the health check extension on 13133.
    assert config["extensions"]["health_check"]["endpoint"].endswith(":13133") and config["service"]["extensions"] == ["health_check"]
    assert values["presets"] == {"kubernetesAttributes": {"enabled": True}}
    assert not any(values["ports"][p]["enabled"] for p in ("jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin"))
    assert values["image"]["repository"].endswith("/opentelemetry-collector-contrib")  # awsxray is a contrib exporter
    assert values["command"]["name"] == "otelcol-contrib"


def test_replicas_and_disruption_budget_per_stack(production: Plan, staging: Plan) -> None:
    prod, stag = _collector(production).inputs["values"], _collector(staging).inputs["values"]
    assert prod["replicaCount"] == 2 and prod["podDisruptionBudget"] == {"enabled": True, "minAvailable": 1}
    # One replica with minAvailable 1 would block every node drain: no budget.
    assert stag["replicaCount"] == 1 and stag["podDisruptionBudget"] == {"enabled": False}


def test_the_role_is_assumable_by_the_collector_only_and_writes_only_traces(plan: Plan) -> None:
    [role] = [r for r in plan.of_type("aws:iam/role:Role") if r.name.endswith("-tracing-xray")]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    conditions = statement["Condition"]["StringEquals"]
    assert f"system:serviceaccount:telemetry:{SERVICE_ACCOUNT}" in conditions.values()
    [policy] = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.name.endswith("-tracing-xray")]
    document = json.loads(policy.inputs["policy"])
    assert document["Statement"] == [
        {"Sid": "WriteTraces", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}
    ]
    assert _collector(plan).inputs["values"]["serviceAccount"]["name"] == SERVICE_ACCOUNT


def test_named_xray_actions_on_every_resource_are_not_a_wildcard_grant_but_xray_star_is() -> None:
    # X-Ray's write actions have no resource type: "*" is their only resource, and that is least privilege.
    assert wildcard_grants(xray_policy()) == []
    assert len(XRAY_WRITE_ACTIONS) == 2 and all(a.startswith("xray:Put") for a in XRAY_WRITE_ACTIONS)
    broad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "xray:*", "Resource": "*"}]}
    assert len(wildcard_grants(broad)) == 1


def test_the_pack_passes_the_collector_role_and_fails_xray_star() -> None:
    def wildcard_violations(document: str) -> list[str]:
        fixture = policy_plan(resource("aws:iam/rolePolicy:RolePolicy", "collector-xray", {"role": "r", "policy": document}))
        return [v.message for v in violations(fixture, "iam-no-wildcard-grants")]

    assert wildcard_violations(xray_policy()) == []
    bad_document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["xray:*"], "Resource": "*"}]})
    [message] = wildcard_violations(bad_document)
    assert "xray:*" in message


def test_every_service_gets_the_collector_endpoint_and_sampling(plan: Plan) -> None:
    ratio = {"production": "0.05", "staging": "0.2"}[plan.stack]
    deployments = [d for d in plan.of_type("kubernetes:apps/v1:Deployment") if d.inputs["metadata"]["namespace"] == "betterprompts"]
    assert {d.inputs["metadata"]["name"] for d in deployments} == {"frontend", "intent-classifier", "technique-selector"}
    for deployment in deployments:
        [container] = deployment.inputs["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e["value"] for e in container["env"]}
        assert env == {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.telemetry.svc:4317",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_SERVICE_NAME": deployment.inputs["metadata"]["name"],
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": ratio,
        }
        kubernetes_validate.validate({"apiVersion": "apps/v1", "kind": "Deployment", **deployment.inputs}, "1.33", strict=True)


def test_the_namespace_enforces_the_restricted_standard_the_values_meet(plan: Plan) -> None:
    [namespace] = [n for n in plan.of_type("kubernetes:core/v1:Namespace") if n.inputs["metadata"]["name"] == "telemetry"]
    assert namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    values = _collector(plan).inputs["values"]
    assert values["podSecurityContext"]["runAsNonRoot"] is True
    assert values["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}


def test_endpoint_and_env_functions() -> None:
    assert collector_endpoint("obs") == "http://otel-collector.obs.svc:4317"
    assert workload_env("obs", "frontend", 1.0)["OTEL_TRACES_SAMPLER_ARG"] == "1"
    with pytest.raises(ValueError):
        workload_env("obs", "frontend", 1.5)
    values = collector_values(region="us-west-2", role_arn="arn:aws:iam::1:role/r", replicas=3)
    assert values["alternateConfig"]["exporters"]["awsxray"]["region"] == "us-west-2"
    assert values["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r"}

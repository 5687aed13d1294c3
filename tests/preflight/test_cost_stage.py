"""The preflight ``cost`` stage on both stacks' plans and on hand-written plan files."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from policies.cost_model import RULES, COVERING_COMPONENTS
from preflight import cost_stage
from preflight.cli import main
from preflight.harness import Plan
from preflight.stages import registered_stages

HOURS = 730


def _items(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    result = cost_stage.run(plan.to_json())
    assert not result.failed, result.lines
    by_type: dict[str, list[dict[str, Any]]] = {}
    for item in result.data["items"]:
        by_type.setdefault(item["type"], []).append(item)
    return by_type


def test_the_cost_stage_is_registered() -> None:
    assert [s.key for s in registered_stages()] == ["cost", "quotas", "violations", "spec"]


def test_production_foundation_line_items(production: Plan) -> None:
    items = _items(production)
    # Five baseline keys, the audit trail's, the DR layer's five (a vault key per Region, the DR data and
    # storage keys, the DR images key of the ECR replicas' creation template), the bulk-transform workflow's and
    # the Managed Prometheus workspace's.
    assert [i["monthly"] for i in items["aws:kms/key:Key"]] == [1.0] * 13
    # Three NAT gateways (one per AZ), each with its public IPv4 and a third of 500 GB processed
    # plus a third of the 200 GB of image pulls (no ECR interface endpoints in production).
    assert [i["monthly"] for i in items["aws:ec2/natGateway:NatGateway"]] == [round(0.045 * HOURS + 700 / 3 * 0.045, 2)] * 3
    assert [i["monthly"] for i in items["aws:ec2/eip:Eip"]] == [round(0.005 * HOURS, 2)] * 3
    usage = {i["description"]: i["monthly"] for i in items["usage:data-transfer"] + items["usage:cloudwatch"]}
    assert usage == {
        "Data transfer out to the internet: 1,500 GB": 135.0,
        "Inter-AZ data transfer: 3,000 GB": 60.0,
        "CloudWatch Logs: 150 GB ingested, 500 GB stored": 90.0,
        "CloudWatch custom metrics: 100": 30.0,
        # The OpenTelemetry collector's traces ($5 per million): 50 M requests at 5% sampling.
        "X-Ray: 2.5M traces recorded": 12.5,
    }
    assert "aws:ec2/instance:Instance" not in items


def test_staging_foundation_line_items(staging: Plan) -> None:
    items = _items(staging)
    (nat,) = items["aws:ec2/instance:Instance"]
    compute = 0.0042 * HOURS
    assert nat["monthly"] == round(compute + 8 * 0.08, 2)
    assert nat["committed_monthly"] == round(0.8 * compute + 8 * 0.08, 2)
    assert "(NAT instance)" in nat["description"]
    assert "aws:ec2/natGateway:NatGateway" not in items
    assert [i["monthly"] for i in items["aws:ec2/eip:Eip"]] == [3.65]
    usage = {i["description"]: i["monthly"] for i in items["usage:data-transfer"] + items["usage:cloudwatch"]}
    assert usage == {
        "Data transfer out to the internet: 100 GB": 9.0,
        "Inter-AZ data transfer: 200 GB": 4.0,
        "CloudWatch Logs: 20 GB ingested, 20 GB stored": 10.6,
        "CloudWatch custom metrics: 20": 6.0,
        "X-Ray: 0.2M traces recorded": 1.0,
    }


def test_totals_are_the_sums_of_the_items(plan: Plan) -> None:
    data = cost_stage.run(plan.to_json()).data
    for total, column in (
        ("baseline_monthly", "monthly"),
        ("peak_monthly", "peak_monthly"),
        ("committed_monthly", "committed_monthly"),
    ):
        assert data[total] == pytest.approx(sum(i[column] for i in data["items"]), abs=0.01 * len(data["items"]))
    assert data["currency"] == "USD"
    assert data["region"] == "us-east-1"
    assert data["peak_monthly"] >= data["baseline_monthly"] >= data["committed_monthly"]


def test_every_priced_resource_of_the_stack_has_a_line_item(plan: Plan) -> None:
    """Nothing billable is silently left out (a rule may return nothing only for free variants)."""
    priced = {i["urn"] for i in cost_stage.run(plan.to_json()).data["items"]}
    # Helm releases run on the priced nodes; only Velero's bills (its EBS snapshots).
    free_variants = {
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "kubernetes:networking.k8s.io/v1:Ingress",
        "kubernetes:core/v1:Service",
        "kubernetes:helm.sh/v3:Release",
    }
    for r in plan.resources:
        if r.type in RULES and r.type not in free_variants and r.type not in COVERING_COMPONENTS:
            assert r.urn in priced, r.urn


def test_the_stack_exports_its_usage_assumptions(production: Plan, staging: Plan) -> None:
    assert production.outputs["costAssumptions"]["runningFraction"] == 1.0
    # Weekdays 08:00-20:00: 60 of 168 hours.
    assert staging.outputs["costAssumptions"]["runningFraction"] == pytest.approx(60 / 168)
    assert staging.outputs["costAssumptions"]["usage"]["internetEgressGb"] == 100.0
    assert production.outputs["costAssumptions"]["commitments"] == {"computeSavingsPlan": 0.2, "reservedDatabase": 0.3}


def test_the_plan_json_gains_the_cost_section(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    out = io.StringIO()
    assert main(["staging", "--json", str(target)], out=out) == 0
    document = json.loads(target.read_text())
    cost = document["cost"]
    assert set(cost) >= {"currency", "baseline_monthly", "peak_monthly", "committed_monthly", "items"}
    assert set(cost["items"][0]) >= {"urn", "type", "description", "monthly"}
    assert "Estimated monthly cost:" in out.getvalue()
    assert f"${cost['baseline_monthly']:,.2f}" in out.getvalue()


def _plan_file(tmp_path: Path, resources: list[dict[str, Any]], outputs: dict[str, Any] | None = None) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"project": "betterprompts", "stack": "x", "resources": resources, "outputs": outputs or {}}))
    return path


def _cost_stage(path: Path) -> tuple[bool, str]:
    """The cost stage alone over a plan file, as ``--check-plan`` runs it (the pack is tested elsewhere)."""
    from preflight.cost_stage import STAGE

    result = STAGE.run(json.loads(path.read_text()))
    return result.failed, "\n".join(result.lines)


def _resource(urn: str, token: str, inputs: dict[str, Any], parent: str = "") -> dict[str, Any]:
    return {"urn": urn, "type": token, "name": urn, "parent": parent, "provider": "", "inputs": inputs, "dependencies": []}


def test_check_plan_prices_a_plan_in_its_providers_region(tmp_path: Path) -> None:
    provider = _resource("urn:p", "pulumi:providers:aws", {"region": "us-west-2"})
    cluster = _resource("urn:c", "aws:eks/cluster:Cluster", {})
    failed, text = _cost_stage(_plan_file(tmp_path, [provider, cluster]))
    assert not failed
    assert "EKS control plane urn:c" in text
    assert "USD/month, us-west-2" in text
    assert "no costAssumptions output in the plan" in text


def test_check_plan_fails_on_a_missing_price(tmp_path: Path) -> None:
    node_group = _resource(
        "urn:ng", "aws:eks/nodeGroup:NodeGroup", {"instanceTypes": ["x9.mega"], "scalingConfig": {"minSize": 1, "maxSize": 2}}
    )
    failed, text = _cost_stage(_plan_file(tmp_path, [node_group]))
    assert failed
    assert "FAILED: no us-east-1 price for aws:eks/nodeGroup:NodeGroup size 'x9.mega'" in text


def test_check_plan_uses_the_plans_assumptions(tmp_path: Path) -> None:
    outputs = {"costAssumptions": {"usage": {"internetEgressGb": 10, "interAzGb": 0, "customMetrics": 0}}}
    document = json.loads(_plan_file(tmp_path, [], outputs).read_text())
    data = cost_stage.run(document).data
    assert data["baseline_monthly"] == 0.9

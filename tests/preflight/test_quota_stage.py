"""The preflight ``quotas`` stage: in the report and the JSON plan, and failing on a short request."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from preflight import quota_stage
from preflight.cli import main
from preflight.harness import Plan


def test_both_stacks_list_their_quotas_without_failing(plan: Plan) -> None:
    result = quota_stage.run(plan.to_json())
    assert not result.failed, result.lines
    keys = {q["key"] for q in result.data}
    assert {"ec2/L-1216C47A", "vpc/L-F678F1CE", "eks/L-1194D53C", "rds/L-7B6409FD"} <= keys
    assert all(q["peak"] >= q["needed"] for q in result.data)


def test_the_json_plan_carries_quotas(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    assert main(["staging", "--json", str(target)], out=io.StringIO()) == 0
    document = json.loads(target.read_text())
    by_key = {q["key"]: q for q in document["quotas"]}
    assert by_key["sagemaker/L-96300102"]["needed"] == 10  # staging's serverless max concurrency
    assert document["outputs"]["quotaRequests"] == {}


def _plan_with_eips(count: int, requested: Any) -> dict[str, Any]:
    resources = [{"urn": f"urn:x::e{i}", "type": "aws:ec2/eip:Eip", "name": f"e{i}", "inputs": {}} for i in range(count)]
    return {"resources": resources, "outputs": {"quotaRequests": {"ec2/L-0263D0A3": requested}}}


def test_a_request_below_the_peak_fails_the_stage() -> None:
    result = quota_stage.run(_plan_with_eips(7, 6))
    assert result.failed
    assert any("ec2/L-0263D0A3 is requested at 6, below the stack's peak of 7" in line for line in result.lines)
    assert not quota_stage.run(_plan_with_eips(7, 8)).failed


def test_an_uncountable_instance_type_fails_the_stage() -> None:
    document = {"resources": [{"urn": "u", "type": "aws:ec2/instance:Instance", "name": "x", "inputs": {"instanceType": "u-6tb1.metal"}}]}
    result = quota_stage.run(document)
    assert result.failed and "u-6tb1.metal" in result.lines[0]

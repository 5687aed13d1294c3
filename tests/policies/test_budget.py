"""The ``baseline-under-budget`` stack policy, called as the pack would call it.

Resources are real ``pulumi_policy.PolicyResource`` objects (from a stack's offline plan,
with parents, providers and dependencies linked as the analyzer links them), and the
config reaches the validator through ``StackValidationArgs`` after the same normalization
the pack applies to ``policies/config/<stack>.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
)

from policies.budget import POLICIES, POLICY_NAME, baseline_under_budget
from policies.cost_model import Assumptions, CostResource, estimate
from preflight.harness import Plan

CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"


def _options(parent: str | None) -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def policy_resources(entries: list[dict[str, Any]], stack_outputs: dict[str, Any] | None = None) -> list[PolicyResource]:
    """Plan-document entries as the analyzer hands them to a stack policy."""
    by_urn: dict[str, PolicyResource] = {}
    providers = {
        f"{e['urn']}::{e.get('id', '')}": PolicyProviderResource(e["type"], e["inputs"], e["urn"], e["name"])
        for e in entries
        if e["type"].startswith("pulumi:providers:")
    }
    for e in entries:
        by_urn[e["urn"]] = PolicyResource(
            e["type"], e["inputs"], e["urn"], e["name"], _options(e.get("parent") or None),
            providers.get(e.get("provider") or ""), None, [], {},
        )
    for e in entries:
        resource = by_urn[e["urn"]]
        resource.parent = by_urn.get(e.get("parent") or "")
        resource.dependencies = [by_urn[d] for d in e.get("dependencies", []) if d in by_urn]
    resources = list(by_urn.values())
    if stack_outputs is not None:
        resources.append(
            PolicyResource("pulumi:pulumi:Stack", stack_outputs, "urn:pulumi:x::betterprompts::pulumi:pulumi:Stack::x", "x",
                           _options(None), None, None, [], {})
        )
    return resources


def stack_config(stack: str) -> tuple[EnforcementLevel | None, dict[str, Any]]:
    from policies.pack import ALL_POLICIES
    from policies.stack_config import normalize

    raw = json.loads((CONFIG_DIR / f"{stack}.json").read_text())
    entry = normalize(raw, [p.name for p in ALL_POLICIES])[POLICY_NAME]
    level = EnforcementLevel(entry["enforcementLevel"]) if entry.get("enforcementLevel") else None
    return level, {k: v for k, v in entry.items() if k != "enforcementLevel"}


def run_policy(resources: list[PolicyResource], config: dict[str, Any]) -> list[str]:
    violations: list[str] = []
    baseline_under_budget.validate(StackValidationArgs(resources, config), lambda message, urn=None: violations.append(message))
    return violations


def _entry(urn: str, token: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"urn": urn, "type": token, "name": urn, "parent": "", "provider": "", "inputs": inputs, "dependencies": [], **extra}


def test_the_module_exposes_the_stack_policy() -> None:
    assert POLICIES == [baseline_under_budget]
    assert baseline_under_budget.name == "baseline-under-budget"
    assert baseline_under_budget.config_schema is not None
    assert baseline_under_budget.config_schema.required == ["budgetMonthlyUsd"]


def test_mandatory_in_production_advisory_in_staging() -> None:
    assert stack_config("production") == (EnforcementLevel.MANDATORY, {"budgetMonthlyUsd": 6000})
    assert stack_config("staging") == (EnforcementLevel.ADVISORY, {"budgetMonthlyUsd": 700})


@pytest.mark.parametrize("stack", ["dr", "production", "staging"])
def test_each_stack_plan_is_under_its_budget(stack: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(stack)
    document = plan.to_json()
    _, config = stack_config(plan.stack)
    assert run_policy(policy_resources(document["resources"], plan.outputs), config) == []


def test_a_stack_over_its_budget_is_reported(production: Plan) -> None:
    document = production.to_json()
    resources = policy_resources(document["resources"], production.outputs)
    expected = estimate(
        [CostResource.from_plan(r) for r in document["resources"]], "us-east-1",
        Assumptions.from_json(production.outputs["costAssumptions"]),
    ).baseline
    (violation,) = run_policy(resources, {"budgetMonthlyUsd": 100})
    assert violation.startswith(f"estimated baseline ${expected:,.2f}/month (us-east-1) exceeds the budget $100.00 by ")
    assert "largest items: " in violation


def test_over_and_under_budget_on_a_small_plan() -> None:
    """db.r6g.xlarge Multi-AZ with 500 GB: 655.54 + 115.00, plus default usage 135 + 60 = 965.54."""
    entries = [
        _entry("urn:provider", "pulumi:providers:aws", {"region": "us-east-2"}),
        _entry(
            "urn:db", "aws:rds/instance:Instance",
            {"instanceClass": "db.r6g.xlarge", "multiAz": True, "allocatedStorage": 500, "storageType": "gp3"},
            provider="urn:provider::",
        ),
    ]
    outputs = {"costAssumptions": {"usage": {"customMetrics": 0}}}
    assert run_policy(policy_resources(entries, outputs), {"budgetMonthlyUsd": 1000}) == []
    (violation,) = run_policy(policy_resources(entries, outputs), {"budgetMonthlyUsd": 700})
    assert violation.startswith("estimated baseline $965.54/month (us-east-2) exceeds the budget $700.00 by $265.54")
    assert "RDS postgres primary db.r6g.xlarge Multi-AZ + 500 GB gp3 $770.54" in violation


def test_assumptions_come_from_policy_config_when_the_stack_shows_none() -> None:
    entries = [_entry("urn:key", "aws:kms/key:Key", {})]
    usage = {"internetEgressGb": 0, "interAzGb": 0, "customMetrics": 0}
    assert run_policy(policy_resources(entries), {"budgetMonthlyUsd": 1.5, "assumptions": {"usage": usage}}) == []
    # Without them the documented defaults apply (135 + 60 + 30 more).
    assert len(run_policy(policy_resources(entries), {"budgetMonthlyUsd": 1.5})) == 1


def test_a_missing_price_is_a_violation_naming_type_and_size() -> None:
    entries = [_entry("urn:cache", "aws:elasticache/replicationGroup:ReplicationGroup", {"nodeType": "cache.x9.huge"})]
    (violation,) = run_policy(policy_resources(entries), {"budgetMonthlyUsd": 10_000})
    assert "aws:elasticache/replicationGroup:ReplicationGroup size 'cache.x9.huge'" in violation


@pytest.mark.parametrize("config", [{}, {"budgetMonthlyUsd": 0}, {"budgetMonthlyUsd": "lots"}])
def test_a_budget_must_be_configured(config: dict[str, Any]) -> None:
    (violation,) = run_policy(policy_resources([]), config)
    assert "set budgetMonthlyUsd" in violation


def test_the_pack_can_import_the_policy_from_inside_policies() -> None:
    """Pulumi runs the pack with policies/ as the program directory (no ``policies`` package)."""
    import subprocess
    import sys

    policies_dir = CONFIG_DIR.parent
    code = "import budget; print(budget.cost_model.__name__, budget.POLICIES[0].name)"
    done = subprocess.run([sys.executable, "-c", code], cwd=policies_dir, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["cost_model", "baseline-under-budget"]


def test_values_unknown_during_preview_do_not_stop_the_policy() -> None:
    """The analyzer wraps props in a proxy that raises on unknowns; the policy reads around them."""
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

    from policies.budget import to_cost_resource

    def wrapped(urn: str, token: str, props: dict[str, Any]) -> PolicyResource:
        return PolicyResource(token, unknown_checking_proxy(props), urn, urn, _options(None), None, None, [], {})

    primary = wrapped("urn:db", "aws:rds/instance:Instance", {"instanceClass": "db.t4g.medium", "allocatedStorage": 20, "identifier": UNKNOWN_STRING_VALUE})
    replica = wrapped(
        "urn:replica", "aws:rds/instance:Instance",
        {"instanceClass": "db.t4g.medium", "allocatedStorage": 20, "replicateSourceDb": UNKNOWN_STRING_VALUE, "tags": [UNKNOWN_STRING_VALUE]},
    )
    assert to_cost_resource(replica).inputs == {
        "instanceClass": "db.t4g.medium", "allocatedStorage": 20, "replicateSourceDb": None, "tags": [None]
    }
    (violation,) = run_policy([primary, replica], {"budgetMonthlyUsd": 50})
    assert "RDS postgres read replica db.t4g.medium" in violation or "RDS postgres primary db.t4g.medium" in violation
    priced = estimate([to_cost_resource(primary), to_cost_resource(replica)], "us-east-1")
    assert [i.description for i in priced.items[:2]] == [
        "RDS postgres primary db.t4g.medium + 20 GB gp3",
        "RDS postgres read replica db.t4g.medium + 20 GB gp3",
    ]

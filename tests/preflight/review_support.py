"""Plans as ``preflight --json`` writes them (with the cost and policy sections), for the review-tooling tests."""

from __future__ import annotations

import copy
from typing import Any

from preflight import cost_stage, policy_stage
from preflight.harness import Plan, read_stack_config, run_stack


def document(plan: Plan) -> dict[str, Any]:
    """The plan's JSON with the stages a reviewer's diff reads: cost and violations."""
    result = plan.to_json()
    result["cost"] = cost_stage.run(result).data
    result["violations"] = policy_stage.run(result).data
    return result


def restaged(doc: dict[str, Any]) -> dict[str, Any]:
    """A hand-changed plan document priced and checked again, as ``--check-plan`` would."""
    result = copy.deepcopy(doc)
    result.pop("cost", None)
    result.pop("violations", None)
    result["cost"] = cost_stage.run(result).data
    result["violations"] = policy_stage.run(result).data
    return result


def with_config(stack: str, section: str, change: Any) -> dict[str, Any]:
    """The stack run again with one config section changed by ``change(section_dict)``."""
    config, _ = read_stack_config(stack)
    key = f"betterprompts:{section}"
    value = copy.deepcopy(config[key])
    change(value)
    return document(run_stack(stack, overrides={key: value}))


def resource(doc: dict[str, Any], token: str, name_suffix: str) -> dict[str, Any]:
    found = [r for r in doc["resources"] if r["type"] == token and r["name"].endswith(name_suffix)]
    assert len(found) == 1, [r["name"] for r in doc["resources"] if r["type"] == token]
    return found[0]


def rename(doc: dict[str, Any], token: str, name_suffix: str, new_name: str, *, alias: bool) -> dict[str, Any]:
    """The plan as if the code gave one resource another logical name (with or without an alias)."""
    result = copy.deepcopy(doc)
    target = resource(result, token, name_suffix)
    old_urn = target["urn"]
    target["urn"] = old_urn.rsplit("::", 1)[0] + "::" + new_name
    target["name"] = new_name
    if alias:
        target["aliases"] = [old_urn]
    for r in result["resources"]:
        r["dependencies"] = [target["urn"] if u == old_urn else u for u in r.get("dependencies") or []]
        r["propertyDependencies"] = {
            k: [target["urn"] if u == old_urn else u for u in v] for k, v in (r.get("propertyDependencies") or {}).items()
        }
        if r.get("parent") == old_urn:
            r["parent"] = target["urn"]
    return restaged(result)

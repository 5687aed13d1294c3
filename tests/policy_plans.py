"""Hand-written plans for the policy tests, shaped exactly as ``preflight --json`` writes them.

Inputs are pulumi-aws 7 input names in camelCase, as the engine passes them; the provider
carries ``defaultTags`` JSON-encoded, as providers do.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Optional

from policies.pack import ALL_POLICIES
from policies.stack_config import read_stack_config
from preflight.monitor import run_function
from preflight.policy_stage import Violation, evaluate

PROJECT = "betterprompts"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def full_tags(stack: str) -> dict[str, str]:
    return {
        "Project": PROJECT,
        "Environment": stack,
        "Service": "betterprompts",
        "CostCenter": "CC-1001-PLATFORM",
        "Owner": "platform-team@betterprompts.io",
        "ManagedBy": "pulumi",
    }


def provider_urn(stack: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::pulumi:providers:aws::{PROJECT}-{stack}-aws"


def provider(stack: str, tags: Optional[dict[str, str]] = None) -> dict[str, Any]:
    inputs: dict[str, Any] = {"region": "us-east-1", "skipCredentialsValidation": "false"}
    if tags is not None:
        inputs["defaultTags"] = json.dumps({"tags": tags})
    return {
        "urn": provider_urn(stack),
        "id": "0b1c-provider",
        "type": "pulumi:providers:aws",
        "name": f"{PROJECT}-{stack}-aws",
        "parent": "",
        "provider": "",
        "dependencies": [],
        "propertyDependencies": {},
        "protect": False,
        "inputs": inputs,
    }


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_}::{name}"


def resource(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    *,
    stack: str = "production",
    protect: bool = False,
    property_dependencies: Optional[dict[str, list[str]]] = None,
    with_provider: bool = True,
) -> dict[str, Any]:
    deps = property_dependencies or {}
    return {
        "urn": urn(stack, type_, name),
        "id": f"{name}-id",
        "type": type_,
        "name": name,
        "parent": f"urn:pulumi:{stack}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{stack}",
        "provider": f"{provider_urn(stack)}::0b1c-provider" if with_provider else "",
        "dependencies": sorted({d for urns in deps.values() for d in urns}),
        "propertyDependencies": deps,
        "protect": protect,
        "inputs": inputs,
    }


def plan(*resources: dict[str, Any], stack: str = "production", default_tags: Optional[dict[str, str]] = None) -> dict[str, Any]:
    tags = full_tags(stack) if default_tags is None else default_tags
    return {"project": PROJECT, "stack": stack, "resources": [provider(stack, tags), *resources], "outputs": {}}


# The budget policy prices whole stacks, and the backup-coverage policy asks a whole production stack
# for a backup plan; these fixtures are fragments of one, so both are left out here (the budget is
# tested on real plans in test_cost_policy.py, the coverage with whole_stack_messages below).
BUDGET_POLICY = "baseline-under-budget"
WHOLE_STACK_POLICIES = (BUDGET_POLICY, "production-backup-plan-covers-stateful")
FIXTURE_POLICIES = [p for p in ALL_POLICIES if p.name not in WHOLE_STACK_POLICIES]


def violations(document: dict[str, Any], policy: Optional[str] = None) -> list[Violation]:
    config = {k: v for k, v in read_stack_config(str(document["stack"])).items() if k not in WHOLE_STACK_POLICIES}
    found = evaluate(document, policies=FIXTURE_POLICIES, config=config)
    return [v for v in found if policy is None or v.policy == policy]


def messages(document: dict[str, Any], policy: str) -> list[str]:
    return [v.message for v in violations(document, policy)]


def sdk_plan(program: Callable[[], None], *, stack: str = "production") -> dict[str, Any]:
    """A plan of whatever ``program`` registers through the real pulumi-aws classes under the mock runtime.

    Inputs, property dependencies and options are then exactly what the engine hands the pack
    (camelCase names, nested ``*Args`` as objects, dependencies between the registered resources).
    Resources registered without a provider carry no default tags, so filter by policy.
    """
    registrations, outputs = run_function(program, project=PROJECT, stack=stack)
    return {"project": PROJECT, "stack": stack, "resources": [r.to_json() for r in registrations], "outputs": outputs}


def whole_stack_messages(document: dict[str, Any], policy: str) -> list[str]:
    """``policy``'s messages on a document that stands for a whole stack (one of WHOLE_STACK_POLICIES)."""
    config = {k: v for k, v in read_stack_config(str(document["stack"])).items() if k == policy}
    found = evaluate(document, policies=[p for p in ALL_POLICIES if p.name == policy], config=config)
    return [v.message for v in found]

"""Network policies are enforced wherever one exists.

TorchServe's token authorization is off on the promise that its NetworkPolicy admits only the
application and monitoring namespaces. The VPC CNI enforces NetworkPolicies only when its
add-on configuration says ``enableNetworkPolicy: "true"``; this fails if that goes off (or
the add-on loses its configuration) while any rendered object is a NetworkPolicy.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import helm_python as helm
import pytest
import yaml

from components.eks.plan import VPC_CNI_CONFIGURATION
from components.ml.torchserve_plan import CHART_DIR, CHART_PATH, RELEASE_NAME
from preflight.harness import Plan

ADDON = "aws:eks/addon:Addon"
RELEASE = "kubernetes:helm.sh/v3:Release"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def network_policies(plan: Plan) -> list[dict[str, Any]]:
    """Every NetworkPolicy the plan creates: direct objects and those the project's chart renders."""
    found: list[dict[str, Any]] = [r.inputs for r in plan.of_type(NETWORK_POLICY)]
    for release in plan.of_type(RELEASE):
        if release.inputs["chart"] != CHART_PATH:
            continue
        with helm.Chart.load(CHART_DIR) as chart:
            manifests = chart.render(
                values=release.inputs["values"], name=RELEASE_NAME, namespace=release.inputs["namespace"], is_install=True
            )
        docs = [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]
        found += [doc for doc in docs if doc["kind"] == "NetworkPolicy"]
    return found


def enforcement_on(plan: Plan) -> bool:
    (cni,) = [r for r in plan.of_type(ADDON) if r.inputs["addonName"] == "vpc-cni"]
    configuration = cni.inputs.get("configurationValues")
    return bool(configuration) and json.loads(configuration).get("enableNetworkPolicy") == "true"


def test_torchserve_renders_a_network_policy(plan: Plan) -> None:
    # The premise: without this policy the test below would guard nothing.
    (policy,) = network_policies(plan)
    assert policy["spec"]["policyTypes"] == ["Ingress"]


def test_policies_are_enforced_wherever_one_exists(plan: Plan) -> None:
    if network_policies(plan):
        assert enforcement_on(plan), "a NetworkPolicy exists but the VPC CNI does not enforce policies"


def test_the_cni_configuration_is_the_documented_schema() -> None:
    # The add-on's configuration schema takes the flag as the string "true".
    assert VPC_CNI_CONFIGURATION == {"enableNetworkPolicy": "true"}


@pytest.mark.parametrize("configuration", [None, "", json.dumps({"enableNetworkPolicy": "false"}), json.dumps({})])
def test_the_check_catches_enforcement_off(production: Plan, configuration: str | None) -> None:
    plan = Plan(
        project=production.project, stack=production.stack, resources=[_with_cni(r, configuration) for r in production.resources],
        outputs=production.outputs,
    )
    assert network_policies(plan)
    assert not enforcement_on(plan)


def _with_cni(resource: Any, configuration: str | None) -> Any:
    if resource.type != ADDON or resource.inputs["addonName"] != "vpc-cni":
        return resource
    inputs = dict(resource.inputs)
    if configuration is None:
        inputs.pop("configurationValues", None)
    else:
        inputs["configurationValues"] = configuration
    return dataclasses.replace(resource, inputs=inputs)

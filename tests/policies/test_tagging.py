"""The cost-allocation tag policy: provider default tags plus resource tags, and its coverage of both stacks."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from tests.policy_plans import KEY, full_tags, messages, plan, resource

from preflight.harness import Plan
from policies.tagging import is_taggable, sdk_takes_tags

POLICY = "required-cost-allocation-tags"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_INPUTS: dict[str, Any] = {"kmsMasterKeyId": KEY}


def queue(tags: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    inputs = dict(QUEUE_INPUTS)
    if tags is not None:
        inputs["tags"] = tags
    return resource(QUEUE, "jobs", inputs, **kwargs)


def test_tags_from_the_provider_alone_pass() -> None:
    assert messages(plan(queue()), POLICY) == []


def test_tags_from_the_resource_alone_pass() -> None:
    assert messages(plan(queue(full_tags("production")), default_tags={}), POLICY) == []


def test_provider_and_resource_tags_add_up() -> None:
    tags = full_tags("production")
    provider_half = {k: tags[k] for k in ("Project", "Environment", "CostCenter")}
    resource_half = {k: tags[k] for k in ("Owner", "ManagedBy")} | {"Component": "queue"}
    assert messages(plan(queue(resource_half), default_tags=provider_half), POLICY) == []


def test_a_missing_tag_is_named_with_the_fix() -> None:
    tags = full_tags("production")
    del tags["CostCenter"]
    assert messages(plan(queue(), default_tags=tags), POLICY) == [
        "aws:sqs/queue:Queue 'jobs': tags (provider defaultTags + resource tags) lack non-empty CostCenter. "
        "Fix: set them in the provider's default_tags (components.platform.cost_allocation_tags) or in the resource's tags."
    ]


def test_an_empty_resource_tag_overrides_the_provider_value() -> None:
    found = messages(plan(queue({"Owner": " "})), POLICY)
    assert len(found) == 1 and "lack non-empty Owner." in found[0]


def test_component_stands_in_for_service() -> None:
    tags = full_tags("production")
    del tags["Service"]
    assert len(messages(plan(queue(), default_tags=tags), POLICY)) == 1
    assert messages(plan(queue({"Component": "queue"}), default_tags=tags), POLICY) == []


def test_environment_must_be_the_stack() -> None:
    assert messages(plan(queue(), default_tags=full_tags("staging")), POLICY) == [
        "aws:sqs/queue:Queue 'jobs': tag Environment is 'staging' but the stack is 'production'. "
        "Fix: derive Environment from the stack name (pulumi.get_stack()), never hard-code it."
    ]


def test_a_resource_without_a_provider_counts_its_own_tags_only() -> None:
    found = messages(plan(queue({"Name": "jobs"}, with_provider=False)), POLICY)
    assert len(found) == 1 and "lack non-empty Project, Environment, Service/Component, CostCenter, Owner, ManagedBy." in found[0]


def test_a_resource_without_a_tags_property_is_not_flagged() -> None:
    route = resource("aws:ec2/route:Route", "default", {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0"})
    assert messages(plan(route, default_tags={}), POLICY) == []


def test_non_aws_resources_are_not_flagged() -> None:
    component = resource("betterprompts:network:ProductionVpc", "network", {})
    assert messages(plan(component, default_tags={}), POLICY) == []


# --- coverage: every taggable type either stack deploys is one the policy checks -----------


def sdk_args_take_tags(resource_type: str) -> bool:
    """Independently of the policy: does the type's ``<Class>Args`` in pulumi_aws have a ``tags`` parameter?"""
    module_token, class_name = resource_type.split(":")[1:]
    module = module_token.split("/")[0]
    python_module = importlib.import_module("pulumi_aws." + ("lambda_" if module == "lambda" else module))
    args_class = getattr(python_module, f"{class_name}Args")
    return "tags" in inspect.signature(args_class.__init__).parameters


def test_every_taggable_type_in_the_stacks_is_covered(plan: Plan) -> None:
    aws_types = sorted({r.type for r in plan.resources if r.type.startswith("aws:")})
    taggable = [t for t in aws_types if sdk_args_take_tags(t)]
    assert taggable, "the stack deploys taggable resources"
    uncovered = [t for t in taggable if not is_taggable(t, {})]
    assert uncovered == [], f"taggable types the tagging policy does not cover: {uncovered}"
    # And each covered type is really judged: without any tags, the policy flags it.
    for resource_type in taggable:
        bare = resource(resource_type, "bare", {}, stack=plan.stack)
        assert messages(_plan_for(plan.stack, bare), POLICY), resource_type


def _plan_for(stack: str, bare: dict[str, Any]) -> dict[str, Any]:
    return {"project": "betterprompts", "stack": stack, "resources": [bare], "outputs": {}}


def test_resources_with_tags_in_the_plans_are_all_taggable(plan: Plan) -> None:
    with_tags = {r.type for r in plan.resources if r.type.startswith("aws:") and "tags" in r.inputs}
    assert with_tags and all(sdk_takes_tags(t) for t in with_tags)


@pytest.mark.parametrize(
    ("resource_type", "expected"),
    [
        ("aws:ec2/vpc:Vpc", True),
        ("aws:lambda/function:Function", True),
        ("aws:s3/bucket:Bucket", True),
        ("aws:ec2/route:Route", False),
        ("aws:kms/alias:Alias", False),
        ("aws:notaservice/thing:Thing", None),
        ("eks:index:Cluster", None),
    ],
)
def test_taggability_comes_from_the_sdk(resource_type: str, expected: bool | None) -> None:
    assert sdk_takes_tags(resource_type) is expected


def test_a_type_the_sdk_does_not_know_is_taggable_when_it_has_tags() -> None:
    assert is_taggable("aws:newservice/thing:Thing", {"tags": {"Name": "x"}})
    assert not is_taggable("aws:newservice/thing:Thing", {})

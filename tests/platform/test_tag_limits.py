"""AWS's tag limits on the merged set (provider defaults + each resource's own): bad tags fail
before anything is registered, naming the key; the room left for resources' own tags is what
both stacks' plans really use."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.platform import MAX_OWN_TAGS, MAX_TAGS_PER_RESOURCE, ConfigError
from components.settings import load_settings
from preflight.harness import Plan, run_stack
from tests.stack_config import config_of
from tests.stack_config import every_stack_plan as plan  # noqa: F401 (the pilot light too: properties of every stack)


def _own_tags(plan: Plan) -> int:
    defaults = json.loads(plan.of_type("pulumi:providers:aws")[0].inputs["defaultTags"])["tags"]
    counts = [
        len(set(r.inputs["tags"]) - set(defaults)) for r in plan.resources if isinstance(r.inputs.get("tags"), dict)
    ]
    return max(counts)


def test_the_room_for_own_tags_is_what_the_plans_use(production: Plan, staging: Plan) -> None:
    assert max(_own_tags(production), _own_tags(staging)) == MAX_OWN_TAGS


def test_every_resources_merged_tags_fit(plan: Plan) -> None:
    defaults = json.loads(plan.of_type("pulumi:providers:aws")[0].inputs["defaultTags"])["tags"]
    for resource in plan.resources:
        tags = resource.inputs.get("tags")
        if isinstance(tags, dict):
            merged = {**defaults, **tags}
            assert len(merged) <= MAX_TAGS_PER_RESOURCE
            assert all(len(k) <= 128 and len(str(v)) <= 256 for k, v in merged.items()), resource.name


def _platform(stack: str, **changes: Any) -> dict[str, Any]:
    config = config_of(stack)
    config["betterprompts:platform"].update(changes)
    return config


BAD = [
    ("key too long", {"extraTags": {"K" * 129: "x"}}, "betterprompts:platform.extraTags." + "K" * 129, "K" * 129, "a tag key of at most 128 characters"),
    ("value too long", {"extraTags": {"DataClassification": "v" * 257}}, "betterprompts:platform.extraTags.DataClassification", "v" * 257, "at most 256 characters"),
    ("character in key", {"extraTags": {"Data#Class": "x"}}, "betterprompts:platform.extraTags.Data#Class", "Data#Class", "not '#'"),
    ("character in value", {"costCenter": "CC#1001"}, "betterprompts:platform.costCenter", "CC#1001", "not '#'"),
    ("aws: value", {"owner": "AWS:team"}, "betterprompts:platform.owner", "AWS:team", "not starting with aws:"),
    ("owner too long", {"owner": "o" * 257}, "betterprompts:platform.owner", "o" * 257, "a value for the tag Owner of at most 256"),
    ("too many", {"extraTags": {f"Tag{i}": "x" for i in range(39)}}, "betterprompts:platform.extraTags",
     {f"Tag{i}": "x" for i in range(39)}, "at most 38 extra tags: AWS allows 50 per resource"),
]


@pytest.mark.parametrize("stack", ["production", "staging"])
@pytest.mark.parametrize(("case", "changes", "key", "value", "allowed"), BAD, ids=[b[0] for b in BAD])
def test_tags_aws_would_refuse_are_config_errors(stack: str, case: str, changes: dict[str, Any], key: str, value: Any, allowed: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_platform(stack, **changes), project="betterprompts", stack=stack)
    assert (caught.value.key, caught.value.value) == (key, value)
    assert allowed in caught.value.allowed


def test_tags_at_the_limits_are_accepted() -> None:
    extra = {f"Tag{i}": "x" for i in range(36)}
    extra["K" * 128] = "v" * 256
    extra["Ünïcode key_.:/=+-@ ok"] = "räksmörgås 1"
    load_settings(_platform("production", extraTags=extra), project="betterprompts", stack="production")


def test_a_bad_tag_registers_nothing() -> None:
    with pytest.raises(ConfigError) as caught:
        run_stack("staging", config=_platform("staging", costCenter="CC#1002"))
    assert caught.value.key == "betterprompts:platform.costCenter"
    assert caught.value.registered == []  # type: ignore[attr-defined]

"""Providers for other regions: one per region, named by it, with the stack provider's default tags."""

from __future__ import annotations

import json

import pytest

from components.platform import region_provider_name
from preflight.harness import Plan


def test_named_by_region() -> None:
    assert region_provider_name("betterprompts-production", "us-west-2") == "betterprompts-production-aws-us-west-2"
    with pytest.raises(ValueError, match="not an AWS region name"):
        region_provider_name("betterprompts-production", "virginia")


def test_one_tagged_provider_per_region_in_the_plan(plan: Plan) -> None:
    providers = plan.of_type("pulumi:providers:aws")
    regional = [p for p in providers if p.name.startswith(f"betterprompts-{plan.stack}-aws-")]
    # CloudFront's us-east-1 (the edge layer) and the DR region (the dr layer), one provider each.
    assert sorted(p.name for p in regional) == [f"betterprompts-{plan.stack}-aws-us-east-1", f"betterprompts-{plan.stack}-aws-us-west-2"]
    stack = plan.named(f"betterprompts-{plan.stack}-aws")
    assert all(json.loads(p.inputs["defaultTags"]) == json.loads(stack.inputs["defaultTags"]) for p in regional)

"""Test helpers: a stack file's config, changed one value at a time, and parsed into settings."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.settings import StackSettings, load_settings
from preflight.harness import Plan, read_stack_config

PRIMARY_STACKS = ("production", "staging")
"""The full platforms (primary.py)."""
ALL_STACKS = ("dr", *PRIMARY_STACKS)
"""Every stack file: the primaries and production's pilot light (pilot_light.py)."""


@pytest.fixture(params=ALL_STACKS)
def every_stack_plan(request: pytest.FixtureRequest) -> Plan:
    """Each stack's plan in turn, the pilot light included: a module whose tests hold for every stack
    imports this as ``plan`` (``from tests.stack_config import every_stack_plan as plan``)."""
    plan: Plan = request.getfixturevalue(request.param)
    return plan


def config_of(stack: str) -> dict[str, Any]:
    return copy.deepcopy(read_stack_config(stack)[0])


def load(config: dict[str, Any], stack: str = "production") -> StackSettings:
    return load_settings(config, project="betterprompts", stack=stack)


def with_value(section: str, key: str, value: Any, stack: str = "production") -> dict[str, Any]:
    """The stack's config with ``betterprompts:<section>.<dotted key>`` set to ``value``."""
    config = config_of(stack)
    target = config[f"betterprompts:{section}"]
    *parents, last = key.split(".")
    for parent in parents:
        target = target[parent]
    target[last] = value
    return config

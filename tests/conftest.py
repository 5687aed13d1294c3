"""Shared fixtures: each stack's offline plan, produced once by the same harness preflight uses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from preflight.harness import Plan, run_stack  # noqa: E402


@pytest.fixture(scope="session")
def production() -> Plan:
    return run_stack("production")


@pytest.fixture(scope="session")
def staging() -> Plan:
    return run_stack("staging")


@pytest.fixture(scope="session")
def dr() -> Plan:
    """The pilot light (Pulumi.dr.yaml): modules whose properties every stack must have override ``plan``
    with ``every_stack_plan`` (tests/stack_config.py) to take it too."""
    return run_stack("dr")


@pytest.fixture(params=["production", "staging"])
def plan(request: pytest.FixtureRequest) -> Plan:
    """Each stack's plan in turn, for properties both stacks must have."""
    return request.getfixturevalue(request.param)

"""Names derived from the project and stack: checked before anything is registered, with one
ConfigError naming what to shorten; the budget is what both stacks' plans really derive."""

from __future__ import annotations

import pytest

from components.platform import NAME_BUDGET, ConfigError, check_stack_prefix
from components.platform.name_budget import SELF_FITTED
from components.settings import load_settings
from policies.aws_names import NAME_RULES, PREFIX_RANDOM, name_problem
from preflight.harness import PROJECT_DIR, Plan, engine_config, read_stack_config
from preflight.monitor import run_program
from tests.stack_config import config_of

KEY = "project name (Pulumi.yaml) and stack name"


def _derived(plan: Plan) -> dict[str, int]:
    """Per name-limited type, the most characters the program puts after ``<project>-<stack>``."""
    prefix = f"{plan.project}-{plan.stack}"
    longest: dict[str, int] = {}
    for resource in plan.resources:
        rule = NAME_RULES.get(resource.type)
        if rule is None or resource.type in SELF_FITTED:
            continue
        name, _ = name_problem(resource.type, resource.name, resource.inputs, "0" * 7)
        given_prefix = resource.inputs.get(rule.prefix_prop) if rule.prefix_prop else None
        if name is None and isinstance(given_prefix, str):
            name = given_prefix + "x" * PREFIX_RANDOM
        if name is None or prefix not in name.lower():
            continue  # a fixed name (RDSOSMetrics) or one not known offline
        longest[resource.type] = max(longest.get(resource.type, 0), len(name) - len(prefix))
    return longest


def test_the_budget_is_what_both_stacks_derive(production: Plan, staging: Plan) -> None:
    measured: dict[str, int] = {}
    for plan in (production, staging):
        for token, extra in _derived(plan).items():
            measured[token] = max(measured.get(token, 0), extra)
    assert {token: extra for token, (extra, _) in NAME_BUDGET.items()} == measured


def test_both_stacks_names_fit() -> None:
    for stack in ("production", "staging"):
        check_stack_prefix("betterprompts", stack)


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_a_realistic_project_name_that_makes_names_too_long_is_one_config_error(stack: str) -> None:
    project = "betterprompts-platform"
    with pytest.raises(ConfigError) as caught:
        load_settings(config_of(stack), project=project, stack=stack)
    error = caught.value
    assert error.key == KEY
    assert error.value == f"{project}-{stack}"
    longest = max(NAME_BUDGET.items(), key=lambda kv: len(error.value) + kv[1][0] - NAME_RULES[kv[0]].limit)
    excess = len(error.value) + longest[1][0] - NAME_RULES[longest[0]].limit
    assert f"{excess} characters shorter together" in error.allowed
    assert f"at most {len(error.value) - excess} characters" in error.allowed


def test_the_longest_prefix_that_fits_is_accepted_and_one_more_character_is_not() -> None:
    room = min(NAME_RULES[token].limit - extra for token, (extra, _) in NAME_BUDGET.items())
    check_stack_prefix("p" * (room - len("-prod")), "prod")
    with pytest.raises(ConfigError) as caught:
        check_stack_prefix("p" * (room - len("-prod") + 1), "prod")
    assert "1 characters shorter together" in caught.value.allowed


@pytest.mark.parametrize("project", ["better_prompts", "better.prompts", "1prompts", "better--prompts", "betterprompts-", "BetterPrompts"])
def test_a_project_name_rds_elasticache_or_s3_would_refuse(project: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_stack_prefix(project, "staging")
    assert caught.value.key == KEY
    assert caught.value.value == f"{project}-staging"
    assert "lower-case letters, digits and single hyphens, starting with a letter" in caught.value.allowed


def test_nothing_is_registered_when_the_names_would_be_too_long() -> None:
    config = engine_config(read_stack_config("production")[0])
    with pytest.raises(ConfigError) as caught:
        run_program(PROJECT_DIR / "__main__.py", project="betterprompts-platform", stack="production", config=config, region="us-east-1")
    assert caught.value.key == KEY
    assert caught.value.registered == []  # type: ignore[attr-defined]

"""The shared config reader: a misspelt key is named (with the key it resembles) before any
required key is called missing, in every section, and numbers must be finite."""

from __future__ import annotations

import math
from typing import Any

import pytest

from components.platform import ConfigError, Section
from components.settings import load_settings
from preflight.harness import run_stack
from tests.stack_config import config_of


def _rename(config: dict[str, Any], path: str, new: str) -> dict[str, Any]:
    section, *keys = path.split(".")
    target = config[f"betterprompts:{section}"]
    for key in keys[:-1]:
        target = target[key]
    target[new] = target.pop(keys[-1])
    return config


@pytest.mark.parametrize("stack", ["production", "staging"])
@pytest.mark.parametrize(
    ("path", "typo", "meant"),
    [
        ("eks.nodeGroups.application.instanceTypes", "instanceTpyes", "instanceTypes"),
        ("eks.nodeGroups.system", "sytem", "system"),
        ("platform.owner", "Owner", "owner"),
        ("database.instanceClass", "instanceClas", "instanceClass"),
        ("network.vpcCidr", "vpcCIDR", "vpcCidr"),
        ("workloads.services.frontend.image", "imgae", "image"),
    ],
)
def test_a_misspelt_required_key_is_named_not_reported_missing(stack: str, path: str, typo: str, meant: str) -> None:
    config = _rename(config_of(stack), path, typo)
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project="betterprompts", stack=stack)
    error = caught.value
    prefix = path.rsplit(".", 1)[0]
    assert error.key == f"betterprompts:{prefix}.{typo}"
    assert error.allowed.startswith(f"no such key (did you mean '{meant}'?)")
    assert "missing" not in error.allowed


def test_a_misspelt_optional_key_is_refused_with_the_key_it_resembles() -> None:
    config = _rename(config_of("production"), "network.natMode", "natMod")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project="betterprompts", stack="production")
    assert caught.value.key == "betterprompts:network.natMod"
    assert caught.value.value == "gateway_per_az"
    assert caught.value.allowed.startswith("no such key (did you mean 'natMode'?); known keys here: ")


def test_a_misspelt_section_names_the_section_it_resembles() -> None:
    config = config_of("staging")
    config["betterprompts:netwrok"] = config.pop("betterprompts:network")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project="betterprompts", stack="staging")
    assert caught.value.key == "betterprompts:netwrok"
    assert "(did you mean 'betterprompts:network'?)" in caught.value.allowed


def test_an_unrelated_unknown_key_suggests_nothing() -> None:
    section = Section({"zzz": 1}, "betterprompts:example")
    section.integer("retentionDays", 7)
    with pytest.raises(ConfigError) as caught:
        section.finish()
    assert caught.value.allowed == "no such key; known keys here: retentionDays"


def test_a_missing_key_without_a_lookalike_is_reported_missing() -> None:
    with pytest.raises(ConfigError) as caught:
        Section({"zzz": 1}, "x").string("owner")
    assert (caught.value.key, caught.value.value, caught.value.allowed) == ("x.owner", None, "a value is required here")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "nan", ".inf", "Infinity"])
def test_numbers_must_be_finite(value: Any) -> None:
    if value == ".inf":
        value = float("inf")  # what YAML's .inf becomes
    with pytest.raises(ConfigError) as caught:
        Section({"budgetMonthlyUsd": value}, "betterprompts:cost").number("budgetMonthlyUsd", minimum=1)
    assert caught.value.key == "betterprompts:cost.budgetMonthlyUsd"
    assert caught.value.allowed == "a finite number"


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_a_typo_stops_the_program_before_any_resource(stack: str) -> None:
    config = _rename(config_of(stack), "eks.nodeGroups.application.instanceTypes", "instanceTpyes")
    with pytest.raises(ConfigError) as caught:
        run_stack(stack, config=config)
    assert caught.value.key == "betterprompts:eks.nodeGroups.application.instanceTpyes"
    assert caught.value.registered == []  # type: ignore[attr-defined]

"""The order of config errors within one mapping: every unknown key first (each with the known key it
resembles), then the missing required keys. read_section learns a mapping's keys from a tolerant
second run of its reader; what that run cannot reach is reported as before (the missing key)."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform import ConfigError, MissingKeyError, Section, read_section
from components.settings import load_settings
from preflight.harness import run_stack
from tests.stack_config import config_of

STACKS = ["production", "staging"]


def _pool(section: Section) -> dict[str, Any]:
    """A reader shaped like a node group: a required list and pair, optional keys after them."""
    types = section.strings("instanceTypes", min_items=1)
    low, high = section.min_max("size", minimum=0, maximum=100)
    disk = section.integer("diskSizeGiB", 50, minimum=20)
    labels = section.mapping("labels", {})
    section.finish()
    return {"types": types, "size": (low, high), "disk": disk, "labels": labels}


def _error(raw: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        read_section(_pool, raw, "betterprompts:pool")
    return caught.value


def test_an_unrelated_unknown_key_comes_before_the_missing_one() -> None:
    error = _error({"size": {"min": 1, "max": 2}, "capacity": 3})
    assert (error.key, error.value) == ("betterprompts:pool.capacity", 3)
    assert error.allowed == (
        "no such key; known keys here: diskSizeGiB, instanceTypes, labels, size; "
        "and required here but missing: instanceTypes"
    )


def test_a_typo_of_the_missing_key_comes_first_and_every_other_unknown_key_is_listed() -> None:
    error = _error({"instanceTpyes": ["c6i.large"], "size": {"min": 1, "max": 2}, "diskSize": 80, "zzz": 1})
    assert (error.key, error.value) == ("betterprompts:pool.instanceTpyes", ["c6i.large"])
    assert error.allowed.startswith(
        "no such key (did you mean 'instanceTypes'?); nor diskSize (did you mean 'diskSizeGiB'?), zzz; known keys here: "
    )
    # The typo explains the missing key: it is not called missing as well.
    assert "missing" not in error.allowed


def test_several_missing_keys_are_named_together_when_nothing_is_unknown() -> None:
    error = _error({"diskSizeGiB": 80})
    assert (error.key, error.value) == ("betterprompts:pool.instanceTypes", None)
    assert error.allowed == "a value is required here; also required here: size"
    assert isinstance(error, MissingKeyError)


def test_a_missing_key_the_reader_cannot_get_past_is_reported_alone() -> None:
    def strict(section: Section) -> str:
        version = section.string("kubernetesVersion")
        if not version.startswith("1."):  # a stand-in fails this check: the survey ends here
            raise ConfigError(section.key("kubernetesVersion"), version, "1.x")
        section.integer("retentionDays", 7)
        section.finish()
        return version

    with pytest.raises(ConfigError) as caught:
        read_section(strict, {"retentionDays": 7, "other": 1}, "betterprompts:x")
    assert (caught.value.key, caught.value.allowed) == ("betterprompts:x.kubernetesVersion", "a value is required here")


def test_finish_names_every_unknown_key_at_once() -> None:
    section = Section({"natMod": "instance", "flowLog": {}}, "betterprompts:network")
    section.string("natMode", "gateway_per_az")
    section.child("flowLogs", {})
    with pytest.raises(ConfigError) as caught:
        section.finish()
    assert caught.value.key == "betterprompts:network.flowLog"
    assert caught.value.allowed == (
        "no such key (did you mean 'flowLogs'?); nor natMod (did you mean 'natMode'?); known keys here: flowLogs, natMode"
    )


def test_a_good_mapping_reads_the_same_through_read_section() -> None:
    raw = {"instanceTypes": ["c6i.large"], "size": {"min": 1, "max": 2}}
    assert read_section(_pool, raw, "p") == {"types": ("c6i.large",), "size": (1, 2), "disk": 50, "labels": {}}


@pytest.mark.parametrize("stack", STACKS)
def test_in_a_stack_an_unknown_node_group_key_comes_before_the_missing_instance_types(stack: str) -> None:
    config = config_of(stack)
    group = config["betterprompts:eks"]["nodeGroups"]["application"]
    group["types"] = group.pop("instanceTypes")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project="betterprompts", stack=stack)
    error = caught.value
    assert (error.key, error.value) == ("betterprompts:eks.nodeGroups.application.types", group["types"])
    assert error.allowed.startswith("no such key; known keys here: desired, diskSizeGiB, instanceTypes, labels, size")
    assert error.allowed.endswith("; and required here but missing: instanceTypes")


@pytest.mark.parametrize("stack", STACKS)
def test_in_a_stack_an_unknown_platform_key_comes_before_the_missing_owner(stack: str) -> None:
    config = config_of(stack)
    platform = config["betterprompts:platform"]
    del platform["owner"]
    platform["team"] = "platform"
    with pytest.raises(ConfigError) as caught:
        run_stack(stack, config=config)
    error = caught.value
    assert (error.key, error.value) == ("betterprompts:platform.team", "platform")
    assert error.allowed.endswith("; and required here but missing: owner")
    assert error.registered == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("stack", STACKS)
def test_in_a_stack_a_missing_key_alone_is_still_called_missing(stack: str) -> None:
    config = config_of(stack)
    del config["betterprompts:database"]["instanceClass"]
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project="betterprompts", stack=stack)
    assert (caught.value.key, caught.value.value) == ("betterprompts:database.instanceClass", None)
    assert caught.value.allowed.startswith("a value is required here")

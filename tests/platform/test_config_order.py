"""The order of config errors within one mapping: every unknown key first (each with the known key it
resembles), then the missing required keys. read_section learns a mapping's keys from a tolerant
second run of its reader; what that run cannot reach is reported as before (the missing key)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.platform import ConfigError, MissingKeyError, Section, read_section
from components.settings import is_pilot_light, load_pilot_light_settings, load_settings
from preflight.harness import run_stack
from tests.stack_config import config_of

STACKS = ["production", "staging"]
# Every stack file, the pilot light included: the keys its sections share with the primaries', and its own.
ALL_STACKS = ["dr", *STACKS]


def _load(config: dict[str, Any], stack: str) -> object:
    """The stack's settings, read as __main__.py reads them (a pilot light's only the sections it composes)."""
    if is_pilot_light(config):
        return load_pilot_light_settings(config, project="betterprompts", stack=stack)
    return load_settings(config, project="betterprompts", stack=stack)


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


@pytest.mark.parametrize("stack", ALL_STACKS)
def test_in_a_stack_an_unknown_node_group_key_comes_before_the_missing_instance_types(stack: str) -> None:
    config = config_of(stack)
    group = config["betterprompts:eks"]["nodeGroups"]["application"]
    group["types"] = group.pop("instanceTypes")
    with pytest.raises(ConfigError) as caught:
        _load(config, stack)
    error = caught.value
    assert (error.key, error.value) == ("betterprompts:eks.nodeGroups.application.types", group["types"])
    assert error.allowed.startswith("no such key; known keys here: desired, diskSizeGiB, instanceTypes, labels, size")
    assert error.allowed.endswith("; and required here but missing: instanceTypes")


@pytest.mark.parametrize("stack", ALL_STACKS)
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


# --- every mapping of both stacks: the survey reaches every key ----------------------------------


def _mappings(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every mapping in a section's value, by its path of keys (the section's own first)."""
    found = [(path, value)] if isinstance(value, dict) else []
    for key, child in (value.items() if isinstance(value, dict) else ()):
        found += _mappings(child, path + (key,))
    return found


def _without(config: dict[str, Any], section: str, path: tuple[str, ...], drop: list[str], add: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(config)
    target = changed[section]
    for key in path:
        target = target[key]
    for key in drop:
        del target[key]
    target.update(add)
    return changed


def _problem(config: dict[str, Any], stack: str) -> ConfigError | None:
    try:
        _load(config, stack)
    except ConfigError as error:
        return error
    return None


def _sections() -> list[tuple[str, str]]:
    return [(stack, name) for stack in ALL_STACKS for name in config_of(stack) if name.startswith("betterprompts:")]


@pytest.mark.parametrize(("stack", "section"), _sections(), ids=[f"{s}-{n.split(':')[1]}" for s, n in _sections()])
def test_every_missing_key_of_a_mapping_is_named_and_unknown_keys_come_first(stack: str, section: str) -> None:
    """For each mapping of the stack's section: the keys whose absence is an error (found by removing
    each), all removed at once, are named in one error; one removed beside an unknown key gives the
    unknown key's error, naming the missing one. A reader that validates a missing value's stand-in, or
    checks another key against it, would stop the survey and name one key only (issue 20)."""
    config = config_of(stack)
    checked = 0
    for path, mapping in _mappings(config[section]):
        where = ".".join((section,) + path)
        required = []
        for key in list(mapping):
            error = _problem(_without(config, section, path, [key], {}), stack)
            if isinstance(error, MissingKeyError) and (error.mapping, error.name) == (where, key):
                required.append(key)
        if not required:
            continue
        checked += 1
        error = _problem(_without(config, section, path, required, {}), stack)
        if error is None and set(required) == set(mapping):
            continue  # an empty section is one left out (betterprompts:dr: no DR layer)
        assert isinstance(error, MissingKeyError) and error.key in {f"{where}.{k}" for k in required}, (where, error)
        assert all(f"'{where}.{k}'" in str(error) or f" {k}" in error.allowed for k in required), (where, required, str(error))
        for key in required:
            error = _problem(_without(config, section, path, [key], {"notAKey": 1}), stack)
            assert error is not None and (error.key, error.value) == (f"{where}.notAKey", 1), (where, key, error)
            assert error.allowed.endswith(f"; and required here but missing: {key}"), (where, key, error.allowed)
    assert checked or section in _WITHOUT_REQUIRED_KEYS, f"{section} has no required key: add it to _WITHOUT_REQUIRED_KEYS"


# Sections whose every key has a default (nothing to be missing).
_WITHOUT_REQUIRED_KEYS = {
    "betterprompts:storage",
    "betterprompts:compliance",
    "betterprompts:inference",
    "betterprompts:images",
    "betterprompts:quotas",
    "betterprompts:observability",
}


def test_the_named_cases_of_issue_20() -> None:
    """database.instanceClass and delivery.githubRepository are checked right away: their stand-ins pass."""
    config = config_of("production")
    database = config["betterprompts:database"]
    for key in ("engineVersion", "instanceClass", "backupWindow", "maintenanceWindow"):
        del database[key]
    error = _problem(config, "production")
    assert error is not None and (error.key, error.value) == ("betterprompts:database.engineVersion", None)
    assert error.allowed == "a value is required here; also required here: instanceClass, backupWindow, maintenanceWindow"

    config = config_of("production")
    delivery = config["betterprompts:delivery"]
    delivery["githubRepositry"] = delivery.pop("githubRepository")
    delivery["team"] = "platform"
    error = _problem(config, "production")
    assert error is not None and (error.key, error.value) == ("betterprompts:delivery.githubRepositry", delivery["githubRepositry"])
    assert error.allowed == (
        "no such key (did you mean 'githubRepository'?); nor team; "
        "known keys here: createGithubOidcProvider, environment, githubRepository"
    )


def test_a_later_key_that_looks_like_the_missing_one_is_not_called_its_misspelling() -> None:
    """maxAllocatedStorageGb is read after allocatedStorageGb: the survey knows it, so it is no typo."""
    config = config_of("production")
    del config["betterprompts:database"]["allocatedStorageGb"]
    error = _problem(config, "production")
    assert error is not None and (error.key, error.value) == ("betterprompts:database.allocatedStorageGb", None)
    assert error.allowed == "a value is required here"

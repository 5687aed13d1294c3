"""The per-stack policy configuration files (``config/<stack>.json``), read the way the Pulumi CLI reads them.

The format is ``--policy-pack-config``'s: ``{"<policy>": "<level>"}`` or
``{"<policy>": {"enforcementLevel": "<level>", ...properties}}``, with ``"all"`` setting
the level of every policy that is not named.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel

CONFIG_DIR = Path(__file__).resolve().parent / "config"
LEVELS = tuple(level.value for level in EnforcementLevel)


class PolicyConfigError(ValueError):
    """A policy configuration file that the Pulumi CLI would reject."""


def config_path(stack: str) -> Path:
    return CONFIG_DIR / f"{stack}.json"


def read_stack_config(stack: str) -> dict[str, Any]:
    """The raw config for ``stack`` (empty when the stack has no file: the policies' own levels apply)."""
    path = config_path(stack)
    if not path.exists():
        return {}
    try:
        document = json.loads(path.read_text())
    except ValueError as exc:
        raise PolicyConfigError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise PolicyConfigError(f"{path}: must be a JSON object of policy name to level or settings")
    return document


def normalize(config: Mapping[str, Any], policy_names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per policy name: ``{"enforcementLevel": ..., **properties}``, with ``all`` spread over the unnamed ones."""
    names = list(policy_names)
    result: dict[str, dict[str, Any]] = {}
    for key, value in config.items():
        if key != "all" and key not in names:
            raise PolicyConfigError(f"unknown policy {key!r} in policy config; policies: {', '.join(names)}")
        entry = {"enforcementLevel": value} if isinstance(value, str) else value
        if not isinstance(entry, dict):
            raise PolicyConfigError(f"policy config {key!r}: expected a level or an object, got {value!r}")
        level = entry.get("enforcementLevel")
        if level is not None and level not in LEVELS:
            raise PolicyConfigError(f"policy config {key!r}: enforcementLevel {level!r} is not one of {', '.join(LEVELS)}")
        result[key] = dict(entry)
    everything = result.pop("all", None)
    if everything is not None:
        for name in names:
            result.setdefault(name, dict(everything))
    return result

"""Which input changes make the provider replace a resource: the extract in ``replace_on_changes.json``.

The extract and its sources are made by ``preflight.replacement_sources``; this module only reads
it, so ``--diff`` needs neither cfn-lint nor the SDKs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "replace_on_changes.json"

_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Rule:
    """What the extract says about one type."""

    known: bool
    """False: the extract cannot tell which inputs replace it (the diff says so)."""
    paths: tuple[str, ...]
    component: bool = False
    """A component resource: never replaced itself (its children are)."""
    source: str = ""


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DATA.read_text())
    return document


def rule(token: str) -> Rule:
    data = _data()
    entry = data["types"].get(token)
    package = token.split(":", 1)[0]
    default = data["defaults"].get(package) or {}
    if entry is not None:
        return Rule(bool(entry["known"]), tuple(entry["replaceOnChanges"]), source=str(entry.get("source", "")))
    if default.get("component") or token.startswith("pulumi:providers:"):
        return Rule(True, (), component=True, source=str(default.get("source", "provider resource")))
    if package == "kubernetes" and "replaceOnChanges" in default:
        # Every Kubernetes object is replaced when its name or namespace changes.
        return Rule(True, tuple(default["replaceOnChanges"]), source=str(default["source"]))
    return Rule(False, (), source="no entry for this type in preflight/replace_on_changes.json")


def normalize(path: str) -> str:
    """``spec.containers[0].image`` -> ``spec.containers.image``: list positions do not matter."""
    return _INDEX.sub("", path)


def forcing(token: str, changed: list[str]) -> list[str]:
    """The changed input paths that force a replacement of a ``token`` resource."""
    found = []
    paths = rule(token).paths
    for path in changed:
        plain = normalize(path)
        for replace in paths:
            # The field itself, something inside it, or a parent object that appeared or went away.
            if plain == replace or plain.startswith(replace + ".") or replace.startswith(plain + "."):
                found.append(path)
                break
    return found

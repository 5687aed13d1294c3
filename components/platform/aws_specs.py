"""AWS's published lists of what exists, read from the data cfn-lint ships (no hand-written copies).

cfn-lint carries AWS's per-region lists (ElastiCache node types, engine versions, RDS classes),
refreshed from the AWS APIs with each release; the pin in requirements.txt dates them. Only the
JSON files are read: importing cfn-lint itself takes a second (preflight's spec stage does that
in a worker process of its own).
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any


def _extensions() -> Path:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed: pip install -r requirements.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas" / "extensions"


def _read(relative: str) -> Any:
    return json.loads((_extensions() / relative).read_text())


@lru_cache(maxsize=None)
def elasticache_engine_versions(engine: str) -> tuple[str, ...]:
    """Engine versions ElastiCache offers for ``engine`` (``redis``, ``valkey``, ``memcached``)."""
    for branch in _read("aws_elasticache_cachecluster/engine_version.json")["allOf"]:
        condition = branch.get("if", {}).get("properties", {}).get("Engine", {})
        if condition.get("const") == engine:
            return tuple(branch["then"]["properties"]["EngineVersion"]["enum"])
    return ()


@lru_cache(maxsize=None)
def elasticache_node_types(region: str) -> tuple[str, ...]:
    """Node types ElastiCache offers in ``region``."""
    return tuple((_read("aws_elasticache_cachecluster/cachenodetype_enum.json").get(region) or {}).get("enum", ()))


def dataset_date() -> str:
    """When cfn-lint's copy of the AWS data was taken (its schema date)."""
    version = _extensions().parent / "version.json"
    return str(json.loads(version.read_text()).get("schema_date", "")) if version.exists() else ""

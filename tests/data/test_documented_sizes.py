"""Every DB class and cache node type README.md lists as accepted passes the settings and cost stages for production.

A full ``preflight`` per size (the whole program under mocks) for 67 sizes is too slow for the suite, so each
size is read by the real settings loader (no ConfigError) and the production plan, run once, is priced by the
real cost stage with its RDS instances' class (or its replication group's node type) set to the size: the
two stages a size can fail. The multi-model endpoint's documented types run the whole program
(tests/test_config_facts.py).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from preflight import cost_stage
from preflight.harness import Plan
from tests.stack_config import load, with_value

README = Path(__file__).resolve().parents[2] / "README.md"


def _documented(row_key: str, prefix: str) -> list[str]:
    """The sizes README's config table row ``row_key`` lists after 'Accepted in us-east-1'."""
    row = next(line for line in README.read_text().splitlines() if line.startswith(f"| `{row_key}` |"))
    accepted = row[row.index("Accepted in us-east-1") :]
    return re.findall(rf"`({re.escape(prefix)}[a-z0-9]+\.[a-z0-9]+)`", accepted)


DB_CLASSES = _documented("instanceClass", "db.")
CACHE_NODE_TYPES = _documented("nodeType", "cache.")


def test_readme_lists_sizes_to_check() -> None:
    assert len(DB_CLASSES) == 36 and "db.r6g.16xlarge" in DB_CLASSES and "db.r6g.xlarge" in DB_CLASSES
    assert len(CACHE_NODE_TYPES) == 31 and "cache.r7g.16xlarge" in CACHE_NODE_TYPES


@pytest.fixture(scope="module")
def production_document(production: Plan) -> dict[str, Any]:
    return production.to_json()


@pytest.fixture(scope="module")
def stack_baseline(production_document: dict[str, Any]) -> float:
    """The plan's own baseline (db.r6g.xlarge, cache.r6g.large)."""
    result = cost_stage.run(production_document)
    assert not result.failed, result.lines
    return float(result.data["baseline_monthly"])


def _priced(document: dict[str, Any], resource_type: str, key: str, value: str) -> float:
    changed = copy.deepcopy(document)
    resources = [r for r in changed["resources"] if r["type"] == resource_type]
    assert resources
    for resource in resources:
        resource["inputs"][key] = value
    result = cost_stage.run(changed)
    assert not result.failed, result.lines
    return float(result.data["baseline_monthly"])


# (config section, key, settings attribute, resource type, its input, the production stack's own size)
DB = ("database", "instanceClass", "instance_class", "aws:rds/instance:Instance", "instanceClass", "db.r6g.xlarge")
CACHE = ("cache", "nodeType", "node_type", "aws:elasticache/replicationGroup:ReplicationGroup", "nodeType", "cache.r6g.large")


@pytest.mark.parametrize(("kind", "size"), [(DB, c) for c in DB_CLASSES] + [(CACHE, t) for t in CACHE_NODE_TYPES],
                         ids=DB_CLASSES + CACHE_NODE_TYPES)
def test_every_documented_size_passes_settings_and_cost_for_production(
    kind: tuple[str, ...], size: str, production_document: dict[str, Any], stack_baseline: float
) -> None:
    section, key, attribute, resource_type, input_key, own = kind
    settings = load(with_value(section, key, size))
    assert getattr(getattr(settings, section), attribute) == size
    baseline = _priced(production_document, resource_type, input_key, size)
    assert (baseline == stack_baseline) == (size == own)

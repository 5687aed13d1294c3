"""Every DB instance class and cache node type stack config accepts has a price, in every region the
config allows, and every priced one of the allowed families is accepted: the two sets agree.

A class that exists but has no price would pass config and fail only in preflight's cost stage, after
every resource was registered (issue 20). The accepted set is found by running the readers on every
class AWS offers in the allowed families; the priced set is read from the price list files directly.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from components.data.cache_settings import ALLOWED_CACHE_NODE_FAMILIES, SUPPORTED_CACHE_ENGINES, CacheSettings
from components.data.database_settings import ALLOWED_DB_INSTANCE_FAMILIES, DatabaseSettings
from components.platform import ConfigError, Section, elasticache_node_types, rds_instance_classes
from components.settings import SUPPORTED_REGIONS
from policies.cost_model import CostResource, estimate
from tests.stack_config import config_of, load, with_value

PRICING = Path(__file__).resolve().parents[2] / "policies" / "pricing"


def _prices(region: str) -> dict[str, Any]:
    return dict(json.loads((PRICING / f"{region}.json").read_text())["prices"])


@lru_cache(maxsize=None)
def _section(section: str) -> dict[str, Any]:
    return dict(config_of("production")[f"betterprompts:{section}"])


def _accepts(read: Any, section: str, key: str, value: str, region: str) -> bool:
    raw = dict(_section(section), **{key: value})
    try:
        read(Section(raw, f"betterprompts:{section}"), region)
    except ConfigError as error:
        assert error.key == f"betterprompts:{section}.{key}" and error.value == value
        return False
    return True


def _family(name: str) -> str:
    return name.rpartition(".")[0]


@lru_cache(maxsize=None)
def _accepted_classes(region: str) -> frozenset[str]:
    """What ``instanceClass`` accepts of every class RDS for PostgreSQL offers in the allowed families."""
    offered = (c for c in rds_instance_classes(region, "postgres") if _family(c) in ALLOWED_DB_INSTANCE_FAMILIES)
    return frozenset(c for c in offered if _accepts(DatabaseSettings.read, "database", "instanceClass", c, region))


@lru_cache(maxsize=None)
def _accepted_node_types(region: str) -> frozenset[str]:
    """What ``nodeType`` accepts of every node type ElastiCache offers in the allowed families."""
    offered = (t for t in elasticache_node_types(region) if _family(t) in ALLOWED_CACHE_NODE_FAMILIES)
    return frozenset(t for t in offered if _accepts(CacheSettings.read, "cache", "nodeType", t, region))


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_accepted_db_classes_are_the_priced_ones(region: str) -> None:
    offered = {c for c in rds_instance_classes(region, "postgres") if _family(c) in ALLOWED_DB_INSTANCE_FAMILIES}
    accepted = _accepted_classes(region)
    prices = _prices(region)
    priced = {
        key.removeprefix("rds:postgres:")
        for key in prices
        if key.startswith("rds:postgres:") and _family(key.removeprefix("rds:postgres:")) in ALLOWED_DB_INSTANCE_FAMILIES
    }
    # Multi-AZ is a toggle of its own: a class is usable only with both prices.
    assert {c for c in priced if f"rds:postgres-multi-az:{c}" not in prices} == set()
    assert accepted == priced
    assert priced <= offered, "a priced class RDS does not offer"
    assert "db.r6g.xlarge" in accepted and "db.t4g.medium" in accepted  # the stacks' own


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_accepted_cache_node_types_are_the_priced_ones(region: str) -> None:
    offered = {t for t in elasticache_node_types(region) if _family(t) in ALLOWED_CACHE_NODE_FAMILIES}
    accepted = _accepted_node_types(region)
    prices = _prices(region)
    redis = {k.removeprefix("elasticache:") for k in prices if _family(k.removeprefix("elasticache:")) in ALLOWED_CACHE_NODE_FAMILIES}
    # The engine is a toggle of its own: a node type is usable only with the Valkey price too.
    assert {t for t in redis if f"elasticache:valkey:{t}" not in prices} == set()
    assert accepted == redis
    assert redis <= offered, "a priced node type ElastiCache does not offer"
    assert "cache.r6g.large" in accepted and "cache.t4g.small" in accepted


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_the_cost_model_prices_every_accepted_size(region: str) -> None:
    """What the cost stage does with each accepted size, in each variant a neighbouring key can pick."""
    classes, nodes = _accepted_classes(region), _accepted_node_types(region)
    resources = [
        CostResource(urn=f"urn:db:{c}:{multi_az}", type="aws:rds/instance:Instance", name=c,
                     inputs={"instanceClass": c, "engine": "postgres", "multiAz": multi_az, "allocatedStorage": 20})
        for c in classes for multi_az in (False, True)
    ] + [
        CostResource(urn=f"urn:cache:{t}:{engine}", type="aws:elasticache/replicationGroup:ReplicationGroup", name=t,
                     inputs={"nodeType": t, "engine": engine, "numNodeGroups": 1, "replicasPerNodeGroup": 1})
        for t in nodes for engine in SUPPORTED_CACHE_ENGINES
    ]
    result = estimate(resources, region)  # raises MissingPriceError for an unpriced size
    assert len(resources) == 2 * len(classes) + len(SUPPORTED_CACHE_ENGINES) * len(nodes) and result.baseline > 0


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_an_offered_class_without_a_price_names_the_accepted_ones(stack: str) -> None:
    """db.r7i has no transcribed price to derive its sizes from (preflight/derived_prices.py): refused, naming the rest."""
    from components.data.database_settings import allowed_instance_classes

    with pytest.raises(ConfigError) as caught:
        load(with_value("database", "instanceClass", "db.r7i.large", stack), stack)
    error = caught.value
    assert (error.key, error.value) == ("betterprompts:database.instanceClass", "db.r7i.large")
    assert error.allowed.startswith("a class priced in policies/pricing/us-east-1.json (Single-AZ and Multi-AZ")
    # It exists: the error says its price source is what is missing, not that the name is wrong.
    assert "db.r7i.large is offered by RDS for PostgreSQL in us-east-1, no price source yet" in error.allowed
    assert error.allowed.endswith("; priced now: " + ", ".join(allowed_instance_classes("us-east-1")))
    assert "db.r6g.16xlarge" in error.allowed and "db.m7g" not in error.allowed


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
@pytest.mark.parametrize("instance_class", ["db.m7g.large", "db.r7i.xlarge"])
def test_the_unpriced_families_are_refused_as_unpriced_not_as_typos(region: str, instance_class: str) -> None:
    from components.data.database_settings import check_db_instance_class

    with pytest.raises(ConfigError) as caught:
        check_db_instance_class("betterprompts:database.instanceClass", instance_class, region)
    assert f"{instance_class} is offered by RDS for PostgreSQL in {region}, no price source yet" in caught.value.allowed
    assert "closest" not in caught.value.allowed


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_every_offered_size_of_an_anchored_family_is_accepted(region: str) -> None:
    """Every size AWS offers of the allowed families is priced (transcribed or derived) and accepted, but for the
    DB families without a transcribed price in the Region (db.m7g, db.r7i): every cache node type, and 36 classes."""
    offered_classes = {c for c in rds_instance_classes(region, "postgres") if _family(c) in ALLOWED_DB_INSTANCE_FAMILIES}
    assert _accepted_classes(region) == {c for c in offered_classes if _family(c) not in ("db.m7g", "db.r7i")}
    assert len(_accepted_classes(region)) == 36
    offered_nodes = {t for t in elasticache_node_types(region) if _family(t) in ALLOWED_CACHE_NODE_FAMILIES}
    assert _accepted_node_types(region) == offered_nodes and len(offered_nodes) == 31


def test_the_readme_lists_the_accepted_sizes() -> None:
    """README's database and cache tables name exactly what us-east-1 accepts (the stacks' region)."""
    from components.data.cache_settings import allowed_node_types
    from components.data.database_settings import allowed_instance_classes

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert ", ".join(f"`{c}`" for c in allowed_instance_classes("us-east-1")) in readme
    assert ", ".join(f"`{t}`" for t in allowed_node_types("us-east-1")) in readme


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
@pytest.mark.parametrize("pool", ["application", "gpu"])
def test_a_node_groups_accepted_first_types_are_the_priced_ones(region: str, pool: str) -> None:
    """A node group is priced at its first type: of every type EC2 offers, those a pool accepts first are priced."""
    from components.eks.settings import _read_node_group, pool_instance_types
    from components.platform import ec2_instance_types

    def accepts(instance_type: str) -> bool:
        raw = {"instanceTypes": [instance_type], "size": {"min": 0, "max": 2}}
        try:
            _read_node_group(Section(raw, f"betterprompts:eks.nodeGroups.{pool}"), pool, region)
        except ConfigError:
            return False
        return True

    accepted = {t for t in ec2_instance_types(region) if accepts(t)}
    priced = {k.removeprefix("ec2:") for k in _prices(region) if k.startswith("ec2:")}
    assert accepted and accepted <= priced
    assert accepted == set(pool_instance_types(pool, region))
    assert ("g4dn.xlarge" in accepted) and (("c6i.xlarge" in accepted) == (pool == "application"))


@pytest.mark.parametrize(("section", "key", "value", "first"), [
    ("database", "instanceClass", "db.x2g.xlarge", "db.m6g.large"),
    ("cache", "nodeType", "cache.m5.large", "cache.m6g.large"),
])
def test_a_size_of_another_family_names_the_accepted_sizes_too(section: str, key: str, value: str, first: str) -> None:
    """Not every allowed family has a priced size (db.m7g, db.r7i): the family error says what is accepted."""
    with pytest.raises(ConfigError) as caught:
        load(with_value(section, key, value))
    assert (caught.value.key, caught.value.value) == (f"betterprompts:{section}.{key}", value)
    assert caught.value.allowed.startswith("an instance class of the families ")
    assert f"; priced in the region now: {first}, " in caught.value.allowed

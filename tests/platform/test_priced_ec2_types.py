"""Every EC2 type the config accepts has a price and every priced type exists, per Region (issue 20).

The price list has an ``ec2:`` entry for every type of Karpenter's generated table (us-east-1;
preflight/karpenter_prices.py); us-east-2 and us-west-2 keep their transcribed entries and carry us-east-1's
price to every other type they offer (preflight/regional_ec2_prices.py, ``derivedFrom``). The real readers run on
every type AWS offers in the Region (cfn-lint's list): node groups (an x86_64 pool and the GPU pool) and
the NAT instance. What they accept must be priced, what is priced and usable must be accepted, and what
they refuse for want of a price is the known gap: types newer than the table, or not sold on demand.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from components.eks.settings import _read_node_group
from components.network.settings import NetworkSettings
from components.platform import ConfigError, Section, availability_zones, ec2_instance_types, instance_shape
from components.settings import SUPPORTED_REGIONS
from tests.stack_config import config_of

PRICING = Path(__file__).resolve().parents[2] / "policies" / "pricing"
PRICE_REFUSAL = "priced in policies/pricing/"

# us-east-1 types AWS offers (cfn-lint) that Karpenter's table at v1.14.1 (generated 2026-07-06) has no price
# for: families launched after it (g7, r9g, r9gd, t8i), Mac and High Memory types (Dedicated Hosts only, not
# on-demand instances) and retired ones still listed (cc2, hs1, i2). They stay refused until a refreshed table
# prices them (docs/cost.md "Refreshing prices"). r9g, r9gd, t8i, i2.large and a few retired types have no
# architecture fact either (policies/ec2_instance_specs.json): those are refused for that first.
UNPRICED_US_EAST_1_FAMILIES = frozenset({"g7", "r9g", "r9gd", "t8i", "cc2", "hs1", "i2", "u-6tb1", "u-9tb1", "u-12tb1", "u-18tb1", "u-24tb1"})
UNPRICED_US_EAST_1_PREFIXES = ("mac",)


# Types us-east-2 / us-west-2 offer that us-east-1 does not (cfn-lint): no us-east-1 price to carry over.
REGION_ONLY_UNPRICED = {
    "us-east-1": frozenset[str](),
    "us-east-2": frozenset({"hpc6a", "hpc6id", "hpc7a", "hpc8a", "p5e", "trn2"}),
    "us-west-2": frozenset({"dl2q", "x8aedz"}),
}
REGION_ONLY_UNPRICED_TYPES = {"us-west-2": frozenset({"c6gn.metal"})}


def _known_gap(instance_type: str, region: str = "us-east-1") -> bool:
    family = instance_type.split(".")[0]
    return (
        family in UNPRICED_US_EAST_1_FAMILIES
        or instance_type.startswith(UNPRICED_US_EAST_1_PREFIXES)
        or family in REGION_ONLY_UNPRICED[region]
        or instance_type in REGION_ONLY_UNPRICED_TYPES.get(region, frozenset())
    )


def _priced(region: str) -> frozenset[str]:
    prices = json.loads((PRICING / f"{region}.json").read_text())["prices"]
    return frozenset(k.removeprefix("ec2:") for k in prices if k.startswith("ec2:"))


@lru_cache(maxsize=None)
def _verdicts(pool: str, region: str) -> dict[str, str]:
    """For every offered type: '' when the pool's reader takes it as its first type, else the refusal's text."""
    raw = dict(config_of("production")["betterprompts:eks"]["nodeGroups"][pool])
    verdicts: dict[str, str] = {}
    for instance_type in sorted(ec2_instance_types(region)):
        section = Section(dict(raw, instanceTypes=[instance_type]), f"betterprompts:eks.nodeGroups.{pool}")
        try:
            _read_node_group(section, pool, region)
            verdicts[instance_type] = ""
        except ConfigError as error:
            assert error.key.startswith(f"betterprompts:eks.nodeGroups.{pool}.instanceTypes"), error
            verdicts[instance_type] = error.allowed
    return verdicts


@lru_cache(maxsize=None)
def _nat_verdicts(region: str) -> dict[str, str]:
    raw: dict[str, Any] = dict(config_of("production")["betterprompts:network"], natMode="instance")
    raw["availabilityZones"] = list(availability_zones(region)[:3])
    verdicts: dict[str, str] = {}
    for instance_type in sorted(ec2_instance_types(region)):
        raw["natInstance"] = dict(raw.get("natInstance", {}), instanceType=instance_type)
        try:
            NetworkSettings.read(Section(raw, "betterprompts:network"), region)
            verdicts[instance_type] = ""
        except ConfigError as error:
            assert error.key == "betterprompts:network.natInstance.instanceType", error
            verdicts[instance_type] = error.allowed
    return verdicts


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_every_priced_ec2_type_exists_in_its_region(region: str) -> None:
    assert _priced(region) <= ec2_instance_types(region), sorted(_priced(region) - ec2_instance_types(region))


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
@pytest.mark.parametrize("pool", ["application", "gpu"])
def test_node_groups_accept_exactly_the_priced_usable_types(pool: str, region: str) -> None:
    verdicts = _verdicts(pool, region)
    accepted = {t for t, refusal in verdicts.items() if not refusal}
    refused_for_price = {t for t, refusal in verdicts.items() if PRICE_REFUSAL in refusal}
    assert accepted <= _priced(region), "an accepted type without a price"
    assert refused_for_price.isdisjoint(_priced(region))
    assert accepted, "the pool accepts nothing"
    # Every type the pool could use (offered, right architecture, GPU for the GPU pool) is priced but the known gap.
    assert {t for t in refused_for_price if not _known_gap(t, region)} == set()
    if pool == "application":
        assert {"c6i.xlarge", "m6a.xlarge", "m7i.2xlarge", "c7a.4xlarge", "t3a.large"} <= accepted
        assert len(accepted) > 850
    else:
        assert {"g4dn.xlarge", "g5.2xlarge", "g6.xlarge", "g6e.xlarge", "p5.48xlarge"} <= accepted
        assert len(accepted) == 37


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_the_nat_instance_takes_exactly_the_priced_types_of_its_image(region: str) -> None:
    verdicts = _nat_verdicts(region)
    accepted = {t for t, refusal in verdicts.items() if not refusal}
    refused_for_price = {t for t, refusal in verdicts.items() if PRICE_REFUSAL in refusal}
    assert accepted <= _priced(region) and refused_for_price.isdisjoint(_priced(region))
    assert "t4g.nano" in accepted and "t3.nano" not in accepted  # arm64 image
    assert {"t4g.xlarge", "c7g.medium", "m8g.large"} <= accepted
    assert {t for t in refused_for_price if not _known_gap(t, region)} == set()


def test_a_refusal_names_the_priced_sizes_of_the_family_or_the_closest_types() -> None:
    verdicts = _verdicts("application", "us-east-1")
    priced_in_all = f"({len(_pool_accepted('application'))} priced in all)"
    # g7 (x86_64, shape from Karpenter's reference) is newer than the price table: no size of it is priced.
    assert verdicts["g7.2xlarge"].endswith(f"none of the g7 family; closest: g7e.2xlarge, g7e.24xlarge, g7e.12xlarge, g6.2xlarge, g5.2xlarge {priced_in_all}")
    # g3 is priced and its shape is in the autoscaler's earlier table only: accepted.
    assert verdicts["g3.4xlarge"] == "" and verdicts["i3.metal"] == ""


def _pool_accepted(pool: str) -> set[str]:
    return {t for t, refusal in _verdicts(pool, "us-east-1").items() if not refusal}


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_architecture_is_a_fact_for_every_pool_and_the_nat_instance(region: str) -> None:
    """A type without an architecture fact is refused by that fact, never taken as x86_64 or arm64 by default."""
    pool, nat = _verdicts("application", region), _nat_verdicts(region)
    # r9g/r9gd/t8i: offered, but in neither generated table (newer than both).
    for instance_type in ("r9g.large", "r9gd.xlarge", "t8i.medium"):
        assert f"no architecture known for {instance_type}" in pool[instance_type]
        assert f"no architecture known for {instance_type}" in nat[instance_type]
    # Graviton5 c9g/m9g: arm64 per Karpenter's reference (the autoscaler's table predates them).
    assert pool["c9g.large"].endswith("(c9g.large is arm64)") and pool["m9g.xlarge"].endswith("(m9g.xlarge is arm64)")
    assert nat["c9g.large"] == "" or PRICE_REFUSAL in nat["c9g.large"]
    # Newer x86_64 types (m8id): the x86 pools may take them, the arm64 NAT image may not.
    assert nat["m8id.large"].endswith("not amd64") and (pool["m8id.large"] == "" or PRICE_REFUSAL in pool["m8id.large"])
    if region == "us-east-1":
        assert {"c9g.large", "m9g.large"} <= {t for t, refusal in nat.items() if not refusal}
        assert "m8id.large" in _pool_accepted("application")
    # Every type a pool or the NAT instance takes has a known architecture, the one its image runs.
    for instance_type in [t for t, refusal in pool.items() if not refusal]:
        assert instance_shape(instance_type) is not None and instance_shape(instance_type).architecture == "amd64"  # type: ignore[union-attr]
    for instance_type in [t for t, refusal in nat.items() if not refusal]:
        assert instance_shape(instance_type) is not None and instance_shape(instance_type).architecture == "arm64"  # type: ignore[union-attr]


def _derived(region: str) -> dict[str, str]:
    prices = json.loads((PRICING / f"{region}.json").read_text())["prices"]
    return {k.removeprefix("ec2:"): e["derivedFrom"] for k, e in prices.items() if k.startswith("ec2:") and "derivedFrom" in e}


def test_the_dr_region_takes_types_priced_only_by_carrying_us_east_1s_price() -> None:
    """us-west-2 (the dr stack's Region) had 43 transcribed types; an application, a GPU and a NAT type
    priced there by us-east-1's price (derivedFrom) are accepted now, and so is every type production uses."""
    derived = _derived("us-west-2")
    for pool, instance_type in (("application", "m7i.2xlarge"), ("gpu", "g6.xlarge")):
        assert derived[instance_type] == f"ec2:{instance_type} in us-east-1"
        assert _verdicts(pool, "us-west-2")[instance_type] == ""
    assert derived["c7g.medium"] == "ec2:c7g.medium in us-east-1" and _nat_verdicts("us-west-2")["c7g.medium"] == ""
    production = config_of("production")["betterprompts:eks"]["nodeGroups"]
    for pool in ("application", "gpu"):
        for instance_type in production[pool]["instanceTypes"]:
            assert _verdicts(pool, "us-west-2")[instance_type] == "", (pool, instance_type)


@pytest.mark.parametrize("region", ["us-east-2", "us-west-2"])
def test_an_offered_type_without_a_price_source_is_refused_saying_so(region: str) -> None:
    # g7 (x86_64 per Karpenter's reference): newer than the price table, so no us-east-1 price to carry over.
    refusal = _verdicts("application", region)["g7.2xlarge"]
    assert refusal.startswith("a first instance type priced in policies/pricing/")
    assert f"g7.2xlarge exists in {region} (AWS's published list) but no price source covers it" in refusal
    assert _nat_verdicts(region)["g7.2xlarge"].endswith("not amd64")


def test_a_misspelt_or_absent_type_is_refused_by_fact_naming_the_region() -> None:
    """Not a missing price: the Region's published list refuses a typo, and a type this Region does not offer."""
    raw = dict(config_of("production")["betterprompts:eks"]["nodeGroups"]["application"])
    for value, closest in (("c6i.xlrage", "c6i.xlarge"), ("c8ib.metal-48xl", "")):
        with pytest.raises(ConfigError) as caught:
            _read_node_group(Section(dict(raw, instanceTypes=[value]), "betterprompts:eks.nodeGroups.application"), "application", "us-west-2")
        assert (caught.value.key, caught.value.value) == ("betterprompts:eks.nodeGroups.application.instanceTypes[0]", value)
        assert caught.value.allowed.startswith("an EC2 instance type offered in us-west-2 (AWS's published list)")
        assert PRICE_REFUSAL not in caught.value.allowed and closest in caught.value.allowed
    assert "c8ib.metal-48xl" in ec2_instance_types("us-east-1")


def test_a_metal_size_with_a_hyphen_is_a_type_too() -> None:
    """c7a.metal-48xl is on AWS's list and priced: the shape check must not refuse its hyphenated size."""
    assert _verdicts("application", "us-west-2")["c7a.metal-48xl"] == ""
    assert _verdicts("application", "us-east-1")["m7i.metal-24xl"] == ""

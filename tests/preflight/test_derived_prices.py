"""RDS and ElastiCache sizes priced by AWS's linear per-size scaling from a transcribed size of their family.

The derivation is only as good as the rule, so the rule is checked against the transcribed (sourced)
prices themselves: within each family, Region and variant every pair of them scales by the ratio of
their normalization factors, within the rounding of published prices.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from components.settings import SUPPORTED_REGIONS
from preflight.derived_prices import DERIVED_FROM, ROUNDING, PRICING_DIR, derive, family, main, scales, size_factor, update_price_list, variants


def _prices(region: str) -> dict[str, dict[str, Any]]:
    return dict(json.loads((PRICING_DIR / f"{region}.json").read_text())["prices"])


def _rounding(variant: str) -> float:
    return next(v.rounding for vs in variants().values() for v in vs[2] if v.name == variant)


def _series(prices: dict[str, dict[str, Any]], region: str) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(variant, family) -> size name -> entry, for every family config accepts."""
    out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for families, offered_in, series in variants().values():
        for variant, name in itertools.product(series, sorted(offered_in(region))):
            if family(name) in families and variant.key(name) in prices:
                out.setdefault((variant.name, family(name)), {})[name] = prices[variant.key(name)]
    return out


def test_size_factors_are_aws_normalization_factors() -> None:
    assert [size_factor(f"db.t4g.{s}") for s in ("micro", "small", "medium", "large", "xlarge", "2xlarge")] == [0.5, 1, 2, 4, 8, 16]
    assert size_factor("cache.r7g.16xlarge") == 128 and size_factor("db.r6i.32xlarge") == 256 and size_factor("cache.t2.nano") == 0.25
    assert size_factor("db.r6gd.metal") is None


def test_scaling_allows_rounding_only() -> None:
    assert scales(0.225, 2, 0.449) and scales(0.225, 4, 0.899)  # db.r6g.large -> xlarge, 2xlarge as published
    assert not scales(0.225, 2, 0.46) and not scales(0.016, 8, 0.14)
    assert scales(1.798, 0.5, 0.898, 2 * ROUNDING) and not scales(1.798, 0.5, 0.898)  # Multi-AZ: twice a rounded price


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_the_transcribed_sizes_of_every_family_obey_the_scaling(region: str) -> None:
    """What the derivation assumes, on real data: every pair of sourced sizes of a family and variant."""
    checked = 0
    for (variant, fam), sizes in _series(_prices(region), region).items():
        sourced = {name: entry["price"] for name, entry in sizes.items() if DERIVED_FROM not in entry}
        for a, b in itertools.combinations(sorted(sourced), 2):
            factor = (size_factor(b) or 0) / (size_factor(a) or 1)
            assert scales(sourced[a], factor, sourced[b], _rounding(variant)), f"{region} {variant} {fam}: {a} {sourced[a]} x {factor} != {b} {sourced[b]}"
            checked += 1
    assert checked >= 20  # r6g (3 sizes), t4g (4), m6g, r6i, r7g: Single-AZ and Multi-AZ; cache r6g, t4g: both engines


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_multi_az_is_twice_single_az_and_valkey_80_percent_of_redis(region: str) -> None:
    """The pricer reads Multi-AZ hours from their own entries (rds:postgres-multi-az:<class>); the sourced ones are
    twice the Single-AZ price, and each is derived from its own variant's anchor, so the derived ones are too."""
    prices = _prices(region)
    classes = [k.removeprefix("rds:postgres:") for k in prices if k.startswith("rds:postgres:")]
    assert classes
    for c in classes:
        single, multi = prices[f"rds:postgres:{c}"], prices[f"rds:postgres-multi-az:{c}"]
        assert abs(2 * single["price"] - multi["price"]) <= 2 * ROUNDING + 1e-9, c
        assert (DERIVED_FROM in single) == (DERIVED_FROM in multi), c
    nodes = [k.removeprefix("elasticache:valkey:") for k in prices if k.startswith("elasticache:valkey:")]
    for t in nodes:
        assert abs(prices[f"elasticache:{t}"]["price"] * 0.8 - prices[f"elasticache:valkey:{t}"]["price"]) <= 0.0005, t


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_every_derived_entry_names_a_sourced_anchor_of_its_family(region: str) -> None:
    prices = _prices(region)
    derived = 0
    for (variant, fam), sizes in _series(prices, region).items():
        for name, entry in sizes.items():
            if DERIVED_FROM not in entry:
                continue
            derived += 1
            anchor, times, factor = entry[DERIVED_FROM].split(" ")
            assert times == "x" and family(anchor) == fam, entry
            key = next(v.key for vs in variants().values() for v in vs[2] if v.name == variant)
            base = prices[key(anchor)]
            assert DERIVED_FROM not in base, f"{name} derived from derived {anchor}"
            assert float(factor) == (size_factor(name) or 0) / (size_factor(anchor) or 1)
            assert entry["price"] == round(base["price"] * float(factor), 6)
            assert (entry["unit"], entry["source"], entry["date"]) == (base["unit"], base["source"], base["date"])
    assert derived == 92  # 23 RDS classes x 2 deployments + 23 cache node types x 2 engines


def test_derived_entries_are_rds_elasticache_or_ec2_carried_from_us_east_1() -> None:
    """This script derives RDS and ElastiCache sizes; preflight/regional_ec2_prices.py the ec2: entries of the
    other Regions (tests/preflight/test_regional_ec2_prices.py), which a run of this one keeps."""
    for region in SUPPORTED_REGIONS:
        keys = [k for k, e in _prices(region).items() if DERIVED_FROM in e]
        ours = [k for k in keys if k.startswith(("rds:postgres:", "rds:postgres-multi-az:", "elasticache:"))]
        assert len(ours) == 92
        assert all(_prices(region)[k][DERIVED_FROM].endswith(" in us-east-1") for k in set(keys) - set(ours))


@pytest.mark.parametrize("region", SUPPORTED_REGIONS)
def test_families_without_an_anchor_stay_unpriced(region: str) -> None:
    prices = _prices(region)
    result = derive({k: e for k, e in prices.items() if DERIVED_FROM not in e}, region)
    assert result.unanchored == {"postgres Single-AZ": ["db.r7i", "db.m7g"], "postgres Multi-AZ": ["db.r7i", "db.m7g"]}
    assert not [k for k in prices if ":db.r7i." in k or ":db.m7g." in k]


def test_the_committed_lists_are_the_script_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for region in SUPPORTED_REGIONS:
        shutil.copy(PRICING_DIR / f"{region}.json", tmp_path / f"{region}.json")
    assert main(["--pricing-dir", str(tmp_path), "--write"]) == 0
    assert "us-east-1: 92 derived entries" in capsys.readouterr().out
    for region in SUPPORTED_REGIONS:
        assert (tmp_path / f"{region}.json").read_text() == (PRICING_DIR / f"{region}.json").read_text()
    # A changed anchor moves its family's derived sizes.
    path = tmp_path / "us-east-1.json"
    document = json.loads(path.read_text())
    document["prices"]["rds:postgres:db.r6g.2xlarge"]["price"] = 1.0
    path.write_text(json.dumps(document))
    update_price_list(path, write=True)
    assert json.loads(path.read_text())["prices"]["rds:postgres:db.r6g.4xlarge"]["price"] == 2.0

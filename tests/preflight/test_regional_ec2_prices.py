"""EC2 prices of us-east-2 and us-west-2 carried from us-east-1's generated entries (preflight/regional_ec2_prices.py).

The derivation is only as good as its rule ("the same on-demand Linux price as in us-east-1"), so the rule is
checked against every sourced pair the lists hold: each transcribed ec2: entry of these Regions and the
us-east-1 entry of the same type. A family with one differing pair is not derived.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from components.platform import ec2_instance_types
from preflight.derived_prices import DERIVED_FROM, PRICING_DIR
from preflight.regional_ec2_prices import ANCHOR_REGION, DERIVED_REGIONS, derive, derived_from, ec2_family, main, sourced_pairs


def _prices(region: str) -> dict[str, dict[str, Any]]:
    return dict(json.loads((PRICING_DIR / f"{region}.json").read_text())["prices"])


@pytest.mark.parametrize("region", DERIVED_REGIONS)
def test_every_sourced_price_of_the_region_equals_us_east_1s(region: str) -> None:
    """What the derivation assumes, on every sourced pair: 43 transcribed types of 16 families per Region."""
    pairs = sourced_pairs(_prices(ANCHOR_REGION), _prices(region))
    assert len(pairs) == 43
    assert {t: p for t, p in pairs.items() if p[0] != p[1]} == {}
    assert {ec2_family(t) for t in pairs} >= {"c5", "c6g", "c6i", "c7g", "g4dn", "g5", "m5", "m6g", "m6i", "m7g", "r6g", "r6i", "t3", "t3a", "t4g"}


@pytest.mark.parametrize("region", DERIVED_REGIONS)
def test_every_derived_entry_is_the_sourced_us_east_1_entry_of_an_offered_type(region: str) -> None:
    prices, anchor = _prices(region), _prices(ANCHOR_REGION)
    derived = {k: e for k, e in prices.items() if k.startswith("ec2:") and DERIVED_FROM in e}
    for key, entry in derived.items():
        instance_type = key.removeprefix("ec2:")
        assert entry[DERIVED_FROM] == derived_from(instance_type) and instance_type in ec2_instance_types(region)
        base = anchor[key]
        assert DERIVED_FROM not in base
        assert {k: entry[k] for k in ("price", "unit", "date", "source")} == {k: base[k] for k in ("price", "unit", "date", "source")}
    assert len(derived) == {"us-east-2": 1166, "us-west-2": 1287}[region]
    # The transcribed entries stay as they were (and are the only sourced ec2: entries here).
    assert len([k for k, e in prices.items() if k.startswith("ec2:") and DERIVED_FROM not in e]) == 43


def test_us_east_1_derives_nothing() -> None:
    assert not [k for k, e in _prices(ANCHOR_REGION).items() if k.startswith("ec2:") and DERIVED_FROM in e]


def test_a_family_with_a_differing_sourced_price_is_not_derived() -> None:
    """On an excerpt: the rule holds for c6i, not for g5 (one transcribed price differs), so only c6i is carried over."""
    source = {"unit": "USD per instance-hour (on-demand, Linux)", "date": "2026-07-06", "source": "table"}
    anchor = {f"ec2:{t}": dict(source, price=p) for t, p in (("c6i.large", 0.085), ("c6i.xlarge", 0.17), ("g5.xlarge", 1.006), ("g5.2xlarge", 1.212))}
    transcribed = {"unit": source["unit"], "date": "2026-11-26", "source": "page"}
    region = {"ec2:c6i.large": dict(transcribed, price=0.085), "ec2:g5.xlarge": dict(transcribed, price=1.1)}
    result = derive(anchor, region, ["c6i.large", "c6i.xlarge", "g5.xlarge", "g5.2xlarge", "t8i.large"])
    assert result.added == {"ec2:c6i.xlarge": dict(source, price=0.17, derivedFrom="ec2:c6i.xlarge in us-east-1")}
    assert result.excluded == {"g5": ["g5.xlarge"]}
    assert result.unpriced == ["g5.2xlarge", "t8i.large"]


def test_the_committed_lists_are_the_script_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in PRICING_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    assert main(["--pricing-dir", str(tmp_path), "--write"]) == 0
    assert "us-west-2: 1287 ec2 entries derived from us-east-1, 59 offered types unpriced" in capsys.readouterr().out
    for path in PRICING_DIR.glob("*.json"):
        assert (tmp_path / path.name).read_text() == path.read_text(), path.name
    # A transcribed price that disagrees with us-east-1's takes its family out of the derivation.
    document = json.loads((tmp_path / "us-west-2.json").read_text())
    document["prices"]["ec2:m6i.large"]["price"] = 0.1
    (tmp_path / "us-west-2.json").write_text(json.dumps(document))
    assert main(["--pricing-dir", str(tmp_path), "--write"]) == 0
    assert "m6i: not derived, a sourced price differs from us-east-1's: m6i.large" in capsys.readouterr().out
    written = json.loads((tmp_path / "us-west-2.json").read_text())["prices"]
    assert "ec2:m6i.4xlarge" not in written and written["ec2:m6i.large"]["price"] == 0.1 and "ec2:c6i.4xlarge" in written

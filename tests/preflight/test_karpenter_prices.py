"""The converter of Karpenter's generated EC2 price table, on an unmodified excerpt of the table at v1.14.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from preflight.karpenter_prices import PRICING_DIR, UNIT, main, merge, parse_table, source_url, update_price_list

EXCERPT = Path(__file__).resolve().parents[1] / "vendor" / "karpenter" / "zz_generated.pricing_aws.v1.14.1.excerpt.go"
SOURCE = "https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/pkg/providers/pricing/zz_generated.pricing_aws.go"


def test_parses_the_generation_date_and_every_price_of_the_excerpt() -> None:
    table = parse_table(EXCERPT.read_text())
    assert table.generated_on == "2026-07-06"
    assert set(table.prices) == {"us-east-1"}
    prices = table.prices["us-east-1"]
    assert len(prices) == 28  # g4dn, t3, t3a, t4g: 7 sizes each
    assert prices["t4g.nano"] == 0.0042 and prices["g4dn.xlarge"] == 0.526 and prices["t3.2xlarge"] == 0.3328
    assert source_url("v1.14.1") == SOURCE


def test_refuses_a_file_that_is_not_the_generated_table() -> None:
    with pytest.raises(ValueError, match="generated at"):
        parse_table('var x = map[string]float64{"t3.large": 0.0832}')


def test_merge_adds_confirms_replaces_and_keeps_a_newer_sourced_entry() -> None:
    existing = {
        "ec2:t3.large": {"price": 0.0832, "unit": UNIT, "date": "2026-11-26", "source": "https://aws.amazon.com/ec2/pricing/on-demand/"},
        "ec2:t3.xlarge": {"price": 0.2, "unit": UNIT, "date": "2026-01-01", "source": "https://aws.amazon.com/ec2/pricing/on-demand/"},
        "ec2:t3.small": {"price": 0.03, "unit": UNIT, "date": "2026-12-01", "source": "https://aws.amazon.com/ec2/pricing/on-demand/"},
        "kms:key": {"price": 1.0, "unit": "USD per key-month", "date": "2026-11-26", "source": "https://aws.amazon.com/kms/pricing/"},
    }
    table = {"t3.large": 0.0832, "t3.xlarge": 0.1664, "t3.small": 0.0208, "t3.nano": 0.0052}
    merged, report = merge(existing, table, source=SOURCE, date="2026-07-06")
    assert report.added == ["ec2:t3.nano"]
    assert report.confirmed == ["ec2:t3.large"]
    assert report.replaced == [("ec2:t3.xlarge", 0.2, 0.1664)]  # older than the table: the table wins
    assert report.kept == [("ec2:t3.small", 0.03, 0.0208)]  # more recent and sourced: kept, and said
    assert merged["ec2:t3.nano"] == {"price": 0.0052, "unit": UNIT, "date": "2026-07-06", "source": SOURCE}
    assert merged["ec2:t3.large"]["source"] == SOURCE and merged["ec2:t3.xlarge"]["price"] == 0.1664
    assert merged["ec2:t3.small"] == existing["ec2:t3.small"] and merged["kms:key"] == existing["kms:key"]
    assert list(merged) == sorted(merged)
    assert any("kept ec2:t3.small" in line for line in report.lines("us-east-1"))


def test_the_committed_us_east_1_list_is_the_converter_output(tmp_path: Path) -> None:
    """Re-running the converter on the committed list changes nothing: every excerpt type is there as converted."""
    copy = tmp_path / "us-east-1.json"
    shutil.copy(PRICING_DIR / "us-east-1.json", copy)
    table = parse_table(EXCERPT.read_text())
    report = update_price_list(copy, table, "v1.14.1", write=True)
    assert report is not None and report.added == [] and report.replaced == [] and report.kept == []
    assert len(report.confirmed) == 28
    assert json.loads(copy.read_text()) == json.loads((PRICING_DIR / "us-east-1.json").read_text())


def test_a_region_the_table_lacks_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for region in ("us-east-1", "us-west-2"):
        shutil.copy(PRICING_DIR / f"{region}.json", tmp_path / f"{region}.json")
    before = (tmp_path / "us-west-2.json").read_text()
    assert main([str(EXCERPT), "--tag", "v1.14.1", "--pricing-dir", str(tmp_path), "--write"]) == 0
    out = capsys.readouterr().out
    assert "generated 2026-07-06, Regions us-east-1" in out and "us-west-2: not in the table (unchanged)" in out
    assert (tmp_path / "us-west-2.json").read_text() == before

"""The converter of the EC2 shape tables (autoscaler + Karpenter), on unmodified excerpts of both generated files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.instance_specs import SPECS, main, merge, parse_autoscaler, parse_karpenter

VENDOR = Path(__file__).resolve().parents[1] / "vendor"
AUTOSCALER = VENDOR / "autoscaler" / "ec2_instance_types.cluster-autoscaler-1.35.0.excerpt.go"
EARLIER = VENDOR / "autoscaler" / "ec2_instance_types.cluster-autoscaler-1.30.0.excerpt.go"
KARPENTER = VENDOR / "karpenter" / "instance-types.v1.14.692ccdd.excerpt.md"


def test_parses_the_autoscaler_table_field_for_field() -> None:
    rows = parse_autoscaler(AUTOSCALER.read_text())
    assert rows == {
        "a1.large": {"vcpu": 2, "memoryMiB": 4096, "gpus": 0, "architecture": "arm64"},
        "g5.xlarge": {"vcpu": 4, "memoryMiB": 16384, "gpus": 1, "architecture": "amd64"},
        "m5.large": {"vcpu": 2, "memoryMiB": 8192, "gpus": 0, "architecture": "amd64"},
    }


def test_parses_karpenters_labels_not_its_allocatable_resources() -> None:
    rows = parse_karpenter(KARPENTER.read_text())
    # The Labels table (what EC2 says of the type), not the Resources table (what is left after the kubelet's share).
    assert rows == {
        "c9g.large": {"vcpu": 2, "memoryMiB": 4096, "gpus": 0, "architecture": "arm64"},
        "g7.2xlarge": {"vcpu": 8, "memoryMiB": 32768, "gpus": 1, "architecture": "amd64"},
        "m5.large": {"vcpu": 2, "memoryMiB": 8192, "gpus": 0, "architecture": "amd64"},
    }


def test_refuses_files_that_are_not_the_generated_tables() -> None:
    with pytest.raises(ValueError, match="ec2_instance_types.go"):
        parse_autoscaler('var x = map[string]int{"m5.large": 2}')
    with pytest.raises(ValueError, match="instancetypes_gen"):
        parse_karpenter("### `m5.large`\n")


def test_the_autoscaler_wins_karpenter_adds_and_a_disagreement_is_refused() -> None:
    autoscaler = parse_autoscaler(AUTOSCALER.read_text())
    karpenter = parse_karpenter(KARPENTER.read_text())
    merged = merge(autoscaler, karpenter)
    assert list(merged) == ["a1.large", "c9g.large", "g5.xlarge", "g7.2xlarge", "m5.large"]
    assert merged["m5.large"] == autoscaler["m5.large"]  # in both: the autoscaler's row, unmarked
    assert merged["c9g.large"] == {**karpenter["c9g.large"], "from": "karpenter"}
    wrong = {"m5.large": {**karpenter["m5.large"], "architecture": "arm64"}}
    with pytest.raises(ValueError, match=r"karpenter table disagrees on the architecture of m5.large \(amd64 vs arm64\)"):
        merge(autoscaler, wrong)


def test_the_earlier_table_adds_only_what_both_current_tables_lack() -> None:
    earlier = parse_autoscaler(EARLIER.read_text())
    assert earlier == {"i3.metal": {"vcpu": 72, "memoryMiB": 524288, "gpus": 0, "architecture": "amd64"}}
    merged = merge(parse_autoscaler(AUTOSCALER.read_text()), parse_karpenter(KARPENTER.read_text()), earlier, "cluster-autoscaler-1.30.0")
    assert merged["i3.metal"] == {**earlier["i3.metal"], "from": "cluster-autoscaler-1.30.0"}
    newer = {"m5.large": {"vcpu": 2, "memoryMiB": 8192, "gpus": 0, "architecture": "amd64"}}
    assert merge(newer, {}, {"m5.large": {**newer["m5.large"], "vcpu": 99}}, "old")["m5.large"] == newer["m5.large"]


def test_the_committed_table_holds_the_excerpts_rows_as_converted() -> None:
    committed = json.loads(SPECS.read_text())
    merged = merge(
        parse_autoscaler(AUTOSCALER.read_text()), parse_karpenter(KARPENTER.read_text()),
        parse_autoscaler(EARLIER.read_text()), "cluster-autoscaler-1.30.0",
    )
    assert {name: committed["types"][name] for name in merged} == merged
    assert "cluster-autoscaler-1.35.0" in committed["source"] and "692ccdd" in committed["supplement"]
    # Every row has an architecture fact; the only marker is Karpenter's.
    assert {row["architecture"] for row in committed["types"].values()} == {"amd64", "arm64"}
    assert {row.get("from", "autoscaler") for row in committed["types"].values()} == {"autoscaler", "karpenter", "cluster-autoscaler-1.30.0"}


def test_a_run_on_the_committed_table_reports_and_writes_nothing_without_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "specs.json"
    copy.write_text(SPECS.read_text())
    assert main([str(AUTOSCALER), str(KARPENTER), "--earlier", f"{EARLIER}@cluster-autoscaler-1.30.0", "--specs", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "autoscaler 3 types, karpenter 3, earlier 1 (3 added from them)" in out
    assert copy.read_text() == SPECS.read_text()

"""EC2 on-demand prices from Karpenter's generated table into ``policies/pricing/<region>.json``.

Karpenter's AWS provider commits ``pkg/providers/pricing/zz_generated.pricing_aws.go``: the on-demand
Linux (shared tenancy) hourly price of every instance type, read from the AWS Price List API by the
maintainers' code generator (its header says when and for which Regions). Pinned at a release tag it
is a traceable, dated source for every type, where a hand transcription of the pricing page is not.
This module reads that Go file (never vendored: pass a copy of it) and merges its Regions' entries
into the price lists this repository keeps for the same Regions, each entry naming the file at the tag.

    python -m preflight.karpenter_prices zz_generated.pricing_aws.go --tag v1.14.1 [--write]

An entry the list already has keeps its place; when its price differs from the table's, the table wins
unless the entry is more recent than the table's generation and names a source (then it is kept, and
said). Without ``--write`` it only reports what would change.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRICING_DIR = Path(__file__).resolve().parents[1] / "policies" / "pricing"
REPOSITORY = "https://github.com/aws/karpenter-provider-aws"
GO_PATH = "pkg/providers/pricing/zz_generated.pricing_aws.go"
UNIT = "USD per instance-hour (on-demand, Linux)"

_GENERATED = re.compile(r"^// generated at (\d{4}-\d{2}-\d{2})T[0-9:]+Z for (.+)$", re.MULTILINE)
_REGION = re.compile(r'^\t"([a-z]{2}(?:-[a-z]+)+-\d)": \{$', re.MULTILINE)
_PRICE = re.compile(r'"([a-z0-9-]+\.[a-z0-9-]+)": ([0-9]+(?:\.[0-9]+)?)')


@dataclass(frozen=True)
class GeneratedTable:
    generated_on: str
    """The generation date of the table (``YYYY-MM-DD``, UTC), from the file's header."""
    prices: Mapping[str, Mapping[str, float]]
    """Region -> instance type -> USD per hour."""


def source_url(tag: str) -> str:
    """The Go file at ``tag`` on GitHub: what each converted entry names as its source."""
    return f"{REPOSITORY}/blob/{tag}/{GO_PATH}"


def parse_table(text: str) -> GeneratedTable:
    """The generation date and every Region's prices of Karpenter's generated Go map."""
    header = _GENERATED.search(text)
    if header is None:
        raise ValueError("no '// generated at <time> for <region>' header: not Karpenter's generated price table")
    blocks = list(_REGION.finditer(text))
    if not blocks:
        raise ValueError("no Region block in the table")
    prices: dict[str, dict[str, float]] = {}
    for index, match in enumerate(blocks):
        region = match.group(1)
        block = text[match.end() : blocks[index + 1].start() if index + 1 < len(blocks) else len(text)]
        rows = {name: float(value) for name, value in _PRICE.findall(block)}
        if not rows:
            raise ValueError(f"no prices for {region}")
        if any(value <= 0 for value in rows.values()):
            raise ValueError(f"a non-positive price in {region}")
        prices[region] = rows
    return GeneratedTable(header.group(1), prices)


@dataclass
class MergeReport:
    added: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    """Entries whose price the table confirms (now citing the table)."""
    replaced: list[tuple[str, float, float]] = field(default_factory=list)
    """(key, old price, table price): the table won."""
    kept: list[tuple[str, float, float]] = field(default_factory=list)
    """(key, kept price, table price): a more recent, sourced entry won."""

    def lines(self, region: str) -> list[str]:
        out = [
            f"{region}: {len(self.added)} added, {len(self.confirmed)} confirmed (same price, now citing the table), "
            f"{len(self.replaced)} replaced, {len(self.kept)} kept"
        ]
        out += [f"  replaced {key}: {old} -> {new} (table)" for key, old, new in self.replaced]
        out += [f"  kept {key}: {old} (more recent and sourced; table {new})" for key, old, new in self.kept]
        return out


def merge(existing: Mapping[str, Any], region_prices: Mapping[str, float], *, source: str, date: str) -> tuple[dict[str, Any], MergeReport]:
    """``existing`` (a price list's ``prices``) with an ``ec2:<type>`` entry for every type of ``region_prices``."""
    merged = {key: dict(entry) for key, entry in existing.items()}
    report = MergeReport()
    for instance_type, price in sorted(region_prices.items()):
        key = f"ec2:{instance_type}"
        entry = {"price": price, "unit": UNIT, "date": date, "source": source}
        old = merged.get(key)
        if old is None:
            report.added.append(key)
        elif float(old["price"]) == price:
            report.confirmed.append(key)
        elif str(old.get("date", "")) > date and old.get("source"):
            report.kept.append((key, float(old["price"]), price))
            continue
        else:
            report.replaced.append((key, float(old["price"]), price))
        merged[key] = entry
    return dict(sorted(merged.items())), report


def update_price_list(path: Path, table: GeneratedTable, tag: str, *, write: bool) -> MergeReport | None:
    """Merge the table's prices for ``path``'s Region into it (None when the table has no such Region)."""
    document = json.loads(path.read_text())
    region_prices = table.prices.get(str(document["region"]))
    if region_prices is None:
        return None
    document["prices"], report = merge(document["prices"], region_prices, source=source_url(tag), date=table.generated_on)
    if write:
        path.write_text(json.dumps(document, indent=2) + "\n")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("go_file", type=Path, help=f"a copy of {GO_PATH} at --tag")
    parser.add_argument("--tag", required=True, help="the karpenter-provider-aws release tag the copy is from (v1.14.1)")
    parser.add_argument("--pricing-dir", type=Path, default=PRICING_DIR)
    parser.add_argument("--write", action="store_true", help="write the merged price lists (else only report)")
    args = parser.parse_args(argv)
    table = parse_table(args.go_file.read_text())
    print(f"{source_url(args.tag)}: generated {table.generated_on}, Regions {', '.join(sorted(table.prices))}")
    for path in sorted(args.pricing_dir.glob("*.json")):
        report = update_price_list(path, table, args.tag, write=args.write)
        print("\n".join(report.lines(path.stem)) if report else f"{path.stem}: not in the table (unchanged)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

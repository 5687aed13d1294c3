"""EC2 on-demand prices in us-east-2 and us-west-2, derived from us-east-1's generated entries.

us-east-1's ``ec2:`` entries come from Karpenter's generated Price List table
(preflight/karpenter_prices.py), which covers us-east-1 only. No generated, versioned, per-Region table
of EC2 prices could be had here (docs/cost.md, "EC2 instance hours in us-east-2 and us-west-2" lists
what was searched), so these two Regions' other offered types are priced by one rule: AWS lists the
same on-demand Linux price for a type in us-east-2 and us-west-2 as in us-east-1. The rule is checked
against every sourced pair (every transcribed ``ec2:`` entry of the Region and the us-east-1 entry of
the same type; tests/preflight/test_regional_ec2_prices.py), and a family with one pair that differs
is not derived at all (the run names it). A derived entry keeps the us-east-1 entry's unit, source
and date and says so in ``derivedFrom`` (``"ec2:c6i.4xlarge in us-east-1"``); a transcribed entry
of the Region is never replaced.

Only types AWS offers in the Region (cfn-lint's list) are derived, and only where us-east-1 has a
sourced price: a type offered in the Region but not priced in us-east-1 (newer than the table,
Dedicated-Host-only) stays unpriced, and stack config refuses it saying so.

    python -m preflight.regional_ec2_prices [--write]

Re-run it after refreshing us-east-1's table (preflight.karpenter_prices) or changing a transcribed
``ec2:`` price of these Regions; a test fails while the committed lists differ from its output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.platform import ec2_instance_types

from .derived_prices import DERIVED_FROM, parse_arguments, write_price_list

ANCHOR_REGION = "us-east-1"
DERIVED_REGIONS = ("us-east-2", "us-west-2")
PREFIX = "ec2:"


def ec2_family(instance_type: str) -> str:
    """``c6i`` of ``c6i.4xlarge``; ``u-6tb1`` of ``u-6tb1.56xlarge``."""
    return instance_type.partition(".")[0]


def derived_from(instance_type: str) -> str:
    """What a derived entry names as its origin."""
    return f"{PREFIX}{instance_type} in {ANCHOR_REGION}"


def _sourced_ec2(prices: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {key.removeprefix(PREFIX): e for key, e in prices.items() if key.startswith(PREFIX) and DERIVED_FROM not in e}


def sourced_pairs(anchor: Mapping[str, Mapping[str, Any]], prices: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[float, float]]:
    """Type -> (the Region's sourced price, us-east-1's sourced price), for every type both price from a source."""
    mine, theirs = _sourced_ec2(prices), _sourced_ec2(anchor)
    return {t: (float(mine[t]["price"]), float(theirs[t]["price"])) for t in sorted(mine) if t in theirs}


@dataclass
class Derivation:
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    """Family -> the sourced types whose price differs from us-east-1's (the family is not derived)."""
    unpriced: list[str] = field(default_factory=list)
    """Types offered in the Region that stay without a price (no sourced us-east-1 price, or an excluded family)."""


def derive(anchor: Mapping[str, Mapping[str, Any]], prices: Mapping[str, Mapping[str, Any]], offered: Iterable[str]) -> Derivation:
    """The derived ``ec2:`` entries of a Region whose list is ``prices`` (its derived ec2 entries ignored),
    for the ``offered`` types, from us-east-1's list ``anchor``."""
    result = Derivation()
    for instance_type, (price, anchor_price) in sourced_pairs(anchor, prices).items():
        if price != anchor_price:
            result.excluded.setdefault(ec2_family(instance_type), []).append(instance_type)
    sourced, anchors = _sourced_ec2(prices), _sourced_ec2(anchor)
    for instance_type in sorted(offered):
        if instance_type in sourced:
            continue
        base = anchors.get(instance_type)
        if base is None or ec2_family(instance_type) in result.excluded:
            result.unpriced.append(instance_type)
            continue
        result.added[f"{PREFIX}{instance_type}"] = {
            "price": base["price"],
            "unit": base["unit"],
            "date": base["date"],
            "source": base["source"],
            DERIVED_FROM: derived_from(instance_type),
        }
    return result


def update_price_list(
    path: Path, anchor_path: Path, *, write: bool, offered_in: Callable[[str], Iterable[str]] = ec2_instance_types
) -> Derivation:
    """Re-derive ``path``'s ``ec2:`` entries from ``anchor_path`` (us-east-1's list); other entries are kept."""
    document = json.loads(path.read_text())
    kept = {k: e for k, e in document["prices"].items() if not (k.startswith(PREFIX) and DERIVED_FROM in e)}
    result = derive(json.loads(anchor_path.read_text())["prices"], kept, offered_in(str(document["region"])))
    write_price_list(path, document, {**kept, **result.added}, write=write)
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(__doc__, argv)
    anchor_path = args.pricing_dir / f"{ANCHOR_REGION}.json"
    for region in DERIVED_REGIONS:
        result = update_price_list(args.pricing_dir / f"{region}.json", anchor_path, write=args.write)
        print(f"{region}: {len(result.added)} ec2 entries derived from {ANCHOR_REGION}, {len(result.unpriced)} offered types unpriced")
        for fam, types in sorted(result.excluded.items()):
            print(f"  {fam}: not derived, a sourced price differs from {ANCHOR_REGION}'s: {', '.join(types)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

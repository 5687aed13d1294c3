"""RDS and ElastiCache sizes without a transcribed price, derived from a priced size of the same family.

No generated, versioned table of RDS or ElastiCache prices exists the way Karpenter's exists for EC2
(preflight/karpenter_prices.py). Within a family AWS prices the sizes linearly by their normalization
factor (large = 4 units, xlarge = 8, 2xlarge = 16, Nxlarge = 8N; medium 2, small 1, micro 0.5, nano
0.25), each size's price rounded to the published digits. So a size the list lacks is priced from the
largest transcribed (sourced, not derived) size of its family in the same Region and variant (RDS
Single-AZ and Multi-AZ; ElastiCache Redis OSS and Valkey), times the ratio of their factors, and says
so in ``derivedFrom`` (``"db.r6g.2xlarge x 2"``); it keeps its anchor's unit, source and date. The
tests check that the transcribed sizes of every family obey the same scaling within rounding.

Only the families stack config accepts (components/data) are derived, only for sizes AWS offers in the
Region (cfn-lint's lists), and only where the family has a transcribed anchor there: a family with
none stays unpriced (and refused by config) until its published price is added.

    python -m preflight.derived_prices [--write]

Re-running recomputes every derived entry from the current anchors (a changed anchor moves its family).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.data import ALLOWED_CACHE_NODE_FAMILIES, ALLOWED_DB_INSTANCE_FAMILIES, SUPPORTED_CACHE_ENGINES
from components.platform import elasticache_node_types, rds_instance_classes
from policies.cost_model import cache_node_price_key, rds_instance_price_key

PRICING_DIR = Path(__file__).resolve().parents[1] / "policies" / "pricing"
DERIVED_FROM = "derivedFrom"
# Published prices are rounded to a tenth of a cent (Valkey's are 80% of such a price): each of two sizes
# may be off its exact linear share by half of that. RDS publishes Multi-AZ hours at twice the rounded
# Single-AZ price, so twice that.
ROUNDING = 0.0005

_NAMED = {"nano": 0.25, "micro": 0.5, "small": 1.0, "medium": 2.0, "large": 4.0, "xlarge": 8.0}
_MULTIPLE = re.compile(r"^(\d+)xlarge$")


def size_factor(name: str) -> float | None:
    """AWS's normalization factor of ``name``'s size (``db.r6g.2xlarge`` -> 16); None for metal and the like."""
    size = name.rpartition(".")[2]
    if size in _NAMED:
        return _NAMED[size]
    match = _MULTIPLE.match(size)
    return 8.0 * int(match.group(1)) if match else None


def family(name: str) -> str:
    return name.rpartition(".")[0]


def scales(anchor_price: float, factor: float, price: float, rounding: float = ROUNDING) -> bool:
    """Whether ``price`` is ``anchor_price`` x ``factor`` within the rounding of two published prices."""
    return abs(anchor_price * factor - price) <= rounding * (1 + factor) + 1e-9


@dataclass(frozen=True)
class Variant:
    """One price series of a service: how a size's entry key is spelt."""

    name: str
    key: Callable[[str], str]
    rounding: float = ROUNDING
    """How far a published price of the series may be off its exact linear share."""


def _cache_key(engine: str) -> Callable[[str], str]:
    return lambda node_type: cache_node_price_key(engine, node_type)


def variants() -> dict[str, tuple[tuple[str, ...], Callable[[str], Iterable[str]], tuple[Variant, ...]]]:
    """Service -> (families config accepts, sizes AWS offers in a Region, the price series of a size)."""
    return {
        "rds": (
            ALLOWED_DB_INSTANCE_FAMILIES,
            lambda region: rds_instance_classes(region, "postgres"),
            (
                Variant("postgres Single-AZ", lambda c: rds_instance_price_key("postgres", c, False)),
                Variant("postgres Multi-AZ", lambda c: rds_instance_price_key("postgres", c, True), 2 * ROUNDING),
            ),
        ),
        "elasticache": (
            ALLOWED_CACHE_NODE_FAMILIES,
            elasticache_node_types,
            tuple(Variant(engine, _cache_key(engine)) for engine in SUPPORTED_CACHE_ENGINES),
        ),
    }


@dataclass
class Derivation:
    added: dict[str, dict[str, Any]]
    unanchored: dict[str, list[str]]
    """Variant name -> families with offered sizes but no transcribed anchor in the Region (left unpriced)."""


def derive(prices: Mapping[str, Mapping[str, Any]], region: str) -> Derivation:
    """The derived entries ``prices`` (a Region's list, derived entries ignored) implies for ``region``."""
    sourced = {key: entry for key, entry in prices.items() if DERIVED_FROM not in entry}
    added: dict[str, dict[str, Any]] = {}
    unanchored: dict[str, list[str]] = {}
    for families, offered_in, series in variants().values():
        offered = sorted(name for name in offered_in(region) if family(name) in families and size_factor(name))
        for variant in series:
            for fam in families:
                sizes = [name for name in offered if family(name) == fam]
                anchors = [name for name in sizes if variant.key(name) in sourced]
                if not anchors:
                    if sizes:
                        unanchored.setdefault(variant.name, []).append(fam)
                    continue
                anchor = max(anchors, key=lambda name: size_factor(name) or 0)
                base = sourced[variant.key(anchor)]
                for name in sizes:
                    if variant.key(name) in sourced:
                        continue
                    factor = (size_factor(name) or 0) / (size_factor(anchor) or 1)
                    added[variant.key(name)] = {
                        "price": round(float(base["price"]) * factor, 6),
                        "unit": base["unit"],
                        "date": base["date"],
                        "source": base["source"],
                        DERIVED_FROM: f"{anchor} x {factor:g}",
                    }
    return Derivation(added, unanchored)


def update_price_list(path: Path, *, write: bool) -> Derivation:
    document = json.loads(path.read_text())
    region = str(document["region"])
    kept = {key: entry for key, entry in document["prices"].items() if DERIVED_FROM not in entry}
    result = derive(kept, region)
    # Other scripts' derived entries (preflight/regional_ec2_prices.py's ec2: ones) are theirs to keep.
    others = {key: entry for key, entry in document["prices"].items() if DERIVED_FROM in entry and key.startswith("ec2:")}
    write_price_list(path, document, {**kept, **others, **result.added}, write=write)
    return result


def write_price_list(path: Path, document: dict[str, Any], prices: Mapping[str, Any], *, write: bool) -> None:
    """``document`` with ``prices`` (sorted by key), written back to ``path`` when ``write``."""
    document["prices"] = dict(sorted(prices.items()))
    if write:
        path.write_text(json.dumps(document, indent=2) + "\n")


def parse_arguments(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """The options of a price-list derivation script: ``--pricing-dir``, ``--write``."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--pricing-dir", type=Path, default=PRICING_DIR)
    parser.add_argument("--write", action="store_true", help="write the price lists (else only report)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(__doc__, argv)
    for path in sorted(args.pricing_dir.glob("*.json")):
        result = update_price_list(path, write=args.write)
        print(f"{path.stem}: {len(result.added)} derived entries")
        for name, families in sorted(result.unanchored.items()):
            print(f"  {name}: no transcribed anchor, left unpriced: {', '.join(families)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

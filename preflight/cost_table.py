"""The cost estimate for people: totals first, repeated small items as one line with a count, by cost.

Works on the ``cost`` section of a plan (``preflight --json``), where every line item stays as it
is: grouping is only how the report shows them. Items group when they are of one type, cost the
same (baseline, peak and with commitments) and each costs less than ``SMALL`` a month: 47 alarms
at $0.10 are one line "CloudWatch alarm (47 x $0.10)". Larger items always keep their own line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SMALL = 50.0
"""USD/month: items under this may be grouped; anything dearer is always shown on its own."""


@dataclass(frozen=True)
class Row:
    description: str
    count: int
    baseline: float
    peak: float
    committed: float
    type: str

    @property
    def each(self) -> float:
        return self.baseline / self.count if self.count else 0.0


def common_label(descriptions: Sequence[str], fallback: str) -> str:
    """What the descriptions of a group share, cut at a word: "CloudWatch alarm", "KMS key"."""
    first = descriptions[0]
    end = len(first)
    for other in descriptions[1:]:
        end = min(end, len(other))
        for index in range(end):
            if first[index] != other[index]:
                end = index
                break
    prefix = first[:end]
    words = prefix.rsplit(" ", 1)[0] if " " in prefix and not prefix.endswith(" ") else prefix
    words = re.sub(r"[\s:,(+-]+$", "", words.strip())
    return words or fallback


def _type_label(token: str) -> str:
    return token.rsplit(":", 1)[-1] if ":" in token else token


def rows(cost: Mapping[str, Any], *, details: bool = False) -> list[Row]:
    """The estimate's line items as report rows, largest first."""
    items = list(cost.get("items") or [])
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    singles: list[Row] = []
    for item in items:
        baseline, peak, committed = (round(float(item.get(k) or 0.0), 2) for k in ("monthly", "peak_monthly", "committed_monthly"))
        if details or max(baseline, peak) >= SMALL:
            singles.append(Row(str(item["description"]), 1, baseline, peak, committed, str(item["type"])))
            continue
        groups.setdefault((item["type"], baseline, peak, committed), []).append(item)
    result = list(singles)
    for (token, baseline, peak, committed), members in groups.items():
        if len(members) == 1:
            result.append(Row(str(members[0]["description"]), 1, baseline, peak, committed, str(token)))
            continue
        label = common_label(sorted(str(m["description"]) for m in members), _type_label(str(token)))
        n = len(members)
        result.append(Row(label, n, baseline * n, peak * n, committed * n, str(token)))
    return sorted(result, key=lambda r: (-r.baseline, -r.peak, r.description))


def _money(value: float) -> str:
    return f"${value:,.2f}"


def text_lines(cost: Mapping[str, Any], *, details: bool = False) -> list[str]:
    """Totals, then one line per row (a count and the price of one where items were grouped)."""
    currency = cost.get("currency", "USD")
    lines = [
        f"total ({currency}/month, {cost.get('region', '')}): baseline {_money(float(cost.get('baseline_monthly') or 0))}, "
        f"peak {_money(float(cost.get('peak_monthly') or 0))}, with commitments {_money(float(cost.get('committed_monthly') or 0))}",
    ]
    table = rows(cost, details=details)
    width = max([len(label(r)) for r in table] + [30])
    lines.append(f"{'item':<{width}}  {'baseline':>12}  {'peak':>12}  {'committed':>12}")
    for r in table:
        lines.append(f"{label(r):<{width}}  {_money(r.baseline):>12}  {_money(r.peak):>12}  {_money(r.committed):>12}")
    if not details and len(table) < len(cost.get("items") or []):
        lines.append(f"({len(cost.get('items') or [])} line items in {len(table)} rows; --cost-details shows every item)")
    return lines


def label(row: Row) -> str:
    return row.description if row.count == 1 else f"{row.description} ({row.count} x {_money(row.each)})"

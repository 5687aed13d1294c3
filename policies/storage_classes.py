"""Where a bucket's data sits over its lifecycle: the share of it in each S3 storage class.

The estimate assumes objects arrive at a steady rate and are kept until the bucket's
expiration (or a configured horizon when nothing expires them). An object's age is then
uniform over that span, so the share in a class is the span the lifecycle keeps objects
in it, over the whole span. The pack must stand alone, so this lives here (pure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Storage class -> the price-list key of its GB-month price.
PRICE_KEYS = {
    "STANDARD": "s3:standard",
    "STANDARD_IA": "s3:standard-ia",
    "ONEZONE_IA": "s3:onezone-ia",
    "GLACIER_IR": "s3:glacier-ir",
    "GLACIER": "s3:glacier",
    "DEEP_ARCHIVE": "s3:deep-archive",
}
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"


def lifecycle_of(rules: Iterable[Mapping[str, Any]]) -> tuple[list[tuple[int, str]], int | None]:
    """The whole-bucket rule's transitions (days, class) and expiration days, as the lifecycle resource states them."""
    for rule in rules:
        if not isinstance(rule, Mapping) or rule.get("status", "Enabled") != "Enabled":
            continue
        prefix = (rule.get("filter") or {}).get("prefix", "") if isinstance(rule.get("filter"), Mapping) else ""
        if prefix:
            continue  # a prefix rule covers part of the bucket only
        transitions = sorted(
            (int(t["days"]), str(t["storageClass"]))
            for t in rule.get("transitions") or []
            if isinstance(t, Mapping) and isinstance(t.get("days"), (int, float)) and t.get("storageClass")
        )
        expiration = (rule.get("expiration") or {}).get("days") if isinstance(rule.get("expiration"), Mapping) else None
        return transitions, int(expiration) if isinstance(expiration, (int, float)) else None
    return [], None


def class_shares(transitions: list[tuple[int, str]], expiration_days: int | None, horizon_days: float) -> dict[str, float]:
    """Share of the bucket's bytes in each class (they sum to 1)."""
    span = float(expiration_days) if expiration_days else float(horizon_days)
    if span <= 0:
        return {"STANDARD": 1.0}
    shares: dict[str, float] = {}
    steps = [(0, "STANDARD"), *transitions]
    for (start, cls), (end, _) in zip(steps, [*steps[1:], (span, "")]):
        low, high = min(float(start), span), min(float(end), span)
        if high > low:
            shares[cls] = shares.get(cls, 0.0) + (high - low) / span
    return shares or {"STANDARD": 1.0}

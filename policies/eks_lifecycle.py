"""The EKS Kubernetes version calendar, as data: which support a version has on a given day.

Standard support lasts 14 months from a version's EKS release and bills $0.10 per cluster
hour; extended support follows for 12 months at $0.60; after that EKS upgrades the control
plane itself. The calendar (``eks_versions.json``, with its source) drives the cost model's
control-plane price, the pack's support-status policies and the ``eks`` settings' checks, so
the day a pinned version leaves standard support the project says so instead of billing it
silently.

Pure and dependency-free, like ``cost_model``: the pack imports it as ``eks_lifecycle`` when
Pulumi runs ``policies/`` as its own program.
"""

from __future__ import annotations

import calendar
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

CALENDAR_PATH = Path(__file__).resolve().parent / "eks_versions.json"

STANDARD = "standard"
EXTENDED = "extended"
UNSUPPORTED = "unsupported"
"""Past the end of extended support: EKS upgrades the control plane and creates no new cluster."""
UNKNOWN = "unknown"
"""Not in the calendar (a version EKS does not offer, or one released after the calendar's date)."""

WARNING_DAYS = 90
"""How long before the end of standard support ``preflight`` starts warning."""

TODAY_ENV = "BETTERPROMPTS_TODAY"
"""``YYYY-MM-DD``: the day to judge support on instead of today (tests, a what-if for a future month)."""


@dataclass(frozen=True)
class EksVersion:
    version: str
    release: date
    end_of_standard_support: date
    end_of_extended_support: date

    def status(self, day: date) -> str:
        if day < self.end_of_standard_support:
            return STANDARD
        if day < self.end_of_extended_support:
            return EXTENDED
        return UNSUPPORTED


@dataclass(frozen=True)
class Calendar:
    versions: Mapping[str, EksVersion]
    addons: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Kubernetes version -> add-on name -> builds recorded as published for it."""
    source: str

    def get(self, version: str) -> EksVersion | None:
        return self.versions.get(version)

    def status(self, version: str, day: date) -> str:
        entry = self.versions.get(version)
        return UNKNOWN if entry is None else entry.status(day)

    def offered(self, day: date) -> list[str]:
        """Versions a new cluster can be created on, on ``day`` (standard or extended support)."""
        return [v for v, e in self.versions.items() if e.release <= day and e.status(day) != UNSUPPORTED]

    def in_standard_support(self, day: date) -> list[str]:
        return [v for v, e in self.versions.items() if e.release <= day and e.status(day) == STANDARD]

    def extended_share(self, version: str, month: date) -> float:
        """The share of ``month``'s hours the version spends in extended support (1.0 when unknown)."""
        entry = self.versions.get(version)
        if entry is None:
            return 1.0
        first = month.replace(day=1)
        days = calendar.monthrange(first.year, first.month)[1]
        last_exclusive = date.fromordinal(first.toordinal() + days)
        start = max(first, entry.end_of_standard_support)
        extended_days = max((last_exclusive - start).days, 0)
        return min(extended_days / days, 1.0)

    def builds(self, version: str, addon: str) -> tuple[str, ...]:
        return self.addons.get(version, {}).get(addon, ())


def _day(text: str) -> date:
    return date.fromisoformat(text)


@lru_cache(maxsize=None)
def load_calendar(path: str = str(CALENDAR_PATH)) -> Calendar:
    document: Mapping[str, Any] = json.loads(Path(path).read_text())
    versions = {
        version: EksVersion(
            version=version,
            release=_day(entry["release"]),
            end_of_standard_support=_day(entry["endOfStandardSupport"]),
            end_of_extended_support=_day(entry["endOfExtendedSupport"]),
        )
        for version, entry in document["versions"].items()
    }
    addons = {
        version: {name: tuple(builds) for name, builds in by_addon.items()}
        for version, by_addon in (document.get("addons") or {}).get("versions", {}).items()
    }
    return Calendar(versions=versions, addons=addons, source=str(document.get("source", "")))


def today() -> date:
    """The day support is judged on: ``BETTERPROMPTS_TODAY`` when set, else today (UTC)."""
    override = os.environ.get(TODAY_ENV)
    if override:
        return date.fromisoformat(override)
    return datetime.now(timezone.utc).date()


def month_of(day: date) -> date:
    return day.replace(day=1)

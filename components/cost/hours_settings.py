"""``betterprompts:cost.businessHours``: when capacity floors are raised, and to what.

The windows share the schedule model (``hours_plan``) with ``cost.shutdown``: one time zone for
both, so every minute of the week has one level; the floors are checked against the node groups,
services and SageMaker variant they raise in ``components/settings.py`` (they live in other sections).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..platform import ConfigError, Section
from .hours_plan import Level, Window, weekly_levels
from .plan import DAY_NAMES, CronError, WeeklyCron, _field

# Config keys of the services whose HPA minimums are raised -> their HPA (and Deployment) names.
SERVICE_KEYS = {
    "frontend": "frontend",
    "intentClassifier": "intent-classifier",
    "techniqueSelector": "technique-selector",
    "promptGenerator": "prompt-generator",
}


@dataclass(frozen=True)
class Floors:
    """Minimums during business hours (each at least the target's own minimum, at most its maximum)."""

    node_groups: Mapping[str, int] = field(default_factory=dict)
    """Node group (pool name) -> minimum nodes."""
    services: Mapping[str, int] = field(default_factory=dict)
    """HPA name (``frontend``, ``intent-classifier``, ``technique-selector``, ``prompt-generator``) -> minReplicas."""
    sagemaker_instances: int | None = None
    """The SageMaker variant's minimum instance count (multi-model GPU endpoints only)."""


@dataclass(frozen=True)
class BusinessHoursSettings:
    enabled: bool = False
    timezone: str = "UTC"
    """IANA zone of the windows; the shutdown's zone when both are enabled (one weekly model)."""
    windows: tuple[Window, ...] = ()
    floors: Floors = Floors()

    def levels(self, shutdown: tuple[WeeklyCron, WeeklyCron] | None) -> list[Level]:
        return weekly_levels(self.windows if self.enabled else (), shutdown)


def read_business_hours(section: Section, *, shutdown_enabled: bool, shutdown_timezone: str) -> BusinessHoursSettings:
    enabled = section.boolean("enabled", False)
    timezone = section.string("timezone", shutdown_timezone if shutdown_enabled else "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(section.key("timezone"), timezone, "an IANA time zone such as America/New_York or UTC") from None
    if enabled and shutdown_enabled and timezone != shutdown_timezone:
        raise ConfigError(
            section.key("timezone"),
            timezone,
            f"the shutdown's zone ({shutdown_timezone}): both are one weekly schedule; write each region's hours in it",
        )
    windows = _windows(section, section.raw("windows", []), required=enabled)
    floors = _floors(section.child("floors", {}), required=enabled)
    section.finish()
    return BusinessHoursSettings(enabled=enabled, timezone=timezone, windows=windows, floors=floors)


def _windows(section: Section, raw: Any, *, required: bool) -> tuple[Window, ...]:
    key = section.key("windows")
    if isinstance(raw, (str, Mapping)) or not isinstance(raw, Sequence):
        raise ConfigError(key, raw, "a list of {days, start, end} windows")
    if required and not raw:
        raise ConfigError(key, raw, "at least one window while business hours are enabled")
    windows = []
    for index, item in enumerate(raw):
        entry = Section(item, f"{key}[{index}]")
        days_text = entry.string("days")
        try:
            # EventBridge's day-of-week field: 1-7 from Sunday, names, ranges and lists (MON-FRI).
            days = frozenset(_field(days_text, 1, 7, names=DAY_NAMES, offset=1))
        except CronError as exc:
            raise ConfigError(entry.key("days"), days_text, f"days of the week such as MON-FRI or SAT,SUN ({exc})") from None
        start = entry.integer("start", minimum=0, maximum=23)
        end = entry.integer("end", minimum=1, maximum=24)
        if end == start:
            raise ConfigError(entry.key("end"), end, f"an hour other than the start ({start}); an end before the start runs past midnight")
        entry.finish()
        windows.append(Window(days, start, end))
    return tuple(windows)


def _floors(section: Section, *, required: bool) -> Floors:
    node_groups = _counts(section.child("nodeGroups", {}))
    services_section = section.child("services", {})
    services: dict[str, int] = {}
    for name in services_section.names():
        if name not in SERVICE_KEYS:
            raise ConfigError(services_section.key(name), None, "one of " + ", ".join(SERVICE_KEYS))
        services[SERVICE_KEYS[name]] = services_section.integer(name, minimum=1)
    services_section.finish()
    sagemaker = section.integer("sagemakerInstances") if section.has("sagemakerInstances") else None
    if sagemaker is not None and sagemaker < 1:
        raise ConfigError(section.key("sagemakerInstances"), sagemaker, "at least 1")
    section.finish()
    floors = Floors(node_groups=node_groups, services=services, sagemaker_instances=sagemaker)
    if required and not (node_groups or services or sagemaker):
        raise ConfigError(section.path, {}, "at least one floor (nodeGroups, services or sagemakerInstances) while business hours are enabled")
    return floors


def _counts(section: Section) -> dict[str, int]:
    counts = {name: section.integer(name, minimum=1) for name in section.names()}
    section.finish()
    return counts

"""Checks for the daily backup windows and weekly maintenance windows RDS and ElastiCache take.

Both services want UTC ranges: ``hh24:mi-hh24:mi`` for the daily backup/snapshot window
and ``ddd:hh24:mi-ddd:hh24:mi`` for the weekly maintenance window. A window written any
other way is rejected here, before the API would reject it mid-deployment.
"""

from __future__ import annotations

import re
from typing import Any

from .config import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"^{_TIME}-{_TIME}$")
_WEEKLY = re.compile(rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$")


def daily_minutes(window: str) -> tuple[int, int]:
    """Start and end of a ``hh:mm-hh:mm`` window as minutes of the day (end may wrap past midnight)."""
    match = _DAILY.match(window)
    if not match:
        raise ValueError(window)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


def weekly_minutes(window: str) -> tuple[int, int]:
    """Start and end of a ``ddd:hh:mm-ddd:hh:mm`` window as minutes of the week."""
    match = _WEEKLY.match(window)
    if not match:
        raise ValueError(window)
    d1, h1, m1, d2, h2, m2 = match.groups()
    return (
        DAYS.index(d1) * 1440 + int(h1) * 60 + int(m1),
        DAYS.index(d2) * 1440 + int(h2) * 60 + int(m2),
    )


def _span(start: int, end: int, cycle: int) -> int:
    return (end - start) % cycle


# Valid windows that do not overlap: the examples error messages give, and a survey's stand-ins.
EXAMPLE_DAILY_WINDOW = "03:00-04:00"
EXAMPLE_WEEKLY_WINDOW = "sun:04:30-sun:05:30"


def check_daily_window(key: str, value: Any, *, min_minutes: int = 30) -> str:
    """A daily UTC window of at least ``min_minutes`` (both services require 30 minutes or more)."""
    if not isinstance(value, str) or not _DAILY.match(value):
        raise ConfigError(key, value, f"a daily UTC window hh:mm-hh:mm such as {EXAMPLE_DAILY_WINDOW}")
    start, end = daily_minutes(value)
    if _span(start, end, 1440) < min_minutes:
        raise ConfigError(key, value, f"a window of at least {min_minutes} minutes")
    return value


def check_weekly_window(key: str, value: Any, *, min_minutes: int = 60) -> str:
    """A weekly UTC window (``ddd:hh:mm-ddd:hh:mm``) of at least ``min_minutes``."""
    if not isinstance(value, str) or not _WEEKLY.match(value):
        raise ConfigError(key, value, f"a weekly UTC window ddd:hh:mm-ddd:hh:mm such as {EXAMPLE_WEEKLY_WINDOW}")
    start, end = weekly_minutes(value)
    if _span(start, end, 7 * 1440) < min_minutes:
        raise ConfigError(key, value, f"a window of at least {min_minutes} minutes")
    return value


def windows_overlap(daily: str, weekly: str) -> bool:
    """Whether a daily window overlaps a weekly one on any day (RDS refuses overlapping windows)."""
    d_start, d_end = daily_minutes(daily)
    d_len = _span(d_start, d_end, 1440)
    w_start, w_end = weekly_minutes(weekly)
    w_len = _span(w_start, w_end, 7 * 1440)
    week = 7 * 1440
    for day in range(7):
        start = day * 1440 + d_start
        # Two intervals on a circle overlap when either start lies inside the other interval.
        if _span(w_start, start, week) < w_len or _span(start, w_start, week) < d_len:
            return True
    return False

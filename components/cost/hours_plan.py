"""One weekly schedule model for business hours and the off-hours shutdown.

Every minute of a week (in the stack's one schedule time zone) is at one level:

- ``OFF``: inside the shutdown (between a stop and the next start of ``cost.shutdown``);
- ``PEAK``: inside a business-hours window (``cost.businessHours.windows``, several for follow-the-sun);
- ``BASE``: otherwise.

The shutdown wins: a minute both shut down and in a window is ``OFF``, so a window that opens
before the morning start raises nothing until the start, and the start itself raises the floors.
Each target then acts only where the level changes (``target_events``): node groups stop at
``OFF``, come back at ``BASE`` and are raised at ``PEAK``; the SageMaker variant and the HPAs
are not shut down (the nodes under the pods are), so for them ``OFF`` counts as ``BASE``.
Each (event, time of day) becomes one schedule whose days are the weekdays it happens on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from .plan import DAY_NAMES, MINUTES_PER_WEEK, WeeklyCron

MINUTES_PER_DAY = 24 * 60


class Level(IntEnum):
    OFF = 0
    BASE = 1
    PEAK = 2


@dataclass(frozen=True)
class Window:
    """Business hours on some weekdays (0 = Sunday), ``start_hour`` to ``end_hour`` local time.

    ``end_hour`` 24 is midnight; an end at or before the start runs past midnight into the next day.
    """

    weekdays: frozenset[int]
    start_hour: int
    end_hour: int

    def __post_init__(self) -> None:
        if not self.weekdays or not all(0 <= d <= 6 for d in self.weekdays):
            raise ValueError(f"weekdays 0-6 (Sunday first), got {sorted(self.weekdays)}")
        if not 0 <= self.start_hour <= 23 or not 1 <= self.end_hour <= 24 or self.end_hour == self.start_hour:
            raise ValueError(f"a start hour 0-23 and a different end hour 1-24, got {self.start_hour}-{self.end_hour}")

    @property
    def minutes(self) -> int:
        length = (self.end_hour - self.start_hour) % 24 or 24
        return length * 60

    def covers(self) -> Iterable[int]:
        """The minutes of the week inside the window."""
        for day in self.weekdays:
            start = day * MINUTES_PER_DAY + self.start_hour * 60
            for offset in range(self.minutes):
                yield (start + offset) % MINUTES_PER_WEEK


def weekly_levels(windows: Sequence[Window], shutdown: tuple[WeeklyCron, WeeklyCron] | None = None) -> list[Level]:
    """The level of every minute of the week; ``shutdown`` is (start, stop) when it is enabled."""
    levels = [Level.BASE] * MINUTES_PER_WEEK
    for window in windows:
        for minute in window.covers():
            levels[minute] = Level.PEAK
    if shutdown is not None:
        start, stop = shutdown
        running = True
        # Two laps: the state at the start of the second is the one the weekly schedule settles in.
        for lap in range(2):
            for minute in range(MINUTES_PER_WEEK):
                day, rest = divmod(minute, MINUTES_PER_DAY)
                hour, minute_of_hour = divmod(rest, 60)
                if start.fires(day, hour, minute_of_hour):
                    running = True
                elif stop.fires(day, hour, minute_of_hour):
                    running = False
                if lap == 1 and not running:
                    levels[minute] = Level.OFF
    return levels


def peak_fraction(levels: Sequence[Level]) -> float:
    """Share of the week at ``PEAK`` (the estimate prices raised floors for this share)."""
    return sum(1 for level in levels if level is Level.PEAK) / MINUTES_PER_WEEK


@dataclass(frozen=True)
class Moment:
    """When a schedule fires: the weekdays (0 = Sunday) and the local time of day."""

    weekdays: frozenset[int]
    hour: int
    minute: int

    @property
    def key(self) -> str:
        """``07`` for 07:00, ``0730`` for 07:30: short, since it ends up in schedule names (64 characters)."""
        return f"{self.hour:02d}" if self.minute == 0 else f"{self.hour:02d}{self.minute:02d}"

    def scheduler_cron(self) -> str:
        """EventBridge Scheduler and Application Auto Scaling: ``cron(m h ? * DAYS *)``."""
        return f"cron({self.minute} {self.hour} ? * {_days(self.weekdays, names=True)} *)"

    def kubernetes_cron(self) -> str:
        """A CronJob's five fields (read in the CronJob's ``timeZone``); days 0-6 from Sunday."""
        return f"{self.minute} {self.hour} * * {_days(self.weekdays, names=False)}"


def _days(weekdays: frozenset[int], *, names: bool) -> str:
    """Weekdays as cron ranges: MON-FRI (EventBridge numbers 1-7 from Sunday; names avoid the offset) or 1-5."""
    label: Callable[[int], str] = (lambda d: DAY_NAMES[d]) if names else str
    days = sorted(weekdays)
    if len(days) == 7:
        return "*"
    parts: list[str] = []
    run = [days[0]]
    for day in days[1:]:
        if day == run[-1] + 1:
            run.append(day)
            continue
        parts.append(_run(run, label))
        run = [day]
    parts.append(_run(run, label))
    return ",".join(parts)


def _run(run: list[int], label: Callable[[int], str]) -> str:
    return label(run[0]) if len(run) == 1 else f"{label(run[0])}-{label(run[-1])}"


Action = Callable[[Level, Level], "str | None"]
"""(previous level, new level) -> the event a target takes (``stop``, ``start``, ``raise``, ``lower``) or None."""


def target_events(levels: Sequence[Level], action: Action) -> dict[str, Moment]:
    """The target's schedules: event name -> when it fires, one per (event, time of day).

    An event that happens at one time of day is named by the event alone (``stop``); one that
    happens at several times gets the time as a suffix (``raise-07``, ``raise-1330``).
    """
    by_time: dict[tuple[str, int, int], set[int]] = {}
    for minute in range(MINUTES_PER_WEEK):
        previous, level = levels[minute - 1], levels[minute]
        if previous is level:
            continue
        event = action(previous, level)
        if event is None:
            continue
        day, rest = divmod(minute, MINUTES_PER_DAY)
        hour, minute_of_hour = divmod(rest, 60)
        by_time.setdefault((event, hour, minute_of_hour), set()).add(day)
    counts: dict[str, int] = {}
    for event, _, _ in by_time:
        counts[event] = counts.get(event, 0) + 1
    out: dict[str, Moment] = {}
    for (event, hour, minute_of_hour), days in sorted(by_time.items()):
        moment = Moment(frozenset(days), hour, minute_of_hour)
        out[event if counts[event] == 1 else f"{event}-{moment.key}"] = moment
    return out


def node_group_action(*, base_min: int, floor: int | None) -> Action:
    """A node group: scaled to zero at ``OFF``; back to its minimum at ``BASE``; raised at ``PEAK``.

    A group that scales from zero (``base_min`` 0) is not started: a start with DesiredSize 0
    would only remove the nodes the autoscaler brought up for pods waiting since.
    """

    def act(previous: Level, level: Level) -> str | None:
        if level is Level.OFF:
            return "stop"
        if level is Level.PEAK and floor is not None:
            return "raise"
        if previous is Level.OFF:
            return "start" if base_min > 0 else None
        if previous is Level.PEAK and floor is not None:
            return "lower"
        return None

    return act


def floor_action(*, floor: int | None) -> Action:
    """A target the shutdown does not stop (SageMaker variant, HPA): raised at ``PEAK``, lowered after."""

    def act(previous: Level, level: Level) -> str | None:
        if floor is None:
            return None
        was, now = max(previous, Level.BASE), max(level, Level.BASE)
        if was is now:
            return None
        return "raise" if now is Level.PEAK else "lower"

    return act

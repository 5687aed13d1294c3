"""One weekly schedule model: business-hours windows and the shutdown (which wins), per target's events and crons."""

from __future__ import annotations

import pytest

from components.cost.hours_plan import (
    Level,
    Window,
    floor_action,
    node_group_action,
    peak_fraction,
    target_events,
    weekly_levels,
)
from components.cost.plan import parse_cron

WEEKDAYS = frozenset(range(1, 6))
SHUTDOWN = (parse_cron("cron(0 8 ? * MON-FRI *)"), parse_cron("cron(0 20 ? * MON-FRI *)"))


def at(day: int, hour: int, minute: int = 0) -> int:
    return day * 24 * 60 + hour * 60 + minute


def crons(events: dict) -> dict[str, str]:
    return {name: moment.scheduler_cron() for name, moment in events.items()}


def test_a_window_raises_the_level_for_its_hours_on_its_days() -> None:
    levels = weekly_levels([Window(WEEKDAYS, 7, 19)])
    assert levels[at(1, 6, 59)] is Level.BASE
    assert levels[at(1, 7)] is Level.PEAK and levels[at(5, 18, 59)] is Level.PEAK
    assert levels[at(1, 19)] is Level.BASE and levels[at(6, 12)] is Level.BASE
    assert peak_fraction(levels) == pytest.approx(60 / 168)


def test_the_shutdown_wins_and_its_start_raises_the_floor() -> None:
    levels = weekly_levels([Window(WEEKDAYS, 7, 19)], SHUTDOWN)
    assert levels[at(1, 7, 30)] is Level.OFF  # the window has opened, the shutdown has not ended
    assert levels[at(1, 8)] is Level.PEAK and levels[at(1, 19)] is Level.BASE and levels[at(1, 20)] is Level.OFF
    assert levels[at(6, 12)] is Level.OFF and levels[at(0, 12)] is Level.OFF
    nodes = target_events(levels, node_group_action(base_min=2, floor=4))
    assert crons(nodes) == {
        "stop": "cron(0 20 ? * MON-FRI *)",
        "raise": "cron(0 8 ? * MON-FRI *)",  # no separate start: the start is the raise
        "lower": "cron(0 19 ? * MON-FRI *)",
    }
    # The HPAs and the SageMaker variant are not shut down: raised at the start, lowered at the window's end only.
    assert crons(target_events(levels, floor_action(floor=5))) == {"raise": "cron(0 8 ? * MON-FRI *)", "lower": "cron(0 19 ? * MON-FRI *)"}


def test_shutdown_alone_keeps_the_stop_and_start_schedules_as_configured() -> None:
    levels = weekly_levels([], SHUTDOWN)
    assert crons(target_events(levels, node_group_action(base_min=2, floor=None))) == {
        "start": "cron(0 8 ? * MON-FRI *)",
        "stop": "cron(0 20 ? * MON-FRI *)",
    }
    # A group that scales from zero is stopped, never started (a start would remove nodes pods wait on).
    assert list(target_events(levels, node_group_action(base_min=0, floor=None))) == ["stop"]
    assert target_events(levels, floor_action(floor=None)) == {}


def test_follow_the_sun_windows_past_midnight_and_overlaps() -> None:
    levels = weekly_levels([Window(WEEKDAYS, 7, 19), Window(WEEKDAYS, 22, 6), Window(WEEKDAYS, 12, 20)])
    events = target_events(levels, floor_action(floor=3))
    assert crons(events) == {
        "lower-06": "cron(0 6 ? * TUE-SAT *)",
        "lower-20": "cron(0 20 ? * MON-FRI *)",
        "raise-07": "cron(0 7 ? * MON-FRI *)",
        "raise-22": "cron(0 22 ? * MON-FRI *)",
    }
    assert events["lower-06"].kubernetes_cron() == "0 6 * * 2-6"
    weekend = target_events(weekly_levels([Window(frozenset({0, 6}), 9, 17)]), floor_action(floor=3))
    assert crons(weekend)["raise"] == "cron(0 9 ? * SUN,SAT *)" and weekend["raise"].kubernetes_cron() == "0 9 * * 0,6"
    every_day = target_events(weekly_levels([Window(frozenset(range(7)), 8, 18)]), floor_action(floor=3))
    assert every_day["raise"].scheduler_cron() == "cron(0 8 ? * * *)"


@pytest.mark.parametrize(("days", "start", "end"), [(frozenset(), 7, 19), (frozenset({7}), 7, 19), (WEEKDAYS, 7, 7), (WEEKDAYS, 24, 2), (WEEKDAYS, 7, 0)])
def test_bad_windows_are_refused(days: frozenset[int], start: int, end: int) -> None:
    with pytest.raises(ValueError):
        Window(days, start, end)

"""AlarmSpec: the shared alarm description refuses what CloudWatch would refuse."""

from __future__ import annotations

import pytest

from components.platform.alarms import AlarmSpec


def _spec(**overrides: object) -> AlarmSpec:
    values: dict[str, object] = dict(
        key="x", metric="M", namespace="N", threshold=1.0, comparison="GreaterThanThreshold",
        period_seconds=60, evaluation_periods=3, statistic="Sum", description="d",
    )
    values.update(overrides)
    return AlarmSpec(**values)  # type: ignore[arg-type]


def test_a_good_spec() -> None:
    spec = _spec(datapoints_to_alarm=2)
    assert spec.treat_missing_data == "missing"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"statistic": None}, "exactly one"),
        ({"extended_statistic": "p95"}, "exactly one"),
        ({"treat_missing_data": "zero"}, "is not one of"),
        ({"statistic": None, "extended_statistic": "95"}, "is not pNN"),
        ({"statistic": "Median"}, "is not one of"),
        ({"comparison": "Above"}, "is not one of"),
        ({"period_seconds": 90}, "multiple of 60"),
        ({"evaluation_periods": 0}, "at least 1"),
        ({"datapoints_to_alarm": 4}, "1..evaluation_periods"),
    ],
)
def test_bad_specs(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _spec(**overrides)

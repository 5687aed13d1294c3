"""CloudFront's choices as data: behaviour paths, names, the KPI alarm specs."""

from __future__ import annotations

import pytest

from components.edge.cdn_plan import (
    MAX_CACHE_BEHAVIORS,
    api_behaviour_paths,
    availability_alarm,
    distribution_arn,
    error_rate_alarm,
    oac_name,
)


def test_every_route_is_one_behaviour_in_a_stable_order() -> None:
    routes = {"frontend": ("/render", "/render/*"), "intent-classifier": ("/api/intent",)}
    assert api_behaviour_paths(routes) == ["/api/intent", "/render", "/render/*"]
    too_many = {"frontend": tuple(f"/p{i}" for i in range(MAX_CACHE_BEHAVIORS + 1))}
    with pytest.raises(ValueError, match="CloudFront allows 25 cache behaviours"):
        api_behaviour_paths(too_many)


def test_names_cloudfront_accepts() -> None:
    assert oac_name("betterprompts-production") == "betterprompts-production-assets"
    with pytest.raises(ValueError):
        oac_name("x" * 60)
    assert distribution_arn("123456789012", "E1") == "arn:aws:cloudfront::123456789012:distribution/E1"


def test_the_error_rate_alarm_is_a_percentage_of_requests() -> None:
    spec = error_rate_alarm(percent=1, period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3)
    assert (spec.namespace, spec.metric, spec.statistic, spec.threshold) == ("AWS/CloudFront", "5xxErrorRate", "Average", 1)
    assert spec.treat_missing_data == "notBreaching"


def test_availability_is_metric_math_over_the_window_and_no_traffic_is_no_outage() -> None:
    alarm = availability_alarm(target_percent=99.9, window_seconds=3600, distribution_id="E1")
    ids = [q["id"] for q in alarm.queries]
    assert ids == ["requests", "errors", "availability"]
    assert [q["return_data"] for q in alarm.queries] == [False, False, True]
    assert alarm.queries[0]["metric"]["dimensions"] == {"DistributionId": "E1", "Region": "Global"}
    assert (alarm.comparison, alarm.threshold, alarm.period_seconds) == ("LessThanThreshold", 99.9, 3600)


@pytest.mark.parametrize(("target", "window"), [(100, 3600), (0, 3600), (99.9, 90), (99.9, 172_800)])
def test_availability_refuses_what_cloudwatch_or_arithmetic_would(target: float, window: int) -> None:
    with pytest.raises(ValueError):
        availability_alarm(target_percent=target, window_seconds=window, distribution_id="E1")

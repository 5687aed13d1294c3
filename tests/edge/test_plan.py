"""The edge layer's pure rules: ELB names, listener-rule paths, the KPI alarm specs."""

from __future__ import annotations

import pytest

from components.edge.plan import (
    ELB_NAME_MAX,
    MAX_PATHS_PER_RULE,
    RULE_PRIORITIES,
    check_routes,
    elb_name,
    load_balancer_alarms,
    path_problem,
    target_alarms,
)


def test_short_names_are_kept() -> None:
    assert elb_name("betterprompts-production", "api") == "betterprompts-production-api"


@pytest.mark.parametrize("key", ["intent-classifier", "technique-selector", "frontend"])
@pytest.mark.parametrize("prefix", ["betterprompts-production", "betterprompts-staging"])
def test_long_names_fit_elb_and_stay_unique_per_stack(prefix: str, key: str) -> None:
    name = elb_name(prefix, key)
    assert len(name) <= ELB_NAME_MAX
    assert name.endswith(f"-{key}") and name.startswith("betterprompts"[:3])
    other = elb_name("betterprompts-staging" if "production" in prefix else "betterprompts-production", key)
    assert name != other


def test_a_key_that_leaves_no_room_is_refused() -> None:
    with pytest.raises(ValueError, match="no room"):
        elb_name("betterprompts-production", "x" * 30)


@pytest.mark.parametrize("path", ["/api/intent", "/api/intent/*", "/render/*", "/a?b"])
def test_valid_paths(path: str) -> None:
    assert path_problem(path) is None


@pytest.mark.parametrize("path", ["api/intent", "/api intent", "/" + "a" * 128, "/api/<x>"])
def test_paths_the_alb_refuses(path: str) -> None:
    assert path_problem(path) is not None


def test_routes_reject_a_path_routed_twice_and_too_many_paths() -> None:
    with pytest.raises(ValueError, match="routed to both"):
        check_routes({"intent-classifier": ["/api/*"], "technique-selector": ["/api/*"]})
    with pytest.raises(ValueError, match=f"1 to {MAX_PATHS_PER_RULE} paths"):
        check_routes({"frontend": [f"/p{i}" for i in range(MAX_PATHS_PER_RULE + 1)]})
    with pytest.raises(ValueError, match="no listener-rule priority"):
        check_routes({"prompt-generator": ["/gen"]})


def test_priorities_put_the_api_before_the_frontend() -> None:
    assert RULE_PRIORITIES["intent-classifier"] < RULE_PRIORITIES["frontend"]
    assert RULE_PRIORITIES["technique-selector"] < RULE_PRIORITIES["frontend"]
    assert len(set(RULE_PRIORITIES.values())) == len(RULE_PRIORITIES)


def test_target_alarms_are_the_latency_kpi_and_5xx() -> None:
    p95, errors = target_alarms(
        "intent-classifier", p95_ms=200, errors_5xx=10, period_seconds=60, evaluation_periods=5, datapoints_to_alarm=3
    )
    assert (p95.namespace, p95.metric, p95.extended_statistic, p95.statistic) == (
        "AWS/ApplicationELB", "TargetResponseTime", "p95", None
    )
    assert p95.threshold == pytest.approx(0.2)  # CloudWatch reports seconds
    assert (errors.metric, errors.statistic, errors.threshold) == ("HTTPCode_Target_5XX_Count", "Sum", 10)
    for spec in (p95, errors):
        assert (spec.period_seconds, spec.evaluation_periods, spec.datapoints_to_alarm) == (60, 5, 3)
        assert spec.treat_missing_data == "notBreaching"


def test_load_balancer_alarm_counts_its_own_5xx() -> None:
    [spec] = load_balancer_alarms(errors_5xx=25, period_seconds=300, evaluation_periods=3, datapoints_to_alarm=2)
    assert (spec.metric, spec.threshold, spec.period_seconds) == ("HTTPCode_ELB_5XX_Count", 25, 300)

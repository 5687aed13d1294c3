"""Route 53 health checks of the site and the API through CloudFront (HTTPS, SNI, the distribution's own
domain), alarmed in us-east-1; failover pairs only where a DR entry is configured: the edge's records become
PRIMARY in place (same URNs, no replacement), the DR layer adds the SECONDARY ones."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.dr import EndpointHealthChecks, EndpointHealthChecksArgs, HealthCheckSettings
from components.dr.failover_plan import CLOUDFRONT_ZONE_ID, EndpointCheck, path_problem, routed, zone_id_problem
from components.platform import ConfigError
from preflight import plan_diff
from preflight.harness import Plan, Resource, read_stack_config, run_stack
from tests.dr.test_backup import _region_of
from tests.stack_config import load, with_value

CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
DR_ENTRY = {"dnsName": "dualstack.betterprompts-dr-1234567890.us-west-2.elb.amazonaws.com", "hostedZoneId": "Z1H1FL5HABSF5"}


@pytest.fixture(scope="module")
def failover() -> Plan:
    """Production with a DR entry configured (the pilot light's load balancer)."""
    config, _ = read_stack_config("production")
    dr = copy.deepcopy(config["betterprompts:dr"])
    dr["failover"] = dict(DR_ENTRY)
    return run_stack("production", overrides={"betterprompts:dr": dr})


def _checks(plan: Plan) -> dict[str, Resource]:
    return {c.name.rsplit("-", 1)[-1]: c for c in plan.of_type(CHECK)}


def test_an_https_check_per_public_name_of_the_distributions_own_domain(plan: Plan) -> None:
    checks = _checks(plan)
    assert set(checks) == {"site", "api"}
    [distribution] = plan.of_type(DISTRIBUTION)
    for key, path in (("site", "/"), ("api", "/api/intent/health")):
        inputs = checks[key].inputs
        assert (inputs["type"], inputs["port"], inputs["resourcePath"]) == ("HTTPS", 443, path)
        assert inputs["enableSni"] is True
        assert (inputs["requestInterval"], inputs["failureThreshold"]) == (30, 3)
        # Never the site's name: once it fails over, the checker would follow it to the DR entry.
        assert inputs["fqdn"].endswith(".cloudfront.net") and distribution.urn in checks[key].dependencies
        assert _region_of(plan, checks[key]) == "us-east-1"


def test_each_check_has_an_unhealthy_alarm_in_us_east_1(plan: Plan) -> None:
    checks = _checks(plan)
    alarms = {a.parent: a for a in plan.of_type(ALARM) if a.name.endswith("-unhealthy")}
    for key, check in checks.items():
        alarm = alarms[check.urn].inputs
        assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == ("AWS/Route53", "HealthCheckStatus", "Minimum")
        assert (alarm["comparisonOperator"], alarm["threshold"], alarm["period"]) == ("LessThanThreshold", 1, 60)
        assert alarm["evaluationPeriods"] == 2 and alarm["treatMissingData"] == "breaching"
        assert alarm["dimensions"] == {"HealthCheckId": plan.outputs["healthCheckIds"][key]}
        assert alarm["alarmActions"] == [plan.outputs["alarmTopicArn"]]
        assert _region_of(plan, alarms[check.urn]) == "us-east-1"


def test_without_a_dr_entry_the_names_keep_their_simple_records(plan: Plan) -> None:
    assert not [r for r in plan.of_type(RECORD) if r.inputs.get("failoverRoutingPolicies")]
    for record in plan.of_type(RECORD):
        assert "setIdentifier" not in record.inputs and "healthCheckId" not in record.inputs


def test_a_dr_entry_makes_the_records_primary_on_their_checks(failover: Plan) -> None:
    checks = _checks(failover)
    primaries = [r for r in failover.of_type(RECORD) if r.inputs.get("failoverRoutingPolicies") == [{"type": "PRIMARY"}]]
    assert len(primaries) == 4
    for record in primaries:
        key = "site" if record.inputs["name"] == "betterprompts.io" else "api"
        assert record.inputs["setIdentifier"] == "primary"
        assert record.inputs["healthCheckId"] == failover.outputs["healthCheckIds"][key]
        [alias] = record.inputs["aliases"]
        assert alias["evaluateTargetHealth"] is False and alias["name"].endswith(".cloudfront.net")
        assert checks[key].urn in record.dependencies
    secondaries = [r for r in failover.of_type(RECORD) if r.inputs.get("failoverRoutingPolicies") == [{"type": "SECONDARY"}]]
    assert sorted((r.inputs["name"], r.inputs["type"]) for r in secondaries) == [
        ("api.betterprompts.io", "A"),
        ("api.betterprompts.io", "AAAA"),
        ("betterprompts.io", "A"),
        ("betterprompts.io", "AAAA"),
    ]
    for record in secondaries:
        assert record.inputs["setIdentifier"] == "secondary" and "healthCheckId" not in record.inputs
        assert record.inputs["aliases"] == [{"name": DR_ENTRY["dnsName"], "zoneId": DR_ENTRY["hostedZoneId"], "evaluateTargetHealth": True}]
        assert record.inputs["zoneId"] == primaries[0].inputs["zoneId"]


def test_turning_failover_on_changes_the_records_in_place(production: Plan, failover: Plan) -> None:
    changes = plan_diff.diff(production.to_json(), failover.to_json())
    changed = {c.name: c for c in changes.resources if c.type == RECORD}
    primaries = {r.name for r in failover.of_type(RECORD) if r.inputs.get("failoverRoutingPolicies") == [{"type": "PRIMARY"}]}
    assert {n for n, c in changed.items() if c.kind == "changed"} == primaries
    assert all(c.forcing == () for c in changed.values())
    assert {n for n, c in changed.items() if c.kind == "added"} == {
        r.name for r in failover.of_type(RECORD) if r.inputs.get("failoverRoutingPolicies") == [{"type": "SECONDARY"}]
    }
    assert not changes.of_kind("replaced") and not changes.of_kind("removed")


# --- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "error_key", "allowed"),
    [
        ("healthChecks.requestIntervalSeconds", 20, "healthChecks.requestIntervalSeconds", "10 or 30"),
        ("healthChecks.failureThreshold", 11, "healthChecks.failureThreshold", "from 1 to 10"),
        ("healthChecks.sitePath", "index.html", "healthChecks.sitePath", "a URL path starting with /"),
        ("healthChecks.apiPath", "/health", "healthChecks.apiPath", "one of betterprompts:edge.routes' patterns"),
        ("healthChecks.sitePath", "/api/intent", "healthChecks.sitePath", "a path no betterprompts:edge.routes pattern takes"),
        ("healthChecks.interval", 30, "healthChecks.interval", "no such key"),
        ("failover", {"dnsName": "x.example.com", "hostedZoneId": CLOUDFRONT_ZONE_ID}, "failover.hostedZoneId", "not a CloudFront distribution"),
        ("failover", {"dnsName": "x.example.com", "hostedZoneId": "zone-1"}, "failover.hostedZoneId", "a Route 53 hosted zone ID"),
        ("failover", {"hostedZoneId": "Z1H1FL5HABSF5"}, "failover.dnsName", "required"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, error_key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("dr", key, value))
    assert error.value.key == f"betterprompts:dr.{error_key}"
    assert allowed in error.value.allowed


def test_failover_needs_the_health_checks() -> None:
    config = with_value("dr", "failover", dict(DR_ENTRY))
    del config["betterprompts:dr"]["healthChecks"]
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:dr.failover"
    assert "betterprompts:dr.healthChecks" in error.value.allowed


def test_production_checks_every_30_seconds_and_has_no_failover_yet() -> None:
    dr = load(with_value("dr", "rpoMinutes", 15)).dr
    assert dr is not None and dr.health_checks is not None and dr.failover is None
    assert dr.health_checks.checks == (EndpointCheck("site", "/"), EndpointCheck("api", "/api/intent/health"))
    assert dr.health_checks.request_interval_seconds == 30 and not dr.health_checks.measure_latency


# --- pure rules and the component's own checks -----------------------------------------------------


def test_paths_and_routes() -> None:
    assert path_problem("/api/intent/health") is None and path_problem("/") is None
    assert path_problem("/a b") and path_problem("/x?y=1") and path_problem("/" + "a" * 255)
    assert routed("/api/intent/health", ["/api/intent", "/api/intent/*"]) and not routed("/", ["/api/intent/*"])
    assert zone_id_problem("Z1H1FL5HABSF5") is None


def test_the_alarms_topic_must_be_in_us_east_1() -> None:
    settings = HealthCheckSettings(checks=(EndpointCheck("site", "/"),), request_interval_seconds=30, failure_threshold=3, measure_latency=False, alarm_evaluation_periods=2)
    with pytest.raises(ValueError, match="us-east-1 only"):
        EndpointHealthChecks(
            "checks",
            EndpointHealthChecksArgs(settings=settings, target_domain_name="d.cloudfront.net", names={"site": "s"}, alarm_topic_arn="arn", alarm_topic_region="us-west-2"),
        )

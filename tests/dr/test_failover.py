"""Route 53 health checks of the site and the API through CloudFront (HTTPS, SNI, the distribution's own
domain), alarmed in us-east-1; a failover pair only where a DR entry is configured, at the API origin's name:
the edge's origin record becomes PRIMARY in place (same URN, no replacement), the DR layer adds the SECONDARY
(the pilot light's load balancer); the viewer names stay simple aliases of the global distribution."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.dr import DrSettings, EndpointHealthChecks, EndpointHealthChecksArgs, HealthCheckSettings
from components.dr.failover_plan import CLOUDFRONT_ZONE_ID, EndpointCheck, dns_name_problem, path_problem, routed, zone_id_problem
from components.platform import ConfigError, Section
from preflight import plan_diff
from preflight.harness import Plan, Resource, read_stack_config, run_stack
from tests.dr.test_backup import _region_of
from tests.policy_plans import messages
from tests.stack_config import load, with_value

CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
# The pilot light's load balancer (betterprompts-dr-api) and us-west-2's ALB zone (ELB endpoints table).
DR_ENTRY = {"dnsName": "betterprompts-dr-api-1234567890.us-west-2.elb.amazonaws.com", "hostedZoneId": "Z1H1FL5HABSF5"}


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


ORIGIN = "origin.betterprompts.io"


def _origin_records(plan: Plan) -> list[Resource]:
    return [r for r in plan.of_type(RECORD) if r.inputs["name"] == ORIGIN]


def test_without_a_dr_entry_every_record_is_simple(plan: Plan) -> None:
    assert not [r for r in plan.of_type(RECORD) if r.inputs.get("failoverRoutingPolicies")]
    for record in plan.of_type(RECORD):
        assert "setIdentifier" not in record.inputs and "healthCheckId" not in record.inputs


def test_a_dr_entry_makes_the_api_origin_a_failover_pair(failover: Plan) -> None:
    primary, secondary = sorted(_origin_records(failover), key=lambda r: r.inputs["setIdentifier"])
    [alb] = failover.of_type(LOAD_BALANCER)
    assert primary.inputs["failoverRoutingPolicies"] == [{"type": "PRIMARY"}] and primary.inputs["setIdentifier"] == "primary"
    # Judged by the load balancer's target health: no Route 53 check (its checkers cannot reach the ALB).
    assert "healthCheckId" not in primary.inputs
    assert primary.inputs["aliases"] == [{"name": failover.outputs["apiLoadBalancerDnsName"], "zoneId": "Z35SXDOTRQ7X7K", "evaluateTargetHealth": True}]
    assert primary.parent == alb.urn
    assert secondary.inputs["failoverRoutingPolicies"] == [{"type": "SECONDARY"}] and secondary.inputs["setIdentifier"] == "secondary"
    assert (secondary.inputs["type"], secondary.inputs["zoneId"]) == ("A", primary.inputs["zoneId"])
    assert "healthCheckId" not in secondary.inputs
    assert secondary.inputs["aliases"] == [{"name": DR_ENTRY["dnsName"], "zoneId": DR_ENTRY["hostedZoneId"], "evaluateTargetHealth": True}]


def test_the_viewer_names_stay_simple_aliases_of_the_distribution(failover: Plan) -> None:
    viewers = [r for r in failover.of_type(RECORD) if r.inputs["name"] in ("betterprompts.io", "api.betterprompts.io")]
    assert len(viewers) == 4
    for record in viewers:
        assert "failoverRoutingPolicies" not in record.inputs and "setIdentifier" not in record.inputs
        [alias] = record.inputs["aliases"]
        assert alias["name"].endswith(".cloudfront.net")


def test_turning_failover_on_changes_the_origin_record_in_place(production: Plan, failover: Plan) -> None:
    changes = plan_diff.diff(production.to_json(), failover.to_json())
    primary = next(r for r in _origin_records(failover) if r.inputs["setIdentifier"] == "primary")
    secondary = next(r for r in _origin_records(failover) if r.inputs["setIdentifier"] == "secondary")
    # The origin record keeps its logical name and URN: Route 53 updates it, no replacement.
    assert primary.urn in {r.urn for r in production.of_type(RECORD)}
    assert [(c.kind, c.urn, c.forcing) for c in changes.resources if c.kind == "changed"] == [("changed", primary.urn, ())]
    assert {c.urn for c in changes.of_kind("added")} == {secondary.urn, secondary.parent}
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
        ("failover", {**DR_ENTRY, "hostedZoneId": CLOUDFRONT_ZONE_ID}, "failover.hostedZoneId", "not a CloudFront distribution"),
        ("failover", {**DR_ENTRY, "hostedZoneId": "zone-1"}, "failover.hostedZoneId", "a Route 53 hosted zone ID"),
        # us-east-1's ALB zone: the pilot light's load balancer is in us-west-2.
        ("failover", {**DR_ENTRY, "hostedZoneId": "Z35SXDOTRQ7X7K"}, "failover.hostedZoneId", "Z1H1FL5HABSF5, the Application Load Balancers' zone in us-west-2"),
        ("failover", {**DR_ENTRY, "dnsName": "d111111abcdef8.cloudfront.net"}, "failover.dnsName", "load balancer DNS name in us-west-2"),
        ("failover", {**DR_ENTRY, "dnsName": "lb-1.us-east-1.elb.amazonaws.com"}, "failover.dnsName", "load balancer DNS name in us-west-2"),
        ("failover", {"hostedZoneId": "Z1H1FL5HABSF5"}, "failover.dnsName", "required"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, error_key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("dr", key, value))
    assert error.value.key == f"betterprompts:dr.{error_key}"
    assert allowed in error.value.allowed


def test_failover_needs_the_origin_name() -> None:
    # No-domain mode (edge.domain absent): no load balancer, so no origin name to fail over.
    raw = with_value("dr", "failover", dict(DR_ENTRY))["betterprompts:dr"]
    del raw["healthChecks"]
    with pytest.raises(ConfigError) as error:
        DrSettings.read(Section(raw, "betterprompts:dr"), region="us-east-1", supported_regions=["us-east-1", "us-west-2"], edge_domain=False)
    assert error.value.key == "betterprompts:dr.failover"
    assert "betterprompts:edge.domain.apiOrigin" in error.value.allowed


def test_failover_does_not_need_the_health_checks() -> None:
    config = with_value("dr", "failover", dict(DR_ENTRY))
    del config["betterprompts:dr"]["healthChecks"]
    dr = load(config).dr
    assert dr is not None and dr.health_checks is None and dr.failover is not None
    assert (dr.failover.dns_name, dr.failover.hosted_zone_id, dr.failover.evaluate_target_health) == (DR_ENTRY["dnsName"], "Z1H1FL5HABSF5", True)


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
    assert zone_id_problem("Z1H1FL5HABSF5") is None and zone_id_problem("Z1H1FL5HABSF5", "us-west-2") is None
    assert zone_id_problem("Z35SXDOTRQ7X7K", "us-west-2")
    assert dns_name_problem("dualstack.betterprompts-dr-api-1.us-west-2.elb.amazonaws.com", "us-west-2") is None
    assert dns_name_problem("internal-x-1.us-west-2.elb.amazonaws.com", "us-east-1")


def test_the_alarms_topic_must_be_in_us_east_1() -> None:
    settings = HealthCheckSettings(checks=(EndpointCheck("site", "/"),), request_interval_seconds=30, failure_threshold=3, measure_latency=False, alarm_evaluation_periods=2)
    with pytest.raises(ValueError, match="us-east-1 only"):
        EndpointHealthChecks(
            "checks",
            EndpointHealthChecksArgs(settings=settings, target_domain_name="d.cloudfront.net", names={"site": "s"}, alarm_topic_arn="arn", alarm_topic_region="us-west-2"),
        )


def test_the_failover_pair_passes_the_route_53_policy(failover: Plan) -> None:
    # A PRIMARY alias of a load balancer that evaluates its target's health is one Route 53 can fail over.
    assert messages(failover.to_json(), "route53-failover-primary-health-checked") == []

"""The pilot light's HTTPS entry (``pilotLight.entry`` + the dr stack's ``betterprompts:edge``): production's
load balancer composed in us-west-2 for the same origin name, with the regional web ACL, its own SSE-S3 access-log
bucket and production's origin header value; no records of the origin name (production owns them) and, in
standby, no targets. Settings: what the entry needs and what a pilot light refuses."""

from __future__ import annotations

from typing import Any

import pytest

from components.edge import ApiLoadBalancer, ApiLoadBalancerArgs, OriginFailover, RoutedService
from components.platform import ConfigError
from components.settings import load_pilot_light_settings
from preflight.harness import Plan, Resource, run_stack
from tests.dr.test_backup import _region_of
from tests.stack_config import config_of, load, with_value

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BINDING = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
ORIGIN = "origin.betterprompts.io"
PILOT = "betterprompts:pilotLight"


def _one(plan: Plan, token: str) -> Resource:
    [found] = plan.of_type(token)
    return found


def test_the_entry_is_an_https_load_balancer_in_the_dr_vpc_s_public_subnets(dr: Plan) -> None:
    alb = _one(dr, LOAD_BALANCER)
    assert _region_of(dr, alb) == "us-west-2"
    assert (alb.inputs["name"], alb.inputs["internal"], alb.inputs["loadBalancerType"]) == ("betterprompts-dr-api", False, "application")
    assert alb.inputs["subnets"] == dr.outputs["subnetIds"]["public"]
    assert alb.inputs["dropInvalidHeaderFields"] is True and alb.inputs["enableDeletionProtection"] is True
    listener = _one(dr, LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"], listener.inputs["sslPolicy"]) == (443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06")
    # What production's betterprompts:dr.failover names: a us-west-2 ALB name and that Region's ALB zone.
    assert dr.outputs["apiLoadBalancerDnsName"].endswith(".us-west-2.elb.amazonaws.com")
    assert dr.outputs["apiLoadBalancerZoneId"] == "Z1H1FL5HABSF5" and dr.outputs["apiOriginName"] == ORIGIN


def test_its_certificate_is_for_the_origin_name_and_creates_no_record(dr: Plan) -> None:
    certificate = _one(dr, CERTIFICATE)
    assert (certificate.inputs["domainName"], certificate.inputs["validationMethod"]) == (ORIGIN, "DNS")
    assert _region_of(dr, certificate) == "us-west-2"
    # Production owns the validation CNAME (the same for the name in every Region) and the origin's records.
    assert dr.of_type(RECORD) == []
    validation = _one(dr, VALIDATION)
    assert "validationRecordFqdns" not in validation.inputs and validation.parent == certificate.urn


def test_a_target_group_per_route_and_no_targets_in_standby(dr: Plan, production: Plan) -> None:
    groups = sorted((g.inputs["name"].rsplit("-", 2)[-2:], g.inputs["port"]) for g in dr.of_type(TARGET_GROUP))
    assert [port for _, port in groups] == [3000, 8001, 8002]
    # The ports are production's (its target groups take the pods' ports from betterprompts:workloads).
    assert sorted(g.inputs["port"] for g in dr.of_type(TARGET_GROUP)) == sorted(g.inputs["port"] for g in production.of_type(TARGET_GROUP))
    assert all(g.inputs["targetType"] == "ip" for g in dr.of_type(TARGET_GROUP))
    # No pods run in standby: nothing binds the groups (the app layer does once active).
    assert dr.of_type(BINDING) == [] and len(dr.of_type(RULE)) == 3


def test_the_rules_require_production_s_origin_header_value(dr: Plan, production: Plan) -> None:
    # Not generated here: read from production's secret output through the StackReference.
    assert dr.of_type("random:index/randomPassword:RandomPassword") == []
    assert "apiOriginHeaderValue" in production.outputs
    reference = "urn:pulumi:dr::betterprompts::pulumi:pulumi:Stack$pulumi:pulumi:StackReference::betterprompts/betterprompts/production"
    for rule in dr.of_type(RULE):
        assert rule.property_dependencies["conditions"] == [reference]


def test_the_regional_web_acl_protects_the_entry(dr: Plan) -> None:
    acl = _one(dr, ACL)
    assert acl.inputs["scope"] == "REGIONAL" and _region_of(dr, acl) == "us-west-2"
    [association] = [a for a in dr.of_type(ASSOCIATION) if a.inputs["resourceArn"] == _one(dr, LOAD_BALANCER).id]
    assert association.inputs["webAclArn"] == dr.outputs["regionalWebAclArn"]


def test_access_logs_go_to_the_entry_s_own_sse_s3_bucket_in_us_west_2(dr: Plan) -> None:
    alb = _one(dr, LOAD_BALANCER)
    logs = alb.inputs["accessLogs"]
    [bucket] = [b for b in dr.of_type(BUCKET) if b.inputs["bucket"] == logs["bucket"]]
    assert logs["enabled"] is True and logs["prefix"] == "alb"
    assert bucket.inputs["bucket"].startswith("betterprompts-dr-access-logs-") and bucket.inputs["bucket"].endswith("-us-west-2")
    [sse] = [s for s in dr.of_type(SSE) if s.parent == bucket.urn]
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    [policy] = [p for p in dr.of_type(POLICY) if p.parent == bucket.urn]
    # us-west-2's Elastic Load Balancing account writes under alb/AWSLogs/<account>/.
    assert "arn:aws:iam::797873946194:root" in policy.inputs["policy"] and "/alb/AWSLogs/" in policy.inputs["policy"]


# --- settings --------------------------------------------------------------------------------------


def _error(config: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_pilot_light_settings(config, project="betterprompts", stack="dr")
    return caught.value


def test_the_entry_settings_read() -> None:
    settings = load_pilot_light_settings(config_of("dr"), project="betterprompts", stack="dr")
    assert settings.edge is not None and settings.edge.domain is not None and settings.edge.domain.api_origin_name == ORIGIN
    entry = settings.pilot_light.entry
    assert entry is not None and entry.service_ports == {"frontend": 3000, "intent-classifier": 8001, "technique-selector": 8002}
    assert entry.access_logs.expiration_days == 365


def test_the_edge_section_without_the_entry_is_refused() -> None:
    config = config_of("dr")
    del config[PILOT]["entry"]
    error = _error(config)
    assert error.key == "betterprompts:edge" and "betterprompts:pilotLight.entry" in error.allowed


def test_the_entry_without_the_edge_section_is_refused() -> None:
    config = config_of("dr")
    del config["betterprompts:edge"]
    error = _error(config)
    assert error.key == f"{PILOT}.entry" and "betterprompts:edge" in error.allowed


def test_cloudfront_settings_are_refused_in_a_pilot_light() -> None:
    config = config_of("dr")
    config["betterprompts:edge"]["cdn"] = {"priceClass": "PriceClass_All"}
    error = _error(config)
    assert error.key == "betterprompts:edge.cdn" and "CloudFront is the primary's" in error.allowed


def test_every_routed_service_needs_a_port() -> None:
    config = config_of("dr")
    del config[PILOT]["entry"]["servicePorts"]["frontend"]
    error = _error(config)
    assert error.key == f"{PILOT}.entry.servicePorts" and "frontend missing" in error.allowed


@pytest.mark.parametrize(("key", "value", "allowed"), [("intentClasifier", 8001, "intentClassifier"), ("frontend", 70000, "65535")])
def test_a_bad_service_port_names_its_key(key: str, value: Any, allowed: str) -> None:
    config = config_of("dr")
    config[PILOT]["entry"]["servicePorts"][key] = value
    error = _error(config)
    assert error.key == f"{PILOT}.entry.servicePorts.{key}" and allowed in error.allowed


# --- the component's own checks ----------------------------------------------------------------------


def _args(**changes: Any) -> ApiLoadBalancerArgs:
    settings = load_pilot_light_settings(config_of("dr"), project="betterprompts", stack="dr").edge
    assert settings is not None
    args = ApiLoadBalancerArgs(
        prefix="betterprompts-dr",
        settings=settings,
        vpc_id="vpc-1",
        public_subnet_ids=["subnet-a", "subnet-b"],
        node_security_group_id=None,
        services={s: RoutedService(container_port=8000, service_port=80, health_check_path="/health") for s in settings.routes},
        namespace=None,
        k8s_provider=None,
        access_log_bucket="logs",
        alarm_topic_arn="arn:aws:sns:us-west-2:123456789012:alarms",
        origin_header_value="value",
        owns_origin_name=False,
    )
    for key, value in changes.items():
        setattr(args, key, value)
    return args


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"origin_failover": OriginFailover()}, "origin_failover needs owns_origin_name"),
        ({"origin_header_value": None}, "takes the primary's origin_header_value"),
        ({"namespace": "apps"}, "both k8s_provider and namespace"),
    ],
)
def test_inconsistent_entry_arguments_are_refused_before_any_child(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        ApiLoadBalancer("entry", _args(**changes))


def test_production_s_failover_accepts_the_entry_s_outputs(dr: Plan) -> None:
    entry = {"dnsName": dr.outputs["apiLoadBalancerDnsName"], "hostedZoneId": dr.outputs["apiLoadBalancerZoneId"]}
    settings = load(with_value("dr", "failover", entry)).dr
    assert settings is not None and settings.failover is not None
    assert (settings.failover.dns_name, settings.failover.hosted_zone_id) == (entry["dnsName"], "Z1H1FL5HABSF5")


def test_without_a_cluster_the_entry_stands_with_no_rules_to_pods() -> None:
    config = config_of("dr")
    config[PILOT]["cluster"] = "off"
    plan = run_stack("dr", config=config)
    assert len(plan.of_type(LOAD_BALANCER)) == 1 and len(plan.of_type(TARGET_GROUP)) == 3
    rules = [r.name for r in plan.resources if r.type.startswith("aws:vpc/securityGroup")]
    assert rules == ["betterprompts-dr-edge-from-cloudfront"]

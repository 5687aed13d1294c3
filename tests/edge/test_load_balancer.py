"""ApiLoadBalancer in both stacks: who may connect, TLS, logs, protection, target groups, bindings, alarms, DNS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from components.edge import ApiLoadBalancer, ApiLoadBalancerArgs, RoutedService
from components.settings import load_settings
from preflight.harness import Plan, Resource, read_stack_config
from preflight.records import SECRET_PLACEHOLDER

ROOT = Path(__file__).resolve().parents[2]
CRD = ROOT / "tests/vendor/charts/aws-load-balancer-controller/3.5.0/crds/targetgroupbindings.yaml"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"
CLOUDFRONT_PL_US_EAST_1 = "pl-3b927c52"
SERVICES = ("intent-classifier", "technique-selector", "frontend")


def _one(plan: Plan, token: str) -> Resource:
    [found] = plan.of_type(token)
    return found


def _edge(plan: Plan, token: str) -> list[Resource]:
    return [r for r in plan.of_type(token) if "-edge" in r.urn]


def _settings(plan: Plan) -> Any:
    return load_settings(read_stack_config(plan.stack)[0], project="betterprompts", stack=plan.stack)


def test_internet_facing_in_the_public_subnets_hardened_and_logged(plan: Plan) -> None:
    lb = _one(plan, LB)
    inputs = lb.inputs
    assert (inputs["loadBalancerType"], inputs["internal"]) == ("application", False)
    assert inputs["subnets"] == plan.outputs["subnetIds"]["public"]
    assert inputs["dropInvalidHeaderFields"] is True
    assert inputs["accessLogs"] == {
        "bucket": plan.outputs["bucketNames"]["access-logs"],
        "prefix": "alb",
        "enabled": True,
    }
    production = plan.stack == "production"
    assert inputs["enableDeletionProtection"] is production and lb.protect is production
    assert len(inputs["name"]) <= 32
    # ELB writes a test object when logging is switched on: the destination's policy comes first.
    policy = plan.named(f"betterprompts-{plan.stack}-storage-access-logs-policy")
    assert policy.urn in lb.dependencies


def test_the_access_log_destination_admits_elb_under_its_prefix_only(plan: Plan) -> None:
    policy = json.loads(plan.named(f"betterprompts-{plan.stack}-storage-access-logs-policy").inputs["policy"])
    [elb] = [s for s in policy["Statement"] if s.get("Sid") == "LoadBalancerAccessLogs"]
    bucket = plan.outputs["bucketNames"]["access-logs"]
    assert elb == {
        "Sid": "LoadBalancerAccessLogs",
        "Effect": "Allow",
        # us-east-1 opened before August 2022: the Region's ELB account, per AWS's access-log page.
        "Principal": {"AWS": "arn:aws:iam::127311923021:root"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/alb/AWSLogs/123456789012/*",
    }


def test_only_cloudfront_reaches_it_on_443_and_it_reaches_only_the_pods(plan: Plan) -> None:
    group = plan.named(f"betterprompts-{plan.stack}-edge-sg")
    assert "ingress" not in group.inputs or not group.inputs["ingress"]
    ingress = [r for r in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if r.parent == group.urn]
    into_lb = [r for r in ingress if r.inputs["securityGroupId"] == group.id]
    [cloudfront] = into_lb
    assert cloudfront.inputs["prefixListId"] == CLOUDFRONT_PL_US_EAST_1
    assert (cloudfront.inputs["ipProtocol"], cloudfront.inputs["fromPort"], cloudfront.inputs["toPort"]) == ("tcp", 443, 443)
    assert "cidrIpv4" not in cloudfront.inputs and "cidrIpv6" not in cloudfront.inputs

    ports = {s.port for s in _settings(plan).workloads.services.values()}
    node_group = plan.outputs["nodeSecurityGroupId"]
    egress = [r for r in plan.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") if r.parent == group.urn]
    assert {(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"]) for r in egress} == {
        (node_group, p, p) for p in ports
    }
    to_pods = [r for r in ingress if r.inputs["securityGroupId"] == node_group]
    assert {(r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"]) for r in to_pods} == {(group.id, p) for p in ports}


def test_https_only_with_tls13_and_a_default_403(plan: Plan) -> None:
    [listener] = plan.of_type("aws:lb/listener:Listener")
    inputs = listener.inputs
    assert (inputs["protocol"], inputs["port"], inputs["sslPolicy"]) == ("HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert inputs["defaultActions"] == [
        {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "messageBody": "Forbidden", "statusCode": "403"}}
    ]
    validation = plan.named(f"betterprompts-{plan.stack}-edge-certificate-validation")
    assert validation.type == "aws:acm/certificateValidation:CertificateValidation"
    assert validation.urn in listener.dependencies


def test_certificate_and_origin_record_are_for_the_configured_name(plan: Plan) -> None:
    origin = _settings(plan).edge.domain.api_origin_name
    certificate = plan.named(f"betterprompts-{plan.stack}-edge-certificate")
    assert (certificate.inputs["domainName"], certificate.inputs["validationMethod"]) == (origin, "DNS")
    assert "subjectAlternativeNames" not in certificate.inputs
    records = {r.name: r.inputs for r in plan.of_type("aws:route53/record:Record")}
    cname = records[f"betterprompts-{plan.stack}-edge-certificate-validation-record"]
    assert cname["type"] == "CNAME" and cname["name"].endswith(f".{origin}.") and cname["allowOverwrite"] is True
    alias = records[f"betterprompts-{plan.stack}-edge-origin"]
    lb = _one(plan, LB)
    assert alias["name"] == origin and alias["type"] == "A"
    assert alias["aliases"] == [{"name": plan.outputs["apiLoadBalancerDnsName"], "zoneId": "Z35SXDOTRQ7X7K", "evaluateTargetHealth": True}]
    assert alias["zoneId"] == cname["zoneId"] and lb.inputs["name"] in plan.outputs["apiLoadBalancerDnsName"]


def test_a_target_group_and_a_rule_per_service_on_the_pods_port(plan: Plan) -> None:
    services = _settings(plan).workloads.services
    groups = {r.name.removeprefix(f"betterprompts-{plan.stack}-edge-"): r for r in plan.of_type(TG)}
    assert set(groups) == set(SERVICES)
    for service, group in groups.items():
        assert (group.inputs["targetType"], group.inputs["protocol"]) == ("ip", "HTTP")
        assert group.inputs["port"] == services[service].port
        assert group.inputs["healthCheck"]["path"] == "/health"
        assert len(group.inputs["name"]) <= 32
    rules = {r.name.removeprefix(f"betterprompts-{plan.stack}-edge-"): r for r in plan.of_type("aws:lb/listenerRule:ListenerRule")}
    assert {s: r.inputs["priority"] for s, r in rules.items()} == {"intent-classifier": 100, "technique-selector": 200, "frontend": 300}
    for service, rule in rules.items():
        assert rule.inputs["actions"] == [{"type": "forward", "targetGroupArn": groups[service].id}]
        # The conditions carry the origin secret: the plan never shows them.
        assert rule.inputs["conditions"] == SECRET_PLACEHOLDER


def test_target_group_bindings_match_the_crd_schema_and_the_services(plan: Plan) -> None:
    crd = yaml.safe_load(CRD.read_text())
    [version] = [v for v in crd["spec"]["versions"] if v["name"] == "v1beta1"]
    schema = version["schema"]["openAPIV3Schema"]
    services = {r.inputs["metadata"]["name"]: r for r in plan.of_type("kubernetes:core/v1:Service")}
    groups = {r.id: r for r in plan.of_type(TG)}
    controller = plan.named(f"betterprompts-{plan.stack}-eks-aws-load-balancer-controller")
    bindings = plan.of_type(TGB)
    assert {b.inputs["metadata"]["name"] for b in bindings} == set(SERVICES)
    for binding in bindings:
        document = {k: binding.inputs[k] for k in ("apiVersion", "kind", "metadata", "spec")}
        document["spec"]["serviceRef"]["port"] = int(document["spec"]["serviceRef"]["port"])
        jsonschema.validate(document, schema)
        spec = binding.inputs["spec"]
        service = services[spec["serviceRef"]["name"]]
        assert binding.inputs["metadata"]["namespace"] == service.inputs["metadata"]["namespace"]
        assert spec["serviceRef"]["port"] in [p["port"] for p in service.inputs["spec"]["ports"]]
        assert groups[spec["targetGroupARN"]].inputs["targetType"] == spec["targetType"] == "ip"
        # The CRD and its webhook come with the controller's release.
        assert controller.urn in binding.dependencies


def test_kpi_alarms_per_target_group_and_for_the_load_balancer(plan: Plan) -> None:
    alarms = {r.name: r.inputs for r in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-edge-" in r.name and "-edge-site-" not in r.name}
    prefix = f"betterprompts-{plan.stack}-edge"
    assert set(alarms) == {f"{prefix}-{s}-{k}" for s in SERVICES for k in ("p95", "5xx")} | {f"{prefix}-elb-5xx"}
    topic = plan.outputs["alarmTopicArn"]
    lb_suffix = "app/" + _one(plan, LB).inputs["name"] + "/"
    for service in SERVICES:
        p95 = alarms[f"{prefix}-{service}-p95"]
        assert (p95["metricName"], p95["extendedStatistic"], p95["threshold"]) == ("TargetResponseTime", "p95", 0.2)
        assert p95["dimensions"]["LoadBalancer"].startswith(lb_suffix)
        assert p95["dimensions"]["TargetGroup"].startswith("targetgroup/")
        assert p95["alarmActions"] == [topic] == p95["okActions"]
    assert alarms[f"{prefix}-elb-5xx"]["metricName"] == "HTTPCode_ELB_5XX_Count"


def test_exports(plan: Plan) -> None:
    assert plan.outputs["apiLoadBalancerDnsName"].endswith(".us-east-1.elb.amazonaws.com")
    assert plan.outputs["apiOriginName"] == _settings(plan).edge.domain.api_origin_name
    assert set(plan.outputs["apiTargetGroupArns"]) == set(SERVICES)


def test_routes_naming_an_unknown_service_are_refused_before_any_child() -> None:
    settings = load_settings(read_stack_config("staging")[0], project="betterprompts", stack="staging")
    args = ApiLoadBalancerArgs(
        prefix="p",
        settings=settings.edge,
        vpc_id="vpc-1",
        public_subnet_ids=["subnet-a", "subnet-b"],
        node_security_group_id="sg-1",
        services={"frontend": RoutedService(container_port=3000, service_port=80, health_check_path="/health")},
        namespace="ns",
        k8s_provider=None,  # type: ignore[arg-type]
        access_log_bucket="logs",
        alarm_topic_arn="arn:aws:sns:us-east-1:123456789012:t",
    )
    with pytest.raises(ValueError, match="intent-classifier, technique-selector"):
        ApiLoadBalancer("edge", args)

"""No-domain mode (``betterprompts:edge`` without ``domain``): CloudFront serves the static app on its own
``*.cloudfront.net`` name; what needs a name of one's own is absent, and the pack says what that costs."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform import ConfigError
from preflight.harness import Plan, run_stack
from policies.stack_config import read_stack_config as read_policy_config
from preflight.policy_stage import evaluate
from tests.stack_config import config_of, load

NS = "betterprompts"


def _no_domain(stack: str = "staging") -> dict[str, Any]:
    config = config_of(stack)
    edge = config[f"{NS}:edge"]
    for key in ("domain", "routes", "loadBalancer"):
        edge.pop(key, None)
    edge.get("cdn", {}).pop("seoRouting", None)
    config[f"{NS}:serverless"]["api"].pop("domainName", None)  # the API's custom domain is a name in the zone too
    config[f"{NS}:dr"].pop("healthChecks", None)  # Route 53 checks of the site's and the API's names
    return config


@pytest.fixture(scope="module")
def plan() -> Plan:
    return run_stack("staging", config=_no_domain())


def test_settings_without_a_domain() -> None:
    edge = load(_no_domain(), "staging").edge
    assert edge.domain is None
    assert edge.routes == {}
    assert edge.cdn.seo_routing is False  # the router renders on the load balancer


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("routes", {"frontend": ["/app"]}, "no routes without betterprompts:edge.domain"),
        ("loadBalancer", {"idleTimeoutSeconds": 60}, "no loadBalancer without betterprompts:edge.domain"),
    ],
)
def test_what_needs_the_domain_is_refused_without_it(key: str, value: Any, allowed: str) -> None:
    config = _no_domain()
    config[f"{NS}:edge"][key] = value
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == f"{NS}:edge.{key}"
    assert allowed in error.value.allowed


def test_the_serverless_apis_custom_domain_without_a_zone_is_refused() -> None:
    config = _no_domain()
    config[f"{NS}:serverless"]["api"]["domainName"] = "hooks.example.com"
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == f"{NS}:serverless.api.domainName"
    assert "no custom domain without betterprompts:edge.domain" in error.value.allowed


def test_dr_health_checks_without_a_domain_are_refused() -> None:
    config = _no_domain()
    config[f"{NS}:dr"]["healthChecks"] = config_of("staging")[f"{NS}:dr"]["healthChecks"]
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == f"{NS}:dr.healthChecks"
    assert "absent without betterprompts:edge.domain" in error.value.allowed


def test_seo_routing_without_a_domain_is_refused() -> None:
    config = _no_domain()
    config[f"{NS}:edge"].setdefault("cdn", {})["seoRouting"] = True
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == f"{NS}:edge.cdn.seoRouting"
    assert "false without betterprompts:edge.domain" in error.value.allowed


def test_the_distribution_serves_the_assets_on_its_own_name(plan: Plan) -> None:
    [distribution] = plan.of_type("aws:cloudfront/distribution:Distribution")
    inputs = distribution.inputs
    assert inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert "aliases" not in inputs and "orderedCacheBehaviors" not in inputs
    [origin] = inputs["origins"]
    assert origin["originId"] == "assets" and "originAccessControlId" in origin
    assert "lambdaFunctionAssociations" not in inputs["defaultCacheBehavior"]
    assert inputs["webAclId"]  # the CloudFront web ACL still fronts it
    assert plan.outputs["siteUrl"] == "https://" + plan.outputs["distributionDomainName"]
    assert plan.outputs["siteUrl"].endswith(".cloudfront.net")


def test_nothing_that_needs_a_name_is_created(plan: Plan) -> None:
    types = {r.type for r in plan.resources}
    assert "aws:lb/loadBalancer:LoadBalancer" not in types
    assert "aws:acm/certificate:Certificate" not in types
    assert not [r for r in plan.of_type("aws:route53/record:Record") if r.inputs.get("aliases")]
    assert not [r for r in plan.resources if r.type.endswith("TargetGroupBinding")]
    assert not {"apiUrl", "apiLoadBalancerDnsName", "apiOriginName", "apiTargetGroupArns"} & set(plan.outputs)
    # The webhook API stays reachable on its execute-api URL.
    assert ".execute-api.us-east-1.amazonaws.com/" in plan.outputs["serverlessApiUrl"]


def test_the_pack_reports_the_default_certificates_tls_minimum(plan: Plan) -> None:
    """CloudFront pins the *.cloudfront.net certificate's viewer minimum to TLSv1, and it is not a custom
    certificate (FSBP CloudFront.7): both say so, about the distribution only. A no-domain stack that accepts
    this sets the two advisory in policies/config/<stack>.json (docs/edge.md, "No-domain mode")."""
    violations = evaluate(plan.to_json())
    assert {v.policy for v in violations} == {"cloudfront-https-tls12", "cloudfront-hardened"}
    [distribution] = plan.of_type("aws:cloudfront/distribution:Distribution")
    assert {v.urn for v in violations} == {distribution.urn}
    levels = {**read_policy_config("staging"), "cloudfront-https-tls12": "advisory", "cloudfront-hardened": "advisory"}
    assert {v.enforcement for v in evaluate(plan.to_json(), config=levels)} == {"advisory"}

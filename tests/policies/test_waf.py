"""waf-covers-internet-facing-entry-points on violating and compliant plans, through the real analyzer path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy_plans import messages, plan, resource, urn

POLICY = "waf-covers-internet-facing-entry-points"
LB = "aws:lb/loadBalancer:LoadBalancer"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
STAGE = "aws:apigateway/stage:Stage"
REST_API = "aws:apigateway/restApi:RestApi"
ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/betterprompts-production-regional/0000"
GLOBAL_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/betterprompts-production-cloudfront/0000"


def _lb(name: str = "alb", **inputs: Any) -> dict[str, Any]:
    return resource(LB, name, {"loadBalancerType": "application", "internal": False, **inputs})


def _association(name: str, target_urn: str, arn: str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1") -> dict[str, Any]:
    return resource(ASSOCIATION, name, {"resourceArn": arn, "webAclArn": ACL_ARN}, property_dependencies={"resourceArn": [target_urn]})


def test_an_associated_load_balancer_and_a_distribution_with_an_acl_pass() -> None:
    document = plan(
        _lb(),
        _association("alb-waf", urn("production", LB, "alb")),
        resource(DISTRIBUTION, "site", {"webAclId": GLOBAL_ACL_ARN}),
    )
    assert messages(document, POLICY) == []


def test_an_internet_facing_load_balancer_without_an_association_is_flagged() -> None:
    [message] = messages(plan(_lb()), POLICY)
    assert message.startswith("aws:lb/loadBalancer:LoadBalancer 'alb': an internet-facing load balancer without a WAF web ACL")


def test_an_association_of_another_load_balancer_does_not_cover_this_one() -> None:
    document = plan(_lb("a"), _lb("b"), _association("a-waf", urn("production", LB, "a")))
    [message] = messages(document, POLICY)
    assert "'b'" in message


@pytest.mark.parametrize("inputs", [{"internal": True}, {"loadBalancerType": "network"}])
def test_internal_and_network_load_balancers_are_not_web_entry_points(inputs: dict[str, Any]) -> None:
    assert messages(plan(_lb(**inputs)), POLICY) == []


def test_a_distribution_without_a_web_acl_is_flagged() -> None:
    [message] = messages(plan(resource(DISTRIBUTION, "site", {"enabled": True})), POLICY)
    assert "no WAF web ACL (webAclId is not set)" in message


def test_a_public_rest_stage_needs_an_association_a_private_one_does_not() -> None:
    api = resource(REST_API, "api", {"endpointConfiguration": {"types": ["REGIONAL"]}})
    stage = resource(STAGE, "v1", {"restApi": "api-id", "stageName": "v1"}, property_dependencies={"restApi": [urn("production", REST_API, "api")]})
    [message] = messages(plan(api, stage), POLICY)
    assert "an API Gateway stage without a WAF web ACL" in message
    covered = _association("v1-waf", urn("production", STAGE, "v1"), "arn:aws:apigateway:us-east-1::/restapis/a/stages/v1")
    assert messages(plan(api, stage, covered), POLICY) == []
    private = resource(REST_API, "api", {"endpointConfiguration": {"types": ["PRIVATE"]}})
    assert messages(plan(private, stage), POLICY) == []


def test_a_private_api_is_recognised_in_the_sdks_own_shape() -> None:
    # pulumi-aws 7's RestApiEndpointConfigurationArgs.types is one string, not a list: the shape the
    # program registers. A private API is exempt in that shape too; a regional one still is not.
    stage = resource(STAGE, "v1", {"restApi": "api-id", "stageName": "v1"}, property_dependencies={"restApi": [urn("production", REST_API, "api")]})
    private = resource(REST_API, "api", {"endpointConfiguration": {"types": "PRIVATE"}})
    assert messages(plan(private, stage), POLICY) == []
    regional = resource(REST_API, "api", {"endpointConfiguration": {"types": "REGIONAL"}})
    [message] = messages(plan(regional, stage), POLICY)
    assert "an API Gateway stage without a WAF web ACL" in message


def test_an_http_api_stage_cannot_be_covered_and_is_flagged() -> None:
    [message] = messages(plan(resource("aws:apigatewayv2/stage:Stage", "http", {"apiId": "a", "name": "$default"})), POLICY)
    assert "cannot be associated with a WAF web ACL" in message

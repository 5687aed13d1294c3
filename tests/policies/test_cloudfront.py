"""cloudfront-origins-private-and-logged on violating and compliant plans, through the real analyzer path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy_plans import messages, plan, resource, urn

POLICY = "cloudfront-origins-private-and-logged"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery"
S3_ORIGIN = {"originId": "assets", "domainName": "assets.s3.us-east-1.amazonaws.com", "originAccessControlId": "E2OAC"}
ALB_ORIGIN = {
    "originId": "api",
    "domainName": "origin.betterprompts.io",
    "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"], "httpPort": 80, "httpsPort": 443},
}


def _site(*origins: dict[str, Any], logged: bool = True) -> list[dict[str, Any]]:
    resources = [resource(DISTRIBUTION, "site", {"origins": list(origins) or [S3_ORIGIN, ALB_ORIGIN]})]
    if logged:
        resources.append(
            resource(SOURCE, "site-logs", {"logType": "ACCESS_LOGS", "name": "s"}, property_dependencies={"resourceArn": [urn("production", DISTRIBUTION, "site")]})
        )
        resources.append(
            resource(DELIVERY, "site-delivery", {"deliverySourceName": "s"}, property_dependencies={"deliverySourceName": [urn("production", SOURCE, "site-logs")]})
        )
    return resources


def test_an_oac_origin_and_an_https_origin_with_v2_logging_pass() -> None:
    assert messages(plan(*_site()), POLICY) == []


def test_legacy_logging_counts_too() -> None:
    distribution = resource(DISTRIBUTION, "site", {"origins": [S3_ORIGIN], "loggingConfig": {"bucket": "logs.s3.amazonaws.com"}})
    assert messages(plan(distribution), POLICY) == []


@pytest.mark.parametrize(
    ("origin", "fragment"),
    [
        ({**S3_ORIGIN, "originAccessControlId": ""}, "has no origin access control"),
        ({"originId": "assets", "domainName": "assets.s3.amazonaws.com", "s3OriginConfig": {"originAccessIdentity": "origin-access-identity/cloudfront/E1"}}, "has no origin access control"),
        ({"originId": "site", "domainName": "assets.s3-website-us-east-1.amazonaws.com", "customOriginConfig": {"originProtocolPolicy": "http-only"}}, "is an S3 website endpoint"),
        ({**ALB_ORIGIN, "customOriginConfig": {**ALB_ORIGIN["customOriginConfig"], "originProtocolPolicy": "match-viewer"}}, "originProtocolPolicy 'match-viewer'"),
        ({**ALB_ORIGIN, "customOriginConfig": {**ALB_ORIGIN["customOriginConfig"], "originSslProtocols": ["TLSv1", "TLSv1.2"]}}, "allows TLSv1."),
    ],
)
def test_each_open_origin_is_one_violation(origin: dict[str, Any], fragment: str) -> None:
    [message] = messages(plan(*_site(origin)), POLICY)
    assert fragment in message


def test_a_distribution_without_access_logs_is_flagged() -> None:
    [message] = messages(plan(*_site(logged=False)), POLICY)
    assert "no access logs" in message


def test_a_delivery_source_of_another_distribution_does_not_count() -> None:
    other = resource(DISTRIBUTION, "other", {"origins": [S3_ORIGIN]})
    found = messages(plan(*_site(), other), POLICY)
    assert len(found) == 1 and "'other'" in found[0]


def test_a_lambda_at_edge_function_is_not_asked_for_xray_or_a_dead_letter_queue() -> None:
    function = "aws:lambda/function:Function"
    edge = resource(function, "seo", {"name": "seo", "runtime": "python3.12", "tags": {"LambdaEdge": "true"}})
    for policy in ("lambda-function-hardened", "lambda-failures-kept-encrypted"):
        assert messages(plan(edge), policy) == []
    # The same function without the tag is held to both.
    plain = resource(function, "seo", {"name": "seo", "runtime": "python3.12"})
    assert len(messages(plan(plain), "lambda-function-hardened")) == 1
    assert len(messages(plan(plain), "lambda-failures-kept-encrypted")) == 1


# --- origin groups (origin failover: the static site's replica in the DR Region) ------------------------

REPLICA_ORIGIN = {"originId": "assets-replica", "domainName": "replica.s3.us-west-2.amazonaws.com", "originAccessControlId": "E2OAC"}
GROUP = {
    "originId": "assets-failover",
    "failoverCriteria": {"statusCodes": [500, 502, 503, 504]},
    "members": [{"originId": "assets"}, {"originId": "assets-replica"}],
}
READ = ["GET", "HEAD", "OPTIONS"]


def _failover_site(*, origins: Any = None, group: dict[str, Any] = GROUP, methods: list[str] = READ, target: str = "assets-failover") -> list[dict[str, Any]]:
    [distribution, *logging] = _site()
    distribution["inputs"] = {
        "origins": [S3_ORIGIN, REPLICA_ORIGIN, ALB_ORIGIN] if origins is None else origins,
        "originGroups": [group],
        "defaultCacheBehavior": {"targetOriginId": target, "allowedMethods": methods},
        "orderedCacheBehaviors": [{"pathPattern": "/api/*", "targetOriginId": "api", "allowedMethods": ["GET", "POST"]}],
    }
    return [distribution, *logging]


def test_an_origin_group_of_two_oac_buckets_on_a_read_only_behaviour_passes() -> None:
    assert messages(plan(*_failover_site()), POLICY) == []


def test_secret_origins_leave_the_members_unjudged_but_not_the_group() -> None:
    # The stack plan shows the origins as a secret (the load balancer's header): the group's own shape is still judged.
    assert messages(plan(*_failover_site(origins="[secret]")), POLICY) == []
    bad = {**GROUP, "failoverCriteria": {"statusCodes": [429]}}
    [message] = messages(plan(*_failover_site(origins="[secret]", group=bad)), POLICY)
    assert "fails over on [429]" in message


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"origins": [S3_ORIGIN, {**REPLICA_ORIGIN, "originAccessControlId": ""}, ALB_ORIGIN]}, "S3 origin 'assets-replica' has no origin access control"),
        ({"group": {**GROUP, "members": [{"originId": "assets"}]}}, "has 1 members"),
        ({"group": {**GROUP, "members": [{"originId": "assets"}, {"originId": "gone"}]}}, "names ['gone'], not origins"),
        ({"group": {**GROUP, "failoverCriteria": {"statusCodes": [500, 429]}}}, "fails over on [429]"),
        ({"group": {**GROUP, "failoverCriteria": {"statusCodes": []}}}, "has no failover status codes"),
        ({"methods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]}, "allows ['DELETE', 'PATCH', 'POST', 'PUT']"),
        ({"target": "nowhere"}, "targets 'nowhere', neither an origin nor an origin group"),
    ],
)
def test_each_broken_origin_group_is_one_violation(change: dict[str, Any], fragment: str) -> None:
    [message] = messages(plan(*_failover_site(**change)), POLICY)
    assert fragment in message

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

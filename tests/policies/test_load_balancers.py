"""load-balancer-hardened on violating and compliant load balancers, through the real analyzer path;
and the ELB access-log writer as an SSE-S3-only producer of the access-log destination."""

from __future__ import annotations

from typing import Any

import pytest

from policies.log_delivery import ELB_LOG_DELIVERY, SSE_S3_ONLY_LOG_PRINCIPALS, elb_log_principal, only_log_producers
from tests.policy_plans import messages, plan, resource

POLICY = "load-balancer-hardened"
LB = "aws:lb/loadBalancer:LoadBalancer"
GOOD: dict[str, Any] = {
    "loadBalancerType": "application",
    "internal": False,
    "dropInvalidHeaderFields": True,
    "enableDeletionProtection": True,
    "accessLogs": {"bucket": "betterprompts-production-access-logs-123456789012-us-east-1", "prefix": "alb", "enabled": True},
}


def test_a_hardened_load_balancer_passes_in_both_stacks() -> None:
    assert messages(plan(resource(LB, "alb", GOOD)), POLICY) == []
    staging = {**GOOD, "enableDeletionProtection": False}
    assert messages(plan(resource(LB, "alb", staging, stack="staging"), stack="staging"), POLICY) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"dropInvalidHeaderFields": False}, "dropInvalidHeaderFields is False, must be true"),
        ({"accessLogs": None}, "access logs are off"),
        ({"accessLogs": {"bucket": "logs", "prefix": "alb", "enabled": False}}, "access logs are off"),
        ({"enableDeletionProtection": False}, "enableDeletionProtection is False, must be true"),
    ],
)
def test_each_missing_hardening_is_one_violation(change: dict[str, Any], fragment: str) -> None:
    inputs = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    [message] = messages(plan(resource(LB, "alb", inputs)), POLICY)
    assert fragment in message and "Fix:" in message


def test_network_load_balancers_are_not_judged() -> None:
    assert messages(plan(resource(LB, "nlb", {"loadBalancerType": "network"})), POLICY) == []


@pytest.mark.parametrize(
    ("region", "principal"),
    [
        ("us-east-1", {"AWS": "arn:aws:iam::127311923021:root"}),
        ("us-east-2", {"AWS": "arn:aws:iam::033677994240:root"}),
        ("us-west-2", {"AWS": "arn:aws:iam::797873946194:root"}),
        ("ap-southeast-4", {"Service": ELB_LOG_DELIVERY}),
    ],
)
def test_elb_log_principal_per_region(region: str, principal: dict[str, str]) -> None:
    assert elb_log_principal(region) == principal
    assert only_log_producers(principal.values())


def test_elb_principals_are_sse_s3_only_producers_and_nobody_else_is() -> None:
    assert "arn:aws:iam::127311923021:root" in SSE_S3_ONLY_LOG_PRINCIPALS
    assert not only_log_producers(["arn:aws:iam::123456789012:root"])

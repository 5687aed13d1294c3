"""Pure calculations for the edge layer: AWS names, listener-rule paths and priorities, alarm specs.

Nothing here touches Pulumi resources. Every limit is the one Elastic Load Balancing or
CloudWatch enforces, so a bad value fails at preview instead of half-way through ``pulumi up``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from ..platform import GREATER, AlarmSpec

HTTPS_PORT = 443
ALB_NAMESPACE = "AWS/ApplicationELB"

ORIGIN_HEADER = "X-Origin-Verify"
"""The header CloudFront adds to every origin request; the listener forwards only requests that carry
its secret value (the CloudFront prefix list admits every distribution, not only ours)."""

CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
"""AWS-managed prefix list of CloudFront's origin-facing servers (IPv4). Its weight is 55 of a
security group's default 60 rules, so the load balancer's group references it exactly once."""

ELB_NAME_MAX = 32
"""Load balancer and target group names: 32 characters, letters, digits and hyphens."""

ACCESS_LOG_PREFIX = "alb"
"""Key prefix of the load balancer's access logs in the storage layer's access-log destination."""

TLS13_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
)
"""ALB security policies negotiating TLS 1.3 and TLS 1.2 (AWS, "Security policies for your Application
Load Balancer"). TLS-1.3-only policies (``TLS13-1-3-*``) are left out: CloudFront's origin connections
are configured with ``origin_ssl_protocols`` whose newest value is TLSv1.2, and a 1.3-only listener
would refuse them."""

RULE_PRIORITIES: Mapping[str, int] = {"intent-classifier": 100, "technique-selector": 200, "frontend": 300}
"""Listener-rule priority per service: stable keys (never list position); the API services first."""

# ALB path-pattern conditions: case-sensitive, up to 128 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?
_PATH = re.compile(r"^/[A-Za-z0-9_\-.$/~\"'@:+&*?]{0,127}$")
MAX_PATHS_PER_RULE = 4
"""A rule evaluates at most five condition values; the origin header takes one, paths the rest."""


def elb_name(prefix: str, key: str) -> str:
    """``<prefix>-<key>`` within ELB's 32 characters; a longer prefix is cut and a hash of it keeps names unique."""
    name = f"{prefix}-{key}"
    if len(name) <= ELB_NAME_MAX:
        return name
    digest = hashlib.sha256(prefix.encode()).hexdigest()[:6]
    room = ELB_NAME_MAX - len(key) - len(digest) - 2
    if room < 1:
        raise ValueError(f"ELB name key {key!r} leaves no room for the stack prefix within {ELB_NAME_MAX} characters")
    return f"{prefix[:room].rstrip('-')}-{digest}-{key}"


def path_problem(path: str) -> str | None:
    """Why an ALB listener rule would refuse ``path`` as a path pattern, or None."""
    if not _PATH.match(path):
        return "a path starting with '/', at most 128 characters of letters, digits and _-.$/~\"'@:+&*?"
    return None


def check_routes(routes: Mapping[str, Sequence[str]]) -> None:
    """Every service has a priority, 1-4 valid paths, and no path is routed twice."""
    seen: dict[str, str] = {}
    for service, paths in routes.items():
        if service not in RULE_PRIORITIES:
            raise ValueError(f"no listener-rule priority for service {service!r}")
        if not 1 <= len(paths) <= MAX_PATHS_PER_RULE:
            raise ValueError(f"{service}: 1 to {MAX_PATHS_PER_RULE} paths per rule, got {len(paths)}")
        for path in paths:
            problem = path_problem(path)
            if problem:
                raise ValueError(f"{service}: {path!r} is not {problem}")
            if path in seen:
                raise ValueError(f"{path!r} is routed to both {seen[path]} and {service}")
            seen[path] = service


def _alarm(
    key: str,
    metric: str,
    threshold: float,
    description: str,
    *,
    period_seconds: int,
    evaluation_periods: int,
    datapoints_to_alarm: int,
    statistic: str | None = "Sum",
    extended_statistic: str | None = None,
) -> AlarmSpec:
    # No traffic is not an outage: missing data counts as OK.
    return AlarmSpec(
        key=key,
        namespace=ALB_NAMESPACE,
        metric=metric,
        comparison=GREATER,
        threshold=threshold,
        statistic=statistic,
        extended_statistic=extended_statistic,
        period_seconds=period_seconds,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=datapoints_to_alarm,
        treat_missing_data="notBreaching",
        description=description,
    )


def target_alarms(
    service: str,
    *,
    p95_ms: int,
    errors_5xx: int,
    period_seconds: int,
    evaluation_periods: int,
    datapoints_to_alarm: int,
) -> list[AlarmSpec]:
    """The API latency KPI (p95 < 200 ms) and the 5XX count of one service's target group.

    ``TargetResponseTime`` is in seconds: from the load balancer sending the request to the
    target until the target starts answering.
    """
    return [
        _alarm(
            "p95",
            "TargetResponseTime",
            p95_ms / 1000,
            f"{service}: p95 target response time above {p95_ms} ms (KPI: API p95 < 200 ms)",
            statistic=None,
            extended_statistic="p95",
            period_seconds=period_seconds,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
        ),
        _alarm(
            "5xx",
            "HTTPCode_Target_5XX_Count",
            errors_5xx,
            f"{service}: more than {errors_5xx} 5XX answers per {period_seconds} s",
            period_seconds=period_seconds,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
        ),
    ]


def load_balancer_alarms(
    *, errors_5xx: int, period_seconds: int, evaluation_periods: int, datapoints_to_alarm: int
) -> list[AlarmSpec]:
    """5XX answers the load balancer generates itself (no healthy target, target timeouts)."""
    return [
        _alarm(
            "elb-5xx",
            "HTTPCode_ELB_5XX_Count",
            errors_5xx,
            f"load balancer: more than {errors_5xx} 5XX answers of its own per {period_seconds} s",
            period_seconds=period_seconds,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
        )
    ]

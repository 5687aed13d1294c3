"""Pure choices for the CloudFront distribution: managed policy ids, behaviours, names and KPI alarms.

Nothing here touches Pulumi resources; every value is CloudFront's or CloudWatch's own, with its source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..platform import GREATER, AlarmSpec

# AWS-managed policies, attached by id (CloudFront developer guide, "Use managed cache policies" and
# "Use managed origin request policies"): the same ids in every account, so no invoke is needed.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
"""Managed-CachingOptimized: 1 s min, 1 day default, 1 year max TTL; no cookies, headers or query strings
in the key; gzip and Brotli normalized. The static app's assets."""
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
"""Managed-CachingDisabled: TTL 0, nothing cached. The API and the server-rendered pages."""
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
"""Managed-AllViewerExceptHostHeader: every viewer header, cookie and query string to the origin except
``Host`` (the load balancer's certificate is for the origin name CloudFront connects to)."""

PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
"""CloudFront price classes: 100 = North America, Europe, Israel; 200 adds Asia, Middle East, Africa;
All adds South America, Australia, New Zealand (the most expensive edge locations)."""

VIEWER_TLS_MINIMUM = "TLSv1.2_2021"
"""The viewer security policy: TLS 1.2 and 1.3 with strong ciphers only (CloudFront's recommended policy)."""

ORIGIN_SSL_PROTOCOLS = ("TLSv1.2",)
"""TLS versions CloudFront offers the load balancer (the newest it supports towards a custom origin)."""

ASSETS_ORIGIN = "assets"
API_ORIGIN = "api"
ASSETS_REPLICA_ORIGIN = "assets-replica"
"""The assets bucket's replica in the DR Region: the secondary origin of the static app's origin group."""
ASSETS_ORIGIN_GROUP = "assets-failover"
"""The origin group the static app's behaviour targets when the assets are replicated (primary, then replica)."""

FAILOVER_STATUS_CODES = (400, 403, 404, 416, 500, 502, 503, 504)
"""Every status code CloudFront accepts as an origin group's failover criterion (API ``StatusCodes``)."""
ASSETS_FAILOVER_STATUS_CODES = (500, 502, 503, 504)
"""What the assets bucket answers when S3 in its Region fails: 500 (InternalError), 503 (SlowDown,
ServiceUnavailable), 502/504 (CloudFront's own answers for a broken or timed-out origin response). A
refused or timed-out connection fails over whatever the codes (CloudFront's origin failover). Not 403/404:
without ``s3:ListBucket`` a missing object is 403, and a broken bucket or key policy is 403 too; failing
those over would fetch every missing path twice and hide a primary that denies CloudFront behind a
replica that still serves (the alarms on 4XX/5XX would never see it). Not 400/416: the viewer's error."""

MAX_CACHE_BEHAVIORS = 25
"""Cache behaviours per distribution (CloudFront quota; adjustable, but every route here is one)."""

READ_METHODS = ("GET", "HEAD", "OPTIONS")
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
CACHED_METHODS = ("GET", "HEAD")

HSTS_SECONDS = 63_072_000
"""Two years: the minimum the HSTS preload list accepts is one year."""

CLOUDFRONT_NAMESPACE = "AWS/CloudFront"
CLOUDFRONT_HOSTED_ZONE = "Z2FDTNDATAQYW2"
"""The hosted zone id of every CloudFront distribution, for Route 53 alias records."""

_OAC_NAME = re.compile(r"^[\w.-]{1,64}$")


def api_behaviour_paths(routes: Mapping[str, Sequence[str]]) -> list[str]:
    """Every load-balancer route, in a stable order, as CloudFront path patterns to the API origin.

    CloudFront and the load balancer use the same pattern syntax for these (``/api/intent``,
    ``/api/intent/*``); a path CloudFront sends that the load balancer does not route gets its 403.
    """
    paths = sorted(path for service_paths in routes.values() for path in service_paths)
    if len(paths) > MAX_CACHE_BEHAVIORS:
        raise ValueError(f"{len(paths)} routed paths: CloudFront allows {MAX_CACHE_BEHAVIORS} cache behaviours")
    return paths


def oac_name(prefix: str) -> str:
    """The origin access control's name (CloudFront: 1-64 characters, unique in the account)."""
    name = f"{prefix}-assets"
    if not _OAC_NAME.match(name):
        raise ValueError(f"origin access control name {name!r}: 1-64 characters of letters, digits, _ . -")
    return name


def distribution_arn(account_id: str, distribution_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:cloudfront::{account_id}:distribution/{distribution_id}"


@dataclass(frozen=True)
class MetricMathAlarm:
    """An alarm on a metric-math expression (CloudWatch ``Metrics``), with its queries in order."""

    key: str
    description: str
    comparison: str
    threshold: float
    period_seconds: int
    evaluation_periods: int
    datapoints_to_alarm: int
    queries: tuple[dict[str, Any], ...]
    """CloudWatch metric data queries (id, expression or metric, return_data), snake_case as pulumi-aws takes them."""
    treat_missing_data: str = "notBreaching"


def error_rate_alarm(*, percent: float, period_seconds: int, evaluation_periods: int, datapoints_to_alarm: int) -> AlarmSpec:
    """CloudFront's own 5xxErrorRate (percent of all viewer requests answered 5XX, CloudFront's or the origins')."""
    return AlarmSpec(
        key="5xx-rate",
        namespace=CLOUDFRONT_NAMESPACE,
        metric="5xxErrorRate",
        comparison=GREATER,
        threshold=percent,
        statistic="Average",
        period_seconds=period_seconds,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=datapoints_to_alarm,
        treat_missing_data="notBreaching",
        description=f"CloudFront: more than {percent:g}% of requests answered 5XX",
    )


def availability_alarm(*, target_percent: float, window_seconds: int, distribution_id: Any) -> MetricMathAlarm:
    """Availability over the window against the target (seed KPI "Availability: 99.9% uptime").

    Availability = 100 - 5xxErrorRate, counted only when the distribution served requests in the window
    (no traffic is no outage). CloudWatch evaluates it per window (period = window, 1 of 1), so one bad
    window below the target alarms; the error budget over a month is the dashboard's to show.
    """
    if not 0 < target_percent < 100:
        raise ValueError(f"availability target {target_percent} is not a percentage below 100")
    if window_seconds % 60 or not 60 <= window_seconds <= 86_400:
        raise ValueError(f"availability window {window_seconds} s: a multiple of 60 up to one day")
    dimensions = {"DistributionId": distribution_id, "Region": "Global"}

    def metric(query_id: str, name: str, stat: str) -> dict[str, Any]:
        return {
            "id": query_id,
            "metric": {
                "namespace": CLOUDFRONT_NAMESPACE,
                "metric_name": name,
                "dimensions": dimensions,
                "period": window_seconds,
                "stat": stat,
            },
            "return_data": False,
        }

    return MetricMathAlarm(
        key="availability",
        description=f"CloudFront: availability below {target_percent:g}% over {window_seconds // 60} minutes (KPI: 99.9%)",
        comparison="LessThanThreshold",
        threshold=target_percent,
        period_seconds=window_seconds,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        queries=(
            metric("requests", "Requests", "Sum"),
            metric("errors", "5xxErrorRate", "Average"),
            {
                "id": "availability",
                "expression": "IF(requests > 0, 100 - FILL(errors, 0), 100)",
                "label": "Availability (%)",
                "return_data": True,
            },
        ),
    )


# --- Lambda@Edge (the SEO router) and the static app's cache policy -----------------------------------

EDGE_FUNCTION_RUNTIME = "python3.12"
"""A Python runtime Lambda@Edge supports ("the latest versions of Node.js and Python"), in standard support."""
EDGE_FUNCTION_MEMORY_MB = 128
EDGE_FUNCTION_TIMEOUT_SECONDS = 5
"""Viewer-request functions: at most 128 MB and 5 seconds (Lambda@Edge quotas)."""

RENDER_HEADER = "x-betterprompts-render"
"""The viewer-request event's mark for crawlers' pages: in the static app's cache key (seo_routing.py)."""
RENDER_ORIGIN_HEADER = "x-betterprompts-render-origin"
"""Assets-origin custom header with the load balancer's name, for the origin-request event."""

STATIC_TTL = (1, 86_400, 31_536_000)
"""Min, default and max TTL: Managed-CachingOptimized's, kept for the static app's own cache policy."""


def edge_function_name(prefix: str) -> str:
    """``<prefix>-seo-routing`` within Lambda's 64 characters (its edge log group adds ``us-east-1.``)."""
    name = f"{prefix}-seo-routing"
    if len(name) > 64:
        raise ValueError(f"Lambda function name {name!r} is over 64 characters")
    return name

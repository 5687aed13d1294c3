"""``betterprompts:edge``: the domain and names, CloudFront, the load balancer in front of the services, its
routes, the web ACLs' rules and the KPI alarms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..platform import ConfigError, Section, check_log_retention, suggestion
from .cdn_plan import PRICE_CLASSES
from .plan import MAX_PATHS_PER_RULE, TLS13_POLICIES, check_routes, path_problem
from .waf_plan import MANAGED_GROUPS, RATE_LIMIT_MAX, RATE_LIMIT_MIN, RATE_WINDOW_SECONDS

# Config keys of the routed services -> the workloads' service names.
ROUTE_KEYS = {"intentClassifier": "intent-classifier", "techniqueSelector": "technique-selector", "frontend": "frontend"}
_DOMAIN_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"


@dataclass(frozen=True)
class EdgeAlarmSettings:
    """Thresholds of the KPI alarms (seed "Performance KPIs": API p95 < 200 ms)."""

    target_response_p95_ms: int = 200
    target_5xx_per_period: int = 10
    load_balancer_5xx_per_period: int = 10
    period_seconds: int = 60
    evaluation_periods: int = 5
    datapoints_to_alarm: int = 3
    cloudfront_5xx_rate_percent: float = 1.0
    """CloudFront's 5xxErrorRate (percent of viewer requests) above which the 5XX alarm fires."""
    availability_target_percent: float = 99.9
    """The seed's KPI "Availability: 99.9% uptime": the availability alarm's threshold."""
    availability_window_seconds: int = 3600
    """The window the availability is computed over (one CloudWatch period of the metric-math alarm)."""


@dataclass(frozen=True)
class CdnSettings:
    """The CloudFront distribution (seed "CloudFront: Global CDN with caching")."""

    price_class: str = "PriceClass_All"
    """Which edge locations serve viewers (:data:`~.cdn_plan.PRICE_CLASSES`); fewer is cheaper."""
    log_retention_days: int = 90
    """Retention of the access-log group (standard logging v2 into CloudWatch Logs)."""
    seo_routing: bool = True
    """Lambda@Edge on the static app: crawlers' pages to the server-rendered path (seed: "dynamic rendering for SEO")."""
    additional_metrics: bool = False
    """CloudFront's additional distribution metrics (origin latency, cache hit rate, error rate per status code):
    up to 8 metrics billed at CloudWatch's per-metric rate; the KPI dashboard's origin latency needs them."""


@dataclass(frozen=True)
class WafSettings:
    """The web ACLs' rules (seed "Network Security": AWS WAF), the same for the CloudFront and regional ACLs."""

    managed_rule_groups: tuple[str, ...] = tuple(MANAGED_GROUPS)
    """AWS managed rule groups by key (``common``, ``knownBadInputs``, ``ipReputation``, ``sqlInjection``)."""
    rate_limit: int = 2000
    """Requests per source IP within ``rate_window_seconds`` before WAF blocks it."""
    rate_window_seconds: int = 300
    log_retention_days: int = 365
    log_all_requests: bool = False
    """Log every request, not only those a rule blocked or counted (CloudFront's own logs have every request)."""


@dataclass(frozen=True)
class EdgeSettings:
    zone_name: str
    """An existing public Route 53 hosted zone (looked up, not created) holding the names below."""
    api_origin_name: str
    """The load balancer's DNS name and certificate name (inside the zone); only CloudFront connects to it."""
    site_name: str
    """The site's name (CloudFront alias, certificate, alias records)."""
    api_name: str
    """The API's public name: the same distribution (its WAF, its routes), a second alias of it."""
    ssl_policy: str
    """The HTTPS listener's security policy: TLS 1.3 and 1.2 (:data:`~.plan.TLS13_POLICIES`)."""
    idle_timeout_seconds: int
    routes: dict[str, tuple[str, ...]]
    """Service name -> the path patterns the load balancer forwards to it."""
    alarms: EdgeAlarmSettings
    waf: WafSettings = WafSettings()
    cdn: CdnSettings = CdnSettings()

    @staticmethod
    def read(section: Section) -> "EdgeSettings":
        domain = section.child("domain")
        zone = _domain(domain, "zoneName")
        names: dict[str, str] = {}
        for key in ("site", "api", "apiOrigin"):
            name = _domain(domain, key)
            if name != zone and not name.endswith(f".{zone}"):
                # Either side may have changed: name the zone's key too.
                raise ConfigError(domain.key(key), name, f"the zone {zone} of {domain.key('zoneName')} or a name inside it (….{zone})")
            if key == "apiOrigin" and name == zone:
                raise ConfigError(domain.key(key), name, f"a name inside the zone {zone} (….{zone}): the apex is for the site")
            if name in names.values():
                raise ConfigError(domain.key(key), name, "a name no other domain key uses")
            names[key] = name
        domain.finish()

        lb = section.child("loadBalancer", {})
        policy = lb.string("sslPolicy", TLS13_POLICIES[0], choices=TLS13_POLICIES)
        idle = lb.integer("idleTimeoutSeconds", 60, minimum=1, maximum=4000)
        lb.finish()

        routes_section = section.child("routes")
        routes: dict[str, tuple[str, ...]] = {}
        for key in routes_section.names():
            if key not in ROUTE_KEYS:
                raise ConfigError(
                    routes_section.key(key), routes_section.raw(key), "one of " + ", ".join(ROUTE_KEYS) + suggestion(key, ROUTE_KEYS)
                )
            paths = routes_section.strings(key, min_items=1, max_items=MAX_PATHS_PER_RULE, item=_path)
            routes[ROUTE_KEYS[key]] = paths
        routes_section.finish()
        if not routes:
            raise ConfigError(routes_section.path, {}, "at least one routed service: " + ", ".join(ROUTE_KEYS))
        try:
            check_routes(routes)
        except ValueError as error:
            raise ConfigError(routes_section.path, routes, str(error)) from None

        alarms = section.child("alarms", {})
        period = alarms.integer("periodSeconds", 60, minimum=60, maximum=86400)
        if period % 60:
            raise ConfigError(alarms.key("periodSeconds"), period, "a multiple of 60")
        evaluation = alarms.integer("evaluationPeriods", 5, minimum=1, maximum=100)
        alarm_settings = EdgeAlarmSettings(
            target_response_p95_ms=alarms.integer("targetResponseP95Ms", 200, minimum=1, maximum=60000),
            target_5xx_per_period=alarms.integer("target5xxPerPeriod", 10, minimum=0),
            load_balancer_5xx_per_period=alarms.integer("loadBalancer5xxPerPeriod", 10, minimum=0),
            period_seconds=period,
            evaluation_periods=evaluation,
            datapoints_to_alarm=alarms.integer("datapointsToAlarm", min(3, evaluation), minimum=1, maximum=evaluation),
            cloudfront_5xx_rate_percent=alarms.number("cloudFront5xxRatePercent", 1.0, minimum=0.01, maximum=100),
            availability_target_percent=alarms.number("availabilityTargetPercent", 99.9, minimum=90, maximum=99.999),
            availability_window_seconds=alarms.integer("availabilityWindowSeconds", 3600, minimum=300, maximum=86400),
        )
        if alarm_settings.availability_window_seconds % 60:
            raise ConfigError(alarms.key("availabilityWindowSeconds"), alarm_settings.availability_window_seconds, "a multiple of 60")
        alarms.finish()
        cdn_section = section.child("cdn", {})
        cdn = CdnSettings(
            price_class=cdn_section.string("priceClass", "PriceClass_All", choices=PRICE_CLASSES),
            log_retention_days=check_log_retention(cdn_section.key("logRetentionDays"), cdn_section.integer("logRetentionDays", 90)),
            seo_routing=cdn_section.boolean("seoRouting", True),
            additional_metrics=cdn_section.boolean("additionalMetrics", False),
        )
        cdn_section.finish()
        waf = _waf(section.child("waf", {}))
        section.finish()
        return EdgeSettings(
            zone_name=zone,
            api_origin_name=names["apiOrigin"],
            site_name=names["site"],
            api_name=names["api"],
            ssl_policy=policy,
            idle_timeout_seconds=idle,
            routes=routes,
            alarms=alarm_settings,
            waf=waf,
            cdn=cdn,
        )


def _waf(section: Section) -> WafSettings:
    # Every combination of the four groups stays within the 1,500 WCUs the base price includes (waf_plan.capacity).
    groups = tuple(
        dict.fromkeys(section.strings("managedRuleGroups", list(MANAGED_GROUPS), min_items=1, item=_managed_group))
    )
    window = section.integer("rateWindowSeconds", 300)
    if window not in RATE_WINDOW_SECONDS:
        raise ConfigError(section.key("rateWindowSeconds"), window, "one of " + ", ".join(map(str, RATE_WINDOW_SECONDS)))
    settings = WafSettings(
        managed_rule_groups=groups,
        rate_limit=section.integer("rateLimit", 2000, minimum=RATE_LIMIT_MIN, maximum=RATE_LIMIT_MAX),
        rate_window_seconds=window,
        log_retention_days=check_log_retention(section.key("logRetentionDays"), section.integer("logRetentionDays", 365)),
        log_all_requests=section.boolean("logAllRequests", False),
    )
    section.finish()
    return settings


def _managed_group(key: str, value: object) -> str:
    if not isinstance(value, str) or value not in MANAGED_GROUPS:
        raise ConfigError(key, value, "one of " + ", ".join(MANAGED_GROUPS))
    return value


def _domain(section: Section, name: str) -> str:
    value = section.string(name).lower().rstrip(".")
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(re.fullmatch(_DOMAIN_LABEL, label) for label in labels):
        raise ConfigError(section.key(name), value, "a DNS name such as example.com (labels of a-z, 0-9 and -)")
    return value


def _path(key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError(key, value, "a path pattern string")
    problem = path_problem(value)
    if problem:
        raise ConfigError(key, value, problem)
    return value


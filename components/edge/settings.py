"""``betterprompts:edge``: the domain and names, CloudFront, the load balancer in front of the services, its
routes, the web ACLs' rules and the KPI alarms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..platform import MISSING, ConfigError, Section, check_log_retention, suggestion
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
class EdgeDomain:
    """``betterprompts:edge.domain``: the zone and the names the platform answers on."""

    zone_name: str
    """An existing public Route 53 hosted zone (looked up, not created) holding the names below."""
    api_origin_name: str
    """The load balancer's DNS name and certificate name (inside the zone); only CloudFront connects to it."""
    site_name: str
    """The site's name (CloudFront alias, certificate, alias records)."""
    api_name: str
    """The API's public name: the same distribution (its WAF, its routes), a second alias of it."""


@dataclass(frozen=True)
class EdgeSettings:
    domain: EdgeDomain | None
    """None is no-domain mode: CloudFront on its own ``*.cloudfront.net`` name serves the static app only.
    What needs a domain (docs/edge.md, "No-domain mode"): the API (its load balancer is an HTTPS origin,
    whose certificate ACM issues only for a name one controls), the TLS 1.2 viewer minimum (CloudFront
    pins the default certificate's to TLSv1), the custom names, Lambda@Edge's SEO routing (it renders on
    the load balancer), the DNS records and the health checks on them."""
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
        domain = _edge_domain(section.child("domain")) if section.has("domain") else None
        if domain is None:
            # No-domain mode: what needs a name of one's own is refused here, not left to fail at deploy.
            for key in ("routes", "loadBalancer"):
                if section.has(key):
                    raise ConfigError(
                        section.key(key),
                        section.raw(key),
                        f"no {key} without {section.key('domain')}: the API's load balancer is an HTTPS origin "
                        "and needs a certificate for a name in your zone (set the domain, or remove this key)",
                    )

        lb = section.child("loadBalancer", {})
        policy = lb.string("sslPolicy", TLS13_POLICIES[0], choices=TLS13_POLICIES)
        idle = lb.integer("idleTimeoutSeconds", 60, minimum=1, maximum=4000)
        lb.finish()

        routes_section = section.child("routes", {} if domain is None else MISSING)
        routes: dict[str, tuple[str, ...]] = {}
        for key in routes_section.names():
            if key not in ROUTE_KEYS:
                raise ConfigError(
                    routes_section.key(key), routes_section.raw(key), "one of " + ", ".join(ROUTE_KEYS) + suggestion(key, ROUTE_KEYS)
                )
            paths = routes_section.strings(key, min_items=1, max_items=MAX_PATHS_PER_RULE, item=_path)
            routes[ROUTE_KEYS[key]] = paths
        routes_section.finish()
        if not routes and domain is not None and not section.stand_in("routes"):
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
            seo_routing=cdn_section.boolean("seoRouting", domain is not None),
            additional_metrics=cdn_section.boolean("additionalMetrics", False),
        )
        if cdn.seo_routing and domain is None:
            raise ConfigError(
                cdn_section.key("seoRouting"),
                True,
                f"false without {section.key('domain')}: the SEO router sends crawlers to the server-rendered "
                "path on the load balancer, which needs the domain",
            )
        cdn_section.finish()
        waf = _waf(section.child("waf", {}))
        section.finish()
        return EdgeSettings(
            domain=domain,
            ssl_policy=policy,
            idle_timeout_seconds=idle,
            routes=routes,
            alarms=alarm_settings,
            waf=waf,
            cdn=cdn,
        )


def _edge_domain(domain: Section) -> EdgeDomain:
    # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
    examples = {"site": "example.com", "api": "api.example.com", "apiOrigin": "origin.example.com"}
    zone = _domain(domain, "zoneName", "example.com")
    names: dict[str, str] = {}
    given: list[str] = []  # names compared with each other (a survey's stand-ins are compared with nothing)
    for key in ("site", "api", "apiOrigin"):
        name = names[key] = _domain(domain, key, examples[key])
        if domain.stand_in("zoneName", key):
            continue
        if name != zone and not name.endswith(f".{zone}"):
            # Either side may have changed: name the zone's key too.
            raise ConfigError(domain.key(key), name, f"the zone {zone} of {domain.key('zoneName')} or a name inside it (….{zone})")
        if key == "apiOrigin" and name == zone:
            raise ConfigError(domain.key(key), name, f"a name inside the zone {zone} (….{zone}): the apex is for the site")
        if name in given:
            raise ConfigError(domain.key(key), name, "a name no other domain key uses")
        given.append(name)
    domain.finish()
    return EdgeDomain(zone_name=zone, api_origin_name=names["apiOrigin"], site_name=names["site"], api_name=names["api"])


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


def _domain(section: Section, name: str, example: str) -> str:
    value = section.string(name, example=example).lower().rstrip(".")
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


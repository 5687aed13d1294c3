"""betterprompts:edge: both stacks parse; every bad value is a ConfigError naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from components.edge import TLS13_POLICIES
from components.platform import ConfigError
from tests.stack_config import load, with_value


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_both_stacks_route_the_three_services(stack: str) -> None:
    edge = load(with_value("edge", "loadBalancer.idleTimeoutSeconds", 60, stack), stack).edge
    assert set(edge.routes) == {"intent-classifier", "technique-selector", "frontend"}
    domain = edge.domain
    assert domain is not None
    assert domain.api_origin_name.endswith("." + domain.zone_name)
    assert domain.site_name in (domain.zone_name, f"staging.{domain.zone_name}")
    assert domain.api_name == f"api.{domain.site_name}"
    assert edge.ssl_policy in TLS13_POLICIES
    assert edge.alarms.target_response_p95_ms == 200  # the seed's KPI


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("loadBalancer.sslPolicy", "ELBSecurityPolicy-2016-08", "one of ELBSecurityPolicy-TLS13-1-2-2021-06"),
        # TLS 1.3 only: CloudFront's origin connections would be refused.
        ("loadBalancer.sslPolicy", "ELBSecurityPolicy-TLS13-1-3-2021-06", "one of"),
        ("loadBalancer.idleTimeoutSeconds", 0, "from 1 to 4000"),
        ("domain.apiOrigin", "origin.example.com", "the zone betterprompts.io of betterprompts:edge.domain.zoneName or a name inside it"),
        ("domain.apiOrigin", "betterprompts.io", "a name inside the zone betterprompts.io"),
        ("domain.site", "betterprompts.com", "the zone betterprompts.io of betterprompts:edge.domain.zoneName or a name inside it"),
        ("domain.api", "betterprompts.io", "a name no other domain key uses"),
        ("cdn.priceClass", "PriceClass_50", "one of PriceClass_100, PriceClass_200, PriceClass_All"),
        ("cdn.logRetentionDays", 2, "a CloudWatch Logs retention period"),
        ("alarms.availabilityTargetPercent", 100, "from 90 to 99.999"),
        ("alarms.availabilityWindowSeconds", 3630, "a multiple of 60"),
        ("alarms.cloudFront5xxRatePercent", 0, "from 0.01 to 100"),
        ("domain.zoneName", "not a domain", "a DNS name"),
        ("routes.intentClassifier[0]", "api/intent", "a path starting with '/'"),
        ("routes.intentClassifier", ["/a", "/b", "/c", "/d", "/e"], "a list of from 1 to 4 items"),
        ("routes.promptGenerator", ["/gen"], "one of intentClassifier, techniqueSelector, frontend"),
        ("routes.frontEnd", ["/app"], "one of intentClassifier, techniqueSelector, frontend (did you mean 'frontend'?)"),
        ("routes.techniqueSelector", ["/api/intent"], "routed to both"),
        ("alarms.periodSeconds", 90, "a multiple of 60"),
        ("alarms.datapointsToAlarm", 9, "from 1 to 5"),
        ("loadBalancer.nonsense", 1, "no such key"),
        ("waf.managedRuleGroups", ["common", "botControl"], "one of common, knownBadInputs, ipReputation, sqlInjection"),
        ("waf.managedRuleGroups", [], "a list of at least 1 items"),
        ("waf.rateLimit", 5, "from 10 to 2000000000"),
        ("waf.rateWindowSeconds", 30, "one of 60, 120, 300, 600"),
        ("waf.logRetentionDays", 13, "a CloudWatch Logs retention period"),
        ("waf.logAllRequests", "sometimes", "true or false"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, allowed: str) -> None:
    config_key = key.split("[")[0]
    if "[" in key:
        value = [value]
    with pytest.raises(ConfigError) as error:
        load(with_value("edge", config_key, value))
    expected_key = f"betterprompts:edge.{key}"
    if "routed to both" in allowed:
        expected_key = "betterprompts:edge.routes"
    if key == "waf.managedRuleGroups" and value:
        expected_key = "betterprompts:edge.waf.managedRuleGroups[1]"
    assert error.value.key == expected_key
    assert allowed in error.value.allowed


def test_staging_runs_fewer_waf_rules_than_production() -> None:
    production = load(with_value("edge", "waf.rateLimit", 2000)).edge.waf
    staging = load(with_value("edge", "waf.rateLimit", 1000, "staging"), "staging").edge.waf
    assert production.managed_rule_groups == ("common", "knownBadInputs", "ipReputation", "sqlInjection")
    assert staging.managed_rule_groups == ("common", "knownBadInputs", "ipReputation")
    assert (production.log_all_requests, staging.log_all_requests) == (False, False)


def test_without_a_waf_section_every_group_and_the_defaults_apply() -> None:
    config = with_value("edge", "alarms.periodSeconds", 60)
    del config["betterprompts:edge"]["waf"]
    waf = load(config).edge.waf
    assert (len(waf.managed_rule_groups), waf.rate_limit, waf.rate_window_seconds, waf.log_retention_days) == (4, 2000, 300, 365)


def test_staging_uses_the_cheapest_price_class_and_production_every_edge() -> None:
    production = load(with_value("edge", "cdn.logRetentionDays", 90)).edge.cdn
    staging = load(with_value("edge", "cdn.logRetentionDays", 14, "staging"), "staging").edge.cdn
    assert (production.price_class, staging.price_class) == ("PriceClass_All", "PriceClass_100")

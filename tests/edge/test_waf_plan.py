"""The WAF rules as data: managed groups in a fixed order within the included capacity, names WAF accepts,
the aws-waf-logs- destination and the log delivery policy."""

from __future__ import annotations

import itertools
import json

import pytest

from components.edge.waf_plan import (
    MANAGED_GROUPS,
    WCU_INCLUDED,
    capacity,
    log_delivery_policy,
    managed_groups,
    metric_name,
    rule_name,
    waf_log_group_name,
)


def test_groups_come_in_their_own_priority_order_whatever_the_config_order() -> None:
    groups = managed_groups(["sqlInjection", "common", "ipReputation", "common"])
    assert [g.name for g in groups] == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesSQLiRuleSet",
    ]
    assert [g.priority for g in groups] == [10, 30, 40]


def test_every_combination_of_groups_stays_within_the_capacity_the_base_price_includes() -> None:
    keys = list(MANAGED_GROUPS)
    assert capacity(keys) == 2 + 700 + 200 + 25 + 200
    for size in range(1, len(keys) + 1):
        for combination in itertools.combinations(keys, size):
            assert capacity(combination) <= WCU_INCLUDED


def test_an_unknown_group_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown managed rule groups"):
        managed_groups(["botControl"])


def test_prompt_bodies_over_8_kb_are_counted_not_blocked() -> None:
    assert MANAGED_GROUPS["common"].count_rules == ("SizeRestrictions_BODY",)


def test_names_waf_accepts() -> None:
    assert metric_name("betterprompts-production", "regional-rate-per-ip") == "betterprompts-production-regional-rate-per-ip"
    with pytest.raises(ValueError):
        metric_name("bad prefix", "x")
    assert rule_name("AWSManagedRulesSQLiRuleSet") == "AWSManagedRulesSQLiRuleSet"
    with pytest.raises(ValueError):
        rule_name("rate per ip")


def test_log_groups_carry_the_prefix_waf_requires() -> None:
    assert waf_log_group_name("betterprompts-staging", "CLOUDFRONT") == "aws-waf-logs-betterprompts-staging-cloudfront"
    with pytest.raises(ValueError):
        waf_log_group_name("betterprompts-staging", "GLOBAL")


def test_the_delivery_policy_admits_log_delivery_for_this_group_and_account_only() -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-betterprompts-production-regional"
    [statement] = json.loads(log_delivery_policy(arn + ":*", account_id="123456789012", region="us-east-1"))["Statement"]
    assert statement == {
        "Sid": "WafLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": arn + ":log-stream:*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": "123456789012"},
            "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:*"},
        },
    }

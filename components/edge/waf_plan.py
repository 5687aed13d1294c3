"""Pure rules for the edge's WAF web ACLs: AWS managed rule groups, the rate-based rule, names.

Every limit here is WAF's own, so a rate limit WAF refuses, an unknown managed group or a log
destination without the ``aws-waf-logs-`` prefix fails at preview, not half-way through ``pulumi up``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..platform import policy_document

SCOPES = ("REGIONAL", "CLOUDFRONT")

WAF_LOG_PREFIX = "aws-waf-logs-"
"""WAF logs only into a destination whose name starts with this (AWS: PutLoggingConfiguration)."""

RATE_LIMIT_MIN = 10
RATE_LIMIT_MAX = 2_000_000_000
"""Requests per source IP in the evaluation window (WAF's RateBasedStatement.Limit bounds)."""
RATE_WINDOW_SECONDS = (60, 120, 300, 600)
"""The evaluation windows WAF offers (RateBasedStatement.EvaluationWindowSec)."""

WCU_INCLUDED = 1500
"""Web ACL capacity units included in the base price; above it WAF charges per request (AWS WAF pricing)."""

_METRIC = re.compile(r"^[\w#:.\-/]{1,255}$")
_RULE_NAME = re.compile(r"^[\w\-]{1,128}$")


@dataclass(frozen=True)
class ManagedGroup:
    key: str
    """Config key (``common``)."""
    name: str
    """AWS's managed rule group name."""
    priority: int
    """Stable per group (never list position); the rate rule goes first."""
    capacity: int
    """Web ACL capacity units (WCUs) the group uses (AWS managed rule groups list)."""
    count_rules: tuple[str, ...] = ()
    """Rules of the group overridden to COUNT (measured, not blocking), each with its reason in MANAGED_GROUPS."""


MANAGED_GROUPS: dict[str, ManagedGroup] = {
    # Prompts are request bodies, and the common set blocks bodies over 8 KB (SizeRestrictions_BODY):
    # that rule counts instead of blocking; the application limits prompt size itself.
    "common": ManagedGroup("common", "AWSManagedRulesCommonRuleSet", 10, 700, ("SizeRestrictions_BODY",)),
    "knownBadInputs": ManagedGroup("knownBadInputs", "AWSManagedRulesKnownBadInputsRuleSet", 20, 200),
    "ipReputation": ManagedGroup("ipReputation", "AWSManagedRulesAmazonIpReputationList", 30, 25),
    "sqlInjection": ManagedGroup("sqlInjection", "AWSManagedRulesSQLiRuleSet", 40, 200),
}
RATE_RULE_PRIORITY = 0
RATE_RULE_NAME = "rate-per-ip"
RATE_RULE_CAPACITY = 2
"""A rate-based rule aggregating on the IP alone costs 2 WCUs."""

REDACTED_HEADERS = ("authorization", "cookie")
"""Credentials never reach the WAF logs."""


def managed_groups(keys: Sequence[str]) -> list[ManagedGroup]:
    """The managed groups named by config keys, in their fixed priority order."""
    unknown = [k for k in keys if k not in MANAGED_GROUPS]
    if unknown:
        raise ValueError(f"unknown managed rule groups {unknown}; known: {', '.join(MANAGED_GROUPS)}")
    return sorted((MANAGED_GROUPS[k] for k in dict.fromkeys(keys)), key=lambda g: g.priority)


def capacity(keys: Sequence[str]) -> int:
    """WCUs the web ACL uses: the rate rule plus its managed groups (must stay within the included 1,500)."""
    return RATE_RULE_CAPACITY + sum(group.capacity for group in managed_groups(keys))


def metric_name(prefix: str, key: str) -> str:
    """A CloudWatch metric name for a rule or ACL (WAF: 1-255 of letters, digits and ``_#:.-/``)."""
    name = f"{prefix}-{key}"
    if not _METRIC.match(name):
        raise ValueError(f"WAF metric name {name!r}: 1-255 characters of letters, digits and _#:.-/")
    return name


def rule_name(name: str) -> str:
    """A web ACL rule name (WAF: 1-128 of letters, digits, ``_`` and ``-``)."""
    if not _RULE_NAME.match(name):
        raise ValueError(f"WAF rule name {name!r}: 1-128 characters of letters, digits, _ and -")
    return name


def waf_log_group_name(prefix: str, scope: str) -> str:
    """``aws-waf-logs-<prefix>-<scope>``: the prefix WAF requires of every log destination."""
    if scope not in SCOPES:
        raise ValueError(f"WAF scope {scope!r} is not one of {SCOPES}")
    return f"{WAF_LOG_PREFIX}{prefix}-{scope.lower()}"


def log_delivery_policy(log_group_arn: str, *, account_id: str, region: str, partition: str = "aws") -> str:
    """The CloudWatch Logs resource policy WAF's log delivery needs on one log group.

    AWS WAF developer guide, "Sending web ACL traffic logs to an Amazon CloudWatch Logs log group":
    ``delivery.logs.amazonaws.com`` may create streams and put events, for this account's deliveries.
    Owning it here (instead of letting WAF grow the account-wide ``AWSWAF-LOGS`` policy, which fails
    once it passes CloudWatch's policy size limit) keeps it to this stack's log group.
    """
    statement: dict[str, Any] = {
        "Sid": "WafLogDelivery",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn.removesuffix(':*')}:log-stream:*",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account_id}:*"},
        },
    }
    return policy_document([statement])

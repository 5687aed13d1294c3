"""WebFirewall: a WAF web ACL with AWS's managed rule groups and a per-IP rate rule, logging into a
KMS-encrypted CloudWatch Logs group, associated with the regional entry points it protects (seed
"Network Security": AWS WAF).

Two scopes. ``REGIONAL`` lives in the stack's region and is associated with the load balancer (and
the serverless layer's API Gateway stage) through ``WebAclAssociation``s. ``CLOUDFRONT`` must be
created in us-east-1 (its provider comes in ``opts``); a distribution names it in ``web_acl_id``,
so it has no associations.

Logging: CloudWatch Logs, into a group named ``aws-waf-logs-*`` (WAF refuses any other name) in
the ACL's region, encrypted with the stack's logs key (a log group's key must be in its region;
the key's policy already admits CloudWatch Logs for the account's groups). The resource policy
WAF's log delivery needs is this component's, scoped to its group, rather than WAF's shared
``AWSWAF-LOGS`` policy. S3 (SSE-KMS with a key policy for ``delivery.logs.amazonaws.com``) and
Firehose were the alternatives: CloudWatch Logs needs no extra key grant and Logs Insights queries
it directly. By default only requests a rule blocked or counted are logged (CloudFront's and the
load balancer's access logs have every request); ``logAllRequests`` logs them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import CLOUDFRONT_REGION, ComponentTags
from .settings import WafSettings
from .waf_plan import (
    RATE_RULE_NAME,
    RATE_RULE_PRIORITY,
    REDACTED_HEADERS,
    SCOPES,
    log_delivery_policy,
    managed_groups,
    metric_name,
    rule_name,
    waf_log_group_name,
)


@dataclass
class WebFirewallArgs:
    """Inputs of :class:`WebFirewall`."""

    prefix: str
    """The stack prefix: ACL, metric and log group names."""
    scope: str
    """``REGIONAL`` (load balancers, API Gateway REST stages) or ``CLOUDFRONT`` (created in us-east-1)."""
    region: str
    """The region the ACL and its log group are created in (its provider's, from ``opts``)."""
    settings: WafSettings
    """``betterprompts:edge.waf``: managed groups, rate limit, logging."""
    account_id: pulumi.Input[str]
    """For the log delivery policy's confused-deputy conditions."""
    logs_kms_key_arn: pulumi.Input[str]
    """The stack's logs key (``keys["logs"]``) for the log group; it must be in ``region``."""
    logs_kms_key_region: str
    """The region of ``logs_kms_key_arn`` (CloudWatch Logs uses only a key of the group's own region)."""
    protected: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Stable key -> ARN of each regional resource the ACL is associated with (none for CLOUDFRONT:
    a distribution names its ACL itself)."""


class WebFirewall(pulumi.ComponentResource):
    """One web ACL, its logging and (regional) associations."""

    web_acl_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: WebFirewallArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:edge:WebFirewall", name, None, opts)
        tags = ComponentTags("edge")
        settings = args.settings
        key = args.scope.lower()

        def visibility(metric: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
            return aws.wafv2.WebAclRuleVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=metric_name(args.prefix, metric), sampled_requests_enabled=True
            )

        rules = [
            aws.wafv2.WebAclRuleArgs(
                name=rule_name(RATE_RULE_NAME),
                priority=RATE_RULE_PRIORITY,
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        limit=settings.rate_limit,
                        evaluation_window_sec=settings.rate_window_seconds,
                        aggregate_key_type="IP",
                    )
                ),
                visibility_config=visibility(f"{key}-{RATE_RULE_NAME}"),
            )
        ]
        for group in managed_groups(settings.managed_rule_groups):
            overrides = [
                aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs(
                    name=rule,
                    action_to_use=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs(
                        count=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs()
                    ),
                )
                for rule in group.count_rules
            ]
            rules.append(
                aws.wafv2.WebAclRuleArgs(
                    name=rule_name(group.name),
                    priority=group.priority,
                    # The group's own actions apply (block), except the rules overridden to count.
                    override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
                    statement=aws.wafv2.WebAclRuleStatementArgs(
                        managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                            name=group.name,
                            vendor_name="AWS",
                            rule_action_overrides=overrides or None,
                        )
                    ),
                    visibility_config=visibility(f"{key}-{group.key}"),
                )
            )
        acl_name = f"{name}-acl"
        self.web_acl = aws.wafv2.WebAcl(
            acl_name,
            name=f"{args.prefix}-{key}",
            scope=args.scope,
            description=f"{args.prefix} {key} entry points: AWS managed rules and a per-IP rate limit",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=rules,
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=metric_name(args.prefix, key), sampled_requests_enabled=True
            ),
            tags=tags(acl_name),
            opts=pulumi.ResourceOptions(parent=self),
        )

        log_group_name = f"{name}-logs"
        self.log_group = aws.cloudwatch.LogGroup(
            log_group_name,
            name=waf_log_group_name(args.prefix, args.scope),
            retention_in_days=settings.log_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(log_group_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        delivery_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-log-delivery",
            policy_name=f"{args.prefix}-waf-{key}",
            policy_document=pulumi.Output.all(self.log_group.arn, args.account_id).apply(
                lambda v: log_delivery_policy(v[0], account_id=v[1], region=args.region)
            ),
            opts=pulumi.ResourceOptions(parent=self.log_group),
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=self.web_acl.arn,
            log_destination_configs=[self.log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in REDACTED_HEADERS
            ],
            logging_filter=None if settings.log_all_requests else _blocked_or_counted(),
            # The delivery policy first: WAF checks it when logging is switched on.
            opts=pulumi.ResourceOptions(parent=self.web_acl, depends_on=[delivery_policy]),
        )
        for resource_key, arn in sorted(args.protected.items()):
            aws.wafv2.WebAclAssociation(
                f"{name}-{resource_key}",
                resource_arn=arn,
                web_acl_arn=self.web_acl.arn,
                opts=pulumi.ResourceOptions(parent=self.web_acl),
            )
        self.web_acl_arn = self.web_acl.arn
        self.log_group_name = self.log_group.name
        self.register_outputs({"web_acl_arn": self.web_acl_arn, "log_group_name": self.log_group_name})


def _blocked_or_counted() -> aws.wafv2.WebAclLoggingConfigurationLoggingFilterArgs:
    """Keep the requests a rule blocked or counted; drop the rest."""
    return aws.wafv2.WebAclLoggingConfigurationLoggingFilterArgs(
        default_behavior="DROP",
        filters=[
            aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterArgs(
                behavior="KEEP",
                requirement="MEETS_ANY",
                conditions=[
                    aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionArgs(
                        action_condition=aws.wafv2.WebAclLoggingConfigurationLoggingFilterFilterConditionActionConditionArgs(
                            action=action
                        )
                    )
                    for action in ("BLOCK", "COUNT")
                ],
            )
        ],
    )


def _check_args(args: WebFirewallArgs) -> None:
    if args.scope not in SCOPES:
        raise ValueError(f"WebFirewall: scope {args.scope!r} is not one of {SCOPES}")
    if args.scope == "CLOUDFRONT" and args.protected:
        raise ValueError("WebFirewall: a CLOUDFRONT web ACL is named by the distribution, not associated")
    if args.scope == "CLOUDFRONT" and args.region != CLOUDFRONT_REGION:
        raise ValueError(f"WebFirewall: a CLOUDFRONT web ACL (and its log group) must be created in {CLOUDFRONT_REGION}")
    if args.logs_kms_key_region != args.region:
        raise ValueError(
            f"WebFirewall: the log group in {args.region} cannot use a key in {args.logs_kms_key_region} "
            "(CloudWatch Logs takes a key of the group's own region)"
        )

"""WebFirewall in both stacks: CloudFront's ACL in us-east-1 through the tagged region provider, the
regional one on the load balancer, AWS managed groups and the rate rule from config, KMS-encrypted
aws-waf-logs-* logging with its own delivery policy; conflicting inputs refused before any child."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.edge import WafSettings, WebFirewall, WebFirewallArgs
from components.settings import load_settings
from preflight.harness import Plan, Resource, read_stack_config

ACL = "aws:wafv2/webAcl:WebAcl"
LB = "aws:lb/loadBalancer:LoadBalancer"
PROVIDER = "pulumi:providers:aws"


def _settings(plan: Plan) -> Any:
    return load_settings(read_stack_config(plan.stack)[0], project="betterprompts", stack=plan.stack)


def _acl(plan: Plan, scope: str) -> Resource:
    [acl] = [r for r in plan.of_type(ACL) if r.inputs["scope"] == scope]
    return acl


def _provider_of(plan: Plan, resource: Resource) -> Resource:
    urn = resource.provider.rsplit("::", 1)[0]
    return plan.by_urn(urn)


def _firewall(plan: Plan, scope: str) -> list[Resource]:
    [component] = [r for r in plan.of_type("betterprompts:edge:WebFirewall") if r.name.endswith(scope.lower())]
    return list(plan.descendants(component.urn))


def test_two_web_acls_one_per_scope(plan: Plan) -> None:
    acls = plan.of_type(ACL)
    assert sorted(a.inputs["scope"] for a in acls) == ["CLOUDFRONT", "REGIONAL"]
    assert sorted(a.inputs["name"] for a in acls) == [f"betterprompts-{plan.stack}-cloudfront", f"betterprompts-{plan.stack}-regional"]
    assert plan.outputs["regionalWebAclArn"].startswith("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/")
    assert plan.outputs["cloudFrontWebAclArn"].startswith("arn:aws:wafv2:us-east-1:123456789012:global/webacl/")


def test_cloudfronts_acl_and_its_logs_live_in_us_east_1_with_the_stacks_default_tags(plan: Plan) -> None:
    stack_provider = plan.named(f"betterprompts-{plan.stack}-aws")
    east = plan.named(f"betterprompts-{plan.stack}-aws-us-east-1")
    assert east.type == PROVIDER and east.inputs["region"] == "us-east-1"
    assert json.loads(east.inputs["defaultTags"]) == json.loads(stack_provider.inputs["defaultTags"])
    for resource in _firewall(plan, "CLOUDFRONT"):
        assert _provider_of(plan, resource).urn == east.urn, resource.name
    for resource in _firewall(plan, "REGIONAL"):
        assert _provider_of(plan, resource).urn == stack_provider.urn, resource.name


def test_rate_rule_first_then_the_configured_managed_groups_blocking(plan: Plan) -> None:
    waf = _settings(plan).edge.waf
    for scope in ("CLOUDFRONT", "REGIONAL"):
        acl = _acl(plan, scope)
        assert acl.inputs["defaultAction"] == {"allow": {}}
        rate, *groups = sorted(acl.inputs["rules"], key=lambda r: r["priority"])
        assert rate["name"] == "rate-per-ip" and rate["action"] == {"block": {}}
        assert rate["statement"]["rateBasedStatement"] == {
            "limit": waf.rate_limit,
            "evaluationWindowSec": waf.rate_window_seconds,
            "aggregateKeyType": "IP",
        }
        names = [g["statement"]["managedRuleGroupStatement"]["name"] for g in groups]
        expected = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"]
        if plan.stack == "production":
            expected.append("AWSManagedRulesSQLiRuleSet")
        assert names == expected
        for group in groups:
            assert group["overrideAction"] == {"none": {}}
            assert group["statement"]["managedRuleGroupStatement"]["vendorName"] == "AWS"
            assert group["visibilityConfig"]["cloudwatchMetricsEnabled"] is True
        [common] = [g for g in groups if g["name"] == "AWSManagedRulesCommonRuleSet"]
        [override] = common["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"]
        assert override == {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}


def test_staging_runs_fewer_rules_and_a_lower_rate_limit() -> None:
    # Read the stack files directly: both stacks' plans in one test would run both programs.
    production = load_settings(read_stack_config("production")[0], project="betterprompts", stack="production").edge.waf
    staging = load_settings(read_stack_config("staging")[0], project="betterprompts", stack="staging").edge.waf
    assert len(staging.managed_rule_groups) < len(production.managed_rule_groups)
    assert staging.rate_limit < production.rate_limit


def test_logs_go_to_a_kms_encrypted_aws_waf_logs_group_with_its_own_delivery_policy(plan: Plan) -> None:
    logs_key = plan.outputs["kmsKeyArns"]["logs"]
    retention = _settings(plan).edge.waf.log_retention_days
    for scope in ("CLOUDFRONT", "REGIONAL"):
        resources = _firewall(plan, scope)
        [group] = [r for r in resources if r.type == "aws:cloudwatch/logGroup:LogGroup"]
        assert group.inputs["name"] == f"aws-waf-logs-betterprompts-{plan.stack}-{scope.lower()}"
        assert (group.inputs["kmsKeyId"], group.inputs["retentionInDays"]) == (logs_key, retention)
        [policy] = [r for r in resources if r.type == "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"]
        [statement] = json.loads(policy.inputs["policyDocument"])["Statement"]
        assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
        assert statement["Resource"] == f"arn:aws:logs:us-east-1:123456789012:log-group:{group.inputs['name']}:log-stream:*"
        [logging] = [r for r in resources if r.type == "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"]
        assert logging.inputs["logDestinationConfigs"] == [f"arn:aws:logs:us-east-1:123456789012:log-group:{group.inputs['name']}"]
        assert policy.urn in logging.dependencies
        assert [f["singleHeader"]["name"] for f in logging.inputs["redactedFields"]] == ["authorization", "cookie"]
        # Blocked and counted requests only; CloudFront and the load balancer log every request.
        log_filter = logging.inputs["loggingFilter"]
        assert log_filter["defaultBehavior"] == "DROP"
        [keep] = log_filter["filters"]
        assert [c["actionCondition"]["action"] for c in keep["conditions"]] == ["BLOCK", "COUNT"]


def test_the_regional_acl_is_associated_with_the_load_balancer_and_cloudfronts_with_nothing(plan: Plan) -> None:
    lb = plan.of_type(LB)[0]
    # The edge's own association (the serverless API's stage is associated in tests/serverless/test_api.py).
    [association] = [a for a in plan.of_type("aws:wafv2/webAclAssociation:WebAclAssociation") if "-serverless-api-" not in a.name]
    assert association.property_dependencies["resourceArn"] == [lb.urn]
    assert association.property_dependencies["webAclArn"] == [_acl(plan, "REGIONAL").urn]


def _args(**change: Any) -> WebFirewallArgs:
    args: dict[str, Any] = dict(
        prefix="betterprompts-test",
        scope="CLOUDFRONT",
        region="us-east-1",
        settings=WafSettings(),
        account_id="123456789012",
        logs_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/x",
        logs_kms_key_region="us-east-1",
    )
    args.update(change)
    return WebFirewallArgs(**args)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "GLOBAL"}, "scope 'GLOBAL' is not one of"),
        ({"protected": {"alb": "arn:aws:elasticloadbalancing:..."}}, "named by the distribution, not associated"),
        ({"region": "us-west-2", "logs_kms_key_region": "us-west-2"}, "must be created in us-east-1"),
        ({"scope": "REGIONAL", "region": "us-west-2"}, "cannot use a key in us-east-1"),
    ],
)
def test_conflicting_inputs_are_refused_before_any_child_exists(change: dict[str, Any], message: str) -> None:
    # The check runs before the component registers: no Pulumi runtime is needed to see it fail.
    with pytest.raises(ValueError, match=message):
        WebFirewall("waf", _args(**change))

"""The stack's provider, its default tags, and PlatformBaseline's keys and alarm topic."""

from __future__ import annotations

import json
from dataclasses import replace

from components.platform.kms_policy import KEY_PURPOSES, KeyOptions, key_policy
from preflight.harness import Plan, Resource
from tests.stack_config import every_stack_plan as plan  # noqa: F401 (the pilot light too: properties of every stack)

REQUIRED_TAGS = {"Project", "Environment", "Service", "CostCenter", "Owner", "ManagedBy"}


def _stack_provider(plan: Plan) -> Resource:
    return plan.named(f"betterprompts-{plan.stack}-aws")


def test_every_aws_provider_carries_the_cost_allocation_tags(plan: Plan) -> None:
    providers = plan.of_type("pulumi:providers:aws")
    # The stack's provider and one per other region it needs (CloudFront's us-east-1, the DR region us-west-2), named by region.
    # The pilot light has its own Region's only: nothing of it calls the primary's.
    assert sorted((p.name, p.inputs["region"]) for p in providers) == (
        [(f"betterprompts-{plan.stack}-aws", "us-west-2")]
        if plan.stack == "dr"
        else [
            (f"betterprompts-{plan.stack}-aws", "us-east-1"),
            (f"betterprompts-{plan.stack}-aws-us-east-1", "us-east-1"),
            (f"betterprompts-{plan.stack}-aws-us-west-2", "us-west-2"),
        ]
    )
    tags = json.loads(_stack_provider(plan).inputs["defaultTags"])["tags"]
    assert all(json.loads(p.inputs["defaultTags"])["tags"] == tags for p in providers)
    assert tags == {
        "Project": "betterprompts",
        "Environment": plan.stack,
        "Service": "betterprompts",
        "CostCenter": {"production": "CC-1001-PLATFORM", "staging": "CC-1002-STAGING", "dr": "CC-1001-PLATFORM"}[plan.stack],
        "Owner": "platform-team@betterprompts.io",
        "ManagedBy": "pulumi",
    }


def test_every_aws_resource_goes_through_a_tagged_provider(plan: Plan) -> None:
    providers = {f"{p.urn}::{p.id}" for p in plan.of_type("pulumi:providers:aws")}
    for r in plan.resources:
        if r.type.startswith("aws:"):
            assert r.provider in providers, r.urn


def test_every_tagged_resource_names_its_component(plan: Plan) -> None:
    for r in plan.resources:
        if r.type.startswith("aws:") and "tags" in r.inputs:
            assert r.inputs["tags"]["Name"] == r.name or r.inputs["tags"]["Name"].startswith(r.name)
            assert r.inputs["tags"]["Component"], r.urn


def test_a_rotating_customer_managed_key_per_purpose(plan: Plan) -> None:
    # The baseline's keys (the compliance layer's trail key has a policy of its own).
    keys = {k.inputs["tags"]["KeyPurpose"]: k for k in plan.of_type("aws:kms/key:Key") if "PlatformBaseline" in k.parent}
    assert sorted(keys) == sorted(KEY_PURPOSES)
    for purpose, key in keys.items():
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["deletionWindowInDays"] == {"production": 30, "staging": 7, "dr": 30}[plan.stack]
        assert key.protect is (plan.stack in ("production", "dr"))  # the pilot light holds production after a failover
        # Neither stack runs Karpenter: no EventBridge-to-queue or EC2-wide statements; production's
        # GuardDuty findings reach the alarm topic through EventBridge.
        options = KeyOptions(name_prefix=f"betterprompts-{plan.stack}", eventbridge_to_topics=plan.stack == "production")
        if purpose == "storage" and plan.stack != "dr":
            # The edge layer's distribution reads the assets bucket through OAC (tests/edge/test_distribution.py);
            # the pilot light has no edge.
            [distribution] = plan.of_type("aws:cloudfront/distribution:Distribution")
            options = replace(options, cloudfront_distribution_arns=(f"arn:aws:cloudfront::123456789012:distribution/{distribution.id}",))
        assert json.loads(key.inputs["policy"]) == json.loads(
            key_policy(purpose, account_id="123456789012", region=plan.outputs["region"], options=options)
        )
    aliases = sorted(a.inputs["name"] for a in plan.of_type("aws:kms/alias:Alias") if "PlatformBaseline" in a.parent)
    assert aliases == sorted(f"alias/betterprompts-{plan.stack}-{p}" for p in KEY_PURPOSES)


def test_logs_key_admits_only_this_accounts_log_groups() -> None:
    policy = json.loads(key_policy("logs", account_id="111122223333", region="us-west-2"))
    root, logs = policy["Statement"]
    assert root["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert logs["Principal"] == {"Service": "logs.us-west-2.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-west-2:111122223333:log-group:*"}
    }
    assert "kms:*" not in logs["Action"]


def test_data_key_is_used_through_iam_only() -> None:
    (only,) = json.loads(key_policy("data", account_id="111122223333", region="us-east-1"))["Statement"]
    assert only["Sid"] == "AccountAdministers"


def test_alarm_topic_is_encrypted_and_cloudwatch_may_publish(plan: Plan) -> None:
    (topic,) = plan.of_type("aws:sns/topic:Topic")
    alarms_key = next(k for k in plan.of_type("aws:kms/key:Key") if k.inputs["tags"].get("KeyPurpose") == "alarms")
    assert topic.inputs["kmsMasterKeyId"] == f"arn:aws:kms:{plan.outputs['region']}:123456789012:key/{alarms_key.id}"
    (topic_policy,) = plan.of_type("aws:sns/topicPolicy:TopicPolicy")
    statements = json.loads(topic_policy.inputs["policy"])["Statement"]
    # CloudWatch alarms, AWS Budgets and Cost Anomaly Detection publish (and, in production, EventBridge
    # with GuardDuty's findings); nothing else, and only for this account.
    assert sorted(s["Principal"]["Service"] for s in statements) == [
        "budgets.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "costalerts.amazonaws.com",
        *(["events.amazonaws.com"] if plan.stack == "production" else []),
    ]
    for statement in statements:
        assert statement["Action"] == "sns:Publish"
        assert statement["Resource"] == plan.outputs["alarmTopicArn"]
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_every_stack_alarms_someone(production: Plan, staging: Plan) -> None:
    assert [s.inputs["endpoint"] for s in production.of_type("aws:sns/topicSubscription:TopicSubscription")] == [
        "oncall@betterprompts.io"
    ]
    assert [s.inputs["endpoint"] for s in staging.of_type("aws:sns/topicSubscription:TopicSubscription")] == [
        "platform-staging-alerts@betterprompts.io"
    ]


def test_the_storage_key_admits_cloudfront_decrypt_for_named_distributions_only() -> None:
    arn = "arn:aws:cloudfront::123456789012:distribution/E1"
    for purpose in KEY_PURPOSES:
        policy = json.loads(key_policy(purpose, account_id="123456789012", region="us-east-1", options=KeyOptions(cloudfront_distribution_arns=(arn,))))
        cloudfront = [s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}]
        if purpose != "storage":
            assert cloudfront == []
            continue
        assert cloudfront == [
            {
                "Sid": "CloudFrontDecryptsThroughOac",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"AWS:SourceArn": [arn]}},
            }
        ]
    assert "cloudfront" not in key_policy("storage", account_id="123456789012", region="us-east-1")

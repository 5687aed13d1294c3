"""The compliance layer's pure documents: key, bucket and role policies, filters, patterns, rules."""

from __future__ import annotations

import json

import pytest

from components.compliance.bucket_grants import logs_bucket_grants
from components.compliance.findings_plan import finding_pattern, standard_arn
from components.compliance.recorder_plan import config_bucket_statements, config_role_delivery_policy, managed_rules
from components.compliance.settings import ComplianceSettings, ConfigRecorderSettings, TrailSettings
from components.compliance.trail_plan import (
    CIS_FILTERS,
    log_group_delivery_arn,
    object_prefixes,
    trail_arn,
    trail_bucket_statements,
    trail_key_policy,
    trail_logs_role_policy,
    trail_name,
)
from components.platform import wildcard_grants

ACCOUNT = "123456789012"
TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/betterprompts-production-audit"
BUCKET = "arn:aws:s3:::betterprompts-production-logs-123456789012-us-east-1"


def _by_sid(document: str) -> dict[str, dict]:
    return {s["Sid"]: s for s in json.loads(document)["Statement"]}


def test_trail_name_and_arn_are_fixed_by_the_prefix() -> None:
    assert trail_name("betterprompts-production") == "betterprompts-production-audit"
    assert trail_arn("betterprompts-production-audit", region="us-east-1", account_id=ACCOUNT) == TRAIL
    with pytest.raises(ValueError, match="128"):
        trail_name("x" * 130)


def test_the_trail_key_admits_cloudtrail_for_this_trail_only() -> None:
    statements = _by_sid(trail_key_policy(account_id=ACCOUNT, region="us-east-1", trail=TRAIL))
    encrypt = statements["CloudTrailEncryptsLogs"]
    assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    # The guide's two conditions: the trail's ARN, and the encryption context of this account's trails.
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": TRAIL},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*"},
    }
    assert statements["CloudTrailDescribesKey"]["Action"] == "kms:DescribeKey"
    assert statements["CloudTrailDescribesKey"]["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL}}
    # CreateTrail needs Decrypt when the bucket uses an S3 Bucket Key (the logs bucket does).
    assert statements["CloudTrailDecryptsWithBucketKey"]["Action"] == "kms:Decrypt"
    assert statements["AccountAdministers"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


def test_the_bucket_admits_this_trail_under_its_account_prefix() -> None:
    acl, write = trail_bucket_statements(BUCKET, account_id=ACCOUNT, trail=TRAIL)
    assert (acl["Action"], acl["Resource"], acl["Condition"]) == (
        "s3:GetBucketAcl",
        BUCKET,
        {"StringEquals": {"aws:SourceArn": TRAIL}},
    )
    assert write["Action"] == "s3:PutObject"
    assert write["Resource"] == f"{BUCKET}/AWSLogs/{ACCOUNT}/*"
    assert write["Condition"] == {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL}}


def test_cloudtrail_writes_only_its_own_streams() -> None:
    group = "arn:aws:logs:us-east-1:123456789012:log-group:trail-events-abc"
    [statement] = json.loads(trail_logs_role_policy(group, account_id=ACCOUNT, region="us-east-1"))["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == f"{group}:log-stream:{ACCOUNT}_CloudTrail_us-east-1*"
    assert log_group_delivery_arn(group) == f"{group}:*"
    assert log_group_delivery_arn(f"{group}:*") == f"{group}:*"


def test_data_events_cover_every_object_of_each_bucket() -> None:
    assert object_prefixes(["arn:aws:s3:::b", "arn:aws:s3:::a"]) == ["arn:aws:s3:::a/", "arn:aws:s3:::b/"]


def test_the_cis_filters_and_their_alarms() -> None:
    keys = [f.key for f in CIS_FILTERS]
    assert keys == ["root-use", "iam-policy-changes", "console-no-mfa", "kms-key-deletion", "security-group-changes"]
    by_key = {f.key: f for f in CIS_FILTERS}
    assert '$.userIdentity.type = "Root"' in by_key["root-use"].pattern
    assert '$.additionalEventData.MFAUsed != "Yes"' in by_key["console-no-mfa"].pattern
    assert "ScheduleKeyDeletion" in by_key["kms-key-deletion"].pattern
    assert "AuthorizeSecurityGroupIngress" in by_key["security-group-changes"].pattern
    assert by_key["iam-policy-changes"].pattern.count("$.eventName") == 17
    for f in CIS_FILTERS:
        assert f.pattern.count("(") == f.pattern.count(")") and f.pattern.count("{") == f.pattern.count("}")
        alarm = f.alarm()
        assert (alarm.statistic, alarm.threshold, alarm.comparison) == ("Sum", 1, "GreaterThanOrEqualToThreshold")
        assert alarm.treat_missing_data == "notBreaching"


def test_findings_pattern_routes_by_severity() -> None:
    assert json.loads(finding_pattern(7.0)) == {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 7.0]}]},
    }
    with pytest.raises(ValueError, match="1.0-10.0"):
        finding_pattern(0.5)


def test_security_hub_standards_arns() -> None:
    assert standard_arn("fsbp", "us-east-2") == "arn:aws:securityhub:us-east-2::standards/aws-foundational-security-best-practices/v/1.0.0"
    assert standard_arn("cis", "us-east-1") == "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0"


def test_config_delivery_grants() -> None:
    role = json.loads(config_role_delivery_policy(BUCKET, account_id=ACCOUNT, bucket_key_arn="arn:aws:kms:us-east-1:123456789012:key/k"))
    assert wildcard_grants(role) == []
    resources = {s["Sid"]: s["Resource"] for s in role["Statement"]}
    assert resources == {
        "CheckBucket": BUCKET,
        "DeliverFiles": f"{BUCKET}/AWSLogs/{ACCOUNT}/Config/*",
        "EncryptWithBucketKey": "arn:aws:kms:us-east-1:123456789012:key/k",
    }
    statements = config_bucket_statements(BUCKET, account_id=ACCOUNT)
    assert [s["Action"] for s in statements] == ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"]
    assert all(s["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT for s in statements)
    assert all(s["Principal"] == {"Service": "config.amazonaws.com"} for s in statements)


def test_managed_rules_mirror_the_pack() -> None:
    from policies.pack import ALL_POLICIES

    tags = ("Project", "Environment", "Service", "CostCenter", "Owner", "ManagedBy")
    rules = managed_rules(required_tags=tags, log_retention_days=30)
    pack = {p.name for p in ALL_POLICIES}
    assert {r.mirrors for r in rules if r.mirrors} <= pack
    by_key = {r.key: r for r in rules}
    assert dict(by_key["required-tags"].parameters) == {f"tag{i}Key": k for i, k in enumerate(tags, 1)}
    assert dict(by_key["log-groups-retention"].parameters) == {"MinRetentionTime": "30"}
    assert len(by_key) == len(rules)
    with pytest.raises(ValueError, match="one to six"):
        managed_rules(required_tags=tags + ("Extra",), log_retention_days=30)


def test_logs_bucket_grants_follow_the_toggles() -> None:
    both = logs_bucket_grants(ComplianceSettings(), trail_name="p-audit", region="us-east-1")
    assert both is not None
    sids = [s["Sid"] for s in both(BUCKET, ACCOUNT)]
    assert sids == ["CloudTrailAclCheck", "CloudTrailWrite", "ConfigAclCheck", "ConfigExistenceCheck", "ConfigDelivery"]
    off = ComplianceSettings(cloud_trail=TrailSettings(enabled=False), config=ConfigRecorderSettings(enabled=False))
    assert logs_bucket_grants(off, trail_name="p-audit", region="us-east-1") is None

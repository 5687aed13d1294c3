"""S3 server access logging, and the one SSE-S3 bucket the customer-key rule allows: its destination."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policy_plans import KEY, messages, plan, resource, urn

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ALL_BLOCKED = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}
KMS = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}, "bucketKeyEnabled": True}
SSE_S3 = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
DELIVERY = {
    "Effect": "Allow",
    "Principal": {"Service": "logging.s3.amazonaws.com"},
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::access-logs/assets/*",
    "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::assets"}, "StringEquals": {"aws:SourceAccount": "123456789012"}},
}


def _on(name: str) -> dict[str, list[str]]:
    return {"bucket": [urn("production", BUCKET, name)]}


def bucket_set(name: str, rule: dict[str, Any], *, statements: tuple[dict[str, Any], ...] = (), logs_to: str | None = None) -> list[dict[str, Any]]:
    """A bucket with its encryption, public access block, policy and (optionally) its logging."""
    found = [
        resource(BUCKET, name, {"bucket": name, "forceDestroy": False}),
        resource(SSE, f"{name}-sse", {"bucket": f"{name}-id", "rules": [rule]}, property_dependencies=_on(name)),
        resource(PAB, f"{name}-pab", {"bucket": f"{name}-id", **ALL_BLOCKED}, property_dependencies=_on(name)),
        resource(
            POLICY,
            f"{name}-policy",
            {"bucket": f"{name}-id", "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})},
            property_dependencies=_on(name),
        ),
    ]
    if logs_to is not None:
        found.append(
            resource(
                LOGGING,
                f"{name}-access-logging",
                {"bucket": f"{name}-id", "targetBucket": logs_to, "targetPrefix": f"{name}/"},
                property_dependencies=_on(name),
            )
        )
    return found


def _platform(destination_rule: dict[str, Any] = SSE_S3, statements: tuple[dict[str, Any], ...] = (DELIVERY,)) -> dict[str, Any]:
    return plan(*bucket_set("access-logs", destination_rule, statements=statements), *bucket_set("assets", KMS, logs_to="access-logs"))


def test_the_sse_s3_access_log_destination_and_a_logging_bucket_comply() -> None:
    document = _platform()
    assert messages(document, "s3-bucket-encrypted-with-cmk") == []
    assert messages(document, "s3-bucket-access-logging") == []


def test_sse_s3_on_a_bucket_nobody_logs_into_is_not_the_exception() -> None:
    document = plan(*bucket_set("assets", SSE_S3, logs_to="elsewhere"))
    [message] = messages(document, "s3-bucket-encrypted-with-cmk")
    assert "not the SSE-S3 access-log exception: no bucket's server access logging or load balancer's access logs target it" in message


def test_a_destination_that_also_admits_other_principals_is_not_the_exception() -> None:
    app = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::access-logs/*"}
    [message] = messages(_platform(statements=(DELIVERY, app)), "s3-bucket-encrypted-with-cmk")
    assert "also admits arn:aws:iam::123456789012:role/app" in message


def test_a_destination_with_no_grant_is_not_the_exception() -> None:
    [message] = messages(_platform(statements=()), "s3-bucket-encrypted-with-cmk")
    assert "admits no log producer" in message


def test_a_bucket_without_access_logging_is_flagged() -> None:
    document = _platform()
    document["resources"].extend(bucket_set("backups", KMS))
    [message] = messages(document, "s3-bucket-access-logging")
    assert message.startswith("aws:s3/bucket:Bucket 'backups': no server access logging configuration names this bucket.")


@pytest.mark.parametrize(
    ("target", "prefix", "fragment"),
    [("assets", "assets/", "into itself"), ("access-logs", "", "empty targetPrefix")],
)
def test_logging_into_itself_or_without_a_prefix_is_flagged(target: str, prefix: str, fragment: str) -> None:
    logs = [r for r in bucket_set("assets", KMS, logs_to=target)]
    logs[-1]["inputs"]["targetPrefix"] = prefix
    if target == "assets":
        logs[-1]["propertyDependencies"]["targetBucket"] = [urn("production", BUCKET, "assets")]
    document = plan(*bucket_set("access-logs", SSE_S3, statements=(DELIVERY,)), *logs)
    found = messages(document, "s3-bucket-access-logging")
    assert any(fragment in m for m in found), found



ELB_DELIVERY = {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::797873946194:root"},
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::entry-logs/alb/AWSLogs/123456789012/*",
}
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"


def _entry(*, enabled: bool) -> dict[str, Any]:
    """A pilot light's entry: a load balancer logging into an SSE-S3 bucket no bucket's server access logging targets."""
    return plan(
        *bucket_set("entry-logs", SSE_S3, statements=(ELB_DELIVERY,)),
        resource(
            LOAD_BALANCER,
            "entry-alb",
            {"accessLogs": {"bucket": "entry-logs-id", "prefix": "alb", "enabled": enabled}},
            property_dependencies={"accessLogs": [urn("production", BUCKET, "entry-logs")]},
        ),
    )


def test_a_load_balancers_own_sse_s3_log_destination_complies() -> None:
    document = _entry(enabled=True)
    assert messages(document, "s3-bucket-encrypted-with-cmk") == []
    assert messages(document, "s3-bucket-access-logging") == []


def test_a_bucket_a_load_balancer_does_not_log_into_is_not_the_exception() -> None:
    [message] = messages(_entry(enabled=False), "s3-bucket-encrypted-with-cmk")
    assert "no bucket's server access logging or load balancer's access logs target it" in message

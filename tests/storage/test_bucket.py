"""SecureBucket: the lifecycle rules and policy (pure), the component alone, and the model bucket in each stack."""

from __future__ import annotations

import json

import pytest

from components.storage.bucket import AccessLogTarget, SecureBucket, SecureBucketArgs
from components.storage.bucket_plan import (
    LifecyclePolicy,
    LifecycleRule,
    Transition,
    deny_insecure_transport_policy,
    find_lifecycle_problem,
    lifecycle_rules,
)
from preflight.harness import Plan, Resource
from preflight.monitor import run_function

KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


# --- pure rules ---------------------------------------------------------------------


def test_seed_policy_is_ia_after_30_days_with_cleanup() -> None:
    [rule] = lifecycle_rules(LifecyclePolicy())
    assert rule == LifecycleRule(
        id="cost-tiering",
        transitions=(Transition(30, "STANDARD_IA"),),
        noncurrent_version_expiration_days=90,
        abort_incomplete_multipart_upload_days=7,
    )


def test_backup_style_policy_goes_ia_then_glacier() -> None:
    [rule] = lifecycle_rules(LifecyclePolicy(infrequent_access_after_days=30, glacier_after_days=90))
    assert rule.transitions == (Transition(30, "STANDARD_IA"), Transition(90, "GLACIER"))


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (LifecyclePolicy(infrequent_access_after_days=7), "no sooner than 30 days"),
        (LifecyclePolicy(infrequent_access_after_days=30, glacier_after_days=45), "at least 30 days after STANDARD_IA"),
        (
            LifecyclePolicy(infrequent_access_after_days=None, intelligent_tiering_after_days=10, glacier_after_days=10),
            "at least 1 days after INTELLIGENT_TIERING",
        ),
        (
            LifecyclePolicy(
                infrequent_access_after_days=None,
                noncurrent_version_expiration_days=None,
                abort_incomplete_multipart_upload_days=None,
            ),
            "has no action",
        ),
        (LifecyclePolicy(glacier_after_days=120, expiration_days=100), "expiration must come after"),
    ],
)
def test_rules_s3_would_reject_are_refused(policy: LifecyclePolicy, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        lifecycle_rules(policy)


def test_transitions_must_follow_the_storage_class_waterfall() -> None:
    rule = LifecycleRule(id="back-up", transitions=(Transition(30, "GLACIER"), Transition(60, "STANDARD_IA")))
    assert "goes against S3's transition order" in (find_lifecycle_problem([rule]) or "")


def test_duplicate_rule_ids_are_refused() -> None:
    rule = LifecycleRule(id="same", abort_incomplete_multipart_upload_days=7)
    assert find_lifecycle_problem([rule, rule]) == "rule id 'same' is used twice"


def test_bucket_policy_denies_plain_http_for_bucket_and_objects() -> None:
    document = json.loads(deny_insecure_transport_policy("arn:aws:s3:::b"))
    assert document["Statement"] == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


# --- the component alone --------------------------------------------------------------


def _build(args: SecureBucketArgs, name: str = "assets") -> dict[str, Resource]:
    resources, _ = run_function(lambda: SecureBucket(name, args))
    return {r.type.split(":")[-1]: r for r in resources}


def test_component_builds_every_guard() -> None:
    by_type = _build(SecureBucketArgs(kms_key_arn=KEY, lifecycle_rules=lifecycle_rules(LifecyclePolicy())))
    assert by_type["SecureBucket"].type == "betterprompts:storage:SecureBucket"
    bucket = by_type["Bucket"]
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.protect is True
    assert bucket.inputs["tags"] == {"Name": "assets", "Component": "storage"}
    [sse] = by_type["BucketServerSideEncryptionConfiguration"].inputs["rules"]
    assert sse == {
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY},
        "bucketKeyEnabled": True,
    }
    pab = by_type["BucketPublicAccessBlock"].inputs
    assert [pab[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")] == [True] * 4
    assert by_type["BucketOwnershipControls"].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert by_type["BucketVersioning"].inputs["versioningConfiguration"] == {"status": "Enabled"}
    [rule] = by_type["BucketLifecycleConfiguration"].inputs["rules"]
    assert rule["transitions"] == [{"days": 30, "storageClass": "STANDARD_IA"}]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert rule["filter"] == {"prefix": ""} and rule["status"] == "Enabled"
    policy = json.loads(by_type["BucketPolicy"].inputs["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # Every configuration hangs off the bucket, which hangs off the component.
    for kind in ("BucketServerSideEncryptionConfiguration", "BucketPublicAccessBlock", "BucketPolicy"):
        assert by_type[kind].parent == bucket.urn
    assert bucket.parent == by_type["SecureBucket"].urn


def test_unprotected_bucket_and_no_lifecycle_when_no_rules() -> None:
    by_type = _build(SecureBucketArgs(kms_key_arn=KEY, protect=False))
    assert by_type["Bucket"].protect is False
    assert "BucketLifecycleConfiguration" not in by_type


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("Assets", SecureBucketArgs(kms_key_arn=KEY), "lower case"),
        ("assets", SecureBucketArgs(kms_key_arn=KEY, lifecycle_rules=[LifecycleRule(id="x")]), "has no action"),
        (
            "assets",
            SecureBucketArgs(
                kms_key_arn=KEY,
                versioning=False,
                lifecycle_rules=[LifecycleRule(id="x", noncurrent_version_expiration_days=30)],
            ),
            "need versioning",
        ),
        ("access-logs", SecureBucketArgs(kms_key_arn=KEY, access_log_destination=True), "cannot use SSE-KMS"),
        (
            "access-logs",
            SecureBucketArgs(kms_key_arn=None, access_log_destination=True, access_logs=AccessLogTarget("other", "x/")),
            "must not log",
        ),
        ("assets", SecureBucketArgs(kms_key_arn=None), "kms_key_arn is required"),
        ("assets", SecureBucketArgs(kms_key_arn=KEY, protect=True, force_destroy=True), "cannot be force-destroyed"),
    ],
)
def test_conflicting_args_fail_before_anything_exists(name: str, args: SecureBucketArgs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SecureBucket(name, args)


# --- in the stacks ----------------------------------------------------------------------


def test_model_bucket_uses_the_storage_key_and_protection_follows_the_stack(plan: Plan) -> None:
    [bucket] = [b for b in plan.of_type("aws:s3/bucket:Bucket") if b.name.endswith("-inference-models")]
    storage_key = plan.outputs["kmsKeyArns"]["storage"]
    [sse] = [r for r in plan.children(bucket.urn) if r.type.endswith("BucketServerSideEncryptionConfiguration")]
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == storage_key
    assert bucket.protect is (plan.stack == "production")
    # Staging's buckets may be destroyed with their objects; production's never.
    assert bucket.inputs["forceDestroy"] is (plan.stack == "staging")


def test_model_bucket_lifecycle_per_stack(production: Plan, staging: Plan) -> None:
    def rule(plan: Plan) -> dict[str, object]:
        [config] = [c for c in plan.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration") if "-inference-models" in c.name]
        [only] = config.inputs["rules"]
        return only

    assert rule(production) == {
        "id": "model-artifacts",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "transitions": [{"days": 0, "storageClass": "INTELLIGENT_TIERING"}],
        "noncurrentVersionExpiration": {"noncurrentDays": 90},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
    }
    assert rule(staging)["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rule(staging)["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 3}

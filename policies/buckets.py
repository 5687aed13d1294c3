"""S3 beyond encryption, access logging and the public access block: the bucket-level FSBP controls that
live in second resources (bucket policy, ownership controls, lifecycle configuration, access points)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from . import documents
from .common import UNKNOWN, get, is_false, label, stack_policy
from .encryption import S3_BUCKETS, depends_on
from .resource_access import BUCKET_ACLS

BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
MULTI_REGION_ACCESS_POINT = "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint"
ACCESS_POINT_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def denies_insecure_transport(document: Any) -> bool:
    """A Deny of every S3 action to everyone when aws:SecureTransport is false (S3.5)."""
    parsed = documents.parse(document)
    if parsed is None:
        return False
    for statement in documents.statements(parsed):
        if statement.get("Effect") != "Deny" or not documents.wildcard_principal(statement):
            continue
        if not any(a in ("s3:*", "*") for a in documents.actions(statement)):
            continue
        condition = statement.get("Condition")
        if isinstance(condition, dict):
            for operator, clauses in condition.items():
                if operator.startswith("Bool") and isinstance(clauses, dict):
                    if str(clauses.get("aws:SecureTransport", "")).lower() == "false":
                        return True
    return False


def _mine(resources: list[PolicyResource], types: tuple[str, ...], bucket: PolicyResource) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types and depends_on(r, "bucket", bucket)]


def _buckets(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    resources = args.resources
    for bucket in (r for r in resources if r.resource_type in S3_BUCKETS):
        where = label(bucket.resource_type, bucket.name)
        inline = get(bucket.props, "policy")
        policies = [get(p.props, "policy") for p in _mine(resources, (BUCKET_POLICY,), bucket)] + ([inline] if inline else [])
        if not any(p is UNKNOWN for p in policies) and not any(denies_insecure_transport(p) for p in policies):
            yield (
                f"{where}: no bucket policy denies requests without TLS (S3.5). "
                "Fix: a Deny of s3:* to '*' with Bool aws:SecureTransport 'false' (SecureBucket adds it)",
                bucket.urn,
            )
        controls = _mine(resources, (OWNERSHIP_CONTROLS,), bucket)
        enforced = [c for c in controls if get(c.props, "rule", "objectOwnership") in ("BucketOwnerEnforced", UNKNOWN)]
        if not enforced:
            yield (
                f"{where}: ACLs are not disabled (S3.12). Fix: aws.s3.BucketOwnershipControls(rule={{'object_ownership': 'BucketOwnerEnforced'}})",
                bucket.urn,
            )
        for acl in _mine(resources, BUCKET_ACLS, bucket):
            yield f"{where}: '{acl.name}' manages access with an ACL (S3.12). Fix: remove it; grant access in the bucket policy", bucket.urn
        if not _mine(resources, LIFECYCLES, bucket):
            yield (
                f"{where}: no lifecycle configuration names this bucket (S3.10, S3.13). "
                "Fix: aws.s3.BucketLifecycleConfiguration (expire noncurrent versions and incomplete uploads at least)",
                bucket.urn,
            )
    for point in (r for r in resources if r.resource_type in (ACCESS_POINT, MULTI_REGION_ACCESS_POINT)):
        block = get(point.props, "publicAccessBlockConfiguration")
        if point.resource_type == MULTI_REGION_ACCESS_POINT:
            block = get(point.props, "details", "publicAccessBlock")
        if block is UNKNOWN or block is None:
            continue  # AWS turns all four settings on when the block is omitted
        off = [f for f in ACCESS_POINT_FLAGS if get(block, f) is not None and is_false(get(block, f))]
        if off:
            yield f"{label(point.resource_type, point.name)}: public access block leaves {off} off (S3.19, S3.24). Fix: leave them on", point.urn


S3_BUCKETS_HARDENED = stack_policy(
    name="s3-bucket-tls-acls-lifecycle",
    description="Every S3 bucket denies plaintext requests, has ACLs disabled and a lifecycle configuration; access points keep their public access block (S3.5, S3.10, S3.12, S3.13, S3.19, S3.24).",
    severity=Severity.HIGH,
    check=_buckets,
    remediation="Build buckets with SecureBucket (TLS-only policy, BucketOwnerEnforced, lifecycle rules).",
)

POLICIES = [S3_BUCKETS_HARDENED]

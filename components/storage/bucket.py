"""SecureBucket: the one way this project makes an S3 bucket.

A bucket with, as separate pulumi-aws 7 resources (the inline bucket arguments are
deprecated): SSE-KMS with a customer-managed key and an S3 Bucket Key, every public
access block on, ACLs disabled (bucket owner enforced), versioning, lifecycle rules,
and a bucket policy that refuses plain-HTTP requests. ``force_destroy`` stays off, so
a bucket with objects in it is never deleted by ``pulumi destroy``; ``protect`` adds
Pulumi's own guard.

Rule lists and the policy document are computed in ``bucket_plan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from .bucket_plan import LifecycleRule, deny_insecure_transport_policy, find_lifecycle_problem

# S3 bucket names: 3-63 characters; Pulumi's auto-name adds "-" and 7 characters.
MAX_LOGICAL_NAME = 63 - 8


@dataclass
class SecureBucketArgs:
    """Inputs of :class:`SecureBucket`."""

    kms_key_arn: pulumi.Input[str]
    """Customer-managed key for SSE-KMS (``PlatformBaseline.keys["storage"]``)."""
    lifecycle_rules: Sequence[LifecycleRule] = field(default_factory=tuple)
    """Lifecycle rules (see ``bucket_plan.lifecycle_rules``); none means objects stay in STANDARD."""
    versioning: bool = True
    """Keep every version of every object: an overwrite or delete can be undone."""
    protect: bool = True
    """Pulumi-protect the bucket (stateful: deleting it loses the objects)."""
    component: str = "storage"
    """The ``Component`` tag; the owning component's name when the bucket is part of one."""


class SecureBucket(pulumi.ComponentResource):
    """An encrypted, private, versioned S3 bucket with lifecycle rules."""

    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(name, args)
        super().__init__("betterprompts:storage:SecureBucket", name, None, opts)
        tags = ComponentTags(args.component)

        self.bucket = aws.s3.Bucket(
            name,
            # Never delete a bucket that still holds objects.
            force_destroy=False,
            tags=tags(name),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        child = pulumi.ResourceOptions(parent=self.bucket)

        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms",
                        kms_master_key_id=args.kms_key_arn,
                    ),
                    # A bucket-level data key: far fewer KMS requests (and KMS charges).
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        # ACLs off: the bucket owner owns every object, whoever uploads it.
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled" if args.versioning else "Suspended"
            ),
            opts=child,
        )
        if args.lifecycle_rules:
            aws.s3.BucketLifecycleConfiguration(
                f"{name}-lifecycle",
                bucket=self.bucket.id,
                rules=[_lifecycle_rule_args(rule) for rule in args.lifecycle_rules],
                # Noncurrent-version rules need versioning in place first (S3 applies them in order).
                opts=pulumi.ResourceOptions(parent=self.bucket, depends_on=[self.versioning]),
            )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(deny_insecure_transport_policy),
            # S3 rejects concurrent policy and public-access-block writes on one bucket.
            opts=pulumi.ResourceOptions(parent=self.bucket, depends_on=[self.public_access_block]),
        )

        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "arn": self.arn})


def _check_args(name: str, args: SecureBucketArgs) -> None:
    if name != name.lower() or len(name) > MAX_LOGICAL_NAME:
        raise ValueError(f"SecureBucket name {name!r} must be lower case and at most {MAX_LOGICAL_NAME} characters")
    problem = find_lifecycle_problem(list(args.lifecycle_rules))
    if problem:
        raise ValueError(f"SecureBucket {name}: {problem}")
    if not args.versioning and any(r.noncurrent_version_expiration_days for r in args.lifecycle_rules):
        raise ValueError(f"SecureBucket {name}: noncurrent-version rules need versioning")


def _lifecycle_rule_args(rule: LifecycleRule) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule.id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=rule.prefix),
        transitions=[
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=t.days, storage_class=t.storage_class)
            for t in rule.transitions
        ]
        or None,
        expiration=(
            aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=rule.expiration_days)
            if rule.expiration_days
            else None
        ),
        noncurrent_version_expiration=(
            aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=rule.noncurrent_version_expiration_days
            )
            if rule.noncurrent_version_expiration_days
            else None
        ),
        abort_incomplete_multipart_upload=(
            aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=rule.abort_incomplete_multipart_upload_days
            )
            if rule.abort_incomplete_multipart_upload_days
            else None
        ),
    )

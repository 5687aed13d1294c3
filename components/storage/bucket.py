"""SecureBucket: the one way this project makes an S3 bucket.

A bucket with, as separate pulumi-aws 7 resources (the inline bucket arguments are
deprecated): SSE-KMS with a customer-managed key and an S3 Bucket Key, every public
access block on, ACLs disabled (bucket owner enforced), versioning, lifecycle rules,
server access logging into the stack's access-log destination, and a bucket policy
that refuses plain-HTTP requests (plus the grants the bucket's own role needs, such as
log delivery). ``force_destroy`` is off unless asked for (never with ``protect``), so a
protected bucket with objects in it is never deleted by ``pulumi destroy``.

The one documented exception to SSE-KMS: a server access log destination. AWS: "You
can use default bucket encryption on the target bucket only if you use server-side
encryption with Amazon S3 managed keys (SSE-S3) ... SSE-KMS is not supported." Such a
bucket (``access_log_destination=True``) uses SSE-S3, logs nowhere itself (its own
access logs would loop), and the policy pack allows exactly that combination.

Rule lists and the policy document are computed in ``bucket_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from .bucket_plan import LifecycleRule, bucket_policy, find_lifecycle_problem

# S3 bucket names: 3-63 characters; Pulumi's auto-name adds "-" and 7 characters.
MAX_LOGICAL_NAME = 63 - 8


@dataclass
class AccessLogTarget:
    """Where a bucket's server access logs go."""

    bucket: pulumi.Input[str]
    """Name of the destination bucket (same account and region)."""
    prefix: str
    """Key prefix of this bucket's logs in the destination (``models/``)."""
    ready: Optional[pulumi.Resource] = None
    """The destination, so its policy admitting log delivery exists before logging is switched on."""


@dataclass
class SecureBucketArgs:
    """Inputs of :class:`SecureBucket`."""

    kms_key_arn: Optional[pulumi.Input[str]]
    """Customer-managed key for SSE-KMS (``PlatformBaseline.keys["storage"]``); None only for an
    access-log destination, which S3 lets use SSE-S3 only."""
    bucket_name: Optional[pulumi.Input[str]] = None
    """The bucket's physical name; None lets Pulumi auto-name it from the logical name."""
    access_logs: Optional[AccessLogTarget] = None
    """Server access logging into this destination (every bucket but a destination logs)."""
    access_log_destination: bool = False
    """This bucket receives S3 server access logs: SSE-S3 default encryption, no logging of its own."""
    policy_statements: pulumi.Input[Sequence[Mapping[str, Any]]] = field(default_factory=tuple)
    """Bucket-policy statements after the TLS-only one (log delivery grants, for example)."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` empty the bucket first (staging); never with ``protect``."""
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
            bucket=args.bucket_name,
            # Off unless the stack is disposable: never delete a bucket that still holds objects.
            force_destroy=args.force_destroy,
            tags=tags(name),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        child = pulumi.ResourceOptions(parent=self.bucket)

        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[_encryption_rule(args)],
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
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(self.bucket.arn, args.policy_statements).apply(
                lambda v: bucket_policy(v[0], list(v[1]))
            ),
            # S3 rejects concurrent policy and public-access-block writes on one bucket.
            opts=pulumi.ResourceOptions(parent=self.bucket, depends_on=[self.public_access_block]),
        )
        if args.access_logs is not None:
            target = args.access_logs
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=self.bucket.id,
                target_bucket=target.bucket,
                target_prefix=target.prefix,
                opts=pulumi.ResourceOptions(
                    parent=self.bucket, depends_on=[target.ready] if target.ready is not None else None
                ),
            )

        # What "the bucket is ready" means to a writer: encrypted, private, versioned, TLS-only.
        # (Its children hang off the bucket resource, so depends_on the component alone would
        # wait for the bucket resource only.)
        self.ready: list[pulumi.Resource] = [
            self.bucket, self.encryption, self.public_access_block, self.versioning, self.policy
        ]
        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "arn": self.arn})


def _check_args(name: str, args: SecureBucketArgs) -> None:
    if name != name.lower() or len(name) > MAX_LOGICAL_NAME:
        raise ValueError(f"SecureBucket name {name!r} must be lower case and at most {MAX_LOGICAL_NAME} characters")
    if args.access_log_destination:
        if args.kms_key_arn is not None:
            raise ValueError(
                f"SecureBucket {name}: an access-log destination cannot use SSE-KMS "
                "(S3 server access logging supports only SSE-S3 on the target bucket)"
            )
        if args.access_logs is not None:
            raise ValueError(f"SecureBucket {name}: an access-log destination must not log into another bucket (AWS advises against it)")
    elif args.kms_key_arn is None:
        raise ValueError(f"SecureBucket {name}: kms_key_arn is required (only an access-log destination uses SSE-S3)")
    if args.protect and args.force_destroy:
        raise ValueError(f"SecureBucket {name}: a protected bucket cannot be force-destroyed")
    problem = find_lifecycle_problem(list(args.lifecycle_rules))
    if problem:
        raise ValueError(f"SecureBucket {name}: {problem}")
    if not args.versioning and any(r.noncurrent_version_expiration_days for r in args.lifecycle_rules):
        raise ValueError(f"SecureBucket {name}: noncurrent-version rules need versioning")


def _encryption_rule(args: SecureBucketArgs) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgs:
    if args.access_log_destination:
        # SSE-S3: the only default encryption S3 server access log delivery supports.
        return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256",
            ),
        )
    return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="aws:kms",
            kms_master_key_id=args.kms_key_arn,
        ),
        # A bucket-level data key: far fewer KMS requests (and KMS charges).
        bucket_key_enabled=True,
    )


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

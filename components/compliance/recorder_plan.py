"""AWS Config, as data: the recorder role's grants, the logs bucket's grants to Config, and the managed
rules that keep checking after deployment what the policy pack checks at preview.

Sources (AWS Config Developer Guide): "Permissions for the IAM role assigned to AWS Config"
(the ``AWS_ConfigRole`` managed policy for reading configurations; ``s3:PutObject`` under
``AWSLogs/<account>/Config/`` and ``s3:GetBucketAcl`` for delivery), "Permissions for the Amazon
S3 bucket" (``config.amazonaws.com``: ``s3:GetBucketAcl``, ``s3:ListBucket`` and ``s3:PutObject``
with ``s3:x-amz-acl = bucket-owner-full-control``, each with ``aws:SourceAccount``), "Permissions
for the KMS key" (delivery into a bucket whose default encryption is SSE-KMS needs
``kms:GenerateDataKey`` on that key), and the managed rules list (identifiers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.kms_deliveries import partition_of

from ..platform import policy_document

CONFIG = "config.amazonaws.com"


def config_role_managed_policy(region: str) -> str:
    return f"arn:{partition_of(region)}:iam::aws:policy/service-role/AWS_ConfigRole"


def delivery_prefix(bucket_arn: str, account_id: str) -> str:
    return f"{bucket_arn}/AWSLogs/{account_id}/Config/*"


def config_role_delivery_policy(bucket_arn: str, *, account_id: str, bucket_key_arn: str) -> str:
    """What the recorder's role needs beyond ``AWS_ConfigRole``: write its files, under the bucket's key."""
    return policy_document(
        [
            {"Sid": "CheckBucket", "Effect": "Allow", "Action": "s3:GetBucketAcl", "Resource": bucket_arn},
            {
                "Sid": "DeliverFiles",
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": delivery_prefix(bucket_arn, account_id),
                "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
            },
            {
                # The bucket's default encryption is SSE-KMS with the storage key.
                "Sid": "EncryptWithBucketKey",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": bucket_key_arn,
            },
        ]
    )


def config_bucket_statements(bucket_arn: str, *, account_id: str) -> list[dict[str, Any]]:
    """The logs bucket's grants to Config (used when it delivers as its service-linked role), this account only."""
    source = {"aws:SourceAccount": account_id}
    principal = {"Service": CONFIG}
    return [
        {"Sid": "ConfigAclCheck", "Effect": "Allow", "Principal": principal, "Action": "s3:GetBucketAcl", "Resource": bucket_arn, "Condition": {"StringEquals": source}},
        {"Sid": "ConfigExistenceCheck", "Effect": "Allow", "Principal": principal, "Action": "s3:ListBucket", "Resource": bucket_arn, "Condition": {"StringEquals": source}},
        {
            "Sid": "ConfigDelivery",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:PutObject",
            "Resource": delivery_prefix(bucket_arn, account_id),
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **source}},
        },
    ]


@dataclass(frozen=True)
class ManagedRule:
    """One AWS Config managed rule and the pack policy it mirrors."""

    key: str
    identifier: str
    mirrors: str | None
    """The pack policy (``policies/``) checking the same control at preview (None: a Security Hub
    control the program sets up and only Config re-checks)."""
    parameters: Mapping[str, str] = field(default_factory=dict)


def managed_rules(*, required_tags: Sequence[str], log_retention_days: int) -> tuple[ManagedRule, ...]:
    """The pack's controls, as Config's managed rules (REQUIRED_TAGS takes at most six keys)."""
    if not 1 <= len(required_tags) <= 6:
        raise ValueError(f"REQUIRED_TAGS checks one to six tag keys, got {len(required_tags)}")
    tags = {f"tag{i}Key": key for i, key in enumerate(required_tags, start=1)}
    return (
        ManagedRule("required-tags", "REQUIRED_TAGS", "required-cost-allocation-tags", tags),
        ManagedRule("rds-encrypted", "RDS_STORAGE_ENCRYPTED", "rds-encrypted-with-cmk"),
        ManagedRule("rds-not-public", "RDS_INSTANCE_PUBLIC_ACCESS_CHECK", "no-public-databases"),
        ManagedRule("rds-deletion-protection", "RDS_INSTANCE_DELETION_PROTECTION_ENABLED", "production-deletion-protection"),
        ManagedRule("cache-encrypted-at-rest", "ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST", "elasticache-encrypted-at-rest"),
        ManagedRule("cache-encrypted-in-transit", "ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT", "elasticache-encrypted-in-transit"),
        ManagedRule("s3-encrypted", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", "s3-bucket-encrypted-with-cmk"),
        ManagedRule("s3-tls-only", "S3_BUCKET_SSL_REQUESTS_ONLY", None),
        ManagedRule("s3-public-access-blocked", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", "s3-public-access-blocked"),
        ManagedRule("s3-access-logging", "S3_BUCKET_LOGGING_ENABLED", "s3-bucket-access-logging"),
        ManagedRule("ebs-encrypted", "ENCRYPTED_VOLUMES", "ebs-encrypted-with-cmk"),
        ManagedRule("efs-encrypted", "EFS_ENCRYPTED_CHECK", "efs-encrypted-with-cmk"),
        ManagedRule("eks-secrets-encrypted", "EKS_SECRETS_ENCRYPTED", "eks-secrets-encrypted"),
        ManagedRule("eks-endpoint-private", "EKS_ENDPOINT_NO_PUBLIC_ACCESS", None),
        ManagedRule("log-groups-encrypted", "CLOUDWATCH_LOG_GROUP_ENCRYPTED", "log-group-encrypted-with-cmk"),
        ManagedRule(
            "log-groups-retention",
            "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
            "log-group-retention-set",
            {"MinRetentionTime": str(log_retention_days)},
        ),
        ManagedRule("sns-encrypted", "SNS_ENCRYPTED_KMS", "sns-topic-encrypted-with-cmk"),
        ManagedRule("kms-rotation", "CMK_BACKING_KEY_ROTATION_ENABLED", "kms-key-rotation-enabled"),
        ManagedRule("iam-no-admin-statements", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", "iam-no-wildcard-grants"),
        ManagedRule("trail-encrypted", "CLOUD_TRAIL_ENCRYPTION_ENABLED", "cloudtrail-encrypted-and-validated"),
        ManagedRule("trail-validated", "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", "cloudtrail-encrypted-and-validated"),
        ManagedRule("trail-multi-region", "MULTI_REGION_CLOUD_TRAIL_ENABLED", "cloudtrail-encrypted-and-validated"),
        ManagedRule("vpc-flow-logs", "VPC_FLOW_LOGS_ENABLED", None),
    )

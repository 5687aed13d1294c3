"""Key policies for the platform's customer-managed KMS keys, one key per purpose.

Each purpose names the AWS service principals that must use the key directly (they
cannot rely on IAM delegation). Everything else reaches a key through IAM policies,
which the account-root statement delegates to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .iam import policy_document

CRYPTO_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]


@dataclass(frozen=True)
class KeyPurpose:
    description: str
    # Short service names ("logs", "cloudwatch") whose principals use the key directly.
    services: tuple[str, ...] = ()
    # Service-linked roles (path after ``role/aws-service-role/``) that use the key directly.
    service_linked_roles: tuple[str, ...] = ()


# Purposes and what they encrypt. Later components pick the key by purpose.
KEY_PURPOSES: dict[str, KeyPurpose] = {
    "logs": KeyPurpose("CloudWatch Logs: VPC flow logs, EKS control plane and application logs", ("logs",)),
    "data": KeyPurpose("Databases and caches: RDS, ElastiCache, Secrets Manager, Performance Insights"),
    "eks": KeyPurpose("EKS Kubernetes secrets envelope encryption"),
    "storage": KeyPurpose(
        "S3 buckets, EBS volumes and EFS file systems",
        # Auto Scaling launches the EKS node groups' instances, whose launch templates encrypt
        # the root volumes with this key: its service-linked role must use the key and grant
        # EC2 the use of it (AWS: "Required AWS KMS key policy for use with encrypted volumes").
        service_linked_roles=("autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",),
    ),
    "alarms": KeyPurpose(
        "Operational signals: the alarm topic (SNS) that CloudWatch alarms, AWS Budgets and Cost Anomaly"
        " Detection publish to, and Karpenter's interruption queue (SQS) that EventBridge sends to",
        ("cloudwatch", "budgets", "costalerts", "events"),
    ),
}


def key_policy(purpose: str, *, account_id: str, region: str, partition: str = "aws") -> str:
    """The key policy for one purpose: account root administers, named services use."""
    root = f"arn:{partition}:iam::{account_id}:root"
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    for service in KEY_PURPOSES[purpose].services:
        statement: dict[str, Any] = {
            "Sid": f"{service.capitalize()}Uses",
            "Effect": "Allow",
            "Principal": {"Service": f"{service}.{region}.amazonaws.com" if service == "logs" else f"{service}.amazonaws.com"},
            "Action": CRYPTO_ACTIONS,
            "Resource": "*",
        }
        if service == "logs":
            # Only log groups of this account and region may use the key.
            statement["Condition"] = {
                "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:log-group:*"}
            }
        else:
            statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
        statements.append(statement)
    for linked_role in KEY_PURPOSES[purpose].service_linked_roles:
        principal = {"AWS": f"arn:{partition}:iam::{account_id}:role/aws-service-role/{linked_role}"}
        name = linked_role.rsplit("/", 1)[-1].removeprefix("AWSServiceRoleFor")
        statements.append(
            {
                "Sid": f"{name}Uses",
                "Effect": "Allow",
                "Principal": principal,
                "Action": CRYPTO_ACTIONS,
                "Resource": "*",
            }
        )
        statements.append(
            {
                "Sid": f"{name}GrantsToAwsResources",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            }
        )
    return policy_document(statements)

"""What each function may touch, and EventBridge Scheduler's role: least-privilege IAM as data."""

from __future__ import annotations

from typing import Any

from ..platform import allow, policy_document

CLEANUP_TASK = "cleanup-expired-uploads"


def _via(service: str, region: str) -> dict[str, Any]:
    return {"StringEquals": {"kms:ViaService": f"{service}.{region}.amazonaws.com"}}


def image_grants(bucket_arn: str, storage_key_arn: str, uploads: str, variants: str, region: str) -> list[dict[str, Any]]:
    """Read originals under the uploads prefix, write variants under the variants prefix (SSE-KMS: the storage key through S3)."""
    return [
        allow(["s3:GetObject"], [f"{bucket_arn}/{uploads}*"]),
        allow(["s3:PutObject"], [f"{bucket_arn}/{variants}*"]),
        allow(["kms:Decrypt", "kms:GenerateDataKey"], [storage_key_arn], Condition=_via("s3", region)),
    ]


def webhook_grants(secret_arn: str, queue_arn: str, data_key_arn: str, region: str) -> list[dict[str, Any]]:
    """Read the signing secret, send to the work queue; both under the data key, through their services only."""
    return [
        allow(["secretsmanager:GetSecretValue"], [secret_arn]),
        allow(["sqs:SendMessage"], [queue_arn]),
        allow(
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [data_key_arn],
            Condition={"StringEquals": {"kms:ViaService": [f"secretsmanager.{region}.amazonaws.com", f"sqs.{region}.amazonaws.com"]}},
        ),
    ]


def tasks_grants(bucket_arn: str, uploads: str) -> list[dict[str, Any]]:
    """List and delete under the uploads prefix only (no object is read, so no key is needed)."""
    return [
        allow(["s3:ListBucket"], [bucket_arn], Condition={"StringLike": {"s3:prefix": [f"{uploads}*"]}}),
        allow(["s3:DeleteObject"], [f"{bucket_arn}/{uploads}*"]),
    ]


def scheduler_trust(account_id: str) -> str:
    """EventBridge Scheduler assumes the role for this account's schedules only (confused deputy)."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "scheduler.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


def scheduler_policy(function_arn: str, dead_letter_arn: str, data_key_arn: str, region: str) -> list[dict[str, Any]]:
    """Invoke the one function; send undeliverable runs to its failure queue (under the data key);
    decrypt the schedule's own payload (encrypted with the data key)."""
    return [
        allow(["lambda:InvokeFunction"], [function_arn, f"{function_arn}:*"], Sid="InvokeTasks"),
        allow(["sqs:SendMessage"], [dead_letter_arn], Sid="SendUndeliverable"),
        allow(["kms:GenerateDataKey", "kms:Decrypt"], [data_key_arn], Sid="EncryptUndeliverable", Condition=_via("sqs", region)),
        # Scheduler decrypts the schedule's payload with the execution role's credentials (the role, not the
        # service principal, needs kms:Decrypt; AWS CDK's Schedule grants it the same way).
        allow(["kms:Decrypt"], [data_key_arn], Sid="DecryptSchedulePayload"),
    ]

"""IAM policy documents as plain data: computed locally, no data-source invoke at preview."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# The policy pack owns the check (it must stand alone); components and tests use it from here too.
from policies.iam_grants import wildcard_grants  # noqa: F401

Statement = Mapping[str, Any]


def policy_document(statements: Sequence[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def allow(actions: Sequence[str], resources: Sequence[str] | str, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": list(actions), "Resource": resources}
    statement.update(extra)
    return statement


def s3_key_statement(sid: str, actions: str | Sequence[str], key_arn: str, *, region: str, arns: Sequence[str]) -> dict[str, Any]:
    """Use a KMS key only through S3 in ``region`` and only for objects of ``arns`` (bucket ARNs and object
    patterns): S3 asks KMS with the bucket's ARN as encryption context when the bucket uses an S3 Bucket
    Key, with the object's otherwise, so a bucket is named with its objects."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions if isinstance(actions, str) else list(actions),
        "Resource": key_arn,
        "Condition": {
            "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": list(arns)},
        },
    }


def service_assume_role_policy(service: str, *, source_account: str | None = None) -> str:
    """Trust policy for an AWS service principal, pinned to our account when given."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return policy_document([statement])

"""Pure calculations of S3 cross-Region replication: the replication role's policy and the rule shapes.

Facts (Amazon S3 User Guide, "Replicating objects", "Replicating encrypted objects", "S3 RTC"):
- Both buckets need versioning; the replication role is assumed by ``s3.amazonaws.com``.
- SSE-KMS objects replicate only when the rule opts in (``SseKmsEncryptedObjects``) and names the
  destination key (``ReplicaKmsKeyID``); the role decrypts with the source key and encrypts with the
  destination key, each through S3 in its Region. With S3 Bucket Keys the encryption context is the
  bucket's ARN, without them the object's: the conditions admit both.
- Replication Time Control (RTC) replicates 99.99% of objects within 15 minutes, and requires
  replication metrics (with a 15-minute event threshold). Without RTC S3 gives no time bound.
- Replication metrics (``AWS/S3``, dimensions ``SourceBucket``, ``DestinationBucket``, ``RuleId``; in the
  source's Region): ``ReplicationLatency`` (seconds the replica is behind) and
  ``OperationsFailedReplication`` (objects that will not replicate without intervention).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..platform import GREATER, AlarmSpec, policy_document, s3_key_statement

RTC_MINUTES = 15
"""S3 Replication Time Control's SLA: 99.99% of new objects within 15 minutes."""


REPLICATION_NAMESPACE = "AWS/S3"


def rule_id(key: str, dr_region: str) -> str:
    """The replication rule's ID (``models-to-us-west-2``): also a dimension of its metrics."""
    return f"{key}-to-{dr_region}"


def replication_alarm_specs() -> list[AlarmSpec]:
    """The alarms of one replication rule with metrics on: a replica past RTC's 15 minutes is past the RPO,
    and a failed object never arrives (S3 does not retry it: it needs a fix and a re-upload or Batch Replication).
    No data is no traffic (nothing to replicate), not a breach."""
    return [
        AlarmSpec(
            key="replication-latency",
            namespace=REPLICATION_NAMESPACE,
            metric="ReplicationLatency",
            comparison=GREATER,
            threshold=RTC_MINUTES * 60,
            statistic="Maximum",
            period_seconds=300,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            treat_missing_data="notBreaching",
            description=f"The replica is more than {RTC_MINUTES} minutes behind its source: past S3 RTC's bound and the RPO",
        ),
        AlarmSpec(
            key="replication-failed",
            namespace=REPLICATION_NAMESPACE,
            metric="OperationsFailedReplication",
            comparison=GREATER,
            threshold=0,
            statistic="Sum",
            period_seconds=300,
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            description="Objects failed to replicate (key or permission problem): they will not reach the replica by themselves",
        ),
    ]


@dataclass(frozen=True)
class ReplicatedPair:
    """One source bucket and its replica (ARNs)."""

    source_arn: str
    replica_arn: str


def replication_role_policy(
    pairs: Sequence[ReplicatedPair], *, source_key_arn: str, replica_key_arn: str, region: str, dr_region: str
) -> str:
    """What S3 needs to replicate ``pairs``: read the sources' versions, write the replicas, and use each key
    only through S3 in its Region, for these buckets' objects."""
    sources = sorted(p.source_arn for p in pairs)
    replicas = sorted(p.replica_arn for p in pairs)

    def context(arns: list[str]) -> list[str]:
        return [pattern for arn in arns for pattern in (arn, f"{arn}/*")]

    return policy_document(
        [
            {
                "Sid": "ReadReplicationConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": sources,
            },
            {
                "Sid": "ReadSourceVersions",
                "Effect": "Allow",
                "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                "Resource": [f"{arn}/*" for arn in sources],
            },
            {
                "Sid": "WriteReplicas",
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": [f"{arn}/*" for arn in replicas],
            },
            s3_key_statement("DecryptSources", "kms:Decrypt", source_key_arn, region=region, arns=context(sources)),
            # GenerateDataKey: the replica bucket's S3 Bucket Key is made with the destination key.
            s3_key_statement(
                "EncryptReplicas", ["kms:Encrypt", "kms:GenerateDataKey"], replica_key_arn, region=dr_region, arns=context(replicas)
            ),
        ]
    )

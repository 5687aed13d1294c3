"""Pure calculations of ECR cross-Region replication: the replication filter, the creation template's role.

Facts (Amazon ECR User Guide, "Private image replication", "Templates to control repositories created
during a pull through cache or replication action", "Encryption at rest"):
- Replication is a setting of the private registry, ONE configuration per account and Region
  (PutReplicationConfiguration replaces it whole): exactly one stack in an account may write it.
  Only images pushed after it exists are replicated; the replica keeps the source's repository name.
- ECR creates each replica repository when it first replicates into it. Without a repository creation
  template whose prefix matches, the replica gets ECR's defaults: AES256 (S3-managed keys), mutable
  tags, no lifecycle policy, no tags. A repository's encryption cannot change after creation, so the
  template must exist in the DESTINATION Region before the first replication.
- A template that sets KMS encryption or resource tags needs a custom role that ``ecr.amazonaws.com``
  assumes, allowed ecr:CreateRepository, ecr:ReplicateImage, ecr:TagResource and, on the key,
  kms:CreateGrant, kms:RetireGrant, kms:DescribeKey. The key lives in the repository's Region; its
  policy must let IAM policies grant its use (the account-root statement: ECR's documented key policy).
- A template's prefix ``p`` applies to repositories named ``p/...``; a PREFIX_MATCH filter matches the
  start of the name, so ``p/`` selects exactly this stack's repositories (2-256 characters).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..platform import policy_document

FILTER_TYPE = "PREFIX_MATCH"
APPLIED_FOR = ("REPLICATION",)


def replication_filter(prefix: str) -> str:
    """``<prefix>/``: this stack's repositories (``<prefix>/<image>``), not another stack whose prefix starts alike."""
    value = f"{prefix}/"
    if not 2 <= len(value) <= 256:
        raise ValueError(f"an ECR replication filter is 2-256 characters: {value!r}")
    return value


def repository_arns(prefix: str, *, regions: Sequence[str], account_id: str, partition: str = "aws") -> list[str]:
    """This stack's repositories in ``regions`` (the sources and their replicas)."""
    return [f"arn:{partition}:ecr:{region}:{account_id}:repository/{prefix}/*" for region in sorted(set(regions))]


def template_role_policy(*, prefix: str, region: str, dr_region: str, account_id: str, key_arn: str, partition: str = "aws") -> str:
    """What ECR does with the creation template's role, scoped to this stack's repositories and the DR key.

    ECR documents the actions on ``*``; here the repositories are ``<prefix>/*`` in both Regions (the replica
    is created in the DR Region from the source in the stack's) and the key is the one the template names.
    """
    return policy_document(
        [
            {
                "Sid": "CreateReplicaRepositories",
                "Effect": "Allow",
                "Action": ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"],
                "Resource": repository_arns(prefix, regions=(region, dr_region), account_id=account_id, partition=partition),
            },
            {
                # ECR adds grants for the new repository at creation and retires them when it is deleted.
                "Sid": "GrantEcrTheDrKey",
                "Effect": "Allow",
                "Action": ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"],
                "Resource": key_arn,
            },
        ]
    )

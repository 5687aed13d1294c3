"""The one way the data layer makes a Secrets Manager secret: under the data key, protected like its data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags

# Days a deleted secret can still be restored: the longest window where the data is protected.
PROTECTED_RECOVERY_DAYS = 30
UNPROTECTED_RECOVERY_DAYS = 7


@dataclass(frozen=True)
class SecretReplicaTarget:
    """A Region Secrets Manager replicates a secret to, and the customer key its copy is under there.

    AWS ("Replicate secrets across Regions"): the replica keeps the secret's name and ARN suffix
    (only the Region differs, :func:`~components.data.secret_arns.replica_secret_arn`), is read-only,
    and follows every rotation of the primary; ``stop-replication-to-replica`` in its Region
    promotes it to a standalone secret. The caller needs ``kms:GenerateDataKey`` and ``kms:Encrypt``
    on ``kms_key_arn`` (ReplicateSecretToRegions), readers ``kms:Decrypt``: a key whose policy
    delegates to the account's IAM policies admits both.
    """

    region: str
    """The Region the copy lives in (the stack's DR Region)."""
    kms_key_arn: pulumi.Input[str]
    """A customer-managed key in ``region`` (never the AWS-managed ``aws/secretsmanager``)."""


def encrypted_secret(
    name: str,
    *,
    description: str,
    kms_key_arn: pulumi.Input[str],
    protect: bool,
    tags: ComponentTags,
    parent: pulumi.Resource,
    extra_tags: dict[str, str] | None = None,
    replicas: Sequence[SecretReplicaTarget] = (),
) -> aws.secretsmanager.Secret:
    """A secret encrypted with ``kms_key_arn``; ``protect`` adds Pulumi protection and the longest recovery window.

    ``replicas``: Regions Secrets Manager keeps read-only copies in, each under its own customer key.
    Adding one to an existing secret is an in-place update (the provider calls ReplicateSecretToRegions).
    """
    if len({r.region for r in replicas}) != len(replicas):
        raise ValueError(f"secret {name}: one replica a Region, got {[r.region for r in replicas]}")
    return aws.secretsmanager.Secret(
        name,
        description=description,
        kms_key_id=kms_key_arn,
        recovery_window_in_days=PROTECTED_RECOVERY_DAYS if protect else UNPROTECTED_RECOVERY_DAYS,
        # None, not [], without replicas: the inputs of secrets that never replicate stay as they were.
        replicas=[aws.secretsmanager.SecretReplicaArgs(region=r.region, kms_key_id=r.kms_key_arn) for r in replicas] or None,
        tags=tags(name, extra_tags),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )

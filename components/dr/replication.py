"""CrossRegionReplication: the stores that reach the DR Region continuously, each under a key there.

- The database: RDS replicates the primary's automated backups (its snapshots and the transaction
  logs it uploads every 5 minutes) to the DR Region, encrypted with a DR-Region key (an encrypted
  source needs one: KMS keys never leave their Region). A DB instance restored there to a point in
  time is the database's recovery within minutes of the last log (docs/dr.md, failover).
- The shared file system: EFS replication keeps a read-only copy in the DR Region (AWS: an RPO of
  15 minutes for most file systems) under a DR-Region key; a failover deletes the replication
  configuration, which makes the copy writable (EFS leaves the destination file system in place).

Both are created by the account's own service roles through the root statement of their keys'
policies (RDS and EFS call KMS on the account's behalf). The DR Region's provider arrives as
``dr_provider``; the EFS replication configuration belongs to the source Region (``opts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, account_key_policy, cloudfront_decrypt_statement
from .keys import account_dr_key, dr_key


@dataclass
class CrossRegionReplicationArgs:
    """Inputs of :class:`CrossRegionReplication`."""

    dr_region: str
    account_id: pulumi.Input[str]
    dr_provider: pulumi.ProviderResource
    """An AWS provider for ``dr_region`` with the stack's default tags."""
    database_arn: Optional[pulumi.Input[str]] = None
    """The primary DB instance whose automated backups RDS replicates (None: not replicated)."""
    database_retention_days: int = 7
    """Days RDS keeps the replicated automated backups (1-35)."""
    file_system_id: Optional[pulumi.Input[str]] = None
    """The EFS file system EFS replicates (None: not replicated)."""
    storage_key: bool = False
    """Create the DR Region's storage key even without EFS replication (the replica buckets use it)."""
    storage_key_cloudfront_readers: Sequence[pulumi.Input[str]] = ()
    """CloudFront distributions (ARNs) that read a replica bucket through OAC (the static site's secondary
    origin): the storage key lets ``cloudfront.amazonaws.com`` decrypt for exactly these."""
    kms_deletion_window_days: int = 30
    protect: bool = True
    """Pulumi-protect the DR-Region keys (the replicated data is encrypted with them)."""


class CrossRegionReplication(pulumi.ComponentResource):
    """RDS automated-backup replication and EFS replication into the DR Region."""

    key_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: CrossRegionReplicationArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:dr:CrossRegionReplication", name, None, opts)
        tags = ComponentTags("dr-replication")
        account = pulumi.Output.from_input(args.account_id)
        in_dr = pulumi.ResourceOptions(parent=self, provider=args.dr_provider)

        def key(purpose: str, what: str) -> aws.kms.Key:
            return account_dr_key(
                f"{name}-{purpose}-key",
                description=f"{what} in {args.dr_region}",
                account_id=account,
                deletion_window_days=args.kms_deletion_window_days,
                protect=args.protect,
                tags=tags,
                opts=in_dr,
            )

        self.keys: dict[str, aws.kms.Key] = {}
        if args.database_arn is not None:
            self.keys["data"] = key("data", "Replicated RDS automated backups (and the DR database)")
            self.database_backups = aws.rds.InstanceAutomatedBackupsReplication(
                f"{name}-database",
                source_db_instance_arn=args.database_arn,
                kms_key_id=self.keys["data"].arn,
                retention_period=args.database_retention_days,
                # Created in the destination Region, naming the source by ARN.
                opts=in_dr,
            )
        if args.file_system_id is not None or args.storage_key:
            readers = list(args.storage_key_cloudfront_readers)
            # AWS, "Restrict access to an Amazon S3 origin" (SSE-KMS): the key of an OAC origin admits
            # cloudfront.amazonaws.com for the distribution's ARN; only Decrypt (it never uploads).
            self.keys["storage"] = dr_key(
                f"{name}-storage-key",
                description=f"The replicated EFS file system and the replica buckets in {args.dr_region}",
                policy=pulumi.Output.all(account, *readers).apply(
                    lambda v: account_key_policy(
                        account_id=v[0], statements=[cloudfront_decrypt_statement(tuple(v[1:]))] if len(v) > 1 else []
                    )
                ),
                deletion_window_days=args.kms_deletion_window_days,
                protect=args.protect,
                tags=tags,
                opts=in_dr,
            )
        if args.file_system_id is not None:
            aws.efs.ReplicationConfiguration(
                f"{name}-efs",
                source_file_system_id=args.file_system_id,
                destination=aws.efs.ReplicationConfigurationDestinationArgs(
                    region=args.dr_region,
                    kms_key_id=self.keys["storage"].arn,
                ),
                # The source's Region (the stack's provider); EFS creates the destination file system.
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.key_arns = {purpose: k.arn for purpose, k in self.keys.items()}
        self.register_outputs({"key_arns": self.key_arns})


def _check_args(args: CrossRegionReplicationArgs) -> None:
    if args.database_arn is None and args.file_system_id is None and not args.storage_key:
        raise ValueError("CrossRegionReplication: nothing to replicate (neither database_arn nor file_system_id)")
    if args.storage_key_cloudfront_readers and args.file_system_id is None and not args.storage_key:
        raise ValueError("CrossRegionReplication: CloudFront readers of the storage key, but no storage key")
    if not 1 <= args.database_retention_days <= 35:
        raise ValueError(f"CrossRegionReplication: database_retention_days {args.database_retention_days}: RDS keeps 1-35 days")

"""Pure decisions of :class:`components.dr.read_replica.ReadReplica`: the identifier, the source's Region, and
the inputs that differ between a replica and the primary it becomes when promoted.

What the mock runtime cannot see (AWS's RDS user guide, "Creating a read replica in a different AWS Region",
and the CreateDBInstanceReadReplica / DeleteDBInstance / PromoteReadReplica API references):

- A cross-Region replica names its source by **ARN**, and in a VPC needs a **DB subnet group** of the
  destination Region (``db_subnet_group_name``); both are inputs here, checked before anything exists.
- The source must be encrypted, and the replica must name a KMS key **of its own Region** (KMS keys never
  leave their Region; the provider's ``kms_key_id`` is "the destination KMS ARN"). RDS uses the key for the
  account through grants, so the key policy's account-root delegation is enough.
- The replica inherits the engine, version, master user, password and database from its source: setting
  ``username``/``password``/``db_name`` on a replica is an error. Its version may not be older than the
  source's; a minor upgrade of the source is applied to the replica by RDS (PostgreSQL upgrades replicas
  first). A major upgrade of a primary with a cross-Region replica needs the replica upgraded or recreated.
- The instance class must be offered in the destination Region (checked by the settings against AWS's list
  and the price list); gp3 storage at least the source's size.
- RDS refuses a final snapshot of a replica (``FinalDBSnapshotIdentifier`` "can't be specified when deleting a
  read replica", ``SkipFinalSnapshot`` must be true): the snapshot settings apply only once promoted.
- Promotion (removing ``replicate_source_db``; the provider calls PromoteReadReplica) fails while the replica
  is ``backing-up``: keep the backup window away from drills, and let one backup complete first.
- ``apply_immediately``: a change at promotion time (the class, backup settings) must not wait for the
  maintenance window during a failover.
- A source has at most 5 cross-Region replicas; RDS charges the source Region's inter-Region transfer for
  the replicated WAL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# RDS instance identifiers: a letter, then letters, digits and single hyphens, at most 63, no trailing hyphen.
MAX_IDENTIFIER = 63
_IDENTIFIER = re.compile(r"^[a-z](?!.*--)[a-z0-9-]*(?<!-)$")
_RDS_DB_ARN = re.compile(r"^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):db:([a-z][a-z0-9-]*)$")


def identifier_problem(identifier: str) -> Optional[str]:
    """What AWS would refuse in a DB instance identifier, or None."""
    if len(identifier) > MAX_IDENTIFIER:
        return f"an RDS DB instance identifier of at most {MAX_IDENTIFIER} characters (this one has {len(identifier)})"
    if not _IDENTIFIER.match(identifier):
        return "an RDS DB instance identifier: a lower-case letter, then letters, digits and single hyphens, not ending in a hyphen"
    return None


def source_region(arn: str) -> str:
    """The Region of an RDS DB instance ARN (``arn:aws:rds:us-east-1:123456789012:db:name``); ValueError otherwise."""
    match = _RDS_DB_ARN.match(arn)
    if not match:
        raise ValueError(f"not an RDS DB instance ARN: {arn!r} (a cross-Region replica names its source by ARN)")
    return match.group(1)


def check_source(arn: str, region: str) -> str:
    """``arn`` when it names a DB instance in another Region than ``region`` (the replica's); ValueError otherwise."""
    if source_region(arn) == region:
        raise ValueError(f"the source {arn} is in {region}, the replica's own Region: a cross-Region replica needs a source elsewhere")
    return arn


@dataclass(frozen=True)
class ModeInputs:
    """The instance's inputs that depend on whether it is still a replica."""

    skip_final_snapshot: bool
    final_snapshot: bool
    """Whether to name a final snapshot (never for a replica: RDS refuses it)."""
    delete_automated_backups: bool


def mode_inputs(*, promoted: bool, protect: bool) -> ModeInputs:
    """A replica skips the final snapshot (RDS refuses one); a promoted, protected primary takes one."""
    if not promoted:
        return ModeInputs(skip_final_snapshot=True, final_snapshot=False, delete_automated_backups=not protect)
    return ModeInputs(skip_final_snapshot=not protect, final_snapshot=protect, delete_automated_backups=not protect)

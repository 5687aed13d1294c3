"""Pure calculations of the backup and recovery-point design: schedules, retention limits, the
recovery point each store reaches and by which mechanism, what AWS Backup selects, key statements.

Facts (AWS Backup Developer Guide and API reference, RDS User Guide, EFS User Guide):
- AWS Backup's shortest snapshot schedule is one hour (a cron expression, UTC).
- Vault Lock: ``MinRetentionDays``/``MaxRetentionDays`` bound every backup and copy job into the
  vault; ``ChangeableForDays`` (at least 3: a 72-hour cooling-off) makes the lock compliance mode,
  immutable after that grace time; without it the lock is governance mode (removable by IAM).
- RDS counts AWS Backup's snapshots against "Manual DB instance snapshots" (100 per region by
  default), so the snapshots a rule keeps are bounded by that quota.
- RDS point-in-time recovery: transaction logs are uploaded every 5 minutes; cross-Region automated
  backup replication copies snapshots and those logs to the destination Region as they are ready.
- EFS replication: "an RPO of 15 minutes for most file systems".
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Hours between snapshots that divide a day evenly (the cron step AWS Backup runs them at).
FREQUENCY_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)
RDS_MANUAL_SNAPSHOT_QUOTA = 100
"""Service Quotas, Amazon RDS, "Manual DB instance snapshots": default per account and Region."""
MIN_CHANGEABLE_FOR_DAYS = 3
"""Vault Lock's cooling-off period (72 hours) before compliance mode becomes immutable."""
MAX_RETENTION_DAYS = 36500
"""AWS Backup's longest lifecycle (100 years)."""

RDS_PITR_MINUTES = 5
"""RDS uploads transaction logs to S3 every 5 minutes: the latest restorable time lags by about that."""
RDS_REPLICATED_LOG_MINUTES = 10
"""Cross-Region automated backups: the 5-minute log upload plus the copy to the DR Region. AWS gives
no bound for the copy; this is the planning figure the failover drill measures (docs/dr.md)."""
EFS_REPLICATION_MINUTES = 15
"""EFS replication: "Amazon EFS is designed to provide an RPO of 15 minutes for most file systems"."""


class LockMode(enum.Enum):
    """How the vaults are locked."""

    NONE = "none"
    GOVERNANCE = "governance"
    """Retention bounds enforced; principals with backup:DeleteBackupVaultLockConfiguration may remove the lock."""
    COMPLIANCE = "compliance"
    """Immutable after ``changeableForDays``: nobody, root included, may shorten retention or delete recovery points."""


@dataclass(frozen=True)
class VaultLock:
    mode: LockMode
    min_retention_days: int
    max_retention_days: int
    changeable_for_days: int
    """Compliance mode only: the grace time (days) before the lock is immutable."""


@dataclass(frozen=True)
class StoreRpo:
    """How far back a store's data can be lost when the primary Region is lost."""

    store: str
    minutes: float
    mechanism: str
    key: str
    """The config key that decides it (named in the ConfigError when it misses the RPO)."""


def schedule_expression(frequency_hours: int, start_hour_utc: int) -> str:
    """AWS Backup's cron (UTC) for a snapshot every ``frequency_hours``, aligned on ``start_hour_utc``."""
    if frequency_hours not in FREQUENCY_HOURS:
        raise ValueError(f"backup frequency {frequency_hours} h: one of {FREQUENCY_HOURS}")
    if not 0 <= start_hour_utc <= 23:
        raise ValueError(f"start hour {start_hour_utc}: 0-23 (UTC)")
    if frequency_hours == 24:
        return f"cron(0 {start_hour_utc} * * ? *)"
    return f"cron(0 {start_hour_utc % frequency_hours}/{frequency_hours} * * ? *)"


def retained_snapshots(frequency_hours: int, retention_days: int) -> int:
    """Snapshots one rule keeps of one resource at steady state."""
    return math.ceil(24 / frequency_hours) * retention_days


def lock_problem(lock: VaultLock, retention_days: int) -> str | None:
    """Why AWS Backup would refuse the lock, or the plan's jobs into the locked vault (None if neither)."""
    if lock.mode is LockMode.NONE:
        return None
    if not 1 <= lock.min_retention_days <= lock.max_retention_days <= MAX_RETENTION_DAYS:
        return f"1 <= minRetentionDays <= maxRetentionDays <= {MAX_RETENTION_DAYS}"
    if not lock.min_retention_days <= retention_days <= lock.max_retention_days:
        return (
            f"the plan's retention ({retention_days} days) within the lock's [{lock.min_retention_days}, "
            f"{lock.max_retention_days}]: Vault Lock fails every backup and copy job outside it"
        )
    if lock.mode is LockMode.COMPLIANCE and lock.changeable_for_days < MIN_CHANGEABLE_FOR_DAYS:
        return f"changeableForDays >= {MIN_CHANGEABLE_FOR_DAYS} (AWS Backup's 72-hour cooling-off)"
    return None


def store_rpos(
    *, frequency_hours: int, copy_to_dr_region: bool, database_replication: bool, efs_replication: bool
) -> list[StoreRpo]:
    """The recovery point of each stateful store after the loss of the primary Region.

    Within the Region, RDS point-in-time recovery (5 minutes) and EFS backups cover an operator's
    mistake; this is the disaster case, where only what reached the DR Region counts.
    """
    snapshot = frequency_hours * 60.0 if copy_to_dr_region else math.inf
    snapshot_key = "backup.frequencyHours" if copy_to_dr_region else "backup.copyToDrRegion"
    snapshot_text = f"AWS Backup snapshot every {frequency_hours} h copied to the DR vault" if copy_to_dr_region else "no copy in the DR Region"
    return [
        StoreRpo(
            "database",
            RDS_REPLICATED_LOG_MINUTES if database_replication else snapshot,
            "RDS cross-Region automated backups (transaction logs every 5 minutes, copied as they are ready)"
            if database_replication
            else snapshot_text,
            "database.crossRegionBackups" if database_replication else snapshot_key,
        ),
        StoreRpo(
            "efs",
            EFS_REPLICATION_MINUTES if efs_replication else snapshot,
            "EFS replication to the DR Region (AWS: 15 minutes for most file systems)" if efs_replication else snapshot_text,
            "efs.replication" if efs_replication else snapshot_key,
        ),
    ]


# --- what the plan selects -----------------------------------------------------------


@dataclass(frozen=True)
class SelectionSpec:
    """One AWS Backup selection: a resource type (ARN pattern) narrowed by the resources' tags."""

    key: str
    arn_pattern: str
    tags: Mapping[str, str]


def selections(*, project: str, environment: str, partition: str = "aws") -> list[SelectionSpec]:
    """The stateful stores of this stack, selected by type and by the tags their components set.

    Tags, not ARNs: a store added later with the same component tags is backed up without a plan
    change. ``Role=primary`` leaves the read replicas out (their data is the primary's). A plan
    selects only in its own account and Region, so the patterns leave both open.
    """
    stack_tags = {"Project": project, "Environment": environment}
    return [
        SelectionSpec("database", f"arn:{partition}:rds:*:*:db:*", {**stack_tags, "Component": "database", "Role": "primary"}),
        SelectionSpec("efs", f"arn:{partition}:elasticfilesystem:*:*:file-system/*", {**stack_tags, "Component": "efs"}),
    ]


def selection_conditions(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """AWS Backup ``StringEquals`` conditions (ANDed) on ``aws:ResourceTag/<key>``."""
    return [{"key": f"aws:ResourceTag/{key}", "value": value} for key, value in sorted(tags.items())]


# --- key policy statements -----------------------------------------------------------

BACKUP_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def backup_key_statements(role_arn: str, *, region: str, account_id: str) -> list[dict[str, Any]]:
    """What a vault key admits besides the account: the backup role, through AWS Backup and RDS only.

    AWS Backup encrypts fully managed backups (EFS) with the vault's key and copies RDS snapshots
    into a vault under the destination vault's key (RDS does the copy): "the permissions in IAM
    policy and KMS key policy must be consistent". Grants only for AWS resources.
    """
    via = [f"backup.{region}.amazonaws.com", f"rds.{region}.amazonaws.com"]
    return [
        {
            "Sid": "BackupRoleUsesThroughBackupAndRds",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn},
            "Action": BACKUP_KEY_ACTIONS,
            "Resource": "*",
            # kms:ViaService is single-valued: a list under StringEquals matches any of them.
            "Condition": {"StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": via}},
        },
        {
            "Sid": "BackupRoleGrantsToAwsResources",
            "Effect": "Allow",
            "Principal": {"AWS": role_arn},
            "Action": "kms:CreateGrant",
            "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ]


BACKUP_MANAGED_POLICIES: Mapping[str, str] = {
    "backup": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
}
"""AWS Backup's own service-role policies: create, copy and restore recovery points of the supported services."""

"""Disaster recovery (seed "Disaster Recovery"): AWS Backup vaults, lock and plan (``Backups``), the
stores replicated to the DR Region (``CrossRegionReplication``), the critical buckets' replicas
(``BucketReplication``), the container images' replicas (``ImageReplication``), the recovery-point model
(``backup_plan``) and the ``dr`` config section.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .backup import Backups, BackupsArgs
from .images import ImageReplication, ImageReplicationArgs
from .buckets import BucketReplication, BucketReplicationArgs, ReplicationSource
from .backup_plan import LockMode, SelectionSpec, StoreRpo, VaultLock, schedule_expression, selections, store_rpos
from .replication import CrossRegionReplication, CrossRegionReplicationArgs
from .settings import BackupSettings, DrSettings, ImageReplicationSettings

__all__ = [
    "BackupSettings",
    "BucketReplication",
    "BucketReplicationArgs",
    "ReplicationSource",
    "Backups",
    "BackupsArgs",
    "CrossRegionReplication",
    "CrossRegionReplicationArgs",
    "DrSettings",
    "ImageReplication",
    "ImageReplicationArgs",
    "ImageReplicationSettings",
    "LockMode",
    "SelectionSpec",
    "StoreRpo",
    "VaultLock",
    "schedule_expression",
    "selections",
    "store_rpos",
]

"""Disaster recovery (seed "Disaster Recovery"): AWS Backup vaults, lock and plan (``Backups``), the
stores replicated to the DR Region (``CrossRegionReplication``), the recovery-point model
(``backup_plan``) and the ``dr`` config section.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .backup import Backups, BackupsArgs
from .backup_plan import LockMode, SelectionSpec, StoreRpo, VaultLock, schedule_expression, selections, store_rpos
from .replication import CrossRegionReplication, CrossRegionReplicationArgs
from .settings import BackupSettings, DrSettings

__all__ = [
    "BackupSettings",
    "Backups",
    "BackupsArgs",
    "CrossRegionReplication",
    "CrossRegionReplicationArgs",
    "DrSettings",
    "LockMode",
    "SelectionSpec",
    "StoreRpo",
    "VaultLock",
    "schedule_expression",
    "selections",
    "store_rpos",
]

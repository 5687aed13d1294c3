"""Disaster recovery (seed "Disaster Recovery"): AWS Backup vaults, lock and plan (``Backups``), the
stores replicated to the DR Region (``CrossRegionReplication``), the critical buckets' replicas
(``BucketReplication``), Velero's backups of the platform's namespaces (``VeleroBackups``) and their restore in the pilot light (``VeleroRestore``), the container images'
replicas (``ImageReplication``), the pilot light's cross-Region database replica (``ReadReplica``) and what it reads
of the primary's stack (``primary_models_replica``, ``primary_origin_header_value``), Route 53 health checks and failover records (``EndpointHealthChecks``,
``FailoverRecords``), the recovery-point model
(``backup_plan``), the ``dr`` config section and the pilot light's (``pilotLight``, ``pilot_light``).

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .backup import Backups, BackupsArgs
from .images import ImageReplication, ImageReplicationArgs
from .buckets import BucketReplication, BucketReplicationArgs, ReplicationSource
from .backup_plan import LockMode, SelectionSpec, StoreRpo, VaultLock, schedule_expression, selections, store_rpos
from .pilot_light import STANDBY_SYSTEM_NODES, ClusterPosture, PilotLightSettings, primary_parameter_path, standby_node_groups
from .entry import ORIGIN_HEADER_VALUE_OUTPUT, primary_origin_header_value
from .primary_replicas import DR_KEY_ARNS_OUTPUT, MODEL_PREFIX_OUTPUT, REPLICA_BUCKET_NAMES_OUTPUT, primary_models_replica, primary_replica, primary_replica_key
from .read_replica import DATABASE_ARN_OUTPUT, DATABASE_NAME_OUTPUT, MASTER_SECRET_REPLICA_OUTPUT, ReadReplica, ReadReplicaArgs, primary_database_arn
from .replica_settings import ReplicaSettings
from .replication import CrossRegionReplication, CrossRegionReplicationArgs
from .failover import EndpointHealthChecks, EndpointHealthChecksArgs, FailoverRecords, FailoverRecordsArgs
from .settings import BackupSettings, DrSettings, FailoverSettings, HealthCheckSettings, ImageReplicationSettings, VeleroSettings
from .velero import VeleroBackups, VeleroBackupsArgs, VeleroRestore, VeleroRestoreArgs
from .velero_plan import BUCKET_KEY as VELERO_BUCKET_KEY, NAMESPACE as VELERO_NAMESPACE, bucket_lifecycle as velero_bucket_lifecycle

__all__ = [
    "DATABASE_ARN_OUTPUT",
    "DATABASE_NAME_OUTPUT",
    "MASTER_SECRET_REPLICA_OUTPUT",
    "ORIGIN_HEADER_VALUE_OUTPUT",
    "DR_KEY_ARNS_OUTPUT",
    "MODEL_PREFIX_OUTPUT",
    "REPLICA_BUCKET_NAMES_OUTPUT",
    "primary_models_replica",
    "primary_replica",
    "primary_replica_key",
    "ReadReplica",
    "ReadReplicaArgs",
    "ReplicaSettings",
    "primary_database_arn",
    "primary_origin_header_value",
    "primary_parameter_path",
    "BackupSettings",
    "BucketReplication",
    "BucketReplicationArgs",
    "ReplicationSource",
    "Backups",
    "BackupsArgs",
    "ClusterPosture",
    "CrossRegionReplication",
    "CrossRegionReplicationArgs",
    "DrSettings",
    "ImageReplication",
    "ImageReplicationArgs",
    "ImageReplicationSettings",
    "EndpointHealthChecks",
    "EndpointHealthChecksArgs",
    "FailoverRecords",
    "FailoverRecordsArgs",
    "FailoverSettings",
    "HealthCheckSettings",
    "LockMode",
    "PilotLightSettings",
    "STANDBY_SYSTEM_NODES",
    "SelectionSpec",
    "StoreRpo",
    "VELERO_BUCKET_KEY",
    "VELERO_NAMESPACE",
    "VaultLock",
    "VeleroBackups",
    "VeleroBackupsArgs",
    "VeleroRestore",
    "VeleroRestoreArgs",
    "VeleroSettings",
    "schedule_expression",
    "selections",
    "standby_node_groups",
    "store_rpos",
    "velero_bucket_lifecycle",
]

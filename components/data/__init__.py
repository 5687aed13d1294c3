"""The database layer (seed section 2): RDS PostgreSQL with pgvector (``PgvectorDatabase``,
``PgvectorExtension``) and ElastiCache (``RedisCluster``), their plans, and the ``database``
and ``cache`` config sections.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .cache import RedisCluster, RedisClusterArgs
from .cache_settings import ALLOWED_CACHE_NODE_FAMILIES, SUPPORTED_CACHE_ENGINES, CacheSettings
from .database import PgvectorDatabase, PgvectorDatabaseArgs
from .database_plan import LOG_EXPORTS, POSTGRES_PORT, db_parameters, free_storage_threshold_bytes, is_valid_db_identifier, replica_alarm_specs
from .database_settings import (
    ADVANCED_INSIGHTS_MIN_RETENTION_DAYS,
    ALLOWED_DB_INSTANCE_FAMILIES,
    DATABASE_INSIGHTS_MODES,
    GP3_MAX_GB,
    GP3_MIN_GB,
    MONITORING_INTERVALS,
    PI_RETENTION_DAYS,
    DatabaseAlarmSettings,
    DatabaseSettings,
    allowed_instance_classes,
    check_db_instance_class,
    check_instance_family,
    check_postgres_version,
    read_backup_and_maintenance_windows,
    read_gp3_storage,
)
from .instance_support import enhanced_monitoring_role, export_log_groups, observability_inputs, os_metrics_log_group, postgres_parameter_group
from .pgvector import PgvectorExtension, PgvectorExtensionArgs

from .secret_arns import replica_secret_arn
from .secrets import SecretReplicaTarget, encrypted_secret

__all__ = [
    "ADVANCED_INSIGHTS_MIN_RETENTION_DAYS",
    "ALLOWED_DB_INSTANCE_FAMILIES",
    "DATABASE_INSIGHTS_MODES",
    "GP3_MAX_GB",
    "GP3_MIN_GB",
    "LOG_EXPORTS",
    "MONITORING_INTERVALS",
    "PI_RETENTION_DAYS",
    "POSTGRES_PORT",
    "DatabaseAlarmSettings",
    "allowed_instance_classes",
    "check_db_instance_class",
    "check_instance_family",
    "check_postgres_version",
    "db_parameters",
    "enhanced_monitoring_role",
    "export_log_groups",
    "free_storage_threshold_bytes",
    "is_valid_db_identifier",
    "observability_inputs",
    "os_metrics_log_group",
    "postgres_parameter_group",
    "read_backup_and_maintenance_windows",
    "read_gp3_storage",
    "replica_alarm_specs",
    "ALLOWED_CACHE_NODE_FAMILIES",
    "SUPPORTED_CACHE_ENGINES",
    "encrypted_secret",
    "replica_secret_arn",
    "SecretReplicaTarget",
    "CacheSettings",
    "DatabaseSettings",
    "PgvectorDatabase",
    "PgvectorDatabaseArgs",
    "PgvectorExtension",
    "PgvectorExtensionArgs",
    "RedisCluster",
    "RedisClusterArgs",
]

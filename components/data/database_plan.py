"""Pure calculations for :mod:`components.data.database`: parameters, alarms, names.

Kept free of Pulumi so the exact parameter values and alarm thresholds are unit-tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..platform import GREATER, LESS, AlarmSpec
from .database_settings import DatabaseAlarmSettings

POSTGRES_PORT = 5432
# CloudWatch Logs exports RDS for PostgreSQL offers: the server log (slow statements,
# errors, connections) and the major/minor upgrade log.
LOG_EXPORTS = ("postgresql", "upgrade")
# The seed's storage-scaling threshold: RDS grows storage when under 10% is free; the
# alarm fires at the same point so a stuck autoscale (ceiling reached) is noticed.
FREE_STORAGE_FRACTION = 0.10
GIB = 1024**3
MIB = 1024**2
# The monitoring role AWS manages for RDS enhanced monitoring.
ENHANCED_MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
# Where enhanced monitoring writes every instance's OS metrics: one log group per account and region.
ENHANCED_MONITORING_LOG_GROUP = "RDSOSMetrics"
# The seed asks for TLS 1.3 on every connection; libpq, psycopg and asyncpg all speak it.
MIN_TLS_VERSION = "TLSv1.3"


@dataclass(frozen=True)
class DbParameter:
    name: str
    value: str
    apply_method: str
    """``immediate`` for dynamic parameters, ``pending-reboot`` for static ones."""


def db_parameters(*, slow_statement_ms: int) -> list[DbParameter]:
    """The parameter group's settings: SSL forced, pg_stat_statements loaded, slow statements logged."""
    return [
        # Every connection must use TLS; plain-text logins are refused by the server.
        DbParameter("rds.force_ssl", "1", "immediate"),
        DbParameter("ssl_min_protocol_version", MIN_TLS_VERSION, "immediate"),
        # A static parameter: loaded at the next reboot (RDS reboots a new instance once anyway).
        DbParameter("shared_preload_libraries", "pg_stat_statements", "pending-reboot"),
        DbParameter("pg_stat_statements.track", "all", "immediate"),
        DbParameter("log_min_duration_statement", str(slow_statement_ms), "immediate"),
        DbParameter("log_lock_waits", "1", "immediate"),
        # Temp files above 10 MB (kB): queries spilling out of work_mem, without logging every sort.
        DbParameter("log_temp_files", "10240", "immediate"),
    ]


def free_storage_threshold_bytes(allocated_storage_gb: int) -> int:
    """10% of the allocated storage, in bytes (``FreeStorageSpace`` is reported in bytes)."""
    return int(allocated_storage_gb * GIB * FREE_STORAGE_FRACTION)


def primary_alarm_specs(alarms: DatabaseAlarmSettings, *, allocated_storage_gb: int) -> list[AlarmSpec]:
    """CPU, free storage, freeable memory and connections on the primary."""
    return [
        AlarmSpec(
            key="cpu",
            namespace="AWS/RDS",
            metric="CPUUtilization",
            comparison=GREATER,
            threshold=alarms.cpu_percent,
            description=f"PostgreSQL CPU above {alarms.cpu_percent}% for 15 minutes",
        ),
        AlarmSpec(
            key="free-storage",
            namespace="AWS/RDS",
            metric="FreeStorageSpace",
            comparison=LESS,
            threshold=free_storage_threshold_bytes(allocated_storage_gb),
            description=(
                f"PostgreSQL free storage under 10% of the allocated {allocated_storage_gb} GiB "
                "(storage autoscaling should have grown it; check the ceiling)"
            ),
            evaluation_periods=2,
        ),
        _memory_alarm(alarms),
        AlarmSpec(
            key="connections",
            namespace="AWS/RDS",
            metric="DatabaseConnections",
            comparison=GREATER,
            threshold=alarms.max_connections,
            description=f"PostgreSQL connections above {alarms.max_connections}",
            statistic="Maximum",
        ),
    ]


def replica_alarm_specs(alarms: DatabaseAlarmSettings) -> list[AlarmSpec]:
    """A read replica's own alarms: lag, CPU and memory."""
    return [
        AlarmSpec(
            key="replica-lag",
            namespace="AWS/RDS",
            metric="ReplicaLag",
            comparison=GREATER,
            threshold=alarms.replica_lag_seconds,
            description=f"Read replica more than {alarms.replica_lag_seconds} s behind the primary",
            statistic="Maximum",
            # A replica that stops reporting lag is broken, not healthy.
            treat_missing_data="breaching",
        ),
        AlarmSpec(
            key="cpu",
            namespace="AWS/RDS",
            metric="CPUUtilization",
            comparison=GREATER,
            threshold=alarms.cpu_percent,
            description=f"Read replica CPU above {alarms.cpu_percent}% for 15 minutes",
        ),
        _memory_alarm(alarms),
    ]


def _memory_alarm(alarms: DatabaseAlarmSettings) -> AlarmSpec:
    return AlarmSpec(
        key="freeable-memory",
        namespace="AWS/RDS",
        metric="FreeableMemory",
        comparison=LESS,
        threshold=alarms.freeable_memory_mb * MIB,
        description=f"PostgreSQL freeable memory under {alarms.freeable_memory_mb} MiB",
    )


def replica_keys(count: int) -> list[str]:
    """Stable keys of the read replicas (``replica-1``, ``replica-2``): removing the last keeps the others."""
    return [f"replica-{i}" for i in range(1, count + 1)]



# RDS instance identifiers: a letter, then letters, digits and single hyphens, at most 63.
_DB_IDENTIFIER = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$")


def is_valid_db_identifier(identifier: str) -> bool:
    return bool(_DB_IDENTIFIER.match(identifier))


def log_group_name(identifier: str, export: str) -> str:
    """The log group RDS exports one log of one instance to; created first so RDS does not create it
    unencrypted and kept forever."""
    return f"/aws/rds/instance/{identifier}/{export}"

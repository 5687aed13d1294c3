"""Pure calculations for :mod:`components.data.database`: parameters, alarms, names.

Kept free of Pulumi so the exact parameter values and alarm thresholds are unit-tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..platform import GREATER, LESS, AlarmSpec
from .database_settings import DatabaseAlarmSettings

POSTGRES_PORT = 5432
# CloudWatch Logs exports RDS for PostgreSQL offers: the server log (slow statements,
# errors, connections) and the major/minor upgrade log.
LOG_EXPORTS = ("postgresql", "upgrade")
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


def free_storage_threshold_bytes(allocated_storage_gb: float, percent: int) -> float:
    """``percent`` of an allocation, in bytes (``FreeStorageSpace`` is reported in bytes).

    RDS publishes no allocated-storage metric, so the allocation is the instance's own
    ``allocated_storage`` as Pulumi last read it: with storage autoscaling the provider keeps
    the grown size in state, so a ``pulumi up --refresh`` moves the threshold with the volume.
    """
    return float(allocated_storage_gb * GIB * percent / 100)


def free_storage_spec(alarms: DatabaseAlarmSettings, threshold: Any, role: str = "PostgreSQL") -> AlarmSpec:
    """FreeStorageSpace under ``alarms.free_storage_percent`` of the current allocation (``threshold`` in bytes, may be an Output)."""
    return AlarmSpec(
        key="free-storage",
        namespace="AWS/RDS",
        metric="FreeStorageSpace",
        comparison=LESS,
        threshold=threshold,
        description=(
            f"{role} free storage under {alarms.free_storage_percent}% of its current allocation: storage autoscaling "
            "(which acts at 10%) is not keeping up or has reached maxAllocatedStorageGb"
        ),
        evaluation_periods=2,
    )


def primary_alarm_specs(alarms: DatabaseAlarmSettings, *, free_storage_threshold: Any) -> list[AlarmSpec]:
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
        free_storage_spec(alarms, free_storage_threshold),
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


def replica_alarm_specs(alarms: DatabaseAlarmSettings, *, free_storage_threshold: Any) -> list[AlarmSpec]:
    """A read replica's own alarms: lag, CPU, memory and free storage (a replica has its own volume)."""
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
        free_storage_spec(alarms, free_storage_threshold, role="Read replica"),
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

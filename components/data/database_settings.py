"""``betterprompts:database``: the PostgreSQL (pgvector) instance, its replicas and alarms."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..platform import (
    EXAMPLE_DAILY_WINDOW,
    EXAMPLE_WEEKLY_WINDOW,
    ConfigError,
    by_size,
    check_offered,
    check_priced,
    priced_rds_instance_classes,
    rds_engine_versions,
    rds_instance_classes,
    Section,
    check_daily_window,
    check_log_retention,
    check_weekly_window,
    windows_overlap,
)
from .master_secret_plan import MAX_ROTATION_DAYS, MIN_ROTATION_DAYS

# PostgreSQL majors on RDS that ship the pgvector extension at a version the app needs (HNSW).
SUPPORTED_POSTGRES_MAJORS = (16, 17)
# Stricter than what RDS offers, on purpose (current generations, Graviton first); that a class exists in
# the region is AWS's list (rds_instance_classes), and that it is priced is policies/pricing (see
# allowed_instance_classes).
ALLOWED_DB_INSTANCE_FAMILIES = ("db.r6g", "db.r7g", "db.r6i", "db.r7i", "db.m6g", "db.m7g", "db.t4g")
MAX_READ_REPLICAS = 2
# gp3 limits for RDS (GiB).
GP3_MIN_GB = 20
GP3_MAX_GB = 65536
MONITORING_INTERVALS = (1, 5, 10, 15, 30, 60)
# Performance Insights keeps 7 days free, or whole months (31-day multiples) up to 2 years.
PI_RETENTION_DAYS = (7,) + tuple(31 * m for m in range(1, 24)) + (731,)
# CloudWatch Database Insights replaced the Performance Insights console on 2026-07-31. Standard
# mode is free (7 days of load data); Advanced mode bills per vCPU-hour and needs 465 days of
# Performance Insights retention. RDS now turns Advanced on for new instances unless told.
DATABASE_INSIGHTS_MODES = ("standard", "advanced")
ADVANCED_INSIGHTS_MIN_RETENTION_DAYS = 465
# Names PostgreSQL or RDS reserve for themselves.
RESERVED_USERNAMES = ("postgres", "rdsadmin", "rds_superuser", "admin", "public")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_VERSION = re.compile(r"^(\d+)(\.\d+)?$")


@dataclass(frozen=True)
class DatabaseAlarmSettings:
    cpu_percent: int = 80
    """CPUUtilization (average over 3 x 5 minutes) above which the alarm fires."""
    freeable_memory_mb: int = 1024
    """FreeableMemory below which the alarm fires (MiB)."""
    max_connections: int = 400
    """DatabaseConnections above which the alarm fires."""
    replica_lag_seconds: int = 60
    """ReplicaLag above which a read replica's alarm fires."""
    free_storage_percent: int = 5
    """FreeStorageSpace below this share of the instance's current allocation fires the alarm.
    Below storage autoscaling's own trigger (10% free): it fires when autoscaling cannot keep
    up or has reached ``maxAllocatedStorageGb``, not on every autoscaling step."""


@dataclass(frozen=True)
class DatabaseSettings:
    engine_version: str
    """PostgreSQL version: a major (``16``, minors follow auto-upgrades) or ``major.minor``."""
    instance_class: str
    """DB instance class of the primary and its replicas, such as ``db.r6g.xlarge``."""
    multi_az: bool
    """A synchronous standby in a second AZ."""
    allocated_storage_gb: int
    """Initial gp3 storage (GiB)."""
    max_allocated_storage_gb: int
    """Storage autoscaling ceiling (GiB); RDS grows storage when under 10% is free."""
    backup_retention_days: int
    """Days of automated backups (point-in-time recovery window)."""
    backup_window: str
    """Daily UTC backup window ``hh:mm-hh:mm``."""
    maintenance_window: str
    """Weekly UTC maintenance window ``ddd:hh:mm-ddd:hh:mm``; may not overlap the backup window."""
    read_replicas: int
    """Read replicas (0-2). RDS for PostgreSQL cannot auto-scale replicas: size them here."""
    database_name: str
    """The application database created with the instance (pgvector is enabled in it)."""
    master_username: str
    """Master user; its password lives in a stack-owned Secrets Manager secret, rotated by AWS's function."""
    performance_insights_retention_days: int
    """Days of Performance Insights (database load) data Database Insights keeps."""
    database_insights_mode: str
    """``standard`` (free) or ``advanced`` (billed per vCPU-hour, 465 days of retention)."""
    monitoring_interval_seconds: int
    """Enhanced monitoring granularity."""
    slow_statement_ms: int
    """``log_min_duration_statement``: statements slower than this are logged."""
    log_retention_days: int
    """Days CloudWatch Logs keeps the exported PostgreSQL and upgrade logs (and RDSOSMetrics, the rotation function's log)."""
    alarms: DatabaseAlarmSettings
    password_rotation_days: int = 30
    """Days between rotations of the master password (Secrets Manager, 1-1000)."""
    create_enhanced_monitoring_log_group: bool = True
    """Create the account-and-region ``RDSOSMetrics`` log group (logs key, retention) before RDS does.
    One stack per account and region owns it: set false in the others."""

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])

    @property
    def pins_minor_version(self) -> bool:
        """``16.13``, not ``16``: automatic minor upgrades would move the instance past it, and the next update
        would then try to take it back (RDS refuses a downgrade), so they are off (the pack's RDS.13 says so)."""
        return "." in self.engine_version

    @property
    def parameter_group_family(self) -> str:
        return f"postgres{self.major_version}"

    @staticmethod
    def read(section: Section, region: str = "us-east-1") -> "DatabaseSettings":
        # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
        version = section.string("engineVersion", example=str(SUPPORTED_POSTGRES_MAJORS[0]))
        check_postgres_version(section.key("engineVersion"), version)
        instance_class = section.string("instanceClass", example=next(iter(allowed_instance_classes(region)), None))
        check_db_instance_class(section.key("instanceClass"), instance_class, region)

        allocated, maximum = read_gp3_storage(section)
        backup_window, maintenance_window = read_backup_and_maintenance_windows(section)

        replicas = section.integer("readReplicas", 0)
        if not 0 <= replicas <= MAX_READ_REPLICAS:
            raise ConfigError(
                section.key("readReplicas"), replicas, f"0 to {MAX_READ_REPLICAS} read replicas (the seed's 1-2; RDS for PostgreSQL has no replica auto-scaling)"
            )

        database_name = _identifier(section, "databaseName", "betterprompts")
        username = _identifier(section, "masterUsername", "bp_admin")
        if username in RESERVED_USERNAMES:
            raise ConfigError(section.key("masterUsername"), username, "a name other than " + ", ".join(RESERVED_USERNAMES))

        pi_retention = section.integer("performanceInsightsRetentionDays", 7)
        if pi_retention not in PI_RETENTION_DAYS:
            raise ConfigError(section.key("performanceInsightsRetentionDays"), pi_retention, "7, a multiple of 31 up to 713, or 731")
        insights = section.string("databaseInsightsMode", "standard", choices=DATABASE_INSIGHTS_MODES)
        if insights == "advanced" and pi_retention < ADVANCED_INSIGHTS_MIN_RETENTION_DAYS:
            raise ConfigError(
                section.key("databaseInsightsMode"),
                insights,
                f"standard, or advanced with {section.key('performanceInsightsRetentionDays')} of at least "
                f"{ADVANCED_INSIGHTS_MIN_RETENTION_DAYS} (RDS requires it; now {pi_retention})",
            )
        monitoring = section.integer("monitoringIntervalSeconds", 60)
        if monitoring not in MONITORING_INTERVALS:
            raise ConfigError(section.key("monitoringIntervalSeconds"), monitoring, "one of " + ", ".join(map(str, MONITORING_INTERVALS)))

        alarm_section = section.child("alarms", {})
        defaults = DatabaseAlarmSettings()
        alarms = DatabaseAlarmSettings(
            cpu_percent=alarm_section.integer("cpuPercent", defaults.cpu_percent, minimum=1, maximum=100),
            freeable_memory_mb=alarm_section.integer("freeableMemoryMb", defaults.freeable_memory_mb, minimum=1),
            max_connections=alarm_section.integer("maxConnections", defaults.max_connections, minimum=1),
            replica_lag_seconds=alarm_section.integer("replicaLagSeconds", defaults.replica_lag_seconds, minimum=1),
            free_storage_percent=alarm_section.integer("freeStoragePercent", defaults.free_storage_percent, minimum=1, maximum=50),
        )
        alarm_section.finish()

        settings = DatabaseSettings(
            engine_version=version,
            instance_class=instance_class,
            multi_az=section.boolean("multiAz", True),
            allocated_storage_gb=allocated,
            max_allocated_storage_gb=maximum,
            # At least 1 day: read replicas need automated backups on their source.
            backup_retention_days=section.integer("backupRetentionDays", 7, minimum=1, maximum=35),
            backup_window=backup_window,
            maintenance_window=maintenance_window,
            read_replicas=replicas,
            database_name=database_name,
            master_username=username,
            performance_insights_retention_days=pi_retention,
            database_insights_mode=insights,
            monitoring_interval_seconds=monitoring,
            slow_statement_ms=section.integer("slowStatementMs", 500, minimum=0),
            log_retention_days=check_log_retention(section.key("logRetentionDays"), section.integer("logRetentionDays", 365)),
            alarms=alarms,
            password_rotation_days=section.integer(
                "credentialRotationDays", 30, minimum=MIN_ROTATION_DAYS, maximum=MAX_ROTATION_DAYS
            ),
            create_enhanced_monitoring_log_group=section.boolean("createEnhancedMonitoringLogGroup", True),
        )
        section.finish()
        return settings


def read_gp3_storage(section: Section) -> tuple[int, int]:
    """``allocatedStorageGb`` and ``maxAllocatedStorageGb`` within gp3's limits, the autoscaling ceiling at least
    10% above the allocation (RDS wants it so)."""
    allocated = section.integer("allocatedStorageGb", minimum=GP3_MIN_GB, maximum=GP3_MAX_GB)
    maximum = section.integer("maxAllocatedStorageGb", minimum=GP3_MIN_GB, maximum=GP3_MAX_GB)
    floor = math.ceil(allocated * 1.1)
    if maximum < floor and not section.stand_in("allocatedStorageGb", "maxAllocatedStorageGb"):
        raise ConfigError(
            section.key("maxAllocatedStorageGb"),
            maximum,
            f"at least {floor} (10% above {section.key('allocatedStorageGb')}, {allocated}), or a smaller allocatedStorageGb",
        )
    return allocated, maximum


def read_backup_and_maintenance_windows(section: Section) -> tuple[str, str]:
    """``backupWindow`` (daily) and ``maintenanceWindow`` (weekly, UTC), which may not overlap."""
    backup_window = check_daily_window(section.key("backupWindow"), section.raw("backupWindow", example=EXAMPLE_DAILY_WINDOW))
    maintenance_window = check_weekly_window(
        section.key("maintenanceWindow"), section.raw("maintenanceWindow", example=EXAMPLE_WEEKLY_WINDOW)
    )
    if windows_overlap(backup_window, maintenance_window) and not section.stand_in("backupWindow", "maintenanceWindow"):
        raise ConfigError(
            section.key("maintenanceWindow"),
            maintenance_window,
            f"a window that does not overlap {section.key('backupWindow')} ({backup_window}); move either",
        )
    return backup_window, maintenance_window


def check_db_instance_class(key: str, instance_class: str, region: str) -> None:
    """A class of the allowed families, offered by RDS for PostgreSQL in ``region`` (AWS's list) and priced
    there Single-AZ and Multi-AZ; else a ConfigError naming ``key`` and the accepted classes."""
    check_instance_family(key, instance_class, ALLOWED_DB_INSTANCE_FAMILIES, allowed_instance_classes(region))
    check_offered(
        key,
        instance_class,
        rds_instance_classes(region, "postgres"),
        f"a DB instance class RDS for PostgreSQL offers in {region} (AWS's published list)",
    )
    # db.m7g and db.r7i are offered but have no sourced price in any Region yet (no anchor to derive their sizes
    # from, preflight/derived_prices.py): the error says so rather than implying a typo.
    check_priced(
        key, instance_class, allowed_instance_classes(region),
        region=region, what="a class", variants="Single-AZ and Multi-AZ", offered_by="RDS for PostgreSQL",
    )


def check_postgres_version(key: str, version: str) -> None:
    """A PostgreSQL version with pgvector on RDS (``16`` or ``16.13``) that RDS still creates; else a ConfigError naming ``key``."""
    match = _VERSION.match(version)
    if not match or int(match.group(1)) not in SUPPORTED_POSTGRES_MAJORS:
        raise ConfigError(
            key,
            version,
            "a PostgreSQL version with pgvector on RDS: major "
            + " or ".join(map(str, SUPPORTED_POSTGRES_MAJORS))
            + " (such as 16 or 16.13)",
        )
    _check_engine_version_offered(key, version)


def _check_engine_version_offered(key: str, version: str) -> None:
    """A version RDS still creates: a ``major.minor`` on AWS's list and not retired, or a major with one such minor."""
    offered, retired = rds_engine_versions("postgres")
    creatable = offered - retired
    if "." in version:
        ok = version in creatable
    else:
        ok = any(v.startswith(f"{version}.") for v in creatable)
    if not ok:
        current = sorted((v for v in creatable if v.split(".")[0] == version.split(".")[0] and "-" not in v), key=lambda v: [int(p) for p in v.split(".")])
        raise ConfigError(
            key,
            version,
            "a PostgreSQL version RDS still creates (AWS's published list)" + (": " + ", ".join(current) if current else ""),
        )


def allowed_instance_classes(region: str) -> tuple[str, ...]:
    """The classes ``instanceClass`` accepts in ``region``: of the allowed families, offered by RDS for
    PostgreSQL there, and priced Single-AZ and Multi-AZ (preflight prices the instance either way)."""
    offered = (c for c in rds_instance_classes(region, "postgres") if c.rpartition(".")[0] in ALLOWED_DB_INSTANCE_FAMILIES)
    return by_size(priced_rds_instance_classes(region, "postgres", offered))


def check_instance_family(key: str, value: str, families: tuple[str, ...], accepted: tuple[str, ...] = ()) -> None:
    """``<family>.<size>`` where the family is one of ``families`` (``db.r6g.xlarge``). ``accepted``: the
    sizes the key takes today (offered and priced), named too: not every family has a priced size."""
    family, _, size = value.rpartition(".")
    if family not in families or not size:
        raise ConfigError(
            key,
            value,
            "an instance class of the families " + ", ".join(families) + " (such as " + families[0] + ".large)"
            + ("; priced in the region now: " + ", ".join(accepted) if accepted else ""),
        )


def _identifier(section: Section, name: str, default: str) -> str:
    value = section.string(name, default)
    if not _IDENTIFIER.match(value):
        raise ConfigError(section.key(name), value, "a lower-case PostgreSQL identifier: a letter, then letters, digits or _ (at most 63)")
    return value

"""The pilot light's cross-Region read replica of the primary database (``betterprompts:pilotLight.replica``).

Read by the ``dr`` stack (``PilotLightSettings`` calls :meth:`ReplicaSettings.read` on the ``replica``
sub-mapping); every key that must match the primary (engine major, the Performance Insights and monitoring
settings) says so. A bad value is a ConfigError naming the key before anything is created.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data import (
    ADVANCED_INSIGHTS_MIN_RETENTION_DAYS,
    DATABASE_INSIGHTS_MODES,
    MONITORING_INTERVALS,
    PI_RETENTION_DAYS,
    allowed_instance_classes,
    check_db_instance_class,
    check_postgres_version,
    read_backup_and_maintenance_windows,
    read_gp3_storage,
)
from ..platform import ConfigError, Section, check_log_retention
from .read_replica_plan import identifier_problem

RDS_MAX_BACKUP_RETENTION_DAYS = 35


@dataclass(frozen=True)
class ReplicaSettings:
    """The replica in the DR Region, and whether it has been promoted to the primary."""

    engine_version: str
    """The primary's ``betterprompts:database.engineVersion`` (``16`` or ``16.13``): the parameter group's family,
    and whether minor upgrades are automatic (a pinned minor turns them off). The replica itself inherits the
    engine and version from its source; RDS refuses a replica on an older version than its source."""
    instance_class: str
    """DB instance class in the DR Region; priced there (policies/pricing). A smaller class than the primary's
    is allowed (it lags under the primary's write load; ``ReplicaLag`` is alarmed) and can be raised at promotion."""
    multi_az: bool
    """A standby of the replica in a second AZ (RDS for PostgreSQL supports Multi-AZ read replicas)."""
    multi_az_when_promoted: bool
    """Once promoted, the new primary gets a standby (an online change, applied immediately: the instance keeps
    serving while RDS builds it), as production's primary has one (``production-resilience``, RDS.5)."""
    allocated_storage_gb: int
    """gp3 storage; at least the primary's (``betterprompts:database.allocatedStorageGb``) or RDS refuses the replica."""
    max_allocated_storage_gb: int
    backup_retention_days: int
    """Automated backups of the replica (1-35): a promoted replica keeps point-in-time recovery from its first
    backup on, and AWS recommends one completed backup before promoting."""
    backup_window: str
    maintenance_window: str
    performance_insights_retention_days: int
    database_insights_mode: str
    monitoring_interval_seconds: int
    slow_statement_ms: int
    log_retention_days: int
    create_enhanced_monitoring_log_group: bool
    """Create the DR Region's ``RDSOSMetrics`` log group (one per account and Region: false when another stack
    of the account owns it in that Region)."""
    protect: bool
    """Deletion protection, Pulumi ``protect`` and (once promoted) a final snapshot."""
    promoted: bool
    """The failover switch: true makes the replica a standalone primary (``replicate_source_db`` removed,
    the provider calls PromoteReadReplica). One way: a promoted instance cannot become a replica again."""
    identifier: str | None = None
    """The DB instance identifier; None: the component's name."""

    @property
    def parameter_group_family(self) -> str:
        return f"postgres{self.engine_version.split('.')[0]}"

    @property
    def effective_multi_az(self) -> bool:
        """Multi-AZ now: the replica's setting, or the promoted primary's."""
        return self.multi_az or (self.promoted and self.multi_az_when_promoted)

    @property
    def pins_minor_version(self) -> bool:
        return "." in self.engine_version

    @staticmethod
    def read(section: Section, *, region: str, primary_stack: str | None) -> "ReplicaSettings":
        """``region``: the DR stack's Region (the class is checked there); ``primary_stack``: the stack the replica
        copies (``<org>/<project>/<stack>``), None when the pilot light names none."""
        promoted = section.boolean("promoted", False)
        if not primary_stack:
            # Promotion only turns an existing replica into a primary: an instance first created with neither a
            # source nor a master user is refused by RDS, and an unpromoted replica has nothing to copy.
            raise ConfigError(
                section.key("promoted"),
                promoted,
                "a replica of the primary stack (set its name, <org>/<project>/<stack>, in the pilot light's primaryStack): "
                "promotion only applies to a replica that exists",
            )
        version = section.string("engineVersion", example="16")
        check_postgres_version(section.key("engineVersion"), version)
        instance_class = section.string("instanceClass", example=next(iter(allowed_instance_classes(region)), None))
        check_db_instance_class(section.key("instanceClass"), instance_class, region)

        allocated, maximum = read_gp3_storage(section)
        backup_window, maintenance_window = read_backup_and_maintenance_windows(section)
        pi_retention = section.integer("performanceInsightsRetentionDays", 7)
        if pi_retention not in PI_RETENTION_DAYS:
            raise ConfigError(section.key("performanceInsightsRetentionDays"), pi_retention, "7, a multiple of 31 up to 713, or 731")
        monitoring = section.integer("monitoringIntervalSeconds", 60)
        if monitoring not in MONITORING_INTERVALS:
            raise ConfigError(section.key("monitoringIntervalSeconds"), monitoring, "one of " + ", ".join(map(str, MONITORING_INTERVALS)))
        identifier = section.raw("identifier", None)
        if identifier is not None:
            problem = identifier_problem(str(identifier))
            if problem:
                raise ConfigError(section.key("identifier"), identifier, problem)
        settings = ReplicaSettings(
            engine_version=version,
            instance_class=instance_class,
            multi_az=section.boolean("multiAz", False),
            multi_az_when_promoted=section.boolean("multiAzWhenPromoted", True),
            allocated_storage_gb=allocated,
            max_allocated_storage_gb=maximum,
            backup_retention_days=section.integer("backupRetentionDays", 7, minimum=1, maximum=RDS_MAX_BACKUP_RETENTION_DAYS),
            backup_window=backup_window,
            maintenance_window=maintenance_window,
            performance_insights_retention_days=pi_retention,
            database_insights_mode=section.string("databaseInsightsMode", "standard", choices=DATABASE_INSIGHTS_MODES),
            monitoring_interval_seconds=monitoring,
            slow_statement_ms=section.integer("slowStatementMs", 500, minimum=0),
            log_retention_days=check_log_retention(section.key("logRetentionDays"), section.integer("logRetentionDays", 365)),
            create_enhanced_monitoring_log_group=section.boolean("createEnhancedMonitoringLogGroup", True),
            protect=section.boolean("protect", True),
            promoted=promoted,
            identifier=str(identifier) if identifier is not None else None,
        )
        if settings.database_insights_mode == "advanced" and pi_retention < ADVANCED_INSIGHTS_MIN_RETENTION_DAYS:
            raise ConfigError(
                section.key("databaseInsightsMode"),
                "advanced",
                f"standard, or advanced with {section.key('performanceInsightsRetentionDays')} of at least {ADVANCED_INSIGHTS_MIN_RETENTION_DAYS} (RDS requires it)",
            )
        section.finish()
        return settings

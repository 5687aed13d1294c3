"""``betterprompts:dr``: the DR Region, the recovery point objective and how each store meets it.

Every store's recovery point after the loss of the primary Region is computed from the
settings (``backup_plan.store_rpos``); one that misses ``rpoMinutes`` is a ConfigError naming the
key that decides it, so a backup frequency that cannot meet the RPO never reaches a deploy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..platform import ConfigError, Section
from ..storage import SEED_BUCKETS, BucketPurpose
from .backup_plan import (
    FREQUENCY_HOURS,
    MAX_RETENTION_DAYS,
    MIN_CHANGEABLE_FOR_DAYS,
    RDS_MANUAL_SNAPSHOT_QUOTA,
    LockMode,
    StoreRpo,
    VaultLock,
    lock_problem,
    retained_snapshots,
    store_rpos,
)

from .failover_plan import (
    ALB_HOSTED_ZONES,
    FAILURE_THRESHOLD_RANGE,
    REQUEST_INTERVALS,
    EndpointCheck,
    dns_name_problem,
    path_problem,
    routed,
    zone_id_problem,
)
from .velero_plan import BUCKET_KEY as VELERO_BUCKET_KEY, cron_problem

RDS_MAX_BACKUP_RETENTION_DAYS = 35
"""RDS keeps automated backups (and replicated ones) 1-35 days."""


@dataclass(frozen=True)
class BackupSettings:
    """The AWS Backup plan: one snapshot rule, its copy to the DR vault and the vaults' lock."""

    frequency_hours: int
    start_hour_utc: int
    retention_days: int
    """Days every snapshot (and its copy) is kept: the seed's 30-day snapshot lifecycle."""
    copy_to_dr_region: bool
    lock: VaultLock


@dataclass(frozen=True)
class VeleroSettings:
    """Velero's backups of the platform's namespaces (Kubernetes objects and EBS volume snapshots)."""

    schedule: str
    """Standard five-field cron (UTC) of the backup schedule."""
    ttl_days: int
    """How long Velero keeps each backup (and its snapshots); the bucket's lifecycle follows."""
    snapshot_volumes: bool
    """Snapshot the namespaces' EBS volumes (the AWS plugin; snapshots stay in the stack's Region)."""
    replicate: bool
    """Replicate the Velero bucket to the DR Region with the other critical buckets."""


@dataclass(frozen=True)
class ImageReplicationSettings:
    """ECR cross-Region replication of this stack's images (``betterprompts:images``) to the DR Region."""

    replicate: bool = False
    """This stack's repositories are replicated: a repository creation template in the DR Region makes the
    replicas like their sources (immutable tags, a DR-Region customer key, the same lifecycle and tags)."""
    manage_registry_replication: bool = False
    """This stack writes the account registry's replication configuration, which is ONE per account and
    Region (like ``createGithubOidcProvider``): exactly one stack in an account may own it."""


@dataclass(frozen=True)
class HealthCheckSettings:
    """Route 53 health checks of the primary's public names, through the CloudFront distribution."""

    checks: tuple[EndpointCheck, ...]
    """The site's and the API's: each an HTTPS GET of its path."""
    request_interval_seconds: int
    """10 (fast, billed as an option) or 30; changing it replaces the checks."""
    failure_threshold: int
    """Consecutive failures (and successes) before a checker changes its verdict: 1-10."""
    measure_latency: bool
    alarm_evaluation_periods: int
    """Minutes the check must stay unhealthy before its alarm notifies."""


@dataclass(frozen=True)
class FailoverSettings:
    """The pilot light's load balancer the API origin's name fails over to (its SECONDARY alias record)."""

    dns_name: str
    """The pilot light's load balancer DNS name (``pulumi stack output apiLoadBalancerDnsName --stack dr``)."""
    hosted_zone_id: str
    """Its alias hosted zone ID: the DR Region's canonical zone of Application Load Balancers, not the site's zone."""
    evaluate_target_health: bool
    """Answer with the secondary only while its own target is healthy (a load balancer's targets)."""


@dataclass(frozen=True)
class DrSettings:
    region: str
    """The DR Region (the seed's pilot light: us-west-2)."""
    rpo_minutes: int
    backup: BackupSettings
    database_cross_region_backups: bool
    """RDS replicates the primary's automated backups (snapshots and transaction logs) to the DR Region."""
    database_replicated_retention_days: int
    efs_replication: bool
    """EFS replicates the shared file system to a read-only file system in the DR Region."""
    replicated_buckets: tuple[BucketPurpose, ...]
    """The storage layer's buckets S3 replicates to replicas in the DR Region (the critical data)."""
    replication_time_control: bool
    rpos: tuple[StoreRpo, ...]
    velero: VeleroSettings | None = None
    """Velero (the ``velero`` key); None: no Velero."""
    images: ImageReplicationSettings = ImageReplicationSettings()
    """ECR replication of the stack's images to the DR Region (the ``images`` key)."""
    health_checks: HealthCheckSettings | None = None
    """Route 53 health checks of the site and the API (the ``healthChecks`` key); None: none."""
    failover: FailoverSettings | None = None
    """The API origin's failover pair to the pilot light's load balancer (the ``failover`` key, which needs
    ``betterprompts:edge.domain``); None: the origin name keeps its simple alias record."""

    @property
    def uses_dr_region(self) -> bool:
        return (
            self.backup.copy_to_dr_region
            or self.database_cross_region_backups
            or self.efs_replication
            or bool(self.replica_keys)
            or self.images.replicate
        )

    @property
    def site_origin_failover(self) -> bool:
        """The assets bucket is replicated, so CloudFront serves the static site from an origin group: the
        bucket, then its replica in the DR Region (docs/edge.md, "Origin failover")."""
        return BucketPurpose.ASSETS in self.replicated_buckets

    @property
    def replica_keys(self) -> tuple[str, ...]:
        """Every bucket S3 replicates into the DR Region: the storage layer's, and Velero's when asked."""
        velero = (VELERO_BUCKET_KEY,) if self.velero is not None and self.velero.replicate else ()
        return (*(p.value for p in self.replicated_buckets), *velero)

    @staticmethod
    def read(
        section: Section,
        *,
        region: str,
        supported_regions: Sequence[str],
        api_paths: Sequence[str] = (),
        edge_domain: bool = True,
    ) -> "DrSettings | None":
        """None when the stack has no ``dr`` section (no backups beyond the services' own)."""
        if not section.names():
            return None
        dr_region = section.string("region", choices=supported_regions)
        if dr_region == region and not section.stand_in("region"):
            raise ConfigError(section.key("region"), dr_region, f"a Region other than the stack's own ({region})")
        rpo = section.integer("rpoMinutes", minimum=1, maximum=7 * 24 * 60)

        backup_section = section.child("backup")
        backup = read_backup_settings(backup_section)

        database = section.child("database", {})
        cross_region = database.boolean("crossRegionBackups", False)
        replicated_days = database.integer("replicatedRetentionDays", 7, minimum=1, maximum=RDS_MAX_BACKUP_RETENTION_DAYS)
        # RDS replicates automated backups, which the database section always keeps (backupRetentionDays >= 1).
        database.finish()

        efs = section.child("efs", {})
        efs_replication = efs.boolean("replication", False)
        efs.finish()

        buckets = section.child("buckets", {})
        choices = [p.value for p in SEED_BUCKETS]
        replicated = buckets.strings("replicate", [], item=lambda key, value: _purpose(key, value, choices))
        if len(set(replicated)) != len(replicated):
            raise ConfigError(buckets.key("replicate"), list(replicated), "each bucket once")
        rtc = buckets.boolean("replicationTimeControl", False)
        buckets.finish()
        velero = _velero(section.child("velero")) if section.has("velero") else None
        images = _images(section.child("images", {}))
        if section.has("healthChecks") and not edge_domain:
            raise ConfigError(
                section.key("healthChecks"),
                section.raw("healthChecks"),
                "absent without betterprompts:edge.domain: the checks stand for the site's and the API's names "
                "(and the API needs the domain's load balancer)",
            )
        health_checks = _health_checks(section.child("healthChecks"), api_paths) if section.has("healthChecks") else None
        if section.has("failover") and not edge_domain:
            raise ConfigError(
                section.key("failover"),
                section.raw("failover"),
                "absent without betterprompts:edge.domain: failover moves the API origin's name "
                "(betterprompts:edge.domain.apiOrigin) to the pilot light's load balancer",
            )
        failover = _failover(section.child("failover"), dr_region) if section.has("failover") else None
        section.finish()

        rpos = store_rpos(
            frequency_hours=backup.frequency_hours,
            copy_to_dr_region=backup.copy_to_dr_region,
            database_replication=cross_region,
            efs_replication=efs_replication,
            replicated_buckets=[*replicated, *([VELERO_BUCKET_KEY] if velero is not None and velero.replicate else [])],
            replication_time_control=rtc,
        )
        # A survey's stand-ins (a missing rpoMinutes or schedule) say nothing of the recovery points.
        surveyed = section.stand_in("rpoMinutes", "backup") or backup_section.stand_in("frequencyHours", "copyToDrRegion")
        for store in rpos:
            if store.minutes > rpo and not surveyed:
                raise ConfigError(
                    section.key(store.key),
                    _value(store.key, backup, cross_region, efs_replication, rtc),
                    f"a setting that keeps the {store.store}'s recovery point within {section.key('rpoMinutes')} ({rpo}); now "
                    f"{store.mechanism} ({_minutes(store.minutes)}). "
                    + _remedy(section, store.store),
                )
        return DrSettings(
            region=dr_region,
            rpo_minutes=rpo,
            backup=backup,
            database_cross_region_backups=cross_region,
            database_replicated_retention_days=replicated_days,
            efs_replication=efs_replication,
            replicated_buckets=tuple(BucketPurpose(p) for p in replicated),
            replication_time_control=rtc,
            rpos=tuple(rpos),
            velero=velero,
            images=images,
            health_checks=health_checks,
            failover=failover,
        )


def _images(section: Section) -> ImageReplicationSettings:
    replicate = section.boolean("replicate", False)
    manage = section.boolean("manageRegistryReplication", False)
    section.finish()
    if manage and not replicate:
        # The registry's configuration replicates this stack's repository prefix: without the template
        # its replicas would be created with ECR's defaults (AES256, mutable tags, no lifecycle).
        raise ConfigError(section.key("manageRegistryReplication"), manage, "false unless replicate is true (the configuration replicates this stack's images)")
    return ImageReplicationSettings(replicate=replicate, manage_registry_replication=manage)


def read_backup_settings(section: Section) -> BackupSettings:
    """An AWS Backup plan's section (``dr.backup``; the pilot light's ``pilotLight.backup``)."""
    frequency = section.integer("frequencyHours")
    if frequency not in FREQUENCY_HOURS:
        raise ConfigError(
            section.key("frequencyHours"), frequency, "one of " + ", ".join(map(str, FREQUENCY_HOURS)) + " (AWS Backup runs at most hourly)"
        )
    start = section.integer("startHourUtc", 5, minimum=0, maximum=23)
    retention = section.integer("retentionDays", 30, minimum=1, maximum=MAX_RETENTION_DAYS)
    kept = retained_snapshots(frequency, retention)
    if kept > RDS_MANUAL_SNAPSHOT_QUOTA and not section.stand_in("frequencyHours"):
        raise ConfigError(
            section.key("frequencyHours"),
            frequency,
            f"a frequency that keeps at most {RDS_MANUAL_SNAPSHOT_QUOTA} snapshots of the database for {section.key('retentionDays')} "
            f"({retention}): RDS counts AWS Backup's snapshots against its 'Manual DB instance snapshots' quota "
            f"({RDS_MANUAL_SNAPSHOT_QUOTA} per Region); this keeps {kept}",
        )
    copy = section.boolean("copyToDrRegion")
    lock = _lock(section.child("vaultLock", {"mode": "none"}), retention, section.key("retentionDays"))
    section.finish()
    return BackupSettings(frequency_hours=frequency, start_hour_utc=start, retention_days=retention, copy_to_dr_region=copy, lock=lock)


def _velero(section: Section) -> VeleroSettings:
    schedule = section.string("schedule", example="0 3 * * *")
    problem = cron_problem(schedule)
    if problem:
        raise ConfigError(section.key("schedule"), schedule, f"a cron expression Velero accepts: {problem}")
    settings = VeleroSettings(
        schedule=schedule,
        ttl_days=section.integer("ttlDays", minimum=1, maximum=3650),
        snapshot_volumes=section.boolean("snapshotVolumes", True),
        replicate=section.boolean("replicate", False),
    )
    section.finish()
    return settings


def _health_checks(section: Section, api_paths: Sequence[str]) -> HealthCheckSettings:
    checks = []
    for key, name in (("site", "sitePath"), ("api", "apiPath")):
        path = section.string(name, example="/")
        problem = path_problem(path)
        if problem:
            raise ConfigError(section.key(name), path, problem)
        # The API's check must reach the load balancer, the site's the static app (the distribution's default).
        if (key == "api") != routed(path, api_paths) and not section.stand_in(name):
            where = "one of betterprompts:edge.routes' patterns" if key == "api" else "a path no betterprompts:edge.routes pattern takes"
            raise ConfigError(section.key(name), path, f"{where} (routes: {', '.join(api_paths) or 'none'})")
        checks.append(EndpointCheck(key, path))
    interval = section.integer("requestIntervalSeconds", 30)
    if interval not in REQUEST_INTERVALS:
        raise ConfigError(section.key("requestIntervalSeconds"), interval, "10 or 30 (Route 53's standard and fast intervals)")
    low, high = FAILURE_THRESHOLD_RANGE
    settings = HealthCheckSettings(
        checks=tuple(checks),
        request_interval_seconds=interval,
        failure_threshold=section.integer("failureThreshold", 3, minimum=low, maximum=high),
        measure_latency=section.boolean("measureLatency", False),
        alarm_evaluation_periods=section.integer("alarmEvaluationPeriods", 2, minimum=1, maximum=60),
    )
    section.finish()
    return settings


def _failover(section: Section, dr_region: str) -> FailoverSettings:
    dns_name = section.string("dnsName", example=f"dualstack.example-1.{dr_region}.elb.amazonaws.com").lower().rstrip(".")
    problem = None if section.stand_in("dnsName") else dns_name_problem(dns_name, dr_region)
    if problem:
        raise ConfigError(section.key("dnsName"), dns_name, problem)
    zone = section.string("hostedZoneId", example=ALB_HOSTED_ZONES.get(dr_region, "Z1H1FL5HABSF5"))
    problem = zone_id_problem(zone, dr_region)
    if problem:
        raise ConfigError(section.key("hostedZoneId"), zone, problem)
    settings = FailoverSettings(
        dns_name=dns_name, hosted_zone_id=zone, evaluate_target_health=section.boolean("evaluateTargetHealth", True)
    )
    section.finish()
    return settings


def _lock(section: Section, retention_days: int, retention_key: str) -> VaultLock:
    mode = LockMode(section.string("mode", choices=[m.value for m in LockMode]))
    if mode is LockMode.NONE:
        section.finish()
        return VaultLock(mode, 0, 0, 0)
    lock = VaultLock(
        mode=mode,
        min_retention_days=section.integer("minRetentionDays", minimum=1, maximum=MAX_RETENTION_DAYS),
        max_retention_days=section.integer("maxRetentionDays", minimum=1, maximum=MAX_RETENTION_DAYS),
        changeable_for_days=(
            section.integer("changeableForDays", minimum=MIN_CHANGEABLE_FOR_DAYS, maximum=36500) if mode is LockMode.COMPLIANCE else 0
        ),
    )
    section.finish()
    problem = lock_problem(lock, retention_days)
    if problem:
        # The plan's retention is the other side of the lock's range: name its key (either may have moved).
        raise ConfigError(
            section.path,
            {"minRetentionDays": lock.min_retention_days, "maxRetentionDays": lock.max_retention_days},
            f"{problem} (the plan's retention is {retention_key})",
        )
    return lock


def _value(key: str, backup: BackupSettings, cross_region: bool, efs_replication: bool, rtc: bool) -> object:
    return {
        "backup.frequencyHours": backup.frequency_hours,
        "backup.copyToDrRegion": backup.copy_to_dr_region,
        "database.crossRegionBackups": cross_region,
        "efs.replication": efs_replication,
        "buckets.replicationTimeControl": rtc,
    }[key]


def _remedy(section: Section, store: str) -> str:
    if store == "database":
        return f"Turn on {section.key('database.crossRegionBackups')} (RDS copies its 5-minute transaction logs to the DR Region)."
    if store == "efs":
        return (
            f"Turn on {section.key('efs.replication')} (15 minutes), or raise {section.key('rpoMinutes')}: "
            "AWS Backup snapshots at most hourly."
        )
    return f"Turn on {section.key('buckets.replicationTimeControl')} (S3 RTC: 99.99% of objects within 15 minutes)."


def _purpose(key: str, value: object, choices: list[str]) -> str:
    if value not in choices:
        raise ConfigError(key, value, "one of " + ", ".join(choices))
    return str(value)


def _minutes(value: float) -> str:
    return "never" if value == float("inf") else f"{value:g} minutes"

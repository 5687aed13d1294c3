"""``betterprompts:cache``: the ElastiCache (Redis OSS or Valkey) cluster-mode replication group."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..platform import (
    EXAMPLE_DAILY_WINDOW,
    EXAMPLE_WEEKLY_WINDOW,
    ConfigError,
    Section,
    by_size,
    check_daily_window,
    check_log_retention,
    check_weekly_window,
    elasticache_engine_versions,
    elasticache_node_types,
    check_priced,
    priced_cache_node_types,
    windows_overlap,
)
from .database_settings import check_instance_family

# Engine -> majors this project runs (parameter group family ``redis7``, ``valkey8``, ``valkey9``):
# Redis OSS ends at 7.x on ElastiCache; Valkey (its Linux Foundation fork, ~20% cheaper per node)
# is at 9.x. The versions themselves are AWS's published list (components/platform/aws_specs).
SUPPORTED_CACHE_ENGINES: dict[str, tuple[int, ...]] = {"redis": (7,), "valkey": (7, 8, 9)}
# Stricter than what ElastiCache offers, on purpose: Graviton families only (price/performance),
# the burstable t4g for small stacks. That a node type exists in the region is AWS's list, and that
# it is priced is policies/pricing (see allowed_node_types).
ALLOWED_CACHE_NODE_FAMILIES = ("cache.r6g", "cache.r7g", "cache.m6g", "cache.m7g", "cache.t4g")
MAX_SHARDS = 15
MAX_REPLICAS_PER_SHARD = 5
# Cluster mode always runs with automatic failover; ElastiCache creates a replica-less
# cluster-mode group but then refuses every later modification of it ("must have at least
# one read replica to enable autofailover"), so every shard keeps one replica.
MIN_REPLICAS_PER_SHARD = 1
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


def allowed_node_types(region: str) -> tuple[str, ...]:
    """The node types ``nodeType`` accepts in ``region``: of the allowed families, offered by ElastiCache
    there, and priced for every engine this project runs (``engine`` may change alone)."""
    offered = (t for t in elasticache_node_types(region) if t.rpartition(".")[0] in ALLOWED_CACHE_NODE_FAMILIES)
    return by_size(priced_cache_node_types(region, SUPPORTED_CACHE_ENGINES, offered))


@dataclass(frozen=True)
class CacheAlarmSettings:
    engine_cpu_percent: int = 75
    """EngineCPUUtilization (the single Redis thread) above which a node's alarm fires."""
    swap_usage_mb: int = 50
    """SwapUsage (MiB) above which a node's alarm fires. Not memory usage: with allkeys-lru
    Redis fills maxmemory by design, so a memory-percentage alarm would fire for good; swap
    (the host paging Redis out) and evictions are what hurt. AWS: SwapUsage should not exceed
    50 MB (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html)."""
    evictions: int = 1000
    """Evictions per 5 minutes above which a node's alarm fires (allkeys-lru evicts under pressure)."""
    replication_lag_seconds: int = 30
    """ReplicationLag of a replica node above which its alarm fires."""


@dataclass(frozen=True)
class CacheSettings:
    engine: str
    """``redis`` (Redis OSS) or ``valkey``."""
    engine_version: str
    """``major.minor``, such as ``7.1``; minors follow auto-upgrades."""
    node_type: str
    """Node type of every shard member, such as ``cache.r6g.large``."""
    shards: int
    """Node groups (cluster mode); the key space is split across them."""
    replicas_per_shard: int
    """Replicas in each shard (1-5): Multi-AZ with automatic failover."""
    snapshot_retention_days: int
    snapshot_window: str
    """Daily UTC snapshot window ``hh:mm-hh:mm``."""
    maintenance_window: str
    """Weekly UTC maintenance window ``ddd:hh:mm-ddd:hh:mm``."""
    log_retention_days: int
    """Days CloudWatch Logs keeps the slow log and the engine log."""
    alarms: CacheAlarmSettings

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])

    @property
    def parameter_group_family(self) -> str:
        return f"{self.engine}{self.major_version}"

    @property
    def multi_az(self) -> bool:
        """Multi-AZ needs a replica to fail over to (always true for a valid section)."""
        return self.replicas_per_shard >= 1

    @staticmethod
    def read(section: Section, region: str = "us-east-1") -> "CacheSettings":
        engine = section.string("engine", "redis", choices=tuple(SUPPORTED_CACHE_ENGINES))
        majors = SUPPORTED_CACHE_ENGINES[engine]
        offered = [v for v in elasticache_engine_versions(engine) if _VERSION.match(v) and int(v.split(".")[0]) in majors]
        # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
        version = section.string("engineVersion", example=next(iter(offered), None))
        match = _VERSION.match(version)
        if not match or int(match.group(1)) not in majors or version not in offered:
            raise ConfigError(
                section.key("engineVersion"),
                version,
                f"a {engine} version major.minor with major " + " or ".join(map(str, majors)) + " that ElastiCache offers: " + ", ".join(offered),
            )
        node_type = section.string("nodeType", example=next(iter(allowed_node_types(region)), None))
        check_instance_family(section.key("nodeType"), node_type, ALLOWED_CACHE_NODE_FAMILIES, allowed_node_types(region))
        if node_type not in elasticache_node_types(region):
            raise ConfigError(section.key("nodeType"), node_type, f"a node type ElastiCache offers in {region} (AWS's published list)")
        check_priced(
            section.key("nodeType"), node_type, allowed_node_types(region),
            region=region, what="a node type", variants="Redis OSS and Valkey", offered_by="ElastiCache",
        )
        shards = section.integer("shards")
        if not 1 <= shards <= MAX_SHARDS:
            raise ConfigError(section.key("shards"), shards, f"1 to {MAX_SHARDS} shards (cluster mode needs at least one)")
        replicas = section.integer("replicasPerShard")
        if not MIN_REPLICAS_PER_SHARD <= replicas <= MAX_REPLICAS_PER_SHARD:
            raise ConfigError(
                section.key("replicasPerShard"),
                replicas,
                f"{MIN_REPLICAS_PER_SHARD} to {MAX_REPLICAS_PER_SHARD} replicas per shard "
                "(cluster mode runs with automatic failover, which ElastiCache will not modify without a replica)",
            )

        alarm_section = section.child("alarms", {})
        defaults = CacheAlarmSettings()
        alarms = CacheAlarmSettings(
            engine_cpu_percent=alarm_section.integer("engineCpuPercent", defaults.engine_cpu_percent, minimum=1, maximum=100),
            swap_usage_mb=alarm_section.integer("swapUsageMb", defaults.swap_usage_mb, minimum=1, maximum=10_240),
            evictions=alarm_section.integer("evictions", defaults.evictions, minimum=0),
            replication_lag_seconds=alarm_section.integer("replicationLagSeconds", defaults.replication_lag_seconds, minimum=1),
        )
        alarm_section.finish()

        settings = CacheSettings(
            engine=engine,
            engine_version=version,
            node_type=node_type,
            shards=shards,
            replicas_per_shard=replicas,
            snapshot_retention_days=section.integer("snapshotRetentionDays", 7, minimum=1, maximum=35),
            snapshot_window=check_daily_window(
                section.key("snapshotWindow"), section.raw("snapshotWindow", example=EXAMPLE_DAILY_WINDOW), min_minutes=60
            ),
            maintenance_window=check_weekly_window(
                section.key("maintenanceWindow"), section.raw("maintenanceWindow", example=EXAMPLE_WEEKLY_WINDOW)
            ),
            log_retention_days=check_log_retention(section.key("logRetentionDays"), section.integer("logRetentionDays", 365)),
            alarms=alarms,
        )
        # ElastiCache refuses a snapshot window that overlaps the maintenance window (as RDS does for backups).
        if windows_overlap(settings.snapshot_window, settings.maintenance_window) and not section.stand_in(
            "snapshotWindow", "maintenanceWindow"
        ):
            raise ConfigError(
                section.key("maintenanceWindow"),
                settings.maintenance_window,
                f"a window that does not overlap {section.key('snapshotWindow')} ({settings.snapshot_window}); move either",
            )
        section.finish()
        return settings

"""Pure calculations for :mod:`components.data.cache`: parameters, node ids, alarms."""

from __future__ import annotations

from dataclasses import dataclass

from ..platform import GREATER, AlarmSpec
from .cache_settings import CacheAlarmSettings

REDIS_PORT = 6379
MIB = 1024**2
# Redis AUTH tokens: 16-128 printable characters; alphanumerics only so no client or
# URL needs escaping. 64 of them carry ~380 bits.
AUTH_TOKEN_LENGTH = 64
# Logs ElastiCache delivers to CloudWatch Logs: slow commands, and engine events (failovers).
LOG_TYPES = ("slow-log", "engine-log")


def log_group_name(group: str, log_type: str) -> str:
    return f"/aws/elasticache/{group}/{log_type}"


def cache_parameters() -> dict[str, str]:
    """The parameter group's settings: cluster mode, and evict least-recently-used keys of any kind."""
    return {"cluster-enabled": "yes", "maxmemory-policy": "allkeys-lru"}


@dataclass(frozen=True)
class CacheNode:
    key: str
    """``0001-001``: shard and member number, as ElastiCache numbers them."""
    shard: int
    member: int

    def cluster_id(self, replication_group_id: str) -> str:
        """The node's ``CacheClusterId`` (its CloudWatch dimension): ``<group>-0001-001``."""
        return f"{replication_group_id}-{self.key}"


def cache_nodes(shards: int, replicas_per_shard: int) -> list[CacheNode]:
    """Every node of a cluster-mode group, as ElastiCache names them (shards from 0001, members from 001)."""
    return [
        CacheNode(f"{shard:04d}-{member:03d}", shard, member)
        for shard in range(1, shards + 1)
        for member in range(1, replicas_per_shard + 2)
    ]


def node_alarm_specs(alarms: CacheAlarmSettings, *, has_replicas: bool) -> list[AlarmSpec]:
    """Each node's alarms: engine CPU, swap, evictions, and replication lag when the shard has replicas.

    No alarm on memory percentage: an ``allkeys-lru`` cache runs at maxmemory by design and
    evicts; evictions (keys lost faster than expected) and swap are the signals of trouble.
    """
    specs = [
        AlarmSpec(
            key="engine-cpu",
            namespace="AWS/ElastiCache",
            metric="EngineCPUUtilization",
            comparison=GREATER,
            threshold=alarms.engine_cpu_percent,
            description=f"Redis engine thread above {alarms.engine_cpu_percent}% CPU for 15 minutes",
        ),
        AlarmSpec(
            key="swap",
            namespace="AWS/ElastiCache",
            metric="SwapUsage",
            comparison=GREATER,
            threshold=alarms.swap_usage_mb * MIB,
            description=(
                f"Redis host swapping more than {alarms.swap_usage_mb} MiB (memory pressure beyond maxmemory: "
                "raise reserved-memory-percent or the node type)"
            ),
            statistic="Maximum",
        ),
        AlarmSpec(
            key="evictions",
            namespace="AWS/ElastiCache",
            metric="Evictions",
            comparison=GREATER,
            threshold=alarms.evictions,
            description=f"Redis evicting more than {alarms.evictions} keys per 5 minutes",
            statistic="Sum",
        ),
    ]
    if has_replicas:
        specs.append(
            AlarmSpec(
                key="replication-lag",
                namespace="AWS/ElastiCache",
                metric="ReplicationLag",
                comparison=GREATER,
                threshold=alarms.replication_lag_seconds,
                description=f"Redis replica more than {alarms.replication_lag_seconds} s behind its primary",
                statistic="Maximum",
                # Only the current replica reports lag, and roles swap on failover: every node
                # carries the alarm and a primary's silence is healthy.
                treat_missing_data="notBreaching",
            )
        )
    return specs

"""``betterprompts:database`` and ``betterprompts:cache``: both stacks as written, and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform.windows import check_daily_window, check_weekly_window, windows_overlap
from components.settings import ConfigError
from preflight.harness import run_stack
from tests.stack_config import config_of, load, with_value


def test_production_database_is_the_seed() -> None:
    db = load(config_of("production")).database
    assert (db.engine_version, db.major_version, db.parameter_group_family) == ("16", 16, "postgres16")
    assert db.instance_class == "db.r6g.xlarge"
    assert db.multi_az is True
    assert (db.allocated_storage_gb, db.max_allocated_storage_gb) == (500, 2000)
    assert db.backup_retention_days == 7
    assert (db.backup_window, db.maintenance_window) == ("03:00-04:00", "sun:04:30-sun:05:30")
    assert db.read_replicas == 1
    assert (db.database_name, db.master_username) == ("betterprompts", "bp_admin")


def test_staging_database_is_smaller() -> None:
    db = load(config_of("staging"), "staging").database
    assert db.instance_class == "db.t4g.medium"
    assert db.multi_az is False
    assert (db.allocated_storage_gb, db.max_allocated_storage_gb) == (50, 100)
    assert db.read_replicas == 0


def test_cache_per_stack() -> None:
    prod = load(config_of("production")).cache
    assert (prod.engine, prod.engine_version, prod.parameter_group_family) == ("redis", "7.1", "redis7")
    assert (prod.node_type, prod.shards, prod.replicas_per_shard, prod.multi_az) == ("cache.r6g.large", 3, 1, True)
    staging = load(config_of("staging"), "staging").cache
    assert (staging.node_type, staging.shards, staging.replicas_per_shard) == ("cache.t4g.small", 1, 1)


def test_valkey_family_follows_engine_and_major() -> None:
    config = with_value("cache", "engine", "valkey")
    config["betterprompts:cache"]["engineVersion"] = "8.0"
    assert load(config).cache.parameter_group_family == "valkey8"


@pytest.mark.parametrize(
    ("section", "key", "value", "allowed"),
    [
        ("database", "readReplicas", 3, "0 to 2 read replicas"),
        ("database", "readReplicas", -1, "0 to 2 read replicas"),
        ("database", "instanceClass", "db.x2g.xlarge", "an instance class of the families"),
        ("database", "instanceClass", "db.r6g", "an instance class of the families"),
        ("database", "instanceClass", "r6g.xlarge", "an instance class of the families"),
        ("database", "engineVersion", "15", "major 16 or 17"),
        ("database", "engineVersion", "16.x", "major 16 or 17"),
        ("database", "maxAllocatedStorageGb", 540, "at least 550"),
        ("database", "allocatedStorageGb", 10, "from 20 to 65536"),
        ("database", "backupRetentionDays", 0, "from 1 to 35"),
        ("database", "backupWindow", "3am", "a daily UTC window"),
        ("database", "maintenanceWindow", "sun:03:30-sun:04:30", "does not overlap betterprompts:database.backupWindow"),
        ("database", "masterUsername", "postgres", "a name other than"),
        ("database", "databaseName", "Better-Prompts", "a lower-case PostgreSQL identifier"),
        ("database", "performanceInsightsRetentionDays", 30, "7, a multiple of 31"),
        ("database", "databaseInsightsMode", "performance-insights", "one of standard, advanced"),
        # Advanced mode needs 15 months of load data; the stacks keep the free 7 days.
        ("database", "databaseInsightsMode", "advanced", "at least 465"),
        ("database", "monitoringIntervalSeconds", 0, "one of 1, 5, 10, 15, 30, 60"),
        ("database", "alarms.cpuPercent", 120, "from 1 to 100"),
        ("database", "storageType", "io2", "no such key"),
        ("database", "logRetentionDays", 10, "a CloudWatch Logs retention period"),
        ("cache", "logRetentionDays", 2, "a CloudWatch Logs retention period"),
        ("cache", "shards", 0, "1 to 15 shards"),
        ("cache", "shards", 16, "1 to 15 shards"),
        ("cache", "replicasPerShard", 0, "1 to 5 replicas per shard"),
        ("cache", "replicasPerShard", 6, "1 to 5 replicas per shard"),
        ("cache", "nodeType", "cache.m5.large", "an instance class of the families"),
        ("cache", "engine", "memcached", "one of redis, valkey"),
        ("cache", "engineVersion", "6.2", "a redis version major.minor with major 7"),
        # AWS's published versions: Redis OSS stops at 7.1 on ElastiCache.
        ("cache", "engineVersion", "7.4", "that ElastiCache offers: 7.0, 7.1"),
        ("cache", "nodeType", "cache.r6g.huge", "a node type ElastiCache offers in us-east-1"),
        ("cache", "snapshotWindow", "05:00-05:30", "at least 60 minutes"),
        ("cache", "maintenanceWindow", "sunday", "a weekly UTC window"),
        ("cache", "alarms.evictions", -1, "at least 0"),
    ],
)
def test_bad_values_are_rejected_with_their_key(section: str, key: str, value: Any, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value(section, key, value))
    assert error.value.key == f"betterprompts:{section}.{key}"
    assert allowed in error.value.allowed
    assert error.value.value == value


def test_the_program_refuses_a_bad_section_before_any_resource() -> None:
    with pytest.raises(ConfigError, match="readReplicas"):
        run_stack("production", overrides={"betterprompts:database": with_value("database", "readReplicas", 3)["betterprompts:database"]})


def test_window_helpers() -> None:
    assert check_daily_window("k", "23:30-00:30") == "23:30-00:30"
    with pytest.raises(ConfigError):
        check_daily_window("k", "03:00-03:15")
    with pytest.raises(ConfigError):
        check_weekly_window("k", "sun:25:00-sun:26:00")
    assert check_weekly_window("k", "sat:23:30-sun:00:30") == "sat:23:30-sun:00:30"
    assert windows_overlap("03:00-04:00", "tue:03:30-tue:04:30")
    assert windows_overlap("23:30-00:30", "mon:00:00-mon:01:00")
    assert not windows_overlap("03:00-04:00", "sun:04:30-sun:05:30")
    assert not windows_overlap("03:00-04:00", "sun:04:00-sun:05:00")


def test_valkey_is_offered_up_to_its_current_major() -> None:
    for version in ("7.2", "8.0", "8.1", "9.0"):
        raw = with_value("cache", "engine", "valkey")
        raw["betterprompts:cache"]["engineVersion"] = version
        cache = load(raw).cache
        assert (cache.engine, cache.parameter_group_family) == ("valkey", f"valkey{version.split('.')[0]}")
    raw = with_value("cache", "engine", "valkey")
    raw["betterprompts:cache"]["engineVersion"] = "9.9"
    with pytest.raises(ConfigError, match="that ElastiCache offers: 7.2, 8.0, 8.1, 8.2, 9.0, 9.1"):
        load(raw)

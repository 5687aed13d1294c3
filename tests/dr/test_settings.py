"""betterprompts:dr: both stacks parse; a store that misses the RPO, a lock AWS would refuse, a schedule
RDS's snapshot quota cannot hold: each a ConfigError naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from components.dr import LockMode
from components.platform import ConfigError
from tests.stack_config import config_of, load, with_value


def test_production_meets_the_seeds_rpo_by_replication() -> None:
    dr = load(config_of("production")).dr
    assert dr is not None
    assert (dr.region, dr.rpo_minutes) == ("us-west-2", 15)
    assert dr.backup.frequency_hours == 24 and dr.backup.retention_days == 30 and dr.backup.copy_to_dr_region
    assert dr.backup.lock.mode is LockMode.COMPLIANCE and dr.backup.lock.changeable_for_days == 3
    rpos = {r.store: r for r in dr.rpos}
    assert rpos["database"].minutes == 10 and "cross-Region automated backups" in rpos["database"].mechanism
    assert rpos["efs"].minutes == 15 and "EFS replication" in rpos["efs"].mechanism
    assert [p.value for p in dr.replicated_buckets] == ["assets", "models", "backups"] and dr.replication_time_control
    assert rpos["models bucket"].minutes == 15 and "Replication Time Control" in rpos["models bucket"].mechanism
    # The assets replica is the static site's secondary origin; RTC bounds how stale it can be after a deploy.
    assert dr.site_origin_failover and rpos["assets bucket"].minutes == 15


def test_staging_copies_daily_without_a_lock() -> None:
    dr = load(config_of("staging"), "staging").dr
    assert dr is not None
    assert dr.backup.lock.mode is LockMode.NONE and dr.backup.copy_to_dr_region
    assert {r.store: r.minutes for r in dr.rpos} == {"database": 1440, "efs": 1440}
    assert not dr.efs_replication and not dr.database_cross_region_backups


def test_no_section_means_no_dr_layer() -> None:
    config = config_of("staging")
    del config["betterprompts:dr"]
    assert load(config, "staging").dr is None


@pytest.mark.parametrize(
    ("key", "value", "error_key", "allowed"),
    [
        # The check: a backup frequency that cannot meet the RPO (EFS without replication).
        ("efs.replication", False, "backup.frequencyHours", "within betterprompts:dr.rpoMinutes (15)"),
        ("database.crossRegionBackups", False, "backup.frequencyHours", "Turn on betterprompts:dr.database.crossRegionBackups"),
        ("backup.frequencyHours", 5, "backup.frequencyHours", "one of 1, 2, 3, 4, 6, 8, 12, 24"),
        # Hourly for 30 days is 720 snapshots: RDS's manual snapshot quota is 100.
        ("backup.frequencyHours", 1, "backup.frequencyHours", "'Manual DB instance snapshots' quota (100 per Region); this keeps 720"),
        ("region", "us-east-1", "region", "a Region other than the stack's own"),
        ("region", "eu-west-1", "region", "one of us-east-1, us-east-2, us-west-2"),
        ("backup.vaultLock.changeableForDays", 2, "backup.vaultLock.changeableForDays", "from 3"),
        ("backup.vaultLock.maxRetentionDays", 14, "backup.vaultLock", "the plan's retention (30 days) within the lock's [7, 14]"),
        # Coupled keys named in full (issue 20): the plan's retention is the other side of the lock's range,
        # the snapshot count depends on it, and the remedies name the keys to change.
        ("backup.vaultLock.maxRetentionDays", 14, "backup.vaultLock", "(the plan's retention is betterprompts:dr.backup.retentionDays)"),
        ("backup.frequencyHours", 1, "backup.frequencyHours", "for betterprompts:dr.backup.retentionDays (30)"),
        ("efs.replication", False, "backup.frequencyHours", "Turn on betterprompts:dr.efs.replication (15 minutes), or raise betterprompts:dr.rpoMinutes"),
        ("backup.vaultLock.mode", "strict", "backup.vaultLock.mode", "one of none, governance, compliance"),
        ("database.replicatedRetentionDays", 36, "database.replicatedRetentionDays", "from 1 to 35"),
        ("backup.nonsense", 1, "backup.nonsense", "no such key"),
        # S3 replication without RTC has no time bound: it cannot promise 15 minutes.
        ("buckets.replicationTimeControl", False, "buckets.replicationTimeControl", "Turn on betterprompts:dr.buckets.replicationTimeControl"),
        ("buckets.replicate", ["models", "access-logs"], "buckets.replicate[1]", "one of models, assets, backups, logs"),
        ("buckets.replicate", ["models", "models"], "buckets.replicate", "each bucket once"),
        ("velero.schedule", "cron(0 5 * * ? *)", "velero.schedule", "a cron expression Velero accepts: five fields"),
        ("velero.schedule", "0 5 * * MON?", "velero.schedule", "is not a number, range, list, step or *"),
        ("velero.ttlDays", 0, "velero.ttlDays", "from 1 to 3650"),
        ("velero.snapshotVolumes", "yes", "velero.snapshotVolumes", "true or false"),
        ("velero.retention", 3, "velero.retention", "no such key"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, error_key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("dr", key, value))
    assert error.value.key == f"betterprompts:dr.{error_key}"
    assert allowed in error.value.allowed


def test_a_missed_rpo_names_the_mechanism_and_its_recovery_point() -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("dr", "efs.replication", False))
    assert error.value.value == 24
    assert "AWS Backup snapshot every 24 h copied to the DR vault (1440 minutes)" in error.value.allowed


def test_without_a_copy_the_region_loss_is_never_recovered() -> None:
    config = with_value("dr", "backup.copyToDrRegion", False, "staging")
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == "betterprompts:dr.backup.copyToDrRegion"
    assert "(never)" in error.value.allowed


def test_governance_mode_takes_no_grace_time() -> None:
    config = with_value("dr", "backup.vaultLock", {"mode": "governance", "minRetentionDays": 7, "maxRetentionDays": 35})
    lock = load(config).dr.backup.lock  # type: ignore[union-attr]
    assert lock.mode is LockMode.GOVERNANCE and lock.changeable_for_days == 0
    config = with_value("dr", "backup.vaultLock", {"mode": "none", "minRetentionDays": 7})
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:dr.backup.vaultLock.minRetentionDays"


def test_velero_backs_up_every_6_hours_in_production_daily_in_staging() -> None:
    production = load(config_of("production")).dr
    staging = load(config_of("staging"), "staging").dr
    assert production is not None and production.velero is not None
    assert (production.velero.schedule, production.velero.ttl_days, production.velero.replicate) == ("0 */6 * * *", 30, True)
    assert production.replica_keys == ("assets", "models", "backups", "velero")
    assert {r.store: r.minutes for r in production.rpos}["velero bucket"] == 15
    assert staging is not None and staging.velero is not None
    assert (staging.velero.schedule, staging.velero.ttl_days, staging.velero.replicate) == ("0 5 * * *", 7, False)
    assert staging.replica_keys == ()


def test_a_replicated_velero_bucket_needs_rtc_for_the_rpo() -> None:
    # Staging's RPO is a day, but S3 replication without RTC has no time bound at all.
    config = with_value("dr", "velero.replicate", True, "staging")
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == "betterprompts:dr.buckets.replicationTimeControl"
    assert "velero bucket" in error.value.allowed


def test_site_origin_failover_follows_the_assets_replica() -> None:
    staging = load(config_of("staging"), "staging").dr
    assert staging is not None and not staging.site_origin_failover
    config = with_value("dr", "buckets", {"replicate": ["assets"], "replicationTimeControl": True}, "staging")
    dr = load(config, "staging").dr
    assert dr is not None and dr.site_origin_failover and dr.replica_keys == ("assets",)
    # Without RTC S3 gives no bound on how stale the secondary origin is: refused like any replicated bucket.
    config = with_value("dr", "buckets", {"replicate": ["assets"]}, "staging")
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == "betterprompts:dr.buckets.replicationTimeControl" and "assets bucket" in error.value.allowed


def test_without_a_velero_key_there_is_no_velero() -> None:
    config = config_of("staging")
    del config["betterprompts:dr"]["velero"]
    dr = load(config, "staging").dr
    assert dr is not None and dr.velero is None

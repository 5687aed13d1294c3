"""``betterprompts:storage``: every bad value fails with a ConfigError naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from components.platform import ConfigError
from components.storage import BucketPurpose
from components.storage.plan import bucket_name, bucket_name_problem, efs_storage_class_parameters, efs_transition_to_ia
from tests.stack_config import config_of, load, with_value


def test_production_reads_the_seed() -> None:
    storage = load(config_of("production")).storage
    assert storage.bucket_name_prefix == "betterprompts-production"
    assert storage.destroyable_buckets is False
    backups = storage.lifecycles[BucketPurpose.BACKUPS]
    assert (backups.infrequent_access_after_days, backups.glacier_after_days, backups.glacier_storage_class) == (30, 90, "GLACIER")
    assert storage.lifecycles[BucketPurpose.ASSETS].intelligent_tiering_after_days == 0
    assert storage.efs.transition_to_ia_days == 30
    assert storage.snapshots.retain_days == 30


def test_staging_keeps_shorter() -> None:
    production, staging = load(config_of("production")).storage, load(config_of("staging"), "staging").storage
    for purpose in (BucketPurpose.LOGS, BucketPurpose.ACCESS_LOGS):
        assert staging.lifecycles[purpose].expiration_days < production.lifecycles[purpose].expiration_days  # type: ignore[operator]
    assert staging.snapshots.retain_days < production.snapshots.retain_days
    assert staging.destroyable_buckets is True


@pytest.mark.parametrize(
    ("key", "value", "bad_key"),
    [
        ("buckets.backups.infrequentAccessAfterDays", 10, "betterprompts:storage.buckets.backups.infrequentAccessAfterDays"),
        # Glacier before the IA stay is over: S3 would refuse the rule.
        ("buckets.backups.glacierAfterDays", 45, "betterprompts:storage.buckets.backups"),
        ("buckets.backups.glacierStorageClass", "DEEP_ARCHIVE", "betterprompts:storage.buckets.backups.glacierStorageClass"),
        ("buckets.logs.expirationDays", 20, "betterprompts:storage.buckets.logs"),
        ("buckets.scratch", {}, "betterprompts:storage.buckets.scratch"),
        ("destroyableBuckets", True, "betterprompts:storage.destroyableBuckets"),
        ("bucketNamePrefix", "Better_Prompts", "betterprompts:storage.bucketNamePrefix"),
        ("bucketNamePrefix", "b" * 40, "betterprompts:storage.bucketNamePrefix"),
        ("efs.transitionToIaDays", 45, "betterprompts:storage.efs.transitionToIaDays"),
        ("efs.directoryPerms", "rwx", "betterprompts:storage.efs.directoryPerms"),
        ("efs.accessPoint.path", "models", "betterprompts:storage.efs.accessPoint.path"),
        ("efs.gidRange", {"min": 10, "max": 5}, "betterprompts:storage.efs.gidRange"),
        ("snapshots.retainDays", 0, "betterprompts:storage.snapshots.retainDays"),
        ("snapshots.intervalHours", 5, "betterprompts:storage.snapshots.intervalHours"),
        ("snapshots.time", "3am", "betterprompts:storage.snapshots.time"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, bad_key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("storage", key, value))
    assert error.value.key == bad_key


def test_staging_may_destroy_its_buckets_only_because_it_is_unprotected() -> None:
    config = with_value("platform", "protectStatefulResources", True, "staging")
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == "betterprompts:storage.destroyableBuckets"


def test_bucket_names_follow_s3_rules() -> None:
    assert bucket_name("betterprompts-production", BucketPurpose.ACCESS_LOGS, "123456789012", "us-west-2") == (
        "betterprompts-production-access-logs-123456789012-us-west-2"
    )
    assert bucket_name_problem("a" * 64) is not None
    assert bucket_name_problem("xn--bucket") is not None
    assert bucket_name_problem("bucket-s3alias") is not None
    assert bucket_name_problem("-bucket") is not None
    assert bucket_name_problem("ok-bucket") is None


def test_efs_values_as_the_api_and_the_csi_driver_take_them() -> None:
    assert efs_transition_to_ia(1) == "AFTER_1_DAY"
    assert efs_transition_to_ia(30) == "AFTER_30_DAYS"
    with pytest.raises(ValueError):
        efs_transition_to_ia(31)
    assert efs_storage_class_parameters("fs-1", directory_perms="700", gid_range=(1000, 2000), base_path="/dynamic") == {
        "provisioningMode": "efs-ap",
        "fileSystemId": "fs-1",
        "directoryPerms": "700",
        "gidRangeStart": "1000",
        "gidRangeEnd": "2000",
        "basePath": "/dynamic",
    }

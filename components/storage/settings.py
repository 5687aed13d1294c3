"""``betterprompts:storage``: the seed's buckets, the pods' shared file system and EBS snapshots.

```yaml
betterprompts:storage:
  bucketNamePrefix: betterprompts-production   # default <project>-<stack>; names are
                                               # <prefix>-<purpose>-<account>-<region>
  destroyableBuckets: false        # force_destroy (staging only: never with protectStatefulResources)
  buckets:                         # lifecycle per bucket, keys as in storage/lifecycle.py
    models:     {intelligentTieringAfterDays: 0, noncurrentVersionExpirationDays: 90}
    assets:     {intelligentTieringAfterDays: 0}
    backups:    {infrequentAccessAfterDays: 30, glacierAfterDays: 90, glacierStorageClass: GLACIER}
    logs:       {infrequentAccessAfterDays: 30, expirationDays: 365}
    accessLogs: {infrequentAccessAfterDays: 30, expirationDays: 365}
  efs:
    transitionToIaDays: 30         # 1, 7, 14, 30, 60, 90, 180, 270 or 365
    transitionToPrimaryOnAccess: true
    automaticBackups: true
    storageClassName: efs-sc
    directoryPerms: "700"
    gidRange: {min: 50000, max: 50999}
    accessPoint: {path: /models, uid: 1000, gid: 1000, permissions: "0755"}
  snapshots:
    retainDays: 30                 # the seed's "Delete snapshots > 30 days"
    intervalHours: 24
    time: "03:00"                  # UTC
```
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..platform import ConfigError, Section, check_int
from .bucket_plan import LifecyclePolicy
from .lifecycle import read_lifecycle_policy
from .plan import (
    ACCOUNT_ID_LENGTH,
    DLM_INTERVAL_HOURS,
    EFS_IA_DAYS,
    BucketPurpose,
    bucket_name,
    check_octal_permissions,
    check_snapshot_time,
)

# Logs: read in the first month if at all, then kept for the record until they expire.
_LOG_RETENTION = LifecyclePolicy(
    infrequent_access_after_days=30,
    expiration_days=365,
    noncurrent_version_expiration_days=7,
    abort_incomplete_multipart_upload_days=1,
    rule_id="logs-retention",
)

# The seed: "Infrequent Access after 30 days; Glacier after 90 days for backups; Intelligent-
# Tiering for unknown access patterns". Stack config may shorten retention (staging) or
# change a step; these are the defaults for keys it leaves out.
DEFAULT_LIFECYCLES: dict[BucketPurpose, LifecyclePolicy] = {
    # Hot models are read on every cold load, stale ones never: Intelligent-Tiering sorts
    # them out without retrieval fees. The rule id is the one the bucket was created with.
    BucketPurpose.MODELS: LifecyclePolicy(
        infrequent_access_after_days=None,
        intelligent_tiering_after_days=0,
        noncurrent_version_expiration_days=90,
        abort_incomplete_multipart_upload_days=7,
        rule_id="model-artifacts",
    ),
    # Static assets: access follows the product, not the calendar.
    BucketPurpose.ASSETS: LifecyclePolicy(
        infrequent_access_after_days=None,
        intelligent_tiering_after_days=0,
        noncurrent_version_expiration_days=30,
        abort_incomplete_multipart_upload_days=7,
        rule_id="assets-tiering",
    ),
    # Backups: restores use the newest ones (Standard, then IA); after 90 days they are kept
    # for the record only, so Glacier Flexible Retrieval (the cheapest class a restore within
    # hours suits) rather than Instant Retrieval.
    BucketPurpose.BACKUPS: LifecyclePolicy(
        infrequent_access_after_days=30,
        glacier_after_days=90,
        glacier_storage_class="GLACIER",
        noncurrent_version_expiration_days=30,
        abort_incomplete_multipart_upload_days=7,
        rule_id="backups-archive",
    ),
    BucketPurpose.LOGS: _LOG_RETENTION,
    BucketPurpose.ACCESS_LOGS: replace(_LOG_RETENTION, rule_id="access-logs-retention"),
}


@dataclass(frozen=True)
class AccessPointSettings:
    """The access point TorchServe's EFS model store mounts (POSIX identity and root directory)."""

    path: str = "/models"
    uid: int = 1000
    gid: int = 1000
    permissions: str = "0755"


@dataclass(frozen=True)
class EfsSettings:
    transition_to_ia_days: int = 30
    transition_to_primary_on_access: bool = True
    automatic_backups: bool = True
    storage_class_name: str = "efs-sc"
    directory_perms: str = "700"
    gid_range: tuple[int, int] = (50000, 50999)
    base_path: str = "/dynamic"
    access_point: AccessPointSettings = AccessPointSettings()


@dataclass(frozen=True)
class SnapshotSettings:
    retain_days: int = 30
    interval_hours: int = 24
    time: str = "03:00"


@dataclass(frozen=True)
class StorageSettings:
    bucket_name_prefix: str
    destroyable_buckets: bool
    lifecycles: dict[BucketPurpose, LifecyclePolicy]
    efs: EfsSettings
    snapshots: SnapshotSettings

    @staticmethod
    def read(section: Section, *, project: str, stack: str, region: str, protect_stateful: bool) -> "StorageSettings":
        prefix = section.string("bucketNamePrefix", f"{project}-{stack}")
        # Every name this prefix makes must be a valid bucket name for any 12-digit account.
        for purpose in BucketPurpose:
            try:
                bucket_name(prefix, purpose, "0" * ACCOUNT_ID_LENGTH, region)
            except ValueError as exc:
                raise ConfigError(section.key("bucketNamePrefix"), prefix, f"a prefix that makes valid bucket names ({exc})") from None
        destroyable = section.boolean("destroyableBuckets", False)
        if destroyable and protect_stateful:
            raise ConfigError(
                section.key("destroyableBuckets"), destroyable, "false while betterprompts:platform.protectStatefulResources is true"
            )
        buckets = section.child("buckets", {})
        lifecycles = {
            purpose: read_lifecycle_policy(buckets.child(purpose.config_key, {}), defaults=DEFAULT_LIFECYCLES[purpose])
            for purpose in BucketPurpose
        }
        buckets.finish()
        efs = _read_efs(section.child("efs", {}))
        snapshots = _read_snapshots(section.child("snapshots", {}))
        section.finish()
        return StorageSettings(prefix, destroyable, lifecycles, efs, snapshots)


def _checked(section: Section, name: str, value: Any, check: Any) -> Any:
    try:
        return check(value)
    except ValueError as exc:
        raise ConfigError(section.key(name), value, str(exc)) from None


def _read_efs(section: Section) -> EfsSettings:
    defaults = EfsSettings()
    days = section.integer("transitionToIaDays", defaults.transition_to_ia_days)
    if days not in EFS_IA_DAYS:
        raise ConfigError(section.key("transitionToIaDays"), days, "one of " + ", ".join(map(str, EFS_IA_DAYS)))
    gid_low, gid_high = section.min_max("gidRange", {"min": defaults.gid_range[0], "max": defaults.gid_range[1]}, minimum=1, maximum=2**31 - 1)
    base_path = section.string("basePath", defaults.base_path)
    if not base_path.startswith("/"):
        raise ConfigError(section.key("basePath"), base_path, "an absolute path such as /dynamic")
    ap = section.child("accessPoint", {})
    ap_defaults = AccessPointSettings()
    path = ap.string("path", ap_defaults.path)
    if not path.startswith("/") or path == "/":
        raise ConfigError(ap.key("path"), path, "an absolute directory below the root, such as /models")
    access_point = AccessPointSettings(
        path=path,
        uid=ap.integer("uid", ap_defaults.uid, minimum=0, maximum=2**32 - 1),
        gid=ap.integer("gid", ap_defaults.gid, minimum=0, maximum=2**32 - 1),
        permissions=_checked(ap, "permissions", ap.string("permissions", ap_defaults.permissions), check_octal_permissions),
    )
    ap.finish()
    settings = EfsSettings(
        transition_to_ia_days=days,
        transition_to_primary_on_access=section.boolean("transitionToPrimaryOnAccess", defaults.transition_to_primary_on_access),
        automatic_backups=section.boolean("automaticBackups", defaults.automatic_backups),
        storage_class_name=section.string("storageClassName", defaults.storage_class_name),
        directory_perms=_checked(
            section, "directoryPerms", str(section.raw("directoryPerms", defaults.directory_perms)), check_octal_permissions
        ),
        gid_range=(gid_low, gid_high),
        base_path=base_path,
        access_point=access_point,
    )
    section.finish()
    return settings


def _read_snapshots(section: Section) -> SnapshotSettings:
    defaults = SnapshotSettings()
    retain = section.integer("retainDays", defaults.retain_days, minimum=1, maximum=36500)
    interval = check_int(section.key("intervalHours"), section.raw("intervalHours", defaults.interval_hours))
    if interval not in DLM_INTERVAL_HOURS:
        raise ConfigError(section.key("intervalHours"), interval, "one of " + ", ".join(map(str, DLM_INTERVAL_HOURS)))
    time = _checked(section, "time", section.string("time", defaults.time), check_snapshot_time)
    section.finish()
    return SnapshotSettings(retain_days=retain, interval_hours=interval, time=time)

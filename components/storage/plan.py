"""Pure calculations for the storage layer: bucket names, EFS and snapshot parameters.

Nothing here touches Pulumi. Every limit below is the one AWS (or the EFS CSI driver)
enforces, so a bad value fails at preview rather than half-way through ``pulumi up``.
"""

from __future__ import annotations

import re
from enum import Enum


class BucketPurpose(str, Enum):
    """The seed's four buckets ("6. Storage"), plus the server access log destination."""

    MODELS = "models"
    ASSETS = "assets"
    BACKUPS = "backups"
    LOGS = "logs"
    ACCESS_LOGS = "access-logs"

    @property
    def config_key(self) -> str:
        return {"access-logs": "accessLogs"}.get(self.value, self.value)


# The seed's buckets, each SSE-KMS and logging its requests into the access-log destination.
SEED_BUCKETS = (BucketPurpose.MODELS, BucketPurpose.ASSETS, BucketPurpose.BACKUPS, BucketPurpose.LOGS)

# The bucket logical names. The model bucket existed (auto-named by Pulumi from its logical
# name) before the storage layer owned it; S3 cannot rename a bucket, so it keeps the logical
# name InferenceEndpoint gave it (its URN moves under PlatformStorage by an alias).
LEGACY_LOGICAL_SUFFIX = {BucketPurpose.MODELS: "inference-models"}

# S3 general purpose bucket naming rules (AWS: "General purpose bucket naming rules").
BUCKET_NAME_MAX = 63
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
ACCOUNT_ID_LENGTH = 12


def bucket_name_problem(name: str) -> str | None:
    """Why S3 would refuse ``name`` as a general purpose bucket name, or None."""
    if not 3 <= len(name) <= BUCKET_NAME_MAX:
        return f"{len(name)} characters; S3 bucket names have 3-{BUCKET_NAME_MAX}"
    if not _BUCKET_NAME.match(name):
        return "S3 bucket names use lower-case letters, digits and hyphens, and start and end with a letter or digit"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"names starting with {prefix} are reserved"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"names ending with {suffix} are reserved"
    return None


def bucket_name(prefix: str, purpose: BucketPurpose | str, account_id: str, region: str) -> str:
    """``<prefix>-<purpose>-<account>-<region>``: globally unique (account and region in it) and predictable.

    ``purpose`` is a seed bucket's, or the key of a bucket another layer owns (``velero``)."""
    key = purpose.value if isinstance(purpose, BucketPurpose) else purpose
    name = f"{prefix}-{key}-{account_id}-{region}"
    problem = bucket_name_problem(name)
    if problem:
        raise ValueError(f"bucket name {name!r}: {problem}")
    return name


def logical_name(stack_prefix: str, purpose: BucketPurpose) -> str:
    """The Pulumi logical name of a purpose's bucket."""
    return f"{stack_prefix}-{LEGACY_LOGICAL_SUFFIX.get(purpose, purpose.value)}"


def access_log_prefix(purpose: BucketPurpose) -> str:
    """Each bucket's server access logs land under its own prefix in the destination."""
    return f"{purpose.value}/"


# --- EFS ----------------------------------------------------------------------------------

# Values EFS lifecycle management accepts for TransitionToIA (AWS: LifecyclePolicy).
EFS_IA_DAYS = (1, 7, 14, 30, 60, 90, 180, 270, 365)
NFS_PORT = 2049
EFS_CSI_PROVISIONER = "efs.csi.aws.com"
# Directory permissions the EFS CSI driver accepts: three octal digits.
_OCTAL_PERMS = re.compile(r"^[0-7]{3,4}$")


def efs_transition_to_ia(days: int) -> str:
    """``30`` -> ``AFTER_30_DAYS`` (``AFTER_1_DAY`` for one)."""
    if days not in EFS_IA_DAYS:
        raise ValueError(f"EFS moves files to Infrequent Access after one of {EFS_IA_DAYS} days, not {days}")
    return "AFTER_1_DAY" if days == 1 else f"AFTER_{days}_DAYS"


def check_octal_permissions(value: str) -> str:
    if not _OCTAL_PERMS.match(value):
        raise ValueError(f"{value!r} is not octal permissions such as 700 or 0755")
    return value


def efs_storage_class_parameters(
    file_system_id: str, *, directory_perms: str, gid_range: tuple[int, int], base_path: str
) -> dict[str, str]:
    """The EFS CSI driver's dynamic provisioning through access points (``provisioningMode: efs-ap``).

    Each claim gets its own access point under ``base_path`` with a GID from ``gid_range``
    (the driver's documented parameters; every value is a string in a StorageClass).
    """
    low, high = gid_range
    if not 1 <= low <= high:
        raise ValueError(f"GID range {low}-{high} must be ascending and above 0")
    return {
        "provisioningMode": "efs-ap",
        "fileSystemId": file_system_id,
        "directoryPerms": check_octal_permissions(directory_perms),
        "gidRangeStart": str(low),
        "gidRangeEnd": str(high),
        "basePath": base_path,
    }


def efs_volume_handle(file_system_id: str, access_point_id: str) -> str:
    """A static PersistentVolume's handle for a file system mounted through an access point."""
    return f"{file_system_id}::{access_point_id}"


# --- EBS snapshots (Data Lifecycle Manager) ------------------------------------------------

SNAPSHOT_TAG_KEY = "betterprompts.io/snapshots"
"""Volumes carrying this tag (value: the stack prefix) are snapshotted by the stack's DLM policy."""
DLM_SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole"
"""AWS's managed policy for the DLM default role: snapshot create/delete/describe and tagging."""
# DLM create rule intervals (hours) and the form of its one start time (UTC).
DLM_INTERVAL_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)
_HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def check_snapshot_time(value: str) -> str:
    if not _HH_MM.match(value):
        raise ValueError(f"{value!r} is not a UTC time of day such as 03:00")
    return value


def snapshot_target_tags(stack_prefix: str) -> dict[str, str]:
    """The tag the stack's EBS volumes carry to be snapshotted (only this stack's: the value is the stack)."""
    return {SNAPSHOT_TAG_KEY: stack_prefix}


def ebs_csi_tag_parameters(tags: dict[str, str]) -> dict[str, str]:
    """EBS CSI StorageClass parameters that tag every volume it creates (``tagSpecification_<n>: key=value``)."""
    return {f"tagSpecification_{i}": f"{key}={value}" for i, (key, value) in enumerate(sorted(tags.items()), start=1)}

"""Storage (seed section 6): the platform's buckets (``PlatformStorage``), the pods' shared
file system (``SharedFileSystem``), EBS snapshot lifecycle (``SnapshotLifecycle``),
``SecureBucket`` (the one way to make an S3 bucket), its lifecycle rules and the
``storage`` config section.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .bucket import AccessLogTarget, SecureBucket, SecureBucketArgs
from .bucket_plan import (
    LifecyclePolicy,
    LifecycleRule,
    bucket_arn,
    cloudfront_read_statements,
    lifecycle_rules,
    load_balancer_log_statements,
    server_access_log_statements,
)
from .efs import SharedFileSystem, SharedFileSystemArgs
from .lifecycle import read_lifecycle_policy
from .plan import (
    EFS_CSI_PROVISIONER,
    SEED_BUCKETS,
    BucketPurpose,
    bucket_name,
    ebs_csi_tag_parameters,
    efs_volume_handle,
    logical_name,
    snapshot_target_tags,
)
from .settings import AccessPointSettings, EfsSettings, SnapshotSettings, StorageSettings
from .snapshots import SnapshotLifecycle, SnapshotLifecycleArgs
from .storage import AdoptedBucket, PlatformStorage, PlatformStorageArgs

__all__ = [
    "EFS_CSI_PROVISIONER",
    "SEED_BUCKETS",
    "AccessLogTarget",
    "AccessPointSettings",
    "AdoptedBucket",
    "BucketPurpose",
    "EfsSettings",
    "LifecyclePolicy",
    "LifecycleRule",
    "PlatformStorage",
    "PlatformStorageArgs",
    "SecureBucket",
    "SecureBucketArgs",
    "SharedFileSystem",
    "SharedFileSystemArgs",
    "SnapshotLifecycle",
    "SnapshotLifecycleArgs",
    "SnapshotSettings",
    "StorageSettings",
    "bucket_arn",
    "bucket_name",
    "ebs_csi_tag_parameters",
    "efs_volume_handle",
    "lifecycle_rules",
    "load_balancer_log_statements",
    "logical_name",
    "read_lifecycle_policy",
    "server_access_log_statements",
    "cloudfront_read_statements",
    "snapshot_target_tags",
]

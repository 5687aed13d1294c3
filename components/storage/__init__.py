"""Storage (seed section 6): ``SecureBucket``, the one way to make an S3 bucket, its
lifecycle rules and the lifecycle config reader the sections share.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .bucket import SecureBucket, SecureBucketArgs
from .bucket_plan import LifecyclePolicy, LifecycleRule, lifecycle_rules
from .lifecycle import read_lifecycle_policy

__all__ = [
    "LifecyclePolicy",
    "LifecycleRule",
    "SecureBucket",
    "SecureBucketArgs",
    "lifecycle_rules",
    "read_lifecycle_policy",
]

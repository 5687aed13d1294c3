"""A bucket's lifecycle policy in stack config: one reader every bucket section reuses.

```yaml
buckets.<purpose>:                       # betterprompts:storage (storage/settings.py)
  infrequentAccessAfterDays: 30        # STANDARD_IA (S3: at least 30)
  intelligentTieringAfterDays: 0       # INTELLIGENT_TIERING
  glacierAfterDays: 90                 # GLACIER or GLACIER_IR
  glacierStorageClass: GLACIER         # Flexible Retrieval (GLACIER) or Instant Retrieval (GLACIER_IR)
  noncurrentVersionExpirationDays: 90  # delete replaced versions
  abortIncompleteMultipartUploadDays: 7
  expirationDays: 365                  # delete current objects (off unless set)
```

Keys left out take the caller's defaults; ``false`` turns a step off.
"""

from __future__ import annotations

from typing import Any

from ..platform import ConfigError, Section, check_int
from .bucket_plan import GLACIER_CLASSES, LifecyclePolicy, lifecycle_rules


def read_lifecycle_policy(section: Section, *, defaults: LifecyclePolicy = LifecyclePolicy()) -> LifecyclePolicy:
    """Read and check a lifecycle section; ``defaults`` supplies the keys left out."""

    def days(name: str, default: int | None, minimum: int) -> int | None:
        value: Any = section.raw(name, default)
        if value is None or value is False:
            return None
        return check_int(section.key(name), value, minimum=minimum, maximum=36500)

    policy = LifecyclePolicy(
        infrequent_access_after_days=days("infrequentAccessAfterDays", defaults.infrequent_access_after_days, 30),
        intelligent_tiering_after_days=days("intelligentTieringAfterDays", defaults.intelligent_tiering_after_days, 0),
        glacier_after_days=days("glacierAfterDays", defaults.glacier_after_days, 0),
        glacier_storage_class=section.string(
            "glacierStorageClass", defaults.glacier_storage_class, choices=GLACIER_CLASSES
        ),
        noncurrent_version_expiration_days=days(
            "noncurrentVersionExpirationDays", defaults.noncurrent_version_expiration_days, 1
        ),
        abort_incomplete_multipart_upload_days=days(
            "abortIncompleteMultipartUploadDays", defaults.abort_incomplete_multipart_upload_days, 1
        ),
        expiration_days=days("expirationDays", defaults.expiration_days, 1),
        prefix=defaults.prefix,
        rule_id=defaults.rule_id,
        extra_rules=defaults.extra_rules,
    )
    section.finish()
    try:
        lifecycle_rules(policy)
    except ValueError as exc:
        raise ConfigError(section.path, _as_config(policy), str(exc)) from None
    return policy


def _as_config(policy: LifecyclePolicy) -> dict[str, int | str | None]:
    return {
        "infrequentAccessAfterDays": policy.infrequent_access_after_days,
        "intelligentTieringAfterDays": policy.intelligent_tiering_after_days,
        "glacierAfterDays": policy.glacier_after_days,
        "glacierStorageClass": policy.glacier_storage_class,
        "noncurrentVersionExpirationDays": policy.noncurrent_version_expiration_days,
        "abortIncompleteMultipartUploadDays": policy.abort_incomplete_multipart_upload_days,
        "expirationDays": policy.expiration_days,
    }

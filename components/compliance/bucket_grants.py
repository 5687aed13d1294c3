"""What the logs bucket's policy must grant the compliance services that deliver into it.

The storage layer owns the bucket and writes its policy; it calls this function of (bucket ARN,
account) so that the grants exist before CloudTrail's CreateTrail and Config's PutDeliveryChannel
check them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from .recorder_plan import config_bucket_statements
from .settings import ComplianceSettings
from .trail_plan import trail_arn, trail_bucket_statements

BucketGrants = Callable[[str, str], list[dict[str, Any]]]


def logs_bucket_grants(settings: ComplianceSettings, *, trail_name: str, region: str) -> Optional[BucketGrants]:
    """The logs bucket's statements for the enabled services (None when none delivers there)."""
    if not (settings.cloud_trail.enabled or settings.config.enabled):
        return None

    def grants(bucket_arn: str, account_id: str) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = []
        if settings.cloud_trail.enabled:
            trail = trail_arn(trail_name, region=region, account_id=account_id)
            statements += trail_bucket_statements(bucket_arn, account_id=account_id, trail=trail)
        if settings.config.enabled:
            statements += config_bucket_statements(bucket_arn, account_id=account_id)
        return statements

    return grants

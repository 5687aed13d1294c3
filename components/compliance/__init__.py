"""Compliance (seed "Security Architecture: Compliance"): the account-level audit trail
(``AuditTrail``: CloudTrail with CIS alarms), threat detection (``ThreatDetection``: GuardDuty with
findings to the alarm topic, Security Hub with its standards) and AWS Config (``ConfigRecorder``,
with managed rules mirroring the policy pack), and the ``compliance`` config section.

One package for the four because they are one concern: account-wide security services that exist at
most once per account and region, deliver into the same logs bucket and share one set of toggles.
Telemetry of the platform's own workloads (tracing, log shipping, dashboards) is a different concern.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .audit_trail import AuditTrail, AuditTrailArgs
from .bucket_grants import BucketGrants, logs_bucket_grants
from .config_recorder import ConfigRecorder, ConfigRecorderArgs
from .recorder_plan import ManagedRule, managed_rules
from .settings import ComplianceSettings, ConfigRecorderSettings, GuardDutySettings, SecurityHubSettings, TrailSettings
from .threat_detection import ThreatDetection, ThreatDetectionArgs
from .trail_plan import CIS_FILTERS, trail_name

__all__ = [
    "AuditTrail",
    "AuditTrailArgs",
    "BucketGrants",
    "CIS_FILTERS",
    "ComplianceSettings",
    "ConfigRecorder",
    "ConfigRecorderArgs",
    "ConfigRecorderSettings",
    "GuardDutySettings",
    "ManagedRule",
    "SecurityHubSettings",
    "ThreatDetection",
    "ThreatDetectionArgs",
    "TrailSettings",
    "logs_bucket_grants",
    "managed_rules",
    "trail_name",
]

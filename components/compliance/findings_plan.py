"""GuardDuty and Security Hub, as data: the detector's protection features, the EventBridge pattern
that routes findings to the alarm topic by severity, and the Security Hub standards' ARNs.

Sources: GuardDuty API ``DetectorFeatureConfiguration`` (feature names; ``RUNTIME_MONITORING``
replaces ``EKS_RUNTIME_MONITORING`` and the two cannot both be set), "Creating custom responses
to GuardDuty findings with Amazon EventBridge" (source ``aws.guardduty``, detail-type
``GuardDuty Finding``, ``detail.severity`` numeric 1.0-8.9: 7.0+ high, 4.0-6.9 medium), and the
Security Hub User Guide's standards ARNs.
"""

from __future__ import annotations

import json

from policies.kms_deliveries import partition_of

GUARDDUTY_FEATURES = (
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "RUNTIME_MONITORING",
    "LAMBDA_NETWORK_LOGS",
)
"""Features this project knows how to turn on (the API has more, such as AI protection)."""

DEFAULT_GUARDDUTY_FEATURES = (
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "RUNTIME_MONITORING",
    "LAMBDA_NETWORK_LOGS",
)
"""What fits this platform: its buckets, its EKS cluster (audit logs, and runtime monitoring through
the GuardDuty-managed EKS add-on), its nodes' EBS volumes, its PostgreSQL logins and its Lambda
functions' network activity: the protection plans Security Hub's FSBP GuardDuty.5-11 expect
(the pack's ``guardduty-protection-plans-enabled``)."""

RUNTIME_ADDITIONAL = ("EKS_ADDON_MANAGEMENT",)
"""Runtime monitoring's agent on EKS is installed and updated by GuardDuty as an EKS add-on."""

# Findings' severity bands (GuardDuty User Guide, "Severity levels for GuardDuty findings").
SEVERITY_BANDS = {"low": 1.0, "medium": 4.0, "high": 7.0, "critical": 9.0}


def finding_pattern(minimum_severity: float) -> str:
    """EventBridge pattern: GuardDuty findings at or above ``minimum_severity``."""
    if not 1.0 <= minimum_severity <= 10.0:
        raise ValueError(f"GuardDuty severities run 1.0-10.0, got {minimum_severity}")
    return json.dumps(
        {
            "source": ["aws.guardduty"],
            "detail-type": ["GuardDuty Finding"],
            "detail": {"severity": [{"numeric": [">=", minimum_severity]}]},
        },
        sort_keys=True,
    )


STANDARDS = {
    "fsbp": "standards/aws-foundational-security-best-practices/v/1.0.0",
    "cis": "standards/cis-aws-foundations-benchmark/v/3.0.0",
}
"""Security Hub standards by config name: AWS Foundational Security Best Practices, CIS 3.0."""


def standard_arn(key: str, region: str) -> str:
    return f"arn:{partition_of(region)}:securityhub:{region}::{STANDARDS[key]}"

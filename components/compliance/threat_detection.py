"""ThreatDetection: GuardDuty and Security Hub (seed "Compliance: GuardDuty, Security Hub").

A GuardDuty detector with the protection features that fit this platform, its findings from a
severity band up routed by an EventBridge rule to the alarm topic (the topic's policy and its key
admit EventBridge for this stack's rules: ``PlatformBaselineArgs.eventbridge_to_topic``), and
Security Hub with the configured standards, into which GuardDuty's and Config's findings flow by
themselves (both integrations are on by default).

Each service exists once per account and region: ``docs/compliance.md`` says what to do when the
account has one already.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from .findings_plan import RUNTIME_ADDITIONAL, finding_pattern, standard_arn


@dataclass
class ThreatDetectionArgs:
    """Inputs of :class:`ThreatDetection`."""

    region: str
    alarm_topic_arn: pulumi.Input[str]
    guard_duty: bool = True
    features: Sequence[str] = field(default_factory=tuple)
    """GuardDuty detector features (``findings_plan.GUARDDUTY_FEATURES``)."""
    minimum_severity: float = 7.0
    """Findings at or above this severity reach the alarm topic."""
    security_hub: bool = True
    standards: Sequence[str] = field(default_factory=tuple)
    """Security Hub standards by key (``findings_plan.STANDARDS``)."""
    security_hub_after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What Security Hub's controls need first (the AWS Config recorder)."""


class ThreatDetection(pulumi.ComponentResource):
    """GuardDuty with findings to the alarm topic, and Security Hub with its standards."""

    detector_id: pulumi.Output[Optional[str]]

    def __init__(self, name: str, args: ThreatDetectionArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not (args.guard_duty or args.security_hub):
            raise ValueError("ThreatDetection: nothing to create (GuardDuty and Security Hub both off)")
        if args.guard_duty and "RUNTIME_MONITORING" in args.features and "EKS_RUNTIME_MONITORING" in args.features:
            raise ValueError("ThreatDetection: RUNTIME_MONITORING and EKS_RUNTIME_MONITORING cannot both be set")
        finding_pattern(args.minimum_severity)  # refuses a severity GuardDuty never reports
        super().__init__("betterprompts:compliance:ThreatDetection", name, None, opts)
        tags = ComponentTags("threat-detection")
        self.detector_id = pulumi.Output.from_input(None)

        if args.guard_duty:
            detector_name = f"{name}-guardduty"
            detector = aws.guardduty.Detector(
                detector_name,
                enable=True,
                finding_publishing_frequency="FIFTEEN_MINUTES",
                tags=tags(detector_name),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for feature in args.features:
                aws.guardduty.DetectorFeature(
                    f"{detector_name}-{feature.lower().replace('_', '-')}",
                    detector_id=detector.id,
                    name=feature,
                    status="ENABLED",
                    additional_configurations=[
                        aws.guardduty.DetectorFeatureAdditionalConfigurationArgs(name=extra, status="ENABLED")
                        for extra in RUNTIME_ADDITIONAL
                    ]
                    if feature == "RUNTIME_MONITORING"
                    else None,
                    opts=pulumi.ResourceOptions(parent=detector),
                )
            rule_name = f"{name}-findings"
            rule = aws.cloudwatch.EventRule(
                rule_name,
                description=f"GuardDuty findings of severity {args.minimum_severity} and above, to the alarm topic",
                event_pattern=finding_pattern(args.minimum_severity),
                tags=tags(rule_name),
                opts=pulumi.ResourceOptions(parent=detector),
            )
            aws.cloudwatch.EventTarget(
                rule_name,
                rule=rule.name,
                arn=args.alarm_topic_arn,
                opts=pulumi.ResourceOptions(parent=rule),
            )
            self.detector_id = detector.id

        if args.security_hub:
            hub = aws.securityhub.Account(
                f"{name}-securityhub",
                # Exactly the configured standards, not whatever AWS turns on by default this year.
                enable_default_standards=False,
                auto_enable_controls=True,
                control_finding_generator="SECURITY_CONTROL",
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.security_hub_after)),
            )
            for key in args.standards:
                aws.securityhub.StandardsSubscription(
                    f"{name}-standard-{key}",
                    standards_arn=standard_arn(key, args.region),
                    opts=pulumi.ResourceOptions(parent=hub, depends_on=[hub]),
                )

        self.register_outputs({"detector_id": self.detector_id})

"""CloudWatch alarms from plain specs, all publishing to the platform's one alarm topic.

A component states its alarms as :class:`AlarmSpec` values (computed in its pure
helper module, so the thresholds are unit-tested) and calls :func:`create_alarms`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from .naming import ComponentTags

COMPARISONS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


@dataclass(frozen=True)
class AlarmSpec:
    """One metric alarm. Exactly one of ``statistic`` and ``extended_statistic`` is set."""

    name_suffix: str
    """Appended to the component's prefix: the alarm's logical and physical name."""
    metric_name: str
    namespace: str
    threshold: float
    """In the metric's own unit (SageMaker's ModelLatency is in microseconds)."""
    comparison: str
    """One of :data:`COMPARISONS`."""
    period: int
    """Seconds per datapoint (a multiple of 60, or 10/30 for high-resolution metrics)."""
    evaluation_periods: int
    dimensions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    description: str = ""
    statistic: Optional[str] = None
    """One of :data:`STATISTICS`."""
    extended_statistic: Optional[str] = None
    """A percentile such as ``p95``."""
    datapoints_to_alarm: Optional[int] = None
    """M of N: breaching datapoints among ``evaluation_periods`` that fire it (default: all)."""
    treat_missing_data: str = "notBreaching"
    """No traffic is not an outage: missing datapoints do not fire latency or error alarms."""

    def __post_init__(self) -> None:
        if (self.statistic is None) == (self.extended_statistic is None):
            raise ValueError(f"alarm {self.name_suffix}: set exactly one of statistic and extended_statistic")
        if self.statistic is not None and self.statistic not in STATISTICS:
            raise ValueError(f"alarm {self.name_suffix}: statistic {self.statistic!r} is not one of {STATISTICS}")
        if self.extended_statistic is not None and not _is_percentile(self.extended_statistic):
            raise ValueError(f"alarm {self.name_suffix}: extended statistic {self.extended_statistic!r} is not pNN")
        if self.comparison not in COMPARISONS:
            raise ValueError(f"alarm {self.name_suffix}: comparison {self.comparison!r} is not one of {COMPARISONS}")
        if self.period < 10 or (self.period >= 60 and self.period % 60) or (self.period < 60 and self.period not in (10, 30)):
            raise ValueError(f"alarm {self.name_suffix}: period {self.period} is not 10, 30 or a multiple of 60")
        if self.evaluation_periods < 1:
            raise ValueError(f"alarm {self.name_suffix}: evaluation_periods must be at least 1")
        if self.datapoints_to_alarm is not None and not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(f"alarm {self.name_suffix}: datapoints_to_alarm must be 1..evaluation_periods")


def _is_percentile(text: str) -> bool:
    if not text.startswith("p"):
        return False
    try:
        value = float(text[1:])
    except ValueError:
        return False
    return 0 < value < 100


def create_alarms(
    prefix: str,
    specs: Sequence[AlarmSpec],
    topic_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    tags: ComponentTags,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """One ``MetricAlarm`` per spec, named ``{prefix}-{name_suffix}``; alarm and OK go to the topic."""
    alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
    for spec in specs:
        name = f"{prefix}-{spec.name_suffix}"
        alarms[spec.name_suffix] = aws.cloudwatch.MetricAlarm(
            name,
            name=name,
            alarm_description=spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric_name,
            dimensions=dict(spec.dimensions),
            statistic=spec.statistic,
            extended_statistic=spec.extended_statistic,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            period=spec.period,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags=tags(name),
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return alarms

"""CloudWatch alarms from plain specs: the one way any component creates its alarms.

A component describes its alarms as :class:`AlarmSpec` values (pure data, unit-tested
in its plan module) and hands them to :func:`create_alarms`, which creates one
``MetricAlarm`` per spec publishing both ALARM and OK to the platform's alarm topic.
A spec refuses what CloudWatch would refuse, so a bad threshold fails at preview.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from .naming import ComponentTags

GREATER = "GreaterThanThreshold"
LESS = "LessThanThreshold"
COMPARISONS = (GREATER, "GreaterThanOrEqualToThreshold", LESS, "LessThanOrEqualToThreshold")
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch metric alarm. Exactly one of ``statistic`` and ``extended_statistic`` is set."""

    key: str
    """Stable suffix of the alarm's logical name (``cpu``, ``free-storage``, ``model-latency-p95``)."""
    namespace: str
    """Metric namespace (``AWS/RDS``, ``AWS/ElastiCache``, ``AWS/SageMaker``)."""
    metric: str
    comparison: str
    """One of :data:`COMPARISONS`."""
    threshold: Any
    """In the metric's own unit (SageMaker's ModelLatency is in microseconds): a number, or an
    Output of one when it follows a resource's current size (RDS free storage)."""
    description: str
    statistic: Optional[str] = "Average"
    """One of :data:`STATISTICS`; None when ``extended_statistic`` is used."""
    extended_statistic: Optional[str] = None
    """A percentile such as ``p95``."""
    period_seconds: int = 300
    """Seconds per datapoint (10, 30 or a multiple of 60)."""
    evaluation_periods: int = 3
    datapoints_to_alarm: Optional[int] = None
    """M of N: fire when this many of ``evaluation_periods`` breach (all of them when None)."""
    treat_missing_data: str = "missing"
    dimensions: Mapping[str, Any] = field(default_factory=dict)
    """Dimensions of this alarm alone; merged over those :func:`create_alarms` is given."""

    def __post_init__(self) -> None:
        where = f"alarm {self.key}"
        if (self.statistic is None) == (self.extended_statistic is None):
            raise ValueError(f"{where}: set exactly one of statistic and extended_statistic")
        if self.statistic is not None and self.statistic not in STATISTICS:
            raise ValueError(f"{where}: statistic {self.statistic!r} is not one of {STATISTICS}")
        if self.extended_statistic is not None and not _is_percentile(self.extended_statistic):
            raise ValueError(f"{where}: extended statistic {self.extended_statistic!r} is not pNN")
        if self.comparison not in COMPARISONS:
            raise ValueError(f"{where}: comparison {self.comparison!r} is not one of {COMPARISONS}")
        period = self.period_seconds
        if not (period in (10, 30) or (period >= 60 and period % 60 == 0)):
            raise ValueError(f"{where}: period {period} is not 10, 30 or a multiple of 60")
        if self.evaluation_periods < 1:
            raise ValueError(f"{where}: evaluation_periods must be at least 1")
        if self.datapoints_to_alarm is not None and not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(f"{where}: datapoints_to_alarm must be 1..evaluation_periods")
        if self.treat_missing_data not in MISSING_DATA:
            raise ValueError(f"{where}: treat_missing_data {self.treat_missing_data!r} is not one of {MISSING_DATA}")


def _is_percentile(text: str) -> bool:
    if not text.startswith("p"):
        return False
    try:
        value = float(text[1:])
    except ValueError:
        return False
    return 0 < value < 100


def create_alarms(
    name: str,
    specs: Sequence[AlarmSpec],
    *,
    topic_arn: pulumi.Input[str],
    tags: ComponentTags,
    parent: pulumi.Resource,
    dimensions: Optional[Mapping[str, pulumi.Input[str]]] = None,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """One alarm per spec, named ``f"{name}-{spec.key}"``, notifying ``topic_arn`` on ALARM and OK."""
    keys = [spec.key for spec in specs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"alarm keys must be unique, got {keys}")
    alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
    for spec in specs:
        alarm_name = f"{name}-{spec.key}"
        alarms[spec.key] = aws.cloudwatch.MetricAlarm(
            alarm_name,
            alarm_description=spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions={**(dimensions or {}), **spec.dimensions},
            statistic=spec.statistic,
            extended_statistic=spec.extended_statistic,
            period=spec.period_seconds,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm or spec.evaluation_periods,
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags=tags(alarm_name),
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return alarms

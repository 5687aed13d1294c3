"""CloudWatch alarms from plain specs: the one way any component creates its alarms.

A component describes its alarms as :class:`AlarmSpec` values (pure data, unit-tested
in its plan module) and hands them to :func:`create_alarms`, which creates one
``MetricAlarm`` per spec publishing both ALARM and OK to the platform's alarm topic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from .naming import ComponentTags

GREATER = "GreaterThanThreshold"
LESS = "LessThanThreshold"


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch metric alarm, without the resource it watches."""

    key: str
    """Stable suffix of the alarm's logical name (``cpu``, ``free-storage``)."""
    namespace: str
    """Metric namespace (``AWS/RDS``, ``AWS/ElastiCache``)."""
    metric: str
    comparison: str
    threshold: float
    description: str
    statistic: str = "Average"
    period_seconds: int = 300
    evaluation_periods: int = 3
    datapoints_to_alarm: Optional[int] = None
    """M of N: fire when this many of ``evaluation_periods`` breach (all of them when None)."""
    treat_missing_data: str = "missing"


def create_alarms(
    name: str,
    specs: Sequence[AlarmSpec],
    *,
    dimensions: Mapping[str, pulumi.Input[str]],
    topic_arn: pulumi.Input[str],
    tags: ComponentTags,
    parent: pulumi.Resource,
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
            dimensions=dict(dimensions),
            statistic=spec.statistic,
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

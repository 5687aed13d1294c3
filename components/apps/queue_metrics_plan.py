"""The intent classifier's queue depth as a Prometheus series: the CloudWatch exporter, as data.

The HPA's queue-depth signal is the SQS work queue's ``ApproximateNumberOfMessagesVisible``,
which only CloudWatch has. prometheus-community's ``prometheus-cloudwatch-exporter`` chart (the
prometheus/cloudwatch_exporter image) reads that one metric of that one queue through IRSA and
Prometheus scrapes it; prometheus-adapter's external rule (``metrics_plan.adapter_rules``) serves
it to the HPA. prometheus-adapter stays the one provider of the external metrics API.

Exporter facts (prometheus/cloudwatch_exporter README and CloudWatchCollector.java at v0.16.0,
the chart's appVersion):

- a series is named ``safeName(lower(aws_namespace) + "_" + snake(aws_metric_name)) + "_" +
  lower(statistic)``; each dimension becomes a label ``snake(dimension)``
  (:func:`exporter_series`, :func:`exporter_label`);
- it needs ``cloudwatch:ListMetrics``, ``cloudwatch:GetMetricStatistics`` and
  ``cloudwatch:GetMetricData``. None of the three takes a resource or a namespace condition
  (the Service Authorization Reference lists no resource type for them; ``cloudwatch:namespace``
  limits PutMetricData only), so the role is read-only on CloudWatch metrics and the config
  selects the one queue (:func:`exporter_policy`);
- only the newest datapoint in ``range_seconds`` is exported; ``delay_seconds`` skips the newest,
  still-converging minute; ``set_timestamp: false`` stamps samples with the scrape time so
  Prometheus's instant queries (the adapter's) see them.

SQS publishes its metrics to CloudWatch once a minute: one scrape a minute is as fresh as the
series can be. The HPA therefore sees the backlog about 2-3 minutes late; the CPU target reacts
within the seed's 2 minutes meanwhile (docs/workloads.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..eks import node_pools
from ..platform import ChartRef, allow, policy_document

PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts"
# prometheus-community/helm-charts tag prometheus-cloudwatch-exporter-0.28.1 (2de75c1, 2025-07-19), the
# newest release of the chart; image prom/cloudwatch-exporter v0.16.0 (its appVersion).
CLOUDWATCH_EXPORTER = ChartRef("prometheus-cloudwatch-exporter", PROMETHEUS_COMMUNITY, "0.28.1")
# One small JVM on the system nodes.
EXPORTER_RELEASE_TIMEOUT_SECONDS = 600
EXPORTER_SERVICE_ACCOUNT = "cloudwatch-exporter"
EXPORTER_READ_ACTIONS = ("cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics")

# SQS metrics arrive once a minute; skip the newest (still converging) minute, look back ten.
PERIOD_SECONDS = 60
DELAY_SECONDS = 60
RANGE_SECONDS = 600
SCRAPE_INTERVAL = "60s"
# ListMetrics answers change only when queues come and go.
LIST_METRICS_CACHE_TTL_SECONDS = 600


@dataclass(frozen=True)
class CloudWatchMetric:
    """One CloudWatch metric and statistic, selected by one dimension."""

    namespace: str
    metric: str
    statistic: str
    dimension: str


# The intent classifier's backlog: messages waiting in its work queue (the highest count in the minute).
QUEUE_DEPTH = CloudWatchMetric("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "QueueName")


def _snake(text: str) -> str:
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()


def exporter_series(metric: CloudWatchMetric) -> str:
    """The series name the exporter gives ``metric`` (``aws_sqs_approximate_number_of_messages_visible_maximum``)."""
    base = re.sub(r"__+", "_", re.sub(r"[^a-zA-Z0-9:_]", "_", f"{metric.namespace.lower()}_{_snake(metric.metric)}"))
    return f"{base}_{metric.statistic.lower()}"


def exporter_label(dimension: str) -> str:
    """The label the exporter gives a dimension (``QueueName`` -> ``queue_name``)."""
    return re.sub(r"__+", "_", re.sub(r"[^a-zA-Z0-9_]", "_", _snake(dimension)))


QUEUE_DEPTH_SERIES = exporter_series(QUEUE_DEPTH)
QUEUE_DEPTH_LABEL = exporter_label(QUEUE_DEPTH.dimension)


def exporter_config(region: str, queue_names: list[str], metric: CloudWatchMetric = QUEUE_DEPTH) -> dict[str, Any]:
    """The exporter's config: ``metric`` of exactly the named queues, nothing else."""
    if not queue_names:
        raise ValueError("the CloudWatch exporter needs at least one queue to read")
    return {
        "region": region,
        "period_seconds": PERIOD_SECONDS,
        "delay_seconds": DELAY_SECONDS,
        "range_seconds": RANGE_SECONDS,
        "set_timestamp": False,
        "list_metrics_cache_ttl": LIST_METRICS_CACHE_TTL_SECONDS,
        "metrics": [
            {
                "aws_namespace": metric.namespace,
                "aws_metric_name": metric.metric,
                "aws_dimensions": [metric.dimension],
                "aws_dimension_select": {metric.dimension: sorted(queue_names)},
                "aws_statistics": [metric.statistic],
            }
        ],
    }


def exporter_values(*, region: str, queue_names: list[str], role_arn: Any) -> dict[str, Any]:
    """The chart's values: IRSA (``role_arn``: the role's ARN, or an Output of it), the config above,
    a ServiceMonitor, the system nodes."""
    return {
        "replicaCount": 1,
        "nodeSelector": node_pools.SYSTEM.node_selector(),
        "tolerations": node_pools.SYSTEM.tolerations(),
        "serviceAccount": {
            "create": True,
            "name": EXPORTER_SERVICE_ACCOUNT,
            "annotations": {"eks.amazonaws.com/role-arn": role_arn},
        },
        # Rendered with `tpl` by the chart: plain YAML, no template braces.
        "config": yaml.safe_dump(exporter_config(region, queue_names), sort_keys=True),
        "serviceMonitor": {"enabled": True, "interval": SCRAPE_INTERVAL},
        "resources": {"requests": {"cpu": "50m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
        "containerSecurityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }


def exporter_policy() -> str:
    """Read CloudWatch metrics: the exporter's three actions, which take no resource scope (``*``)."""
    return policy_document([allow(list(EXPORTER_READ_ACTIONS), "*", Sid="ReadCloudWatchMetrics")])

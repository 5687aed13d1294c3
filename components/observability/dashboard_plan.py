"""The KPI dashboard as data: the seed's "Success Metrics" beside their targets, built from the metric
names and dimensions AWS publishes for this stack's own resources.

Everything here is pure: :func:`dashboard_body` takes resolved names (ARN suffixes, endpoint and Auto
Scaling group names, rule names) and returns the JSON CloudWatch's PutDashboard takes. Which metric
stands for which KPI, and why it is the closest AWS publishes, is said at each widget and in
docs/observability.md.

Metric names and dimensions (:data:`METRICS`), from AWS's metric references:
- ``AWS/ApplicationELB``: "CloudWatch metrics for your Application Load Balancer" (TargetResponseTime in
  seconds per LoadBalancer+TargetGroup; RequestCount, HTTPCode_ELB_5XX_Count, HTTPCode_Target_5XX_Count
  per LoadBalancer).
- ``AWS/SageMaker``: "Amazon SageMaker AI metrics": ModelLatency in microseconds per EndpointName+VariantName;
  ``/aws/sagemaker/Endpoints``: CPUUtilization, GPUUtilization of an endpoint's instances (not published
  for serverless endpoints).
- ``AWS/EKS``: "Monitor cluster data with Amazon CloudWatch", the basic metrics EKS vends for free for
  clusters from 1.28 per ClusterName, among them ``scheduler_pending_pods_UNSCHEDULABLE``.
- ``AWS/EC2``: CPUUtilization per AutoScalingGroupName (basic monitoring included).
- ``AWS/Events``: MatchedEvents per RuleName (default event bus).
- ``AWS/Billing``: EstimatedCharges per Currency, published in us-east-1 only, once billing alerts are
  enabled in the account's billing preferences.
- ``AWS/CloudFront``: "Types of metrics for CloudFront" — Requests (Sum), 4xxErrorRate and 5xxErrorRate
  (Average, percent) per DistributionId + Region=Global, read in us-east-1 whatever the stack's Region;
  OriginLatency (percentiles, milliseconds) only once the distribution's additional metrics are on.
- ``AWS/Lambda``: Errors, Throttles (Sum) and Duration (milliseconds, percentiles) per FunctionName.
- ``AWS/SQS``: ApproximateAgeOfOldestMessage (seconds, Maximum) per QueueName.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..platform import CLOUDFRONT_REGION
from .settings import KpiTargets

BILLING_REGION = "us-east-1"
"""AWS publishes the estimated-charges metric in US East (N. Virginia) only, whatever the stack's region."""

DASHBOARD_NAME_LIMIT = 255
"""PutDashboard: up to 255 characters of A-Z, a-z, 0-9, '-' and '_'."""

GRID_WIDTH = 24
"""CloudWatch dashboards are 24 grid units wide."""

# (namespace, metric) -> the dimension names this dashboard gives it (each AWS publishes).
METRICS: dict[tuple[str, str], tuple[str, ...]] = {
    ("AWS/ApplicationELB", "TargetResponseTime"): ("LoadBalancer", "TargetGroup"),
    ("AWS/ApplicationELB", "RequestCount"): ("LoadBalancer",),
    ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"): ("LoadBalancer",),
    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"): ("LoadBalancer",),
    ("AWS/SageMaker", "ModelLatency"): ("EndpointName", "VariantName"),
    ("/aws/sagemaker/Endpoints", "GPUUtilization"): ("EndpointName", "VariantName"),
    ("AWS/EKS", "scheduler_pending_pods_UNSCHEDULABLE"): ("ClusterName",),
    ("AWS/EC2", "CPUUtilization"): ("AutoScalingGroupName",),
    ("AWS/Events", "MatchedEvents"): ("RuleName",),
    ("AWS/Billing", "EstimatedCharges"): ("Currency",),
    ("AWS/CloudFront", "Requests"): ("DistributionId", "Region"),
    ("AWS/CloudFront", "4xxErrorRate"): ("DistributionId", "Region"),
    ("AWS/CloudFront", "5xxErrorRate"): ("DistributionId", "Region"),
    ("AWS/CloudFront", "OriginLatency"): ("DistributionId", "Region"),
    ("AWS/Lambda", "Errors"): ("FunctionName",),
    ("AWS/Lambda", "Throttles"): ("FunctionName",),
    ("AWS/Lambda", "Duration"): ("FunctionName",),
    ("AWS/SQS", "ApproximateAgeOfOldestMessage"): ("QueueName",),
}

# EventBridge: what the spot KPI counts (both events are sent to the default bus of the account and region).
SPOT_LAUNCH_DETAIL_TYPE = "EC2 Instance Launch Successful"
"""EC2 Auto Scaling's event for every instance a group launched (source ``aws.autoscaling``)."""
SPOT_INTERRUPTION_DETAIL_TYPE = "EC2 Spot Instance Interruption Warning"
"""EC2's two-minute warning before it reclaims a Spot Instance (source ``aws.ec2``)."""


@dataclass(frozen=True)
class KpiSources:
    """The stack's resources the KPIs are measured on, as the names CloudWatch's dimensions take."""

    region: str
    cluster_name: str
    load_balancer: str | None = None
    """The ALB's ARN suffix (``app/<name>/<id>``), the ``LoadBalancer`` dimension; None without one."""
    target_groups: Mapping[str, str] = field(default_factory=dict)
    """Service -> its target group's ARN suffix (``targetgroup/<name>/<id>``)."""
    endpoint_name: str | None = None
    """The SageMaker endpoint serving (None while TorchServe serves)."""
    variant_name: str = "AllTraffic"
    endpoint_instances: bool = False
    """The endpoint runs on instances (instance metrics exist); False for serverless endpoints."""
    node_groups: Mapping[str, str] = field(default_factory=dict)
    """Pool -> its managed node group's Auto Scaling group name."""
    spot_launch_rule: str | None = None
    """The EventBridge rule matching launches in the spot pools (None: no spot pool)."""
    spot_interruption_rule: str | None = None
    api_p95_ms: int = 200
    """The edge alarm's threshold (``edge.alarms.targetResponseP95Ms``)."""
    inference_p95_microseconds: int = 500_000
    """The inference alarm's threshold (``inference.alarms.modelLatencyP95Microseconds``)."""
    targets: KpiTargets = KpiTargets()
    distribution_id: str | None = None
    """The CloudFront distribution in front of the site and the API (None: no CDN)."""
    origin_latency: bool = False
    """The distribution's additional metrics are on (``edge.cdn.additionalMetrics``): OriginLatency exists."""
    cloudfront_5xx_percent: float = 1.0
    """The CloudFront 5XX-rate alarm's threshold (``edge.alarms.cloudFront5xxRatePercent``)."""
    functions: Mapping[str, str] = field(default_factory=dict)
    """Function key -> its Lambda function name (the serverless layer's functions)."""
    function_duration_p95_ms: Mapping[str, int] = field(default_factory=dict)
    """Function key -> its duration alarm's p95 threshold."""
    queue_name: str | None = None
    """The intent classifier's work queue."""
    queue_age_seconds: int = 600
    """The queue's oldest-message alarm threshold."""


def metric(namespace: str, name: str, dimensions: Mapping[str, str], **options: Any) -> list[Any]:
    """One entry of a widget's ``metrics``: ``[namespace, name, dim, value, ..., {options}]``.

    Refuses a metric or dimension set this module does not know AWS to publish (:data:`METRICS`).
    """
    expected = METRICS.get((namespace, name))
    if expected is None:
        raise ValueError(f"{namespace} {name} is not a metric this dashboard knows AWS publishes")
    if tuple(dimensions) != expected:
        raise ValueError(f"{namespace} {name} takes dimensions {expected}, not {tuple(dimensions)}")
    entry: list[Any] = [namespace, name]
    for key, value in dimensions.items():
        if not value:
            raise ValueError(f"{namespace} {name}: dimension {key} is empty")
        entry += [key, value]
    return entry + ([dict(options)] if options else [])


def expression(expr: str, label: str, id_: str) -> list[dict[str, Any]]:
    return [{"expression": expr, "label": label, "id": id_}]


def _line(value: float, label: str, fill: str | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"label": label, "value": value}
    if fill:
        line["fill"] = fill
    return line


def _graph(title: str, region: str, metrics: list[list[Any]], *, period: int, line: dict[str, Any], **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "title": title,
        "view": "timeSeries",
        "region": region,
        "period": period,
        "metrics": metrics,
        "annotations": {"horizontal": [line]},
    }
    properties.update(extra)
    return {"type": "metric", "properties": properties}


def _text(markdown: str) -> dict[str, Any]:
    return {"type": "text", "properties": {"markdown": markdown}}


def _fmt(value: float) -> str:
    return f"{value:g}"


def api_latency_widget(s: KpiSources) -> dict[str, Any]:
    """API p95 per target group: ``TargetResponseTime`` (seconds, request sent to target until it answers)."""
    if s.load_balancer is None or not s.target_groups:
        return _text("### API p95 < 200 ms\nNo load balancer in this stack.")
    metrics = [
        metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": s.load_balancer, "TargetGroup": suffix},
            stat="p95",
            label=f"{service} p95",
        )
        for service, suffix in sorted(s.target_groups.items())
    ]
    target = s.api_p95_ms / 1000
    return _graph(
        f"API p95 response time (target < {s.api_p95_ms} ms)",
        s.region,
        metrics,
        period=60,
        line=_line(target, f"target {s.api_p95_ms} ms", "above"),
        yAxis={"left": {"min": 0, "label": "seconds", "showUnits": False}},
    )


def inference_latency_widget(s: KpiSources) -> dict[str, Any]:
    """ML inference p95: SageMaker's ``ModelLatency`` (microseconds) of the serving variant."""
    target_ms = s.inference_p95_microseconds / 1000
    if s.endpoint_name is None:
        return _text(
            f"### ML inference p95 < {_fmt(target_ms)} ms\nTorchServe serves (`inference.serving`): its latency is "
            "Prometheus's `ts_inference_latency_microseconds` (Grafana), not a CloudWatch metric."
        )
    return _graph(
        f"ML inference p95 model latency (target < {_fmt(target_ms)} ms)",
        s.region,
        [
            metric(
                "AWS/SageMaker",
                "ModelLatency",
                {"EndpointName": s.endpoint_name, "VariantName": s.variant_name},
                stat="p95",
                label=f"{s.endpoint_name} p95",
            )
        ],
        period=60,
        line=_line(s.inference_p95_microseconds, f"target {_fmt(target_ms)} ms", "above"),
        yAxis={"left": {"min": 0, "label": "microseconds", "showUnits": False}},
    )


def availability_widget(s: KpiSources) -> dict[str, Any]:
    """Availability: requests the load balancer answered without a 5XX (its own or a target's), in percent."""
    goal = s.targets.availability_percent
    if s.load_balancer is None:
        return _text(f"### Availability {_fmt(goal)}%\nNo load balancer in this stack.")
    lb = {"LoadBalancer": s.load_balancer}
    hidden = {"stat": "Sum", "visible": False}
    return _graph(
        f"Availability: requests without a 5XX (target {_fmt(goal)}%)",
        s.region,
        [
            expression("100 * (1 - (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests)", "availability %", "availability"),
            metric("AWS/ApplicationELB", "RequestCount", lb, id="requests", **hidden),
            metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb, id="elb5xx", **hidden),
            metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb, id="target5xx", **hidden),
        ],
        period=300,
        line=_line(goal, f"target {_fmt(goal)}%", "below"),
        yAxis={"left": {"max": 100, "label": "percent", "showUnits": False}},
    )


def scale_up_widget(s: KpiSources) -> dict[str, Any]:
    """Auto-scaling response: did pods wait for a node longer than the target?

    The seed's "time from pending pods to ready nodes" is not published by AWS as one metric. The
    closest free one is EKS's vended ``scheduler_pending_pods_UNSCHEDULABLE`` (one gauge a minute):
    pods sit in that queue exactly while no node has room, and leave it once the autoscaler's node is
    Ready and the scheduler binds them. Its Minimum over a window as long as the target is above zero
    only when pods waited through the whole window: a scale-up slower than the KPI. The Maximum shows
    how many waited at all.
    """
    seconds = s.targets.scale_up_seconds
    cluster = {"ClusterName": s.cluster_name}
    return _graph(
        f"Auto-scaling response: pods unschedulable for a whole {_fmt(seconds / 60)} min (target 0)",
        s.region,
        [
            metric("AWS/EKS", "scheduler_pending_pods_UNSCHEDULABLE", cluster, stat="Minimum", label=f"waiting all {_fmt(seconds / 60)} min"),
            metric("AWS/EKS", "scheduler_pending_pods_UNSCHEDULABLE", cluster, stat="Maximum", label="waiting at all"),
        ],
        period=seconds,
        line=_line(0, "target: none waiting the whole window", "above"),
        yAxis={"left": {"min": 0, "label": "pods", "showUnits": False}},
    )


def cost_per_request_widget(s: KpiSources) -> dict[str, Any]:
    """Cost per request: the day's estimated charges over the day's requests at the load balancer.

    ``EstimatedCharges`` is the month to date of the whole account (us-east-1 only): its daily
    difference is the day's spend (on the first day of a month, the value itself).
    """
    goal = s.targets.cost_per_request_usd
    if s.load_balancer is None:
        return _text(f"### Cost per request < ${_fmt(goal)}\nNo load balancer in this stack: nothing counts requests.")
    day = 86400
    return _graph(
        f"Cost per request: estimated charges / requests (target < ${_fmt(goal)})",
        s.region,
        [
            expression("IF(DIFF(charges) < 0, charges, DIFF(charges)) / requests", "USD per request", "perRequest"),
            metric(
                "AWS/Billing",
                "EstimatedCharges",
                {"Currency": "USD"},
                stat="Maximum",
                id="charges",
                region=BILLING_REGION,
                visible=False,
            ),
            metric("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": s.load_balancer}, stat="Sum", id="requests", visible=False),
        ],
        period=day,
        line=_line(goal, f"target ${_fmt(goal)}", "above"),
        yAxis={"left": {"min": 0, "label": "USD", "showUnits": False}},
    )


def utilization_widget(s: KpiSources) -> dict[str, Any]:
    """Infrastructure efficiency: average CPU of each node group's instances (and the endpoint's GPUs)."""
    goal = s.targets.utilization_percent
    metrics = [
        metric("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": asg}, stat="Average", label=f"{pool} nodes CPU")
        for pool, asg in sorted(s.node_groups.items())
    ]
    if s.endpoint_name is not None and s.endpoint_instances:
        metrics.append(
            metric(
                "/aws/sagemaker/Endpoints",
                "GPUUtilization",
                {"EndpointName": s.endpoint_name, "VariantName": s.variant_name},
                stat="Average",
                label="inference GPU",
            )
        )
    if not metrics:
        return _text(f"### Utilization > {_fmt(goal)}%\nNo node groups in this stack (Karpenter's nodes are in no Auto Scaling group).")
    return _graph(
        f"Utilization: node groups' CPU (target > {_fmt(goal)}%)",
        s.region,
        metrics,
        period=300,
        line=_line(goal, f"target {_fmt(goal)}%", "below"),
        yAxis={"left": {"min": 0, "max": 100, "label": "percent", "showUnits": False}},
    )


def spot_widget(s: KpiSources) -> dict[str, Any]:
    """Spot success: launches in the spot pools that were not interrupted, in percent, per day."""
    goal = s.targets.spot_success_percent
    if s.spot_launch_rule is None or s.spot_interruption_rule is None:
        return _text(f"### Spot success > {_fmt(goal)}%\nNo spot node group in this stack.")
    hidden = {"stat": "Sum", "visible": False}
    return _graph(
        f"Spot success: launches not interrupted (target > {_fmt(goal)}%)",
        s.region,
        [
            expression("100 * (1 - FILL(interruptions, 0) / launches)", "spot success %", "success"),
            metric("AWS/Events", "MatchedEvents", {"RuleName": s.spot_launch_rule}, id="launches", **hidden),
            metric("AWS/Events", "MatchedEvents", {"RuleName": s.spot_interruption_rule}, id="interruptions", **hidden),
        ],
        period=86400,
        line=_line(goal, f"target {_fmt(goal)}%", "below"),
        yAxis={"left": {"max": 100, "label": "percent", "showUnits": False}},
    )


def cloudfront_widget(s: KpiSources) -> dict[str, Any]:
    """CloudFront: requests (right axis) and the share answered 4XX and 5XX (left), read in us-east-1."""
    if s.distribution_id is None:
        return _text("### CloudFront\nNo distribution in this stack.")
    cdn = {"DistributionId": s.distribution_id, "Region": "Global"}
    return _graph(
        f"CloudFront: requests, 4XX and 5XX rates (5XX alarm at {_fmt(s.cloudfront_5xx_percent)}%)",
        CLOUDFRONT_REGION,
        [
            metric("AWS/CloudFront", "4xxErrorRate", cdn, stat="Average", label="4XX %"),
            metric("AWS/CloudFront", "5xxErrorRate", cdn, stat="Average", label="5XX %"),
            metric("AWS/CloudFront", "Requests", cdn, stat="Sum", label="requests", yAxis="right"),
        ],
        period=300,
        line=_line(s.cloudfront_5xx_percent, f"5XX alarm {_fmt(s.cloudfront_5xx_percent)}%", "above"),
        yAxis={"left": {"min": 0, "label": "percent", "showUnits": False}, "right": {"min": 0, "label": "requests", "showUnits": False}},
    )


def origin_latency_widget(s: KpiSources) -> dict[str, Any]:
    """CloudFront's time to first byte from the origins (load balancer, assets bucket), p95, beside the API target."""
    if s.distribution_id is None:
        return _text("### CloudFront origin latency\nNo distribution in this stack.")
    if not s.origin_latency:
        return _text(
            "### CloudFront origin latency\nOriginLatency is one of CloudFront's additional metrics: turn on "
            "`edge.cdn.additionalMetrics` (up to 8 metrics at CloudWatch's per-metric rate) to see it here."
        )
    cdn = {"DistributionId": s.distribution_id, "Region": "Global"}
    return _graph(
        f"CloudFront origin latency p95 (API target < {s.api_p95_ms} ms)",
        CLOUDFRONT_REGION,
        [metric("AWS/CloudFront", "OriginLatency", cdn, stat="p95", label="origin latency p95")],
        period=300,
        line=_line(s.api_p95_ms, f"API target {s.api_p95_ms} ms", "above"),
        yAxis={"left": {"min": 0, "label": "milliseconds", "showUnits": False}},
    )


def lambda_errors_widget(s: KpiSources) -> dict[str, Any]:
    """The functions' errors and throttles (a throttle means reserved concurrency is too low)."""
    if not s.functions:
        return _text("### Lambda errors and throttles\nNo functions in this stack.")
    metrics = [
        metric("AWS/Lambda", name, {"FunctionName": function}, stat="Sum", label=f"{key} {name.lower()}")
        for key, function in sorted(s.functions.items())
        for name in ("Errors", "Throttles")
    ]
    return _graph(
        "Lambda: errors and throttles per function (target 0)",
        s.region,
        metrics,
        period=300,
        line=_line(0, "target: none", "above"),
        yAxis={"left": {"min": 0, "label": "count", "showUnits": False}},
    )


def lambda_duration_widget(s: KpiSources) -> dict[str, Any]:
    """The functions' p95 duration beside each one's duration alarm."""
    if not s.functions:
        return _text("### Lambda duration\nNo functions in this stack.")
    metrics = [
        metric("AWS/Lambda", "Duration", {"FunctionName": function}, stat="p95", label=f"{key} p95")
        for key, function in sorted(s.functions.items())
    ]
    lines = [
        _line(s.function_duration_p95_ms[key], f"{key} alarm {s.function_duration_p95_ms[key]} ms")
        for key in sorted(s.functions)
        if key in s.function_duration_p95_ms
    ]
    widget = _graph(
        "Lambda duration p95 per function (each against its alarm)",
        s.region,
        metrics,
        period=300,
        line=lines[0] if lines else _line(0, "no alarm"),
        yAxis={"left": {"min": 0, "label": "milliseconds", "showUnits": False}},
    )
    widget["properties"]["annotations"]["horizontal"] = lines or widget["properties"]["annotations"]["horizontal"]
    return widget


def queue_age_widget(s: KpiSources) -> dict[str, Any]:
    """The intent queue's oldest message: how long work waits for a classifier."""
    if s.queue_name is None:
        return _text("### Work queue\nNo work queue in this stack.")
    return _graph(
        f"SQS: oldest message in {s.queue_name} (alarm at {s.queue_age_seconds} s)",
        s.region,
        [metric("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": s.queue_name}, stat="Maximum", label="oldest message")],
        period=60,
        line=_line(s.queue_age_seconds, f"alarm {s.queue_age_seconds} s", "above"),
        yAxis={"left": {"min": 0, "label": "seconds", "showUnits": False}},
    )


def header(s: KpiSources) -> dict[str, Any]:
    t = s.targets
    rows = [
        ("API p95", f"< {s.api_p95_ms} ms", "ALB `TargetResponseTime` p95 per target group"),
        ("ML inference p95", f"< {_fmt(s.inference_p95_microseconds / 1000)} ms", "SageMaker `ModelLatency` p95 (µs)"),
        ("Availability", f"{_fmt(t.availability_percent)}%", "1 - (ELB 5XX + target 5XX) / requests"),
        ("Auto-scaling response", f"< {_fmt(t.scale_up_seconds / 60)} min", "EKS `scheduler_pending_pods_UNSCHEDULABLE` (closest AWS metric)"),
        ("Cost per request", f"< ${_fmt(t.cost_per_request_usd)}", "daily `EstimatedCharges` (whole account) / ALB requests"),
        ("Utilization", f"> {_fmt(t.utilization_percent)}%", "node groups' EC2 `CPUUtilization`"),
        ("Spot success", f"> {_fmt(t.spot_success_percent)}%", "1 - spot interruption warnings / spot launches"),
    ]
    table = "\n".join(f"| {kpi} | {target} | {source} |" for kpi, target, source in rows)
    return _text(
        "## Success metrics (seed) — docs/observability.md\n"
        "| KPI | target | measured as |\n| --- | --- | --- |\n" + table
    )


def widgets(s: KpiSources) -> list[dict[str, Any]]:
    return [
        api_latency_widget(s),
        inference_latency_widget(s),
        availability_widget(s),
        scale_up_widget(s),
        cost_per_request_widget(s),
        utilization_widget(s),
        spot_widget(s),
        # What landed beside the KPIs: the CDN in front of everything, the functions and the work queue.
        cloudfront_widget(s),
        origin_latency_widget(s),
        lambda_errors_widget(s),
        lambda_duration_widget(s),
        queue_age_widget(s),
    ]


def layout(header_widget: dict[str, Any], kpis: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The header across the top, then two KPI widgets per row."""
    placed = [{**header_widget, "x": 0, "y": 0, "width": GRID_WIDTH, "height": 5}]
    half = GRID_WIDTH // 2
    for index, widget in enumerate(kpis):
        placed.append({**widget, "x": (index % 2) * half, "y": 5 + (index // 2) * 6, "width": half, "height": 6})
    return placed


def dashboard_body(s: KpiSources) -> str:
    """PutDashboard's ``DashboardBody``: the header, the seven KPI widgets, then the CDN's, functions' and queue's."""
    return json.dumps({"start": "-P7D", "widgets": layout(header(s), widgets(s))}, sort_keys=True)


def dashboard_name(prefix: str) -> str:
    name = f"{prefix}-kpis"
    if len(name) > DASHBOARD_NAME_LIMIT or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"dashboard name {name!r}: up to {DASHBOARD_NAME_LIMIT} characters of letters, digits, '-' and '_'")
    return name


def spot_launch_pattern(asg_names: Sequence[str]) -> str:
    """Launches EC2 Auto Scaling reports for exactly these groups (the spot pools' managed node groups)."""
    if not asg_names:
        raise ValueError("spot_launch_pattern: no Auto Scaling group")
    return json.dumps(
        {
            "source": ["aws.autoscaling"],
            "detail-type": [SPOT_LAUNCH_DETAIL_TYPE],
            "detail": {"AutoScalingGroupName": sorted(asg_names)},
        },
        sort_keys=True,
    )


def spot_interruption_pattern() -> str:
    """Every Spot interruption warning of the account and region (the event names only the instance)."""
    return json.dumps({"source": ["aws.ec2"], "detail-type": [SPOT_INTERRUPTION_DETAIL_TYPE]}, sort_keys=True)

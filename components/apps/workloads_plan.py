"""The seed's HPA table as data: which signal scales which service, and how fast.

Seed, "Application Auto-Scaling":

    Frontend: CPU 70%, Memory 80% (2-10 pods)
    Intent Classifier: CPU 60%, Queue depth (3-15 pods)
    Technique Selector: CPU 70%, RPS (3-12 pods)
    Prompt Generator: GPU utilization 70% (1-8 pods)

The signals are fixed here; the numbers come from ``betterprompts:workloads``. Custom and
external metric names are the contract with the prometheus-adapter rules in
``metrics_plan`` (a test checks that the rules produce exactly these names).
"""

from __future__ import annotations

import pulumi_kubernetes as k8s

from .queue_metrics_plan import QUEUE_DEPTH_LABEL, QUEUE_DEPTH_SERIES
from .settings import ServiceSettings, TorchServeSettings

hpa = k8s.autoscaling.v2

# Pods metric: per-pod request rate, from the services' ``http_requests_total`` counter.
RPS_METRIC = "http_requests_per_second"
RPS_SOURCE_SERIES = "http_requests_total"
# External metric: the intent classifier's backlog, the messages waiting in its SQS work queue, as
# the CloudWatch exporter names them (queue_metrics_plan); the HPA selects its queue by label.
QUEUE_DEPTH_METRIC = "intent_classifier_queue_depth"
QUEUE_DEPTH_SOURCE_SERIES = QUEUE_DEPTH_SERIES
QUEUE_DEPTH_SELECTOR_LABEL = QUEUE_DEPTH_LABEL
# Pods metric: GPU utilization (0-100) of the GPU a pod holds, from the DCGM exporter.
GPU_UTILIZATION_METRIC = "gpu_utilization"
GPU_UTILIZATION_SOURCE_SERIES = "DCGM_FI_DEV_GPU_UTIL"

# Scale-up may double the pods (or add 4) every 15 s: one HPA sync acts on a spike at once.
SCALE_UP_PERIOD_SECONDS = 15
SCALE_UP_PERCENT = 100
SCALE_UP_PODS = 4
# Scale-down removes at most one pod a minute after the stabilization window.
SCALE_DOWN_PERIOD_SECONDS = 60
SCALE_DOWN_PODS = 1


def behavior(scale_up_stabilization_seconds: int, scale_down_stabilization_seconds: int) -> hpa.HorizontalPodAutoscalerBehaviorArgs:
    """Fast, unstabilized scale-up (seed: react in < 2 minutes); slow, stabilized scale-down."""
    return hpa.HorizontalPodAutoscalerBehaviorArgs(
        scale_up=hpa.HPAScalingRulesArgs(
            stabilization_window_seconds=scale_up_stabilization_seconds,
            select_policy="Max",
            policies=[
                hpa.HPAScalingPolicyArgs(type="Percent", value=SCALE_UP_PERCENT, period_seconds=SCALE_UP_PERIOD_SECONDS),
                hpa.HPAScalingPolicyArgs(type="Pods", value=SCALE_UP_PODS, period_seconds=SCALE_UP_PERIOD_SECONDS),
            ],
        ),
        scale_down=hpa.HPAScalingRulesArgs(
            stabilization_window_seconds=scale_down_stabilization_seconds,
            select_policy="Min",
            policies=[
                hpa.HPAScalingPolicyArgs(type="Pods", value=SCALE_DOWN_PODS, period_seconds=SCALE_DOWN_PERIOD_SECONDS),
            ],
        ),
    )


def _resource(name: str, utilization: int) -> hpa.MetricSpecArgs:
    return hpa.MetricSpecArgs(
        type="Resource",
        resource=hpa.ResourceMetricSourceArgs(
            name=name, target=hpa.MetricTargetArgs(type="Utilization", average_utilization=utilization)
        ),
    )


def _pods(metric: str, average: int) -> hpa.MetricSpecArgs:
    return hpa.MetricSpecArgs(
        type="Pods",
        pods=hpa.PodsMetricSourceArgs(
            metric=hpa.MetricIdentifierArgs(name=metric),
            target=hpa.MetricTargetArgs(type="AverageValue", average_value=str(average)),
        ),
    )


def _external(metric: str, average: int, match_labels: dict[str, str]) -> hpa.MetricSpecArgs:
    return hpa.MetricSpecArgs(
        type="External",
        external=hpa.ExternalMetricSourceArgs(
            # The adapter passes the selector to Prometheus as label matchers: this one queue's series.
            metric=hpa.MetricIdentifierArgs(
                name=metric, selector=k8s.meta.v1.LabelSelectorArgs(match_labels=match_labels)
            ),
            # AverageValue: the backlog divided by the current pods, so pods = backlog / target.
            target=hpa.MetricTargetArgs(type="AverageValue", average_value=str(average)),
        ),
    )


def service_metrics(service: str, settings: ServiceSettings, *, intent_queue_name: str | None = None) -> list[hpa.MetricSpecArgs]:
    """The HPA metrics of one CPU service, by its seed row (the intent classifier's names its work queue)."""
    metrics = [_resource("cpu", settings.cpu_utilization)]
    if service == "frontend":
        assert settings.memory_utilization is not None
        metrics.append(_resource("memory", settings.memory_utilization))
    elif service == "intent-classifier":
        assert settings.queue_depth_per_pod is not None
        if not intent_queue_name:
            raise ValueError("the intent-classifier scales on its work queue's depth: name the queue (intent_queue_name)")
        metrics.append(
            _external(QUEUE_DEPTH_METRIC, settings.queue_depth_per_pod, {QUEUE_DEPTH_SELECTOR_LABEL: intent_queue_name})
        )
    elif service == "technique-selector":
        assert settings.requests_per_second_per_pod is not None
        metrics.append(_pods(RPS_METRIC, settings.requests_per_second_per_pod))
    else:
        raise ValueError(f"no HPA row in the seed for service {service!r}")
    return metrics


def gpu_metrics(settings: TorchServeSettings) -> list[hpa.MetricSpecArgs]:
    return [_pods(GPU_UTILIZATION_METRIC, settings.gpu_utilization)]


def hpa_spec(
    deployment: str,
    *,
    min_replicas: int,
    max_replicas: int,
    metrics: list[hpa.MetricSpecArgs],
    scale_up_stabilization_seconds: int,
    scale_down_stabilization_seconds: int,
) -> hpa.HorizontalPodAutoscalerSpecArgs:
    return hpa.HorizontalPodAutoscalerSpecArgs(
        scale_target_ref=hpa.CrossVersionObjectReferenceArgs(api_version="apps/v1", kind="Deployment", name=deployment),
        min_replicas=min_replicas,
        max_replicas=max_replicas,
        metrics=metrics,
        behavior=behavior(scale_up_stabilization_seconds, scale_down_stabilization_seconds),
    )

"""The metrics pipeline the HPAs need, as data: pinned charts, their values, the adapter rules.

Prometheus (kube-prometheus-stack) scrapes the services, TorchServe and the DCGM exporter;
prometheus-adapter is the one provider of ``custom.metrics.k8s.io`` and
``external.metrics.k8s.io`` (no KEDA); metrics-server, installed by ``EksCluster``, serves
``metrics.k8s.io`` for the CPU/memory targets (the adapter leaves that API alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi

from ..eks import node_pools
from ..platform import ChartRef, policy_document
from .settings import MetricsSettings
from .workloads_plan import (
    GPU_UTILIZATION_METRIC,
    GPU_UTILIZATION_SOURCE_SERIES,
    QUEUE_DEPTH_METRIC,
    QUEUE_DEPTH_SELECTOR_LABEL,
    QUEUE_DEPTH_SOURCE_SERIES,
    RPS_METRIC,
    RPS_SOURCE_SERIES,
)

PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts"

# Versions from each chart's own release history (tags of its repository; values.yaml of each
# vendored under tests/vendor/charts/ and checked against the values below).
# prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3 (2026-08-21), the newest release
# (the earlier pin 93.9.0 is not a release of the chart).
KUBE_PROMETHEUS_STACK = ChartRef("kube-prometheus-stack", PROMETHEUS_COMMUNITY, "88.5.3")
# prometheus-community/helm-charts tag prometheus-adapter-5.3.0 (2026-02-19), the newest release.
PROMETHEUS_ADAPTER = ChartRef("prometheus-adapter", PROMETHEUS_COMMUNITY, "5.3.0")
# NVIDIA/dcgm-exporter helm-charts/index.yaml lists 4.8.2 (tag 4.5.3-4.8.2). 4.8.3 was published
# later (NVIDIA/dcgm-exporter#712) but no copy of its values.yaml was available to check ours against.
DCGM_EXPORTER = ChartRef("dcgm-exporter", "https://nvidia.github.io/dcgm-exporter/helm-charts", "4.8.2")

# How long each release may wait for readiness (Helm's --timeout).
RELEASE_TIMEOUT_SECONDS = {
    # CRDs, the operator and its admission-webhook jobs, kube-state-metrics, a node exporter on
    # every node, Alertmanager, and Prometheus itself, whose pod waits for the EBS CSI driver to
    # create and attach its encrypted gp3 volume (WaitForFirstConsumer): 15 minutes.
    KUBE_PROMETHEUS_STACK.chart: 900,
    # A DaemonSet on GPU nodes (production's first one is up; staging's pool is empty) with a
    # large image (CUDA base): 10 minutes.
    DCGM_EXPORTER.chart: 600,
    # Two replicas on the system nodes; they start once Prometheus answers.
    PROMETHEUS_ADAPTER.chart: 600,
}

# kube-prometheus-stack names its Prometheus service "<fullname>-prometheus".
PROMETHEUS_FULLNAME = "kube-prometheus"
PROMETHEUS_PORT = 9090
# The window the RPS rate is taken over: two scrapes at least, short enough to react fast.
RATE_WINDOW = "1m"
PROMETHEUS_STORAGE_CLASS = "prometheus-encrypted"
# The chart's own name for Prometheus's service account ("<fullname>-prometheus", _helpers.tpl
# kube-prometheus-stack.prometheus.serviceAccountName), set explicitly: the IRSA trust names it.
PROMETHEUS_SERVICE_ACCOUNT = f"{PROMETHEUS_FULLNAME}-prometheus"
IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
# Remote write to Amazon Managed Service for Prometheus: the queue settings AMP's user guide sets for
# Prometheus ("Set up ingestion from a new Prometheus server using Helm": maxSamplesPerSend 1000,
# maxShards 200, capacity 2500), so a burst is sent in bigger, fewer signed requests.
REMOTE_WRITE_QUEUE = {"maxSamplesPerSend": 1000, "maxShards": 200, "capacity": 2500}
REMOTE_WRITE_ACTIONS = ("aps:RemoteWrite",)
# AMP bills every sample ingested, and the in-cluster Prometheus holds tens of thousands of series (the
# control plane's histograms alone are thousands). Only what Managed Grafana's dashboards of this platform
# need is written: the series the HPAs scale on (requests, GPU utilisation, queue depth), TorchServe's and the
# GPUs' own metrics, node and container CPU/memory/network, and the kube-state-metrics series of pod health,
# replicas and HPAs. Everything stays queryable in the cluster for its retention; more is added per stack
# with ``observability.managedPrometheus.additionalSeries``. Relabelling is anchored: each entry is a whole
# metric name or a regular expression of names.
REMOTE_WRITE_SERIES = (
    "up",
    RPS_SOURCE_SERIES,
    GPU_UTILIZATION_SOURCE_SERIES,
    QUEUE_DEPTH_SOURCE_SERIES,
    "ts_.*",
    "DCGM_FI_DEV_.*",
    "node_cpu_seconds_total",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_network_receive_bytes_total",
    "node_network_transmit_bytes_total",
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
    "kube_pod_status_phase",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_resource_requests",
    "kube_deployment_spec_replicas",
    "kube_deployment_status_replicas_available",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "kube_horizontalpodautoscaler_status_current_replicas",
    "kube_horizontalpodautoscaler_status_desired_replicas",
    "kube_node_status_condition",
)


@dataclass
class RemoteWrite:
    """Where Prometheus copies every sample it scrapes (an AMP workspace), signed with its IRSA role."""

    url: pulumi.Input[str]
    """``<workspace prometheus endpoint>api/v1/remote_write``."""
    region: str
    """The workspace's Region (SigV4 signs for ``aps`` there)."""
    role_arn: pulumi.Input[str]
    """Prometheus's IRSA role (``aps:RemoteWrite`` on the workspace only)."""
    additional_series: tuple[str, ...] = ()
    """Metric names (or regular expressions of names) written besides ``REMOTE_WRITE_SERIES``."""


def remote_write_policy(workspace_arn: str) -> str:
    """Prometheus writes samples to this one workspace; it reads nothing back from it."""
    return policy_document([{"Sid": "RemoteWrite", "Effect": "Allow", "Action": list(REMOTE_WRITE_ACTIONS), "Resource": workspace_arn}])


def prometheus_url(namespace: str) -> str:
    return f"http://{PROMETHEUS_FULLNAME}-prometheus.{namespace}.svc"


def _placement(pool: node_pools.NodePool) -> dict[str, Any]:
    return {"nodeSelector": pool.node_selector(), "tolerations": pool.tolerations()}


def adapter_rules() -> dict[str, list[dict[str, Any]]]:
    """prometheus-adapter rules: each maps one source series to one metric the HPAs use."""
    pod_resources = {"overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}}
    return {
        "custom": [
            {
                "seriesQuery": f'{RPS_SOURCE_SERIES}{{namespace!="",pod!=""}}',
                "resources": pod_resources,
                "name": {"matches": "^(.*)_total$", "as": "${1}_per_second"},
                "metricsQuery": f"sum(rate(<<.Series>>{{<<.LabelMatchers>>}}[{RATE_WINDOW}])) by (<<.GroupBy>>)",
            },
            {
                # The exporter labels each GPU with the pod holding it; Prometheus keeps the
                # scrape target's own namespace/pod, so the holder's arrive as exported_*.
                "seriesQuery": f'{GPU_UTILIZATION_SOURCE_SERIES}{{exported_namespace!="",exported_pod!=""}}',
                "resources": {
                    "overrides": {
                        "exported_namespace": {"resource": "namespace"},
                        "exported_pod": {"resource": "pod"},
                    }
                },
                "name": {"matches": f"^{GPU_UTILIZATION_SOURCE_SERIES}$", "as": GPU_UTILIZATION_METRIC},
                "metricsQuery": "avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
            },
        ],
        "external": [
            {
                # The CloudWatch exporter's series of the SQS work queue (queue_metrics_plan).
                "seriesQuery": f'{QUEUE_DEPTH_SOURCE_SERIES}{{{QUEUE_DEPTH_SELECTOR_LABEL}!=""}}',
                # The series lives in the monitoring namespace, the HPA in the services' one: the
                # adapter must not add the HPA's namespace to the query (docs/externalmetrics.md,
                # "Cross-Namespace or No Namespace Queries"). The HPA's selector names the queue.
                "resources": {"namespaced": False},
                "name": {"matches": f"^{QUEUE_DEPTH_SOURCE_SERIES}$", "as": QUEUE_DEPTH_METRIC},
                # Should the exporter run twice, both report the same backlog: take it once, not summed.
                "metricsQuery": f"max(<<.Series>>{{<<.LabelMatchers>>}}) by ({QUEUE_DEPTH_SELECTOR_LABEL})",
            }
        ],
    }


def adapter_metric_name(rule: dict[str, Any], series: str) -> str | None:
    """The metric name the adapter serves for ``series`` under ``rule`` (None: rule does not match).

    Mirrors the adapter's naming: the series name must be the one ``seriesQuery`` selects
    and match ``name.matches``; ``name.as`` is the replacement (Go ``${1}`` syntax).
    """
    selected = rule["seriesQuery"].split("{", 1)[0]
    if selected != series:
        return None
    pattern = re.compile(rule["name"]["matches"])
    match = pattern.search(series)
    if not match:
        return None
    # An empty "as" serves the series under its own name, like "${0}".
    template = re.sub(r"\$\{(\d+)\}", r"\\g<\1>", rule["name"].get("as") or "${0}")
    return match.expand(template)


def remote_write_regex(additional: tuple[str, ...] = ()) -> str:
    """The keep rule's regular expression (anchored by Prometheus): one alternative per series entry."""
    series = list(dict.fromkeys([*REMOTE_WRITE_SERIES, *additional]))
    return "|".join(series)


def remote_write_values(target: RemoteWrite) -> dict[str, Any]:
    """``prometheus.prometheusSpec.remoteWrite`` entry: SigV4 with the pod's IRSA credentials (no keys)."""
    return {
        "url": target.url,
        "sigv4": {"region": target.region},
        "queueConfig": dict(REMOTE_WRITE_QUEUE),
        # Relabelling before the queue: series not kept never leave the cluster (nor bill).
        "writeRelabelConfigs": [{"sourceLabels": ["__name__"], "regex": remote_write_regex(target.additional_series), "action": "keep"}],
    }


def kube_prometheus_stack_values(settings: MetricsSettings, remote_write: RemoteWrite | None = None) -> dict[str, Any]:
    """Prometheus (on the application pool, EBS-backed), the operator on the system pool, no Grafana;
    with ``remote_write``, every sample is also written to Amazon Managed Service for Prometheus."""
    values = _kube_prometheus_stack_values(settings)
    if remote_write is not None:
        prometheus = values["prometheus"]
        prometheus["serviceAccount"] = {
            "create": True,
            "name": PROMETHEUS_SERVICE_ACCOUNT,
            "annotations": {IRSA_ROLE_ANNOTATION: remote_write.role_arn},
        }
        prometheus["prometheusSpec"]["remoteWrite"] = [remote_write_values(remote_write)]
    return values


def _kube_prometheus_stack_values(settings: MetricsSettings) -> dict[str, Any]:
    return {
        "fullnameOverride": PROMETHEUS_FULLNAME,
        # The seed uses Amazon Managed Grafana; no in-cluster Grafana.
        "grafana": {"enabled": False},
        # EKS runs the control plane: these targets are unreachable and would only alert.
        "kubeControllerManager": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeEtcd": {"enabled": False},
        "kubeProxy": {"enabled": False},
        "prometheusOperator": {
            **_placement(node_pools.SYSTEM),
            "admissionWebhooks": {"patch": _placement(node_pools.SYSTEM)},
        },
        "kube-state-metrics": _placement(node_pools.SYSTEM),
        # The node exporter runs on every node, whatever its taint.
        "prometheus-node-exporter": {"tolerations": [{"operator": "Exists"}]},
        "alertmanager": {"alertmanagerSpec": _placement(node_pools.APPLICATION)},
        "prometheus": {
            "prometheusSpec": {
                **_placement(node_pools.APPLICATION),
                "scrapeInterval": settings.scrape_interval,
                "retention": settings.retention,
                # Pick up every ServiceMonitor (TorchServe's, the DCGM exporter's, the services'),
                # not only those labelled for this release.
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                "storageSpec": {
                    "volumeClaimTemplate": {
                        "spec": {
                            "storageClassName": PROMETHEUS_STORAGE_CLASS,
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": settings.storage_size}},
                        }
                    }
                },
            }
        },
    }


def dcgm_exporter_values(scrape_interval: str) -> dict[str, Any]:
    """The exporter on GPU nodes only, scraped through its ServiceMonitor."""
    return {
        **_placement(node_pools.GPU),
        "serviceMonitor": {"enabled": True, "interval": scrape_interval, "honorLabels": False},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
    }


def prometheus_adapter_values(namespace: str) -> dict[str, Any]:
    return {
        **_placement(node_pools.SYSTEM),
        "replicas": 2,
        "prometheus": {"url": prometheus_url(namespace), "port": PROMETHEUS_PORT},
        # Only our rules: the default rule set lists thousands of series nobody scales on,
        # and resource rules would fight metrics-server for metrics.k8s.io.
        "rules": {"default": False, **adapter_rules()},
    }

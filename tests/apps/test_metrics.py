"""The metrics pipeline the HPAs need: pinned official charts, one provider of the custom and
external metrics APIs, adapter rules that produce exactly the metric names the HPAs use,
and every piece on the node pool it belongs to."""

from __future__ import annotations

import re

import pytest

from components.apps.metrics_plan import (
    DCGM_EXPORTER,
    KUBE_PROMETHEUS_STACK,
    PROMETHEUS_ADAPTER,
    PROMETHEUS_STORAGE_CLASS,
    adapter_metric_name,
    adapter_rules,
    prometheus_url,
)
from components.apps.queue_metrics_plan import CLOUDWATCH_EXPORTER
from components.apps.settings import SCALE_UP_BUDGET_SECONDS, scale_up_reaction_seconds
from components.apps.workloads_plan import GPU_UTILIZATION_SOURCE_SERIES, QUEUE_DEPTH_SOURCE_SERIES, RPS_SOURCE_SERIES
from components.eks import node_pools
from preflight.harness import Plan, read_stack_config
from tests.k8s_stack_support import STORAGE_KEY_ARN, built

STACKS = ["production", "staging"]
RELEASE = "kubernetes:helm.sh/v3:Release"
SERIES = (RPS_SOURCE_SERIES, GPU_UTILIZATION_SOURCE_SERIES, QUEUE_DEPTH_SOURCE_SERIES)


def hpa_metric_names(stack: str, kind: str) -> set[str]:
    key = kind.lower()
    return {
        m[key]["metric"]["name"]
        for spec in built(stack).hpas().values()
        for m in spec["metrics"]
        if m["type"] == kind
    }


# --- charts: official, pinned ------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_charts_are_official_and_pinned_to_exact_versions(stack: str) -> None:
    releases = {r.inputs["chart"]: r for r in built(stack).of_type(RELEASE) if r.inputs["chart"] != "charts/torchserve"}
    # metrics-server is EksCluster's (tests/eks): the pipeline never installs a second one.
    assert set(releases) == {"kube-prometheus-stack", "dcgm-exporter", "prometheus-adapter", "prometheus-cloudwatch-exporter"}
    expected = {ref.chart: ref for ref in (KUBE_PROMETHEUS_STACK, DCGM_EXPORTER, PROMETHEUS_ADAPTER, CLOUDWATCH_EXPORTER)}
    for chart, release in releases.items():
        assert release.inputs["version"] == expected[chart].version
        assert re.fullmatch(r"\d+\.\d+\.\d+", release.inputs["version"]), "an exact version, not a range"
        assert release.inputs["repositoryOpts"] == {"repo": expected[chart].repo}
        assert release.inputs["atomic"] is True
    assert PROMETHEUS_ADAPTER.repo == KUBE_PROMETHEUS_STACK.repo == "https://prometheus-community.github.io/helm-charts"
    assert DCGM_EXPORTER.repo == "https://nvidia.github.io/dcgm-exporter/helm-charts"


# --- one provider of the custom and external metrics APIs ------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_prometheus_adapter_is_the_only_custom_and_external_metrics_provider(stack: str) -> None:
    charts = [r.inputs["chart"] for r in built(stack).of_type(RELEASE)]
    assert charts.count("prometheus-adapter") == 1
    assert not any("keda" in chart for chart in charts)
    values = built(stack).release("prometheus-adapter").inputs["values"]
    rules = values["rules"]
    # No default rule flood, and no resource rules: metrics.k8s.io belongs to metrics-server.
    assert rules["default"] is False
    assert "resource" not in rules
    assert rules["custom"] == adapter_rules()["custom"]
    assert rules["external"] == adapter_rules()["external"]
    namespace = built(stack).settings.workloads.metrics.namespace
    assert values["prometheus"] == {"url": prometheus_url(namespace), "port": 9090}
    assert prometheus_url(namespace) == f"http://kube-prometheus-prometheus.{namespace}.svc"
    assert built(stack).release("kube-prometheus-stack").inputs["values"]["fullnameOverride"] == "kube-prometheus"


@pytest.mark.parametrize("stack", STACKS)
def test_adapter_rules_produce_exactly_the_metrics_the_hpas_use(stack: str) -> None:
    rules = adapter_rules()

    def served(kind: str) -> set[str]:
        names = {adapter_metric_name(rule, series) for rule in rules[kind] for series in SERIES}
        return {name for name in names if name}

    assert served("custom") == hpa_metric_names(stack, "Pods") == {"http_requests_per_second", "gpu_utilization"}
    assert served("external") == hpa_metric_names(stack, "External") == {"intent_classifier_queue_depth"}
    # No HPA uses an Object metric that nothing would serve.
    assert hpa_metric_names(stack, "Object") == set()


def test_adapter_naming_follows_the_rules_regexes() -> None:
    rps, gpu = adapter_rules()["custom"]
    (queue,) = adapter_rules()["external"]
    assert adapter_metric_name(rps, "http_requests_total") == "http_requests_per_second"
    assert adapter_metric_name(rps, "grpc_requests_total") is None  # not the series the rule selects
    assert adapter_metric_name(gpu, "DCGM_FI_DEV_GPU_UTIL") == "gpu_utilization"
    assert adapter_metric_name(queue, "aws_sqs_approximate_number_of_messages_visible_maximum") == "intent_classifier_queue_depth"
    assert adapter_metric_name(queue, "betterprompts_intent_queue_depth") is None  # the old, never-exported gauge
    # The GPU series is attributed to the pod holding the GPU, not to the exporter's own pod.
    assert gpu["resources"]["overrides"] == {
        "exported_namespace": {"resource": "namespace"}, "exported_pod": {"resource": "pod"},
    }
    assert "rate(" in rps["metricsQuery"] and "[1m]" in rps["metricsQuery"]


# --- placement ---------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_dcgm_exporter_runs_on_gpu_nodes_only(stack: str) -> None:
    values = built(stack).release("dcgm-exporter").inputs["values"]
    assert values["nodeSelector"] == node_pools.GPU.node_selector()
    assert values["tolerations"] == node_pools.GPU.tolerations()
    assert values["serviceMonitor"]["enabled"] is True
    assert values["serviceMonitor"]["interval"] == built(stack).settings.workloads.metrics.scrape_interval


@pytest.mark.parametrize("stack", STACKS)
def test_metrics_stack_placement(stack: str) -> None:
    plan = built(stack)
    kps = plan.release("kube-prometheus-stack").inputs["values"]
    system = {"nodeSelector": node_pools.SYSTEM.node_selector(), "tolerations": node_pools.SYSTEM.tolerations()}
    assert node_pools.SYSTEM.tolerations() == [
        {"key": "CriticalAddonsOnly", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    ]
    for part in (kps["prometheusOperator"], kps["kube-state-metrics"]):
        assert {k: part[k] for k in system} == system
    values = plan.release("prometheus-adapter").inputs["values"]
    assert {k: values[k] for k in system} == system
    prometheus = kps["prometheus"]["prometheusSpec"]
    assert prometheus["nodeSelector"] == node_pools.APPLICATION.node_selector()
    assert kps["prometheus-node-exporter"]["tolerations"] == [{"operator": "Exists"}]


@pytest.mark.parametrize("stack", STACKS)
def test_prometheus_scrapes_every_service_monitor_and_stores_on_encrypted_ebs(stack: str) -> None:
    plan = built(stack)
    metrics = plan.settings.workloads.metrics
    spec = plan.release("kube-prometheus-stack").inputs["values"]["prometheus"]["prometheusSpec"]
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False
    assert spec["scrapeInterval"] == metrics.scrape_interval
    assert spec["retention"] == metrics.retention
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == PROMETHEUS_STORAGE_CLASS
    assert claim["resources"] == {"requests": {"storage": metrics.storage_size}}
    (storage_class,) = plan.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["metadata"]["name"] == PROMETHEUS_STORAGE_CLASS
    assert storage_class.inputs["provisioner"] == "ebs.csi.aws.com"
    assert storage_class.inputs["parameters"] == {"type": "gp3", "encrypted": "true", "kmsKeyId": STORAGE_KEY_ARN}
    assert storage_class.inputs["reclaimPolicy"] == ("Retain" if plan.settings.platform.protect_stateful else "Delete")


@pytest.mark.parametrize("stack", STACKS)
def test_services_are_scraped_for_their_rps_and_queue_depth(stack: str) -> None:
    monitors = built(stack).of_type("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    assert {m.inputs["metadata"]["name"] for m in monitors} == {"frontend", "intent-classifier", "technique-selector"}
    for monitor in monitors:
        assert monitor.inputs["spec"]["endpoints"] == [{"port": "http", "path": "/metrics"}]


@pytest.mark.parametrize("stack", STACKS)
def test_scale_up_decision_fits_the_seed_budget(stack: str) -> None:
    workloads = built(stack).settings.workloads
    seconds = scale_up_reaction_seconds(workloads.metrics.scrape_interval, workloads.scale_up_stabilization_seconds)
    assert seconds < SCALE_UP_BUDGET_SECONDS == 120


# --- metrics-server: one owner -----------------------------------------------------------


def test_a_stack_without_metrics_keys_gets_exactly_one_metrics_server(plan: Plan) -> None:
    """The stack files say nothing about metrics-server; EksCluster installs the only copy.

    Two releases named metrics-server in kube-system fail the deploy (the second install
    finds the first one's objects), which is what the old ``installMetricsServer: true``
    default did to a stack that left the key out.
    """
    config = read_stack_config(plan.stack)[0]
    assert "installMetricsServer" not in config["betterprompts:workloads"].get("metrics", {})
    servers = [r for r in plan.of_type(RELEASE) if r.inputs["chart"] == "metrics-server"]
    assert len(servers) == 1
    assert servers[0].inputs["namespace"] == "kube-system"
    (cluster,) = plan.of_type("betterprompts:eks:EksCluster")
    assert servers[0].parent == cluster.urn


def test_install_metrics_server_is_refused_naming_the_owner() -> None:
    from components.settings import ConfigError
    from tests.stack_config import load, with_value

    for value in (True, False):
        with pytest.raises(ConfigError) as error:
            load(with_value("workloads", "metrics.installMetricsServer", value))
        assert error.value.key == "betterprompts:workloads.metrics.installMetricsServer"
        assert "EksCluster" in str(error.value)

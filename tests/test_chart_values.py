"""Every Helm release's values use keys its chart reads, at the pinned chart version.

A misplaced key is silently ignored by Helm (the EFS CSI driver ran two controllers in
staging because ``replicaCount`` sat at the top level, where the chart does not read it).
Each chart's ``values.yaml`` at the pinned version is vendored under ``tests/vendor/charts``
(sources in ``tests/vendor/README.md``); every key path of every release the stacks register
must exist there, or sit under a key the chart takes as a free-form map.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.eks import plan as eks_plan
from components.eks.settings import KarpenterSettings
from preflight.harness import Plan

VENDOR = Path(__file__).resolve().parent / "vendor" / "charts"
RELEASE = "kubernetes:helm.sh/v3:Release"

# Keys a chart passes through as a map of its own (arguments, labels, sub-chart values): their
# contents are not listed in values.yaml. Each entry says why.
FREE_FORM: dict[str, dict[str, str]] = {
    "cluster-autoscaler": {
        "extraArgs": "every cluster-autoscaler flag, rendered as --key=value",
        "expanderPriorities": "the priority expander's ConfigMap content (priority -> patterns)",
    },
    "kube-prometheus-stack": {
        "kube-state-metrics": "values of the kube-state-metrics sub-chart",
        "prometheus-node-exporter": "values of the prometheus-node-exporter sub-chart",
        "prometheus.prometheusSpec.storageSpec": "a Prometheus StorageSpec (volumeClaimTemplate) passed to the operator",
    },
    "gha-runner-scale-set": {
        # values.yaml documents these as comments (# minRunners: 0); the chart's templates read them.
        "minRunners": "documented commented out in values.yaml; read by autoscalingrunnerset.yaml",
        "maxRunners": "documented commented out in values.yaml; read by autoscalingrunnerset.yaml",
        "runnerScaleSetName": "documented commented out in values.yaml; the scale set's name (runs-on label)",
        "controllerServiceAccount": "documented commented out in values.yaml; read by _helpers.tpl instead of a cluster-wide lookup",
        "template.spec": "the runner pods' Kubernetes PodSpec",
    },
    "aws-for-fluent-bit": {
        "additionalOutputs": "[OUTPUT] sections appended to fluent-bit.conf by templates/configmap.yaml (a commented example in values.yaml)",
        "priorityClassName": "read by templates/daemonset.yaml (a commented example in values.yaml)",
    },
    "opentelemetry-collector": {
        "podDisruptionBudget": "minAvailable/maxUnavailable, read by templates/pdb.yaml (commented examples in values.yaml)",
    },
    "prometheus-adapter": {
        "rules.custom": "adapter rules (a list of rule objects)",
        "rules.external": "adapter rules (a list of rule objects)",
    },
    # values.yaml lists these commented out; the templates read them (serviceaccount.yaml,
    # servicemonitor.yaml at prometheus-cloudwatch-exporter-0.28.1).
    "prometheus-cloudwatch-exporter": {
        "serviceAccount.annotations": "the ServiceAccount's annotations (templates/serviceaccount.yaml)",
        "serviceMonitor.interval": "the ServiceMonitor endpoint's interval (templates/servicemonitor.yaml)",
    },
}


# Keys that are maps of names the user chooses in every chart (Kubernetes labels, annotations,
# resource quantities): their contents are never listed.
FREE_FORM_NAMES = frozenset({"nodeSelector", "annotations", "labels", "podAnnotations", "podLabels", "resources"})


def chart_values(chart: str, version: str) -> dict[str, Any]:
    path = VENDOR / chart / version / "values.yaml"
    assert path.exists(), f"no vendored values.yaml for {chart} {version}: add {path.relative_to(VENDOR.parent.parent.parent)} (tests/vendor/README.md)"
    return yaml.safe_load(path.read_text()) or {}


def unknown_keys(values: Mapping[str, Any], defaults: Any, free: Mapping[str, str], path: str = "") -> Iterator[str]:
    """Key paths of ``values`` the chart's ``defaults`` do not have (recursing where both are maps)."""
    for key, value in values.items():
        here = f"{path}.{key}" if path else str(key)
        if here in free:
            continue
        if not isinstance(defaults, Mapping) or key not in defaults:
            yield here
            continue
        default = defaults[key]
        if key in FREE_FORM_NAMES:
            continue
        # An empty map, a list, a null or a scalar default takes whatever is given (nodeSelector: {}).
        if isinstance(value, Mapping) and isinstance(default, Mapping) and default:
            yield from unknown_keys(value, default, free, here)


def release_charts(plan: Plan) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(release name, chart, version, values) of every pinned chart the plan installs."""
    found = []
    for release in plan.of_type(RELEASE):
        inputs = release.inputs
        if not inputs.get("version"):
            continue  # the project's own charts (charts/), rendered by their own tests
        found.append((release.name, inputs["chart"].rsplit("/", 1)[-1], inputs["version"], inputs.get("values") or {}))
    return found


def test_every_pinned_chart_is_vendored(plan: Plan) -> None:
    for _, chart, version, _ in release_charts(plan):
        assert (VENDOR / chart / version / "values.yaml").exists(), f"{chart} {version}"


def test_release_values_use_keys_the_chart_reads(plan: Plan) -> None:
    releases = release_charts(plan)
    assert len(releases) >= 9
    for name, chart, version, values in releases:
        wrong = list(unknown_keys(values, chart_values(chart, version), FREE_FORM.get(chart, {})))
        assert not wrong, f"{name}: {chart} {version} does not read {wrong}"


def test_karpenter_values_use_keys_the_chart_reads() -> None:
    """The Karpenter variant is not a stack of its own: its values come from the plan functions."""
    values = eks_plan.karpenter_values(cluster_name="c", queue_name="q", role_arn="arn", replicas=1)
    ref = eks_plan.CHARTS["karpenter"]
    assert not list(unknown_keys(values, chart_values(ref.chart, ref.version), {}))
    assert KarpenterSettings()  # the settings the NodePools use exist independently of the chart


# --- the checker catches the two misplaced keys this test was written for -------------------


def test_efs_replicas_at_the_top_level_fail() -> None:
    ref = eks_plan.CHARTS["aws-efs-csi-driver"]
    misplaced = {"replicaCount": 1, "controller": {"serviceAccount": {"name": "efs"}}}
    assert list(unknown_keys(misplaced, chart_values(ref.chart, ref.version), {})) == ["replicaCount"]
    good = eks_plan.efs_csi_values(role_arn="arn", replicas=1)
    assert good["controller"]["replicaCount"] == 1
    assert not list(unknown_keys(good, chart_values(ref.chart, ref.version), {}))


def test_nth_places_its_daemonset_with_the_daemonset_keys() -> None:
    ref = eks_plan.CHARTS["aws-node-termination-handler"]
    defaults = chart_values(ref.chart, ref.version)
    values = eks_plan.node_termination_handler_values()
    # The chart's default daemonsetTolerations tolerate every taint; ours admit the spot pools' taints only.
    assert defaults["daemonsetTolerations"] == [{"operator": "Exists"}]
    assert values["daemonsetTolerations"] == [
        {"key": "betterprompts.io/spot", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
        {"key": "betterprompts.io/training", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
    ]
    # Every spot node of a managed group (burst and training), whatever its pool.
    assert values["daemonsetNodeSelector"] == {"eks.amazonaws.com/capacityType": "SPOT"}
    assert "tolerations" not in values and "nodeSelector" not in values
    assert not list(unknown_keys(values, defaults, {}))


@pytest.mark.parametrize("key", ["replicaCount", "controller.replicas", "daemonsetToleration"])
def test_a_key_the_chart_does_not_have_fails(key: str) -> None:
    values: dict[str, Any] = {}
    node = values
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = 1
    defaults = {"controller": {"replicaCount": 2}, "daemonsetTolerations": []}
    assert list(unknown_keys(values, defaults, {})) == [key]

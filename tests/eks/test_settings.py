"""``betterprompts:eks``: both stacks' values, and every bad value refused before any resource exists."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.eks.settings import ClusterAutoscalerSettings
from components.platform.config import Section
from components.settings import Autoscaler, ConfigError, EksSettings
from preflight.harness import read_stack_config

KEY = "betterprompts:eks"


def stack_eks(stack: str) -> dict[str, Any]:
    config, _ = read_stack_config(stack)
    return copy.deepcopy(config[KEY])


def parse(raw: dict[str, Any]) -> EksSettings:
    return EksSettings.read(Section(raw, KEY))


def karpenter_variant(raw: dict[str, Any]) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    raw["autoscaler"] = "karpenter"
    del raw["clusterAutoscaler"]
    for pool in ("gpu", "spot", "training"):
        raw["nodeGroups"].pop(pool, None)
    raw["karpenter"] = {}
    return raw


def test_production_is_the_seed() -> None:
    eks = parse(stack_eks("production"))
    assert eks.kubernetes_version == "1.35"
    assert eks.public_access_cidrs == ()
    assert eks.log_retention_days == 365
    groups = {pool: (g.instance_types, g.min_size, g.max_size) for pool, g in eks.node_groups.items()}
    assert groups == {
        "system": (("t3a.medium",), 2, 4),
        "application": (("c6i.xlarge", "c6a.xlarge", "c5.xlarge", "c5a.xlarge"), 3, 9),
        "gpu": (("g4dn.xlarge",), 0, 5),
        "spot": (("t3a.large", "t3.large"), 0, 10),
        "training": (("g5.xlarge", "g4dn.xlarge"), 0, 4),
    }
    assert eks.autoscaler is Autoscaler.CLUSTER_AUTOSCALER
    assert eks.cluster_autoscaler == ClusterAutoscalerSettings(
        scale_down_utilization_threshold=0.5,
        scale_down_unneeded_time="10m",
        new_pod_scale_up_delay="30s",
        expander_priorities=("spot", "application", "system"),
        gpu_scale_down_unneeded_time="30m",
        gpu_scale_down_utilization_threshold=0.2,
    )
    assert eks.karpenter is None
    assert eks.controller_replicas == 2


def test_staging_is_about_half() -> None:
    eks = parse(stack_eks("staging"))
    groups = {pool: (g.instance_types[0], g.min_size, g.max_size) for pool, g in eks.node_groups.items()}
    assert groups == {
        "system": ("t3a.medium", 1, 2),
        "application": ("c6i.large", 2, 4),
        "gpu": ("g4dn.xlarge", 0, 2),
        "spot": ("t3a.large", 0, 5),
        "training": ("g4dn.xlarge", 0, 1),
    }
    assert eks.public_access_cidrs == ()
    assert eks.controller_replicas == 1


def test_karpenter_mode_defaults() -> None:
    eks = parse(karpenter_variant(stack_eks("staging")))
    assert eks.autoscaler is Autoscaler.KARPENTER
    assert eks.cluster_autoscaler is None
    assert eks.karpenter is not None
    assert eks.karpenter.spot_instance_families == ("t3a", "t3")
    assert set(eks.node_groups) == {"system", "application"}


def _set(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    *parents, last = path.split(".")
    target = raw
    for part in parents:
        target = target[part]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return raw


@pytest.mark.parametrize(
    ("path", "value", "bad_key"),
    [
        ("kubernetesVersion", "1.35.1", "kubernetesVersion"),
        ("kubernetesVersion", 1.35, "kubernetesVersion"),
        # Versions EKS does not offer: unknown to the calendar, or past the end of extended support.
        ("kubernetesVersion", "1.99", "kubernetesVersion"),
        ("kubernetesVersion", "1.29", "kubernetesVersion"),
        ("endpoint.publicAccessCidrs", ["0.0.0.0/0"], "endpoint.publicAccessCidrs[0]"),
        ("endpoint.publicAccessCidrs", ["10.0.0.1/16"], "endpoint.publicAccessCidrs[0]"),
        # Placeholders and ranges a public endpoint never sees: a ConfigError saying what to set.
        ("endpoint.publicAccessCidrs", ["203.0.113.0/24"], "endpoint.publicAccessCidrs[0]"),
        ("endpoint.publicAccessCidrs", ["52.1.2.3/32", "198.51.100.7/32"], "endpoint.publicAccessCidrs[1]"),
        ("endpoint.publicAccessCidrs", ["10.0.0.0/8"], "endpoint.publicAccessCidrs[0]"),
        ("endpoint.publicAccessCidrs", ["100.64.0.0/10"], "endpoint.publicAccessCidrs[0]"),
        ("controlPlaneLogs.retentionDays", 100, "controlPlaneLogs.retentionDays"),
        ("adminRoles", [], "adminRoles"),
        ("adminRoles", ["not a role!"], "adminRoles[0]"),
        ("addons.vpcCni", "latest", "addons.vpcCni"),
        # kube-proxy must be built for the cluster's minor version.
        ("addons.kubeProxy", "v1.31.2-eksbuild.3", "addons.kubeProxy"),
        # Add-on builds not published for Kubernetes 1.35 (the 1.32 stack's old pins).
        ("addons.vpcCni", "v1.19.2-eksbuild.5", "addons.vpcCni"),
        ("addons.coreDns", "v1.11.4-eksbuild.2", "addons.coreDns"),
        ("addons.ebsCsiDriver", "v1.39.0-eksbuild.1", "addons.ebsCsiDriver"),
        ("addons.kubeProxy", "v1.35.9-eksbuild.1", "addons.kubeProxy"),
        ("addons.ebsCsiDriver", None, "addons.ebsCsiDriver"),
        ("nodeGroups.system", None, "nodeGroups.system"),
        ("nodeGroups.gpu.instanceTypes", ["c6i.xlarge"], "nodeGroups.gpu.instanceTypes[0]"),
        ("nodeGroups.application.instanceTypes", [], "nodeGroups.application.instanceTypes"),
        ("nodeGroups.application.size", {"min": 5, "max": 3}, "nodeGroups.application.size"),
        ("nodeGroups.spot.size", {"min": 0, "max": 0}, "nodeGroups.spot.size"),
        ("nodeGroups.application.desired", 12, "nodeGroups.application.desired"),
        ("nodeGroups.system.typo", 1, "nodeGroups.system.typo"),
        ("nodeGroups.batch", {"instanceTypes": ["t3.large"], "size": {"min": 0, "max": 1}}, "nodeGroups.batch"),
        ("autoscaler", "both", "autoscaler"),
        ("clusterAutoscaler.scaleDownUnneededTime", "ten minutes", "clusterAutoscaler.scaleDownUnneededTime"),
        ("clusterAutoscaler.scaleDownUtilizationThreshold", 1.5, "clusterAutoscaler.scaleDownUtilizationThreshold"),
        ("clusterAutoscaler.expanderPriorities", ["spot", "batch"], "clusterAutoscaler.expanderPriorities[1]"),
        ("clusterAutoscaler.expanderPriorities", ["spot", "spot"], "clusterAutoscaler.expanderPriorities"),
        ("controllerReplicas", 0, "controllerReplicas"),
        ("nodeGroups.gpu.labels", {"node.kubernetes.io/lifecycle": "x"}, "nodeGroups.gpu.labels.node.kubernetes.io/lifecycle"),
        # The training pool: GPU types only, one shape, and from zero.
        ("nodeGroups.training.instanceTypes", ["t3a.large"], "nodeGroups.training.instanceTypes[0]"),
        ("nodeGroups.training.instanceTypes", ["g5.xlarge", "g5.2xlarge"], "nodeGroups.training.instanceTypes"),
        ("nodeGroups.training.instanceTypes", ["g4dn.xlarge", "g4dn.12xlarge"], "nodeGroups.training.instanceTypes"),
        ("nodeGroups.training.size", {"min": 1, "max": 4}, "nodeGroups.training.size"),
        ("nodeGroups.gpu.instanceTypes", ["g4dn.xlarge", "p3.2xlarge"], "nodeGroups.gpu.instanceTypes"),
    ],
)
def test_bad_values_are_refused(path: str, value: Any, bad_key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse(_set(stack_eks("production"), path, value))
    assert error.value.key == f"{KEY}.{bad_key}"


def test_gpu_inference_pool_reaches_the_seeds_one_to_ten() -> None:
    """Option A's "GPU instances with automatic scaling (1-10 nodes)" is a config value, not a code change."""
    eks = parse(_set(stack_eks("production"), "nodeGroups.gpu.size", {"min": 1, "max": 10}))
    assert (eks.node_groups["gpu"].min_size, eks.node_groups["gpu"].max_size) == (1, 10)


def test_karpenter_training_pool_families_are_gpu_families() -> None:
    raw = karpenter_variant(stack_eks("staging"))
    raw["karpenter"] = {"trainingInstanceFamilies": ["g5", "g4dn"], "trainingGpuLimit": 3}
    eks = parse(raw)
    assert eks.karpenter is not None
    assert (eks.karpenter.training_instance_families, eks.karpenter.training_gpu_limit) == (("g5", "g4dn"), 3)
    raw["karpenter"] = {"trainingInstanceFamilies": ["g5", "c6i"]}
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.karpenter.trainingInstanceFamilies[1]"
    # Without families there is no training NodePool (the default).
    raw["karpenter"] = {}
    karpenter = parse(raw).karpenter
    assert karpenter is not None and karpenter.training_instance_families == ()


def test_karpenter_settings_under_cluster_autoscaler_are_a_conflict() -> None:
    raw = _set(stack_eks("production"), "karpenter", {"gpuLimit": 4})
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.karpenter"
    assert "must never manage the same nodes" in error.value.allowed


def test_cluster_autoscaler_settings_under_karpenter_are_a_conflict() -> None:
    raw = karpenter_variant(stack_eks("staging"))
    raw["clusterAutoscaler"] = {"scaleDownUnneededTime": "10m"}
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.clusterAutoscaler"


@pytest.mark.parametrize("pool", ["spot", "gpu"])
def test_managed_group_for_a_karpenter_pool_is_a_conflict(pool: str) -> None:
    raw = karpenter_variant(stack_eks("production"))
    raw["nodeGroups"][pool] = stack_eks("production")["nodeGroups"][pool]
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.nodeGroups.{pool}"
    assert "Karpenter" in error.value.allowed


def test_karpenter_gpu_types_must_be_gpu_types() -> None:
    raw = karpenter_variant(stack_eks("staging"))
    raw["karpenter"] = {"gpuInstanceTypes": ["m5.large"]}
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.karpenter.gpuInstanceTypes[0]"


def test_karpenter_replicas_need_as_many_system_nodes() -> None:
    raw = karpenter_variant(stack_eks("staging"))
    raw["controllerReplicas"] = 2
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.controllerReplicas"


def test_a_placeholder_endpoint_range_says_what_to_set() -> None:
    with pytest.raises(ConfigError) as error:
        parse(_set(stack_eks("staging"), "endpoint.publicAccessCidrs", ["203.0.113.0/24"]))
    assert "public egress range" in error.value.allowed
    assert "betterprompts:deploy" in error.value.allowed  # the working default: the runner in the VPC


def test_a_real_public_range_is_accepted() -> None:
    eks = parse(_set(stack_eks("staging"), "endpoint.publicAccessCidrs", ["52.1.2.3/32"]))
    assert eks.public_access_cidrs == ("52.1.2.3/32",)


def test_an_unknown_version_names_the_versions_eks_offers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2026-11-26")
    with pytest.raises(ConfigError) as error:
        parse(_set(stack_eks("production"), "kubernetesVersion", "1.37"))
    message = str(error.value)
    assert "not in the EKS calendar" in message
    # Offered on 2026-11-26: 1.31 left extended support that day; 1.32-1.36 remain.
    assert "1.32, 1.33, 1.34, 1.35, 1.36" in message and "1.31" not in message


def test_the_pinned_version_stops_being_offered_when_its_extended_support_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2028-03-27")
    with pytest.raises(ConfigError, match="not offered by EKS on 2028-03-27"):
        parse(stack_eks("production"))
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2028-03-26")
    assert parse(stack_eks("production")).kubernetes_version == "1.35"


def test_an_addon_build_for_another_version_names_the_published_builds() -> None:
    with pytest.raises(ConfigError) as error:
        parse(_set(stack_eks("production"), "addons.coreDns", "v1.11.4-eksbuild.2"))
    assert "coredns build EKS publishes for Kubernetes 1.35 (v1.13.2-eksbuild.4, v1.14.3-eksbuild.3" in str(error.value)

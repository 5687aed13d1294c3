"""``betterprompts:eks``: the EKS cluster, its node groups, autoscaler and add-ons.

Production carries the seed's sizes ("1. Container Orchestration - Amazon EKS");
staging about half. Which autoscaler manages the elastic pools is chosen per stack
(``autoscaler``); asking for both on the same nodes is a config error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# The pack owns the EKS calendar (it must stand alone); the settings follow it.
from policies.eks_lifecycle import UNSUPPORTED, load_calendar, today

from ..platform import (
    LOG_RETENTION_DAYS,
    ConfigError,
    Section,
    by_size,
    check_offered,
    check_priced,
    check_string,
    ec2_instance_types,
    ec2_unpriced,
    instance_shape,
    known_shape,
    parse_cidr,
    priced_ec2_instance_types,
)
from .node_pools import POOLS

# The pools EksCluster knows (components/eks/node_pools.py names their labels and taints).
POOL_NAMES = ("system", "application", "gpu", "spot", "training")
# Pools every stack must have as managed node groups: the add-ons and the always-on services run there.
REQUIRED_POOLS = ("system", "application")
# Pools Karpenter provisions in karpenter mode: a managed node group for them would be scaled twice.
KARPENTER_POOLS = ("gpu", "spot", "training")

_K8S_VERSION = re.compile(r"^1\.(\d{2})$")
_ADDON_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$")  # sizes such as metal-48xl
_DURATION = re.compile(r"^[1-9]\d*(s|m|h)$")
_IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
# The architecture of the AL2023 EKS AMIs every pool runs (components/eks/plan.py: AL2023_x86_64_*),
# in the autoscaler table's terms.
NODE_ARCHITECTURE = "amd64"
# Instance families with NVIDIA GPUs the NVIDIA AMI and device plugin serve.
GPU_FAMILIES = ("g4dn", "g5", "g6", "g6e", "p3", "p4d", "p5")


class Autoscaler(str, Enum):
    """Which controller scales the cluster's nodes."""

    CLUSTER_AUTOSCALER = "cluster-autoscaler"
    """The Cluster Autoscaler resizes the managed node groups (priority expander)."""
    KARPENTER = "karpenter"
    """Karpenter provisions the spot and GPU pools itself; managed groups stay fixed."""


@dataclass(frozen=True)
class NodeGroupSettings:
    """One managed node group (a pool of ``components/eks/node_pools.py``)."""

    instance_types: tuple[str, ...]
    """Instance types; more than one only with the same vCPU and memory (the autoscaler assumes one shape)."""
    min_size: int
    max_size: int
    desired_size: int
    """Nodes at creation; afterwards the autoscaler owns the count."""
    disk_size_gib: int = 50
    """Root volume (gp3, encrypted with the stack's storage key)."""
    labels: dict[str, str] = field(default_factory=dict)
    """Extra Kubernetes labels on top of the pool label (for example the GPU accelerator)."""


@dataclass(frozen=True)
class AddonVersions:
    """Pinned EKS managed add-on versions; each must be published for ``kubernetesVersion``."""

    vpc_cni: str
    core_dns: str
    kube_proxy: str
    ebs_csi_driver: str


@dataclass(frozen=True)
class ClusterAutoscalerSettings:
    """The seed's "Cluster Autoscaler" block."""

    scale_down_utilization_threshold: float = 0.5
    """A node whose requests are below this share of its capacity is a scale-down candidate."""
    scale_down_unneeded_time: str = "10m"
    """How long a node must stay unneeded before it is removed."""
    new_pod_scale_up_delay: str = "30s"
    """Pods younger than this are not yet considered for scale-up (the seed's 30 s pending)."""
    expander_priorities: tuple[str, ...] = ("spot", "application", "system")
    """Pools in order of preference when several can take a pending pod (highest first)."""
    gpu_scale_down_unneeded_time: str = "30m"
    """Per-node-group override on the GPU group: GPU nodes are slow and dear to bring back."""
    gpu_scale_down_utilization_threshold: float = 0.2
    """Per-node-group override on the GPU group: only nearly idle GPU nodes are candidates."""


@dataclass(frozen=True)
class KarpenterSettings:
    """Karpenter's spot burst and GPU NodePools."""

    spot_instance_families: tuple[str, ...] = ("t3a", "t3")
    spot_cpu_limit: int = 40
    """Upper bound on vCPUs the spot NodePool may hold."""
    gpu_instance_types: tuple[str, ...] = ("g4dn.xlarge",)
    gpu_limit: int = 5
    """Upper bound on GPUs the GPU NodePool may hold."""
    consolidate_after: str = "1m"
    """Spot nodes empty or underused this long are consolidated."""
    gpu_consolidate_after: str = "30m"
    """GPU nodes are only removed when empty, after this long (no aggressive scale-down)."""
    training_instance_families: tuple[str, ...] = ()
    """GPU families of the spot training NodePool (``g5``, ``g4dn``, ...); empty: no training pool."""
    training_gpu_limit: int = 4
    """Upper bound on GPUs the training NodePool may hold."""
    expire_after: str = "720h"
    """Nodes are replaced after this age, so AMIs and kernels stay fresh."""


@dataclass(frozen=True)
class EksSettings:
    kubernetes_version: str
    """Control plane and node version, such as ``1.32``."""
    public_access_cidrs: tuple[str, ...]
    """Ranges allowed to reach the public API endpoint; empty turns the public endpoint off."""
    log_retention_days: int
    """Days CloudWatch Logs keeps the control-plane logs."""
    admin_roles: tuple[str, ...]
    """IAM role names or ARNs given cluster-admin access entries."""
    addons: AddonVersions
    node_groups: dict[str, NodeGroupSettings]
    """Managed node groups by pool name."""
    autoscaler: Autoscaler
    cluster_autoscaler: ClusterAutoscalerSettings | None
    """Set when ``autoscaler`` is ``cluster-autoscaler``."""
    karpenter: KarpenterSettings | None
    """Set when ``autoscaler`` is ``karpenter``."""
    controller_replicas: int = 2
    """Replicas of each add-on controller (metrics-server, load balancer and EFS controllers, Karpenter)."""

    @property
    def minor_version(self) -> int:
        return int(self.kubernetes_version.split(".")[1])

    @staticmethod
    def read(section: Section, region: str = "us-east-1") -> "EksSettings":
        # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
        version = section.string("kubernetesVersion", example=_newest_offered())
        if not _K8S_VERSION.match(version):
            raise ConfigError(section.key("kubernetesVersion"), version, "a Kubernetes minor version such as 1.35 (quoted)")
        _check_offered(section.key("kubernetesVersion"), version)

        def public_cidr(key: str, value: Any) -> str:
            network = parse_cidr(key, value)
            if network.prefixlen == 0:
                raise ConfigError(key, value, "the ranges deployments run from, not the whole internet")
            if not network.is_global:
                # Documentation (RFC 5737), private and reserved ranges never reach a public endpoint;
                # a placeholder here makes every Kubernetes object of the deploy time out: say what to set.
                raise ConfigError(
                    key,
                    value,
                    "the public egress range (such as a NAT gateway's address/32) of a machine that runs pulumi outside "
                    "the VPC, not a documentation, private or reserved range; or leave publicAccessCidrs empty "
                    "(the default): the deploy runner in the VPC (betterprompts:deploy) reaches the private endpoint",
                )
            return str(network)

        endpoint = section.child("endpoint", {})
        cidrs = endpoint.strings("publicAccessCidrs", [], item=public_cidr)
        endpoint.finish()

        logs = section.child("controlPlaneLogs", {})
        retention = logs.integer("retentionDays", 365)
        if retention not in LOG_RETENTION_DAYS:
            raise ConfigError(
                logs.key("retentionDays"), retention, "a CloudWatch Logs retention period: " + ", ".join(map(str, LOG_RETENTION_DAYS))
            )
        logs.finish()

        admins = section.strings("adminRoles", min_items=1, item=_admin_role, example=["PlatformAdmin"])
        # A survey's stand-in version says nothing of the add-on builds pinned for the real one.
        addons = _read_addons(
            section.child("addons"), version, section.key("kubernetesVersion"), check=not section.stand_in("kubernetesVersion")
        )

        autoscaler = Autoscaler(section.string("autoscaler", Autoscaler.CLUSTER_AUTOSCALER.value, choices=[a.value for a in Autoscaler]))
        node_groups = _read_node_groups(section.child("nodeGroups"), autoscaler, region)

        cluster_autoscaler: ClusterAutoscalerSettings | None = None
        karpenter: KarpenterSettings | None = None
        if autoscaler is Autoscaler.CLUSTER_AUTOSCALER:
            _reject_other(section, "karpenter", autoscaler)
            cluster_autoscaler = _read_cluster_autoscaler(
                section.child("clusterAutoscaler", {}), node_groups, check=not section.stand_in("nodeGroups")
            )
        else:
            _reject_other(section, "clusterAutoscaler", autoscaler)
            karpenter = _read_karpenter(section.child("karpenter", {}), region)

        replicas = section.integer("controllerReplicas", 2, minimum=1, maximum=5)
        system_min = node_groups["system"].min_size
        if autoscaler is Autoscaler.KARPENTER and replicas > system_min:
            # Karpenter's chart spreads its replicas over distinct nodes it does not manage itself.
            raise ConfigError(
                section.key("controllerReplicas"),
                replicas,
                f"at most {section.key('nodeGroups.system.size.min')} ({system_min}) with Karpenter "
                "(or that many system nodes: Karpenter's replicas each need a node of their own)",
            )
        section.finish()
        return EksSettings(
            kubernetes_version=version,
            public_access_cidrs=cidrs,
            log_retention_days=retention,
            admin_roles=admins,
            addons=addons,
            node_groups=node_groups,
            autoscaler=autoscaler,
            cluster_autoscaler=cluster_autoscaler,
            karpenter=karpenter,
            controller_replicas=replicas,
        )


def _admin_role(key: str, value: Any) -> str:
    text = check_string(key, value)
    if not (_IAM_ROLE_NAME.match(text) or _IAM_ROLE_ARN.match(text)):
        raise ConfigError(key, value, "an IAM role name (PlatformAdmin) or role ARN (arn:aws:iam::123456789012:role/PlatformAdmin)")
    return text


def _duration(key: str, value: Any) -> str:
    text = check_string(key, value)
    if not _DURATION.match(text):
        raise ConfigError(key, value, "a duration such as 30s, 10m or 720h")
    return text


def _reject_other(section: Section, other: str, autoscaler: Autoscaler) -> None:
    """Settings for the autoscaler not chosen mean someone expects both to run: refuse."""
    if section.has(other):
        raise ConfigError(
            section.key(other),
            section.raw(other),
            f"absent while autoscaler is {autoscaler.value}: Cluster Autoscaler and Karpenter must never manage the same nodes",
        )


def _newest_offered() -> str | None:
    """The newest version EKS creates clusters on today (a survey's stand-in for a missing one)."""
    offered = sorted(load_calendar().offered(today()), key=lambda v: int(v.split(".")[1]))
    return offered[-1] if offered else None


def _check_offered(key: str, version: str) -> None:
    """EKS creates clusters only on versions in standard or extended support (policies/eks_versions.json)."""
    calendar = load_calendar()
    day = today()
    entry = calendar.get(version)
    if entry is None or entry.release > day or entry.status(day) == UNSUPPORTED:
        offered = ", ".join(sorted(calendar.offered(day), key=lambda v: int(v.split(".")[1])))
        why = "not in the EKS calendar" if entry is None else "not offered by EKS on " + day.isoformat()
        raise ConfigError(key, version, f"a version EKS offers ({why}): {offered}")


def _read_addons(section: Section, version: str, version_key: str, *, check: bool = True) -> AddonVersions:
    calendar = load_calendar()

    def addon(name: str, addon_name: str) -> str:
        # The newest build EKS publishes for the version: a survey's stand-in for a missing one.
        value = section.string(name, example=next(iter(reversed(calendar.builds(version, addon_name))), None))
        if not _ADDON_VERSION.match(value) and not section.stand_in(name):
            raise ConfigError(section.key(name), value, "an EKS add-on version such as v1.19.2-eksbuild.5")
        return value

    addons = AddonVersions(
        vpc_cni=addon("vpcCni", "vpc-cni"),
        core_dns=addon("coreDns", "coredns"),
        kube_proxy=addon("kubeProxy", "kube-proxy"),
        ebs_csi_driver=addon("ebsCsiDriver", "aws-ebs-csi-driver"),
    )
    if not check:
        section.finish()
        return addons
    # kube-proxy is built per Kubernetes minor; another minor's build breaks service routing.
    if not addons.kube_proxy.startswith(f"v{version}."):
        # Named with the version's own key: bumping kubernetesVersion is the usual way to get here.
        raise ConfigError(
            section.key("kubeProxy"),
            addons.kube_proxy,
            f"a kube-proxy build for Kubernetes {version} (v{version}.x-eksbuild.N); {version} is {version_key}",
        )
    # Every add-on build must be one EKS publishes for this version (the calendar records them).
    for key, addon_name, pinned in (
        ("vpcCni", "vpc-cni", addons.vpc_cni),
        ("coreDns", "coredns", addons.core_dns),
        ("kubeProxy", "kube-proxy", addons.kube_proxy),
        ("ebsCsiDriver", "aws-ebs-csi-driver", addons.ebs_csi_driver),
    ):
        builds = calendar.builds(version, addon_name)
        if pinned not in builds:
            recorded = ", ".join(builds) if builds else "none recorded yet"
            raise ConfigError(
                section.key(key),
                pinned,
                f"a {addon_name} build EKS publishes for Kubernetes {version} ({recorded}; "
                f"check with `aws eks describe-addon-versions --kubernetes-version {version} --addon-name {addon_name}` "
                f"and record it in policies/eks_versions.json); {version} is {version_key}",
            )
    section.finish()
    return addons


def _read_node_groups(section: Section, autoscaler: Autoscaler, region: str) -> dict[str, NodeGroupSettings]:
    groups: dict[str, NodeGroupSettings] = {}
    for pool in POOL_NAMES:
        if not section.has(pool):
            if pool not in REQUIRED_POOLS:
                continue
            missing = section.absent(pool, f"a node group for the {pool} pool")
            if not section.surveying:
                raise missing
            # A survey reads on with a stand-in pool (its own keys stand in), to find every missing key.
        if autoscaler is Autoscaler.KARPENTER and pool in KARPENTER_POOLS:
            raise ConfigError(
                section.key(pool),
                section.raw(pool),
                f"absent while autoscaler is karpenter: Karpenter's {pool} NodePool provisions this pool, "
                "and two controllers must never manage the same nodes",
            )
        groups[pool] = _read_node_group(section.child(pool), pool, region)
    section.finish()
    return groups


def _node_instance_type(key: str, value: Any, region: str, *, gpu: bool) -> str:
    """An EC2 type the region offers, of the architecture the nodes' AMI runs (and an NVIDIA GPU one for GPU pools)."""
    text = check_string(key, value)
    if not _INSTANCE_TYPE.match(text):
        raise ConfigError(key, value, "an EC2 instance type such as c6i.xlarge")
    check_offered(key, text, ec2_instance_types(region), f"an EC2 instance type offered in {region} (AWS's published list)")
    if gpu and text.split(".")[0] not in GPU_FAMILIES:
        raise ConfigError(key, value, "an NVIDIA GPU instance type (" + ", ".join(f"{f}.*" for f in GPU_FAMILIES) + ")")
    # Every pool runs the x86_64 AL2023 EKS AMIs (standard or NVIDIA): EKS refuses a Graviton type with them,
    # and a type without an architecture fact is refused rather than assumed x86_64.
    shape = known_shape(key, text, "an x86_64 instance type")
    if shape.architecture != NODE_ARCHITECTURE:
        raise ConfigError(key, value, f"an x86_64 instance type: the nodes run the AL2023 x86_64 EKS AMIs ({text} is {shape.architecture})")
    return text


def pool_instance_types(pool: str, region: str) -> tuple[str, ...]:
    """The priced EC2 types a pool accepts first in ``region`` (offered, of the nodes' architecture, GPU for GPU pools)."""

    def usable(instance_type: str) -> bool:
        try:
            _node_instance_type("", instance_type, region, gpu=POOLS[pool].gpu)
        except ConfigError:
            return False
        return True

    return tuple(t for t in by_size(priced_ec2_instance_types(region)) if usable(t))


def _read_node_group(section: Section, pool: str, region: str) -> NodeGroupSettings:
    def instance_type(key: str, value: Any) -> str:
        return _node_instance_type(key, value, region, gpu=POOLS[pool].gpu)

    types = section.strings("instanceTypes", min_items=1, max_items=20, item=instance_type)
    _check_one_shape(section.key("instanceTypes"), types)
    if types:
        # preflight prices a group at its first (preferred) type: one without a price fails its cost stage.
        check_priced(
            f"{section.key('instanceTypes')}[0]", types[0], pool_instance_types(pool, region),
            region=region, what="a first instance type", variants="on-demand; the group is priced at it", offered_by="EC2",
            why=ec2_unpriced(types[0], region),
        )
    labels = section.mapping("labels", {})
    for label in labels:
        # EKS refuses node-group labels in the Kubernetes-reserved namespaces.
        if label.split("/")[0].endswith(("kubernetes.io", "k8s.io")):
            raise ConfigError(f"{section.key('labels')}.{label}", labels[label], "a label outside the kubernetes.io and k8s.io namespaces")
    low, high = section.min_max("size", minimum=0, maximum=100)
    if high == 0:
        raise ConfigError(section.key("size"), {"min": low, "max": high}, "max of at least 1 (EKS rejects an empty node group)")
    desired = section.integer("desired", low, minimum=0, maximum=100)
    if not low <= desired <= high:
        # Either side may be the one that moved: name the pair (a raised size.min is the usual cause).
        raise ConfigError(
            section.key("desired"),
            desired,
            f"from {section.key('size')}.min ({low}) to its max ({high}): change desired or the size",
        )
    if pool == "training" and low != 0:
        # Training jobs are batch work that waits for a node: a standing spot GPU node bills by the hour for nothing.
        raise ConfigError(section.key("size"), {"min": low, "max": high}, "min 0: the training pool scales from zero when a job asks")
    settings = NodeGroupSettings(
        instance_types=types,
        min_size=low,
        max_size=high,
        desired_size=desired,
        disk_size_gib=section.integer("diskSizeGiB", 50, minimum=20, maximum=1000),
        labels=labels,
    )
    section.finish()
    return settings



def _read_cluster_autoscaler(
    section: Section, node_groups: dict[str, NodeGroupSettings], *, check: bool = True
) -> ClusterAutoscalerSettings:
    """``check`` false: the node groups are a survey's stand-in, and pool names are not compared with them."""

    def pool_name(key: str, value: Any) -> str:
        text = check_string(key, value)
        if check and text not in node_groups:
            raise ConfigError(key, value, "a configured node group: " + ", ".join(node_groups))
        return text

    defaults = ClusterAutoscalerSettings()
    # Left out, the priorities are the default order of the pools this stack has: a default that
    # names a pool the stack leaves out would blame a key nobody wrote.
    default_order = [pool for pool in defaults.expander_priorities if pool in node_groups] or list(node_groups)
    priorities = section.strings("expanderPriorities", default_order, min_items=1, item=pool_name)
    if len(set(priorities)) != len(priorities):
        raise ConfigError(section.key("expanderPriorities"), list(priorities), "each pool at most once")
    settings = ClusterAutoscalerSettings(
        scale_down_utilization_threshold=section.number(
            "scaleDownUtilizationThreshold", defaults.scale_down_utilization_threshold, minimum=0.05, maximum=0.95
        ),
        scale_down_unneeded_time=_duration(section.key("scaleDownUnneededTime"), section.raw("scaleDownUnneededTime", defaults.scale_down_unneeded_time)),
        new_pod_scale_up_delay=_duration(section.key("newPodScaleUpDelay"), section.raw("newPodScaleUpDelay", defaults.new_pod_scale_up_delay)),
        expander_priorities=priorities,
        gpu_scale_down_unneeded_time=_duration(
            section.key("gpuScaleDownUnneededTime"), section.raw("gpuScaleDownUnneededTime", defaults.gpu_scale_down_unneeded_time)
        ),
        gpu_scale_down_utilization_threshold=section.number(
            "gpuScaleDownUtilizationThreshold", defaults.gpu_scale_down_utilization_threshold, minimum=0.05, maximum=0.95
        ),
    )
    section.finish()
    return settings


def _check_one_shape(key: str, types: tuple[str, ...]) -> None:
    """One vCPU/memory/GPU shape per group: the Cluster Autoscaler builds a node from zero as the group's first type.

    Families may mix when the shape is the same (g4dn.xlarge, g5.xlarge and g6.xlarge: 4 vCPUs,
    16 GiB, one GPU; spot capacity from three families for one shape).
    """
    shapes = {t: instance_shape(t) for t in types}
    known = {t: s for t, s in shapes.items() if s is not None}
    if len({(s.vcpus, s.memory_mib, s.gpus) for s in known.values()}) > 1:
        described = ", ".join(f"{t} ({s.vcpus} vCPU, {s.memory_mib // 1024} GiB, {s.gpus} GPU)" for t, s in known.items())
        raise ConfigError(key, list(types), f"instance types of one shape (same vCPUs, memory and GPUs), not {described}")


def _read_karpenter(section: Section, region: str) -> KarpenterSettings:
    defaults = KarpenterSettings()

    def family(key: str, value: Any) -> str:
        text = check_string(key, value)
        if not re.match(r"^[a-z][a-z0-9-]*$", text):
            raise ConfigError(key, value, "an EC2 instance family such as t3a")
        offered = frozenset(t.split(".")[0] for t in ec2_instance_types(region))
        return check_offered(key, text, offered, f"an EC2 instance family offered in {region} (AWS's published list)")

    def gpu_type(key: str, value: Any) -> str:
        return _node_instance_type(key, value, region, gpu=True)

    def gpu_family(key: str, value: Any) -> str:
        text = check_string(key, value)
        if text not in GPU_FAMILIES:
            raise ConfigError(key, value, "an NVIDIA GPU instance family: " + ", ".join(GPU_FAMILIES))
        return text

    settings = KarpenterSettings(
        spot_instance_families=section.strings("spotInstanceFamilies", list(defaults.spot_instance_families), min_items=1, item=family),
        spot_cpu_limit=section.integer("spotCpuLimit", defaults.spot_cpu_limit, minimum=1),
        gpu_instance_types=section.strings("gpuInstanceTypes", list(defaults.gpu_instance_types), min_items=1, item=gpu_type),
        gpu_limit=section.integer("gpuLimit", defaults.gpu_limit, minimum=1),
        consolidate_after=_duration(section.key("consolidateAfter"), section.raw("consolidateAfter", defaults.consolidate_after)),
        gpu_consolidate_after=_duration(section.key("gpuConsolidateAfter"), section.raw("gpuConsolidateAfter", defaults.gpu_consolidate_after)),
        training_instance_families=section.strings("trainingInstanceFamilies", [], item=gpu_family),
        training_gpu_limit=section.integer("trainingGpuLimit", defaults.training_gpu_limit, minimum=1),
        expire_after=_duration(section.key("expireAfter"), section.raw("expireAfter", defaults.expire_after)),
    )
    section.finish()
    return settings

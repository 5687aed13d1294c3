"""Pure calculations for EksCluster: node-group specs, autoscaler values, Karpenter manifests, IAM documents.

Nothing here touches Pulumi; ``components/eks/cluster.py`` feeds the results to resources and
the tests check them directly. Values that are only known at deploy time (role ARNs,
the node security group id) come in as arguments and may be Pulumi outputs: the
functions only place them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..network import Tier
from ..platform import ChartRef, allow, policy_document
from .node_pools import GPU, GPU_POOLS, POOLS, POOL_LABEL, SPOT_POOLS, SYSTEM, TRAINING, NodePool, Taint
from .settings import ClusterAutoscalerSettings, KarpenterSettings, NodeGroupSettings

# --- the control plane ---------------------------------------------------------------

# Every control-plane log type EKS offers (the seed's audit trail).
CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
API_PORT = 443


def control_plane_log_group_name(cluster_name: str) -> str:
    """The log group EKS writes control-plane logs to; created first so it has our retention and key."""
    return f"/aws/eks/{cluster_name}/cluster"


def admin_role_arn(role: str, account_id: str, partition: str = "aws") -> str:
    """A configured admin role (a name or an ARN) as an ARN of this account."""
    return role if role.startswith("arn:") else f"arn:{partition}:iam::{account_id}:role/{role}"


# --- node groups -----------------------------------------------------------------------

# Kubernetes taint effects as the EKS node-group API spells them.
EKS_TAINT_EFFECTS = {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE", "PreferNoSchedule": "PREFER_NO_SCHEDULE"}
# Labels every GPU node carries: the NVIDIA device plugin's default affinity selects on the first.
GPU_NODE_LABELS = {"nvidia.com/gpu.present": "true"}
# The Cluster Autoscaler's AWS GPU label (cloudprovider/aws GPULabel): a node carrying it is a GPU
# node even before the device plugin advertises nvidia.com/gpu, so a scale-up is not repeated
# while the first node's plugin starts. Its value names the accelerator of the group's first type.
ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator"
ACCELERATORS = {
    "g4dn": "nvidia-tesla-t4",
    "g5": "nvidia-a10g",
    "g6": "nvidia-l4",
    "g6e": "nvidia-l40s",
    "p3": "nvidia-tesla-v100",
    "p4d": "nvidia-tesla-a100",
    "p5": "nvidia-h100",
}
# Least privilege for nodes: join the cluster and pull images. The VPC CNI gets its rights
# through its own IRSA role, not the node role, so pods cannot borrow them.
NODE_MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
)
# IMDSv2 only, and one hop: pods (not on the host network) cannot reach the node's credentials.
METADATA_HOP_LIMIT = 1
ROOT_DEVICE = "/dev/xvda"  # the root device of the AL2023 EKS AMIs (standard and NVIDIA)


@dataclass(frozen=True)
class NodeGroupSpec:
    """Everything that makes a managed node group what its pool needs."""

    pool: NodePool
    settings: NodeGroupSettings
    capacity_type: str
    ami_type: str
    subnet_tier: Tier

    @property
    def labels(self) -> dict[str, str]:
        labels = dict(self.settings.labels)
        if self.pool.gpu:
            labels.update(GPU_NODE_LABELS)
            labels.setdefault(ACCELERATOR_LABEL, ACCELERATORS[self.settings.instance_types[0].split(".")[0]])
        labels.update(self.pool.labels)
        return labels

    @property
    def taints(self) -> list[Taint]:
        return [self.pool.taint] if self.pool.taint else []

    def eks_taints(self) -> list[dict[str, str]]:
        """Taints in the EKS API's form (``NO_SCHEDULE``)."""
        return [{"key": t.key, "value": t.value, "effect": EKS_TAINT_EFFECTS[t.effect]} for t in self.taints]


def node_group_spec(pool_name: str, settings: NodeGroupSettings) -> NodeGroupSpec:
    pool = POOLS[pool_name]
    return NodeGroupSpec(
        pool=pool,
        settings=settings,
        capacity_type="SPOT" if pool.spot else "ON_DEMAND",
        # The NVIDIA variant of the AL2023 EKS AMI carries the driver and container toolkit.
        ami_type="AL2023_x86_64_NVIDIA" if pool.gpu else "AL2023_x86_64_STANDARD",
        subnet_tier=Tier.ML if pool.gpu else Tier.APP,
    )


def node_group_name_prefix(cluster_name: str, pool_name: str) -> str:
    """EKS names the group's ASG ``eks-<group name>-<uuid>``; the priority expander matches on it."""
    return f"{cluster_name}-{pool_name}-"


# --- Cluster Autoscaler ----------------------------------------------------------------

CA_NAMESPACE = "kube-system"
CA_SERVICE_ACCOUNT = "cluster-autoscaler"
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
_NODE_TEMPLATE = "k8s.io/cluster-autoscaler/node-template"


def node_template_tags(spec: NodeGroupSpec, autoscaler: ClusterAutoscalerSettings) -> dict[str, str]:
    """ASG tags that let the Cluster Autoscaler build a node of this group from zero.

    An empty group has no node to copy labels and taints from; without these tags a pod
    that needs the spot taint or a GPU label would never trigger a scale-up. The GPU groups
    (inference and training) also carry per-node-group autoscaling options so their nodes are
    not scaled down as eagerly as the rest.
    """
    tags = {f"{_NODE_TEMPLATE}/label/{k}": v for k, v in sorted(spec.labels.items())}
    for taint in spec.taints:
        tags[f"{_NODE_TEMPLATE}/taint/{taint.key}"] = f"{taint.value}:{taint.effect}"
    if spec.pool.gpu:
        options = f"{_NODE_TEMPLATE}/autoscaling-options"
        tags[f"{options}/scaledownunneededtime"] = autoscaler.gpu_scale_down_unneeded_time
        tags[f"{options}/scaledownutilizationthreshold"] = str(autoscaler.gpu_scale_down_utilization_threshold)
        tags[f"{options}/scaledowngpuutilizationthreshold"] = str(autoscaler.gpu_scale_down_utilization_threshold)
    return tags


def priority_expander_priorities(cluster_name: str, priorities: Sequence[str], all_pools: Sequence[str]) -> dict[str, list[str]]:
    """The priority expander's ConfigMap content: ASG-name patterns by priority (higher wins).

    Pools named in ``priorities`` come first, highest first; every other configured pool (the
    GPU groups: inference and training) shares the lowest priority, so it is only chosen when
    nothing else fits. (The two never compete: each takes only pods that tolerate its own taint.)
    """

    def pattern(pool: str) -> str:
        return f"^eks-{_literal(node_group_name_prefix(cluster_name, pool))}.*"

    ranked = {str((len(priorities) + 1 - index) * 10): [pattern(pool)] for index, pool in enumerate(priorities)}
    rest = [pattern(pool) for pool in all_pools if pool not in priorities]
    return {**ranked, "10": rest} if rest else ranked


def _literal(text: str) -> str:
    """``text`` as a regular expression matching itself (hyphens need no escape in RE2)."""
    return re.escape(text).replace("\\-", "-")


def cluster_autoscaler_values(
    *,
    cluster_name: str,
    region: str,
    role_arn: Any,
    settings: ClusterAutoscalerSettings,
    pools: Sequence[str],
) -> dict[str, Any]:
    """Values for the official cluster-autoscaler chart."""
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {"clusterName": cluster_name},
        "rbac": {
            "serviceAccount": {
                "create": True,
                "name": CA_SERVICE_ACCOUNT,
                "annotations": {IRSA_ANNOTATION: role_arn},
            }
        },
        "extraArgs": {
            # Priority first; least-waste breaks ties inside one priority.
            "expander": "priority,least-waste",
            "scale-down-utilization-threshold": settings.scale_down_utilization_threshold,
            "scale-down-unneeded-time": settings.scale_down_unneeded_time,
            "new-pod-scale-up-delay": settings.new_pod_scale_up_delay,
            "balance-similar-node-groups": True,
            "skip-nodes-with-local-storage": False,
        },
        "expanderPriorities": priority_expander_priorities(cluster_name, settings.expander_priorities, pools),
        "nodeSelector": SYSTEM.node_selector(),
        "tolerations": SYSTEM.tolerations(),
        "priorityClassName": "system-cluster-critical",
    }


def cluster_autoscaler_policy(cluster_name: str, region: str, account_id: str, partition: str = "aws") -> str:
    """The Cluster Autoscaler's IRSA policy: it may resize only ASGs tagged as this cluster's."""
    return policy_document(
        [
            allow(
                [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                "*",
                Sid="DescribeScalingState",
            ),
            allow(
                ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                "*",
                Sid="ResizeOnlyThisClustersGroups",
                Condition={
                    "StringEquals": {
                        f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned",
                        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                    }
                },
            ),
            # Managed node groups: labels and taints for scale-from-zero come from the EKS API too.
            allow(
                ["eks:DescribeNodegroup"],
                f"arn:{partition}:eks:{region}:{account_id}:nodegroup/{cluster_name}/*",
                Sid="ReadThisClustersNodeGroups",
            ),
        ]
    )


# --- Karpenter -------------------------------------------------------------------------

KARPENTER_NAMESPACE = "kube-system"
KARPENTER_SERVICE_ACCOUNT = "karpenter"
KARPENTER_NODE_CLASS_API = "karpenter.k8s.aws/v1"
KARPENTER_NODE_POOL_API = "karpenter.sh/v1"


@dataclass(frozen=True)
class InterruptionRule:
    key: str
    description: str
    source: str
    detail_type: str
    former_key: str | None = None
    """The key the rule had before it was shortened (its resources carry an alias to it)."""

    def event_pattern(self) -> dict[str, list[str]]:
        return {"source": [self.source], "detail-type": [self.detail_type]}


# The events Karpenter drains nodes ahead of (its interruption-handling guide).
INTERRUPTION_RULES = (
    InterruptionRule("scheduled-change", "AWS Health scheduled changes", "aws.health", "AWS Health Event"),
    # "spot-interruption" made production's rule name 57 + 8 characters: EventBridge allows 64.
    InterruptionRule(
        "spot-interrupt", "EC2 Spot interruption warnings", "aws.ec2", "EC2 Spot Instance Interruption Warning", former_key="spot-interruption"
    ),
    InterruptionRule("rebalance", "EC2 rebalance recommendations", "aws.ec2", "EC2 Instance Rebalance Recommendation"),
    InterruptionRule("state-change", "EC2 instance state changes", "aws.ec2", "EC2 Instance State-change Notification"),
)


def interruption_queue_policy(queue_arn: str, rule_arns: Sequence[str]) -> str:
    """Only this stack's EventBridge rules may send to the interruption queue, and only over TLS.

    ``aws:SourceArn`` (the rule that matched) is the confused-deputy protection EventBridge
    documents for SQS targets: another account's rule cannot feed the queue.
    """
    if not rule_arns:
        raise ValueError("the interruption queue needs the ARNs of the rules that feed it")
    return policy_document(
        [
            {
                "Sid": "EventBridgeRulesSend",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": sorted(rule_arns)}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ]
    )


def karpenter_controller_policy(
    *,
    cluster_name: str,
    region: str,
    account_id: str,
    node_role_arn: str,
    queue_arn: str,
    volume_key_arn: str,
    queue_key_arn: str,
    partition: str = "aws",
) -> str:
    """Karpenter's controller policy (after the v1.14.1 getting-started CloudFormation reference), scoped to this cluster.

    It may launch only with our images, subnets and security groups, tag and delete only
    what it launched (``kubernetes.io/cluster/<name>=owned`` and a NodePool tag), pass only
    the node role, and use the storage key only through EC2 for node volumes.
    """
    ec2 = f"arn:{partition}:ec2:{region}"
    owned = f"aws:ResourceTag/kubernetes.io/cluster/{cluster_name}"
    request_owned = f"aws:RequestTag/kubernetes.io/cluster/{cluster_name}"
    launched = [f"{ec2}:*:{kind}/*" for kind in ("fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request")]
    instance_profiles = f"arn:{partition}:iam::{account_id}:instance-profile/*"
    profile_scope = {
        f"aws:RequestTag/kubernetes.io/cluster/{cluster_name}": "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster_name,
        "aws:RequestTag/topology.kubernetes.io/region": region,
    }
    return policy_document(
        [
            allow(
                ["ec2:RunInstances", "ec2:CreateFleet"],
                [f"{ec2}::image/*", f"{ec2}::snapshot/*", f"{ec2}:*:security-group/*", f"{ec2}:*:subnet/*", f"{ec2}:*:capacity-reservation/*",
                 # Karpenter v1.14's reference policy adds placement groups (NodeClass placement).
                 f"{ec2}:*:placement-group/*"],
                Sid="AllowScopedEC2InstanceAccessActions",
            ),
            allow(
                ["ec2:RunInstances", "ec2:CreateFleet"],
                f"{ec2}:*:launch-template/*",
                Sid="AllowScopedEC2LaunchTemplateAccessActions",
                Condition={"StringEquals": {owned: "owned"}, "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}},
            ),
            allow(
                ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
                launched,
                Sid="AllowScopedEC2InstanceActionsWithTags",
                Condition={
                    "StringEquals": {request_owned: "owned", "aws:RequestTag/eks:eks-cluster-name": cluster_name},
                    "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
                },
            ),
            allow(
                ["ec2:CreateTags"],
                launched,
                Sid="AllowScopedResourceCreationTagging",
                Condition={
                    "StringEquals": {
                        request_owned: "owned",
                        "aws:RequestTag/eks:eks-cluster-name": cluster_name,
                        "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                    },
                    "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
                },
            ),
            allow(
                ["ec2:CreateTags"],
                f"{ec2}:*:instance/*",
                Sid="AllowScopedResourceTagging",
                Condition={
                    "StringEquals": {owned: "owned"},
                    "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                    "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster_name},
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]},
                },
            ),
            allow(
                ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
                [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
                Sid="AllowScopedDeletion",
                Condition={"StringEquals": {owned: "owned"}, "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}},
            ),
            allow(
                [
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeCapacityReservations",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstances",
                    "ec2:DescribeInstanceStatus",
                    "ec2:DescribeInstanceTypeOfferings",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplates",
                    "ec2:DescribePlacementGroups",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSpotPriceHistory",
                    "ec2:DescribeSubnets",
                ],
                "*",
                Sid="AllowRegionalReadActions",
                Condition={"StringEquals": {"aws:RequestedRegion": region}},
            ),
            allow(["ssm:GetParameter"], f"arn:{partition}:ssm:{region}::parameter/aws/service/*", Sid="AllowSSMReadActions"),
            allow(["pricing:GetProducts"], "*", Sid="AllowPricingReadActions"),
            allow(["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], queue_arn, Sid="AllowInterruptionQueueActions"),
            # The queue is encrypted with a customer key: receiving decrypts, through SQS only.
            allow(
                ["kms:Decrypt"],
                queue_key_arn,
                Sid="AllowInterruptionQueueDecrypt",
                Condition={"StringEquals": {"kms:ViaService": f"sqs.{region}.amazonaws.com"}},
            ),
            allow(
                ["iam:PassRole"],
                node_role_arn,
                Sid="AllowPassingInstanceRole",
                Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
            ),
            allow(
                ["iam:CreateInstanceProfile", "iam:TagInstanceProfile"],
                instance_profiles,
                Sid="AllowScopedInstanceProfileCreationActions",
                Condition={"StringEquals": profile_scope, "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}},
            ),
            allow(
                ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile", "iam:TagInstanceProfile"],
                instance_profiles,
                Sid="AllowScopedInstanceProfileActions",
                Condition={
                    "StringEquals": {
                        f"aws:ResourceTag/kubernetes.io/cluster/{cluster_name}": "owned",
                        "aws:ResourceTag/topology.kubernetes.io/region": region,
                    },
                    "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
                },
            ),
            allow(["iam:GetInstanceProfile", "iam:ListInstanceProfiles"], instance_profiles, Sid="AllowInstanceProfileReadActions"),
            allow(["eks:DescribeCluster"], f"arn:{partition}:eks:{region}:{account_id}:cluster/{cluster_name}", Sid="AllowAPIServerEndpointDiscovery"),
            ebs_key_statement(volume_key_arn, region, sid="EncryptNodeVolumesThroughEc2"),
        ]
    )


def ebs_key_statement(key_arn: str, region: str, *, sid: str) -> dict[str, Any]:
    """Use of the storage key for EBS volumes, only through EC2 in this region."""
    return allow(
        ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
        key_arn,
        Sid=sid,
        Condition={"StringEquals": {"kms:ViaService": f"ec2.{region}.amazonaws.com"}},
    )


def ebs_csi_kms_policy(key_arn: str, region: str) -> str:
    """The EBS CSI driver may create volumes encrypted with the stack's storage key."""
    return policy_document([ebs_key_statement(key_arn, region, sid="EncryptVolumesWithStorageKey")])


def ec2_node_class(
    *,
    name: str,
    node_role_name: Any,
    discovery_tag: str,
    security_group_id: Any,
    volume_key_arn: Any,
    disk_size_gib: int,
    tags: Mapping[str, str],
) -> dict[str, Any]:
    """An ``EC2NodeClass``: AL2023 nodes, encrypted gp3 root, IMDSv2 with one hop, subnets by VPC tag."""
    return {
        "apiVersion": KARPENTER_NODE_CLASS_API,
        "kind": "EC2NodeClass",
        "metadata": {"name": name},
        "spec": {
            "role": node_role_name,
            # The al2023 alias picks the NVIDIA variant of the EKS AMI for GPU instance types.
            "amiSelectorTerms": [{"alias": "al2023@latest"}],
            "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": discovery_tag}}],
            "securityGroupSelectorTerms": [{"id": security_group_id}],
            "metadataOptions": {
                "httpEndpoint": "enabled",
                "httpProtocolIPv6": "disabled",
                "httpPutResponseHopLimit": METADATA_HOP_LIMIT,
                "httpTokens": "required",
            },
            "blockDeviceMappings": [
                {
                    "deviceName": ROOT_DEVICE,
                    "ebs": {
                        "volumeSize": f"{disk_size_gib}Gi",
                        "volumeType": "gp3",
                        "encrypted": True,
                        "kmsKeyID": volume_key_arn,
                        "deleteOnTermination": True,
                    },
                }
            ],
            "tags": dict(tags),
        },
    }


def karpenter_node_pools(settings: KarpenterSettings, *, general_class: str, gpu_class: str) -> list[dict[str, Any]]:
    """The spot burst, GPU and (when families are set) spot GPU training ``NodePool`` objects,
    labelled and tainted as node_pools.py says."""
    spot = POOLS["spot"]
    amd64 = {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}
    pools = [
        _karpenter_node_pool(
            spot,
            spot.labels,
            general_class,
            [_capacity("spot"), _families(settings.spot_instance_families), amd64],
            {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": settings.consolidate_after},
            {"cpu": str(settings.spot_cpu_limit)},
            settings.expire_after,
        ),
        _karpenter_node_pool(
            GPU,
            {**GPU_NODE_LABELS, **GPU.labels},
            gpu_class,
            [_capacity("on-demand"), {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": list(settings.gpu_instance_types)}],
            # Only empty GPU nodes go, and only after a long wait: no aggressive scale-down.
            {"consolidationPolicy": "WhenEmpty", "consolidateAfter": settings.gpu_consolidate_after},
            {"nvidia.com/gpu": str(settings.gpu_limit)},
            settings.expire_after,
        ),
    ]
    if settings.training_instance_families:
        pools.append(
            _karpenter_node_pool(
                TRAINING,
                {**GPU_NODE_LABELS, **TRAINING.labels},
                # The GPU class: ML subnets, the GPU disk size, the NVIDIA AMI for GPU types.
                gpu_class,
                [_capacity("spot"), _families(settings.training_instance_families), amd64],
                # A running training job is never consolidated away; an empty node goes after the GPU wait.
                {"consolidationPolicy": "WhenEmpty", "consolidateAfter": settings.gpu_consolidate_after},
                {"nvidia.com/gpu": str(settings.training_gpu_limit)},
                settings.expire_after,
            )
        )
    return pools


def _capacity(kind: str) -> dict[str, Any]:
    return {"key": "karpenter.sh/capacity-type", "operator": "In", "values": [kind]}


def _families(families: Sequence[str]) -> dict[str, Any]:
    return {"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": list(families)}


def _karpenter_node_pool(
    pool: NodePool,
    labels: Mapping[str, str],
    node_class: str,
    requirements: list[dict[str, Any]],
    disruption: dict[str, str],
    limits: dict[str, str],
    expire_after: str,
) -> dict[str, Any]:
    """One ``NodePool`` named after its pool, with the pool's taint."""
    return {
        "apiVersion": KARPENTER_NODE_POOL_API,
        "kind": "NodePool",
        "metadata": {"name": pool.name},
        "spec": {
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": node_class},
                    "requirements": requirements,
                    "taints": [_k8s_taint(t) for t in ([pool.taint] if pool.taint else [])],
                    "expireAfter": expire_after,
                },
            },
            "disruption": disruption,
            "limits": limits,
        },
    }


def karpenter_values(*, cluster_name: str, queue_name: Any, role_arn: Any, replicas: int) -> dict[str, Any]:
    return {
        "settings": {"clusterName": cluster_name, "interruptionQueue": queue_name},
        "serviceAccount": {"name": KARPENTER_SERVICE_ACCOUNT, "annotations": {IRSA_ANNOTATION: role_arn}},
        "replicas": replicas,
        # Karpenter must not run on nodes it manages: the system group hosts it.
        "nodeSelector": SYSTEM.node_selector(),
        "controller": {"resources": {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}}},
    }


def _k8s_taint(taint: Taint) -> dict[str, str]:
    return {"key": taint.key, "value": taint.value, "effect": taint.effect}


# --- cluster add-ons ---------------------------------------------------------------------

# Charts pinned to versions seen in their repositories' release history; docs/eks.md lists each
# with the Kubernetes versions it supports, and tests/eks/vendor/ holds each version's values.yaml.
CHARTS = {
    # kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0 (2026-07-21): appVersion 1.35.0, the
    # Kubernetes minor it is built for (the autoscaler's minor must match the cluster's).
    "cluster-autoscaler": ChartRef("cluster-autoscaler", "https://kubernetes.github.io/autoscaler", "9.59.0"),
    # aws/karpenter-provider-aws v1.14.1: its compatibility matrix needs >= 1.9 for Kubernetes 1.35.
    "karpenter-crd": ChartRef("karpenter-crd", "oci://public.ecr.aws/karpenter", "1.14.1"),
    "karpenter": ChartRef("karpenter", "oci://public.ecr.aws/karpenter", "1.14.1"),
    # aws/aws-node-termination-handler v1.25.6 (chart 0.27.6); the eks-charts copy was retired in
    # favour of this OCI chart.
    "aws-node-termination-handler": ChartRef("aws-node-termination-handler", "oci://public.ecr.aws/aws-ec2/helm", "0.27.6"),
    # kubernetes-sigs/metrics-server tag metrics-server-helm-chart-3.13.1 (app 0.8.1), the newest chart.
    "metrics-server": ChartRef("metrics-server", "https://kubernetes-sigs.github.io/metrics-server/", "3.13.1"),
    # NVIDIA/k8s-device-plugin v0.20.0 (2026-08-19).
    "nvidia-device-plugin": ChartRef("nvidia-device-plugin", "https://nvidia.github.io/k8s-device-plugin", "0.20.0"),
    # aws/eks-charts 3.5.0 = controller v3.5.0 (2026-08-03); its IAM policy is LBC_POLICY_VERSION's.
    "aws-load-balancer-controller": ChartRef("aws-load-balancer-controller", "https://aws.github.io/eks-charts", "3.5.0"),
    # kubernetes-sigs/aws-efs-csi-driver tag helm-chart-aws-efs-csi-driver-4.4.1 (driver v3.4.1, 2026-07-23).
    "aws-efs-csi-driver": ChartRef("aws-efs-csi-driver", "https://kubernetes-sigs.github.io/aws-efs-csi-driver", "4.4.1"),
}

# How long each release may wait for its objects to become ready (Helm's --timeout). The nodes
# exist when these install (they depend on the node groups), so the wait is image pulls on
# fresh nodes and, for replicated controllers, a second node's pull; DaemonSets on pools that
# may be empty (spot, staging's GPU) are ready at once.
RELEASE_TIMEOUT_SECONDS = {
    # Two small controllers; 10 minutes covers image pulls on nodes that just joined.
    "cluster-autoscaler": 600,
    "karpenter-crd": 300,  # CRDs only: nothing to wait for
    "karpenter": 600,
    # A DaemonSet on spot nodes only; the spot pool starts at zero.
    "aws-node-termination-handler": 300,
    "metrics-server": 600,
    # A DaemonSet on GPU nodes: production's first GPU node is up when it installs (the node
    # group waits for it) and the plugin image is about 100 MB; staging's GPU pool is empty.
    "nvidia-device-plugin": 600,
    "aws-load-balancer-controller": 600,
    # Controller Deployment plus a node DaemonSet on every node, whatever its taint.
    "aws-efs-csi-driver": 600,
}

# The VPC CNI add-on's configuration: enforce Kubernetes NetworkPolicies (the network policy
# agent ships with the CNI since v1.14 but is off unless asked for). TorchServe's inference and
# management ports are open only to the namespaces its NetworkPolicy names: without this the
# policy exists and nothing enforces it. The schema takes the flag as a string.
VPC_CNI_CONFIGURATION = {"enableNetworkPolicy": "true"}

LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller"
EFS_CSI_SERVICE_ACCOUNT = "efs-csi-controller-sa"
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
VPC_CNI_SERVICE_ACCOUNT = "aws-node"
ADDON_NAMESPACE = "kube-system"
EBS_CSI_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
EFS_CSI_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy"
VPC_CNI_MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
CRITICAL_ADDONS_TOLERATION = {"key": "CriticalAddonsOnly", "operator": "Exists"}


def _on_system_nodes() -> dict[str, Any]:
    return {"nodeSelector": SYSTEM.node_selector(), "tolerations": [CRITICAL_ADDONS_TOLERATION]}


def _disruption_budget(replicas: int) -> dict[str, Any]:
    return {"enabled": replicas > 1, "minAvailable": 1} if replicas > 1 else {"enabled": False}


def metrics_server_values(replicas: int) -> dict[str, Any]:
    """metrics-server feeds every HorizontalPodAutoscaler; two replicas keep HPAs working through a node loss."""
    return {"replicas": replicas, "podDisruptionBudget": _disruption_budget(replicas), **_on_system_nodes()}


def nvidia_device_plugin_values() -> dict[str, Any]:
    """The device plugin runs on GPU nodes only (every GPU pool labels them): it advertises ``nvidia.com/gpu`` there."""
    tolerations = [t for pool in GPU_POOLS for t in pool.tolerations()]
    return {"nodeSelector": dict(GPU_NODE_LABELS), "tolerations": tolerations + [CRITICAL_ADDONS_TOLERATION]}


def load_balancer_controller_values(*, cluster_name: str, region: str, vpc_id: Any, role_arn: Any, replicas: int) -> dict[str, Any]:
    # Region and VPC are given: with one IMDS hop the controller cannot look them up itself.
    return {
        "clusterName": cluster_name,
        "region": region,
        "vpcId": vpc_id,
        "replicaCount": replicas,
        # The chart's default (true since 1.5) registers mservice.elbv2.k8s.aws with
        # failurePolicy Fail for every Service in the cluster: until the controller's pods are
        # ready, every new Service is rejected, so the releases installed beside it (metrics-
        # server, the autoscaler, Prometheus, ...) fail and roll back (aws-load-balancer-
        # controller #3170, #4140). The webhook only defaults type-LoadBalancer Services to this
        # controller; the platform creates none (the ALB comes from an Ingress), and a future
        # one names the controller itself with spec.loadBalancerClass: service.k8s.aws/nlb.
        "enableServiceMutatorWebhook": False,
        "serviceAccount": {"create": True, "name": LBC_SERVICE_ACCOUNT, "annotations": {IRSA_ANNOTATION: role_arn}},
        **_on_system_nodes(),
    }


def efs_csi_values(*, role_arn: Any, replicas: int) -> dict[str, Any]:
    # The chart reads the controller's replicas at controller.replicaCount (a top-level key is ignored).
    return {
        "controller": {
            "replicaCount": replicas,
            "serviceAccount": {"create": True, "name": EFS_CSI_SERVICE_ACCOUNT, "annotations": {IRSA_ANNOTATION: role_arn}},
            "nodeSelector": SYSTEM.node_selector(),
            # The chart's own tolerations, kept: the second lets the controller start before the node agent.
            "tolerations": [CRITICAL_ADDONS_TOLERATION, {"key": "efs.csi.aws.com/agent-not-ready", "operator": "Exists"}],
        },
        # The node plugin mounts volumes wherever pods land, tainted pools included.
        "node": {"tolerations": [{"operator": "Exists"}]},
    }


SPOT_CAPACITY_LABEL = "eks.amazonaws.com/capacityType"


def node_termination_handler_values() -> dict[str, Any]:
    """NTH in IMDS mode on spot nodes (every spot pool: burst and training): drain on the two-minute notice.

    Rebalance recommendations are left to EKS managed node groups, which already replace
    spot nodes on them; NTH acting too would drain twice.
    """
    return {
        "enableSpotInterruptionDraining": True,
        "enableScheduledEventDraining": True,
        "enableRebalanceMonitoring": False,
        "enableRebalanceDraining": False,
        # The chart's DaemonSet placement keys (IMDS mode runs on the host network, so one IMDS hop
        # suffices); its own default daemonsetTolerations (every taint) would put it on every node.
        # EKS labels every node of a SPOT managed node group eks.amazonaws.com/capacityType=SPOT.
        "daemonsetNodeSelector": {SPOT_CAPACITY_LABEL: "SPOT"},
        "daemonsetTolerations": [t for pool in SPOT_POOLS for t in pool.tolerations()],
    }


# The controller version the policy below is published for; the chart pin (CHARTS) ships it.
# tests/vendor/iam/ holds the published document; tests/eks/test_plan.py compares the two.
LBC_POLICY_VERSION = "v3.5.0"


def load_balancer_controller_policy(partition: str = "aws") -> str:
    """The AWS Load Balancer Controller's policy: its published iam_policy.json for LBC_POLICY_VERSION, in our form.

    Mutations are conditioned on the controller's own ``elbv2.k8s.aws/cluster`` tags;
    only reads and creates that cannot be scoped by tag use ``*``.
    """
    elb = f"arn:{partition}:elasticloadbalancing:*:*"
    lb_resources = [f"{elb}:targetgroup/*/*", f"{elb}:loadbalancer/net/*/*", f"{elb}:loadbalancer/app/*/*"]
    cluster_tag_present = {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
    resource_tagged = {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
    return policy_document(
        [
            allow(
                ["iam:CreateServiceLinkedRole"],
                "*",
                Condition={"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
            ),
            allow(
                [
                    "ec2:DescribeAccountAttributes",
                    "ec2:DescribeAddresses",
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInternetGateways",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeVpcPeeringConnections",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeTags",
                    "ec2:GetCoipPoolUsage",
                    "ec2:DescribeCoipPools",
                    "ec2:GetSecurityGroupsForVpc",
                    "ec2:DescribeIpamPools",
                    "ec2:DescribeRouteTables",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeListenerCertificates",
                    "elasticloadbalancing:DescribeSSLPolicies",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTrustStores",
                    "elasticloadbalancing:DescribeListenerAttributes",
                    "elasticloadbalancing:DescribeCapacityReservation",
                ],
                "*",
            ),
            allow(
                [
                    "cognito-idp:DescribeUserPoolClient",
                    "acm:ListCertificates",
                    "acm:DescribeCertificate",
                    "iam:ListServerCertificates",
                    "iam:GetServerCertificate",
                    "waf-regional:GetWebACL",
                    "waf-regional:GetWebACLForResource",
                    "waf-regional:AssociateWebACL",
                    "waf-regional:DisassociateWebACL",
                    "wafv2:GetWebACL",
                    "wafv2:GetWebACLForResource",
                    "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL",
                    "shield:GetSubscriptionState",
                    "shield:DescribeProtection",
                    "shield:CreateProtection",
                    "shield:DeleteProtection",
                ],
                "*",
            ),
            allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], "*"),
            allow(["ec2:CreateSecurityGroup"], "*"),
            allow(
                ["ec2:CreateTags"],
                f"arn:{partition}:ec2:*:*:security-group/*",
                Condition={
                    "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                    "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
                },
            ),
            allow(["ec2:CreateTags", "ec2:DeleteTags"], f"arn:{partition}:ec2:*:*:security-group/*", Condition=cluster_tag_present),
            allow(
                ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
                "*",
                Condition=resource_tagged,
            ),
            allow(
                ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                "*",
                Condition={"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}},
            ),
            allow(
                [
                    "elasticloadbalancing:CreateListener",
                    "elasticloadbalancing:DeleteListener",
                    "elasticloadbalancing:CreateRule",
                    "elasticloadbalancing:DeleteRule",
                ],
                "*",
            ),
            allow(["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], lb_resources, Condition=cluster_tag_present),
            allow(
                ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                [f"{elb}:listener/net/*/*/*", f"{elb}:listener/app/*/*/*", f"{elb}:listener-rule/net/*/*/*", f"{elb}:listener-rule/app/*/*/*"],
            ),
            allow(
                [
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:ModifyListenerAttributes",
                    "elasticloadbalancing:ModifyCapacityReservation",
                    "elasticloadbalancing:ModifyIpPools",
                ],
                "*",
                Condition=resource_tagged,
            ),
            allow(
                ["elasticloadbalancing:AddTags"],
                lb_resources,
                Condition={
                    "StringEquals": {"elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]},
                    "Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"},
                },
            ),
            allow(
                ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                f"{elb}:targetgroup/*/*",
            ),
            allow(
                [
                    "elasticloadbalancing:SetWebAcl",
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:AddListenerCertificates",
                    "elasticloadbalancing:RemoveListenerCertificates",
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:SetRulePriorities",
                ],
                "*",
            ),
        ]
    )

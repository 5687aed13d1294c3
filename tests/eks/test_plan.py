"""The pure side of EksCluster: node-group specs, autoscaler values, Karpenter manifests, IAM documents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from components.eks import plan as plan
from components.eks.node_pools import POOL_LABEL
from components.eks.settings import ClusterAutoscalerSettings, KarpenterSettings, NodeGroupSettings
from components.network.plan import Tier
from components.platform.helm import ChartRef
from components.platform.iam import wildcard_grants as wildcard_on_everything
from components.platform.kms_policy import key_policy

CLUSTER = "betterprompts-production"
ACCOUNT = "123456789012"
REGION = "us-east-1"


def group(*types: str, low: int = 0, high: int = 3) -> NodeGroupSettings:
    return NodeGroupSettings(instance_types=types, min_size=low, max_size=high, desired_size=low)


def test_pool_specs() -> None:
    gpu = plan.node_group_spec("gpu", group("g4dn.xlarge", low=1, high=5))
    assert (gpu.capacity_type, gpu.ami_type, gpu.subnet_tier) == ("ON_DEMAND", "AL2023_x86_64_NVIDIA", Tier.ML)
    assert gpu.labels == {POOL_LABEL: "gpu", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-tesla-t4"}

    training = plan.node_group_spec("training", group("g5.xlarge", "g4dn.xlarge"))
    assert (training.capacity_type, training.ami_type, training.subnet_tier) == ("SPOT", "AL2023_x86_64_NVIDIA", Tier.ML)
    assert training.labels == {POOL_LABEL: "training", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-a10g"}
    assert training.eks_taints() == [{"key": "betterprompts.io/training", "value": "true", "effect": "NO_SCHEDULE"}]
    assert gpu.eks_taints() == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]

    spot = plan.node_group_spec("spot", group("t3a.large", "t3.large"))
    assert (spot.capacity_type, spot.ami_type, spot.subnet_tier) == ("SPOT", "AL2023_x86_64_STANDARD", Tier.APP)
    assert spot.eks_taints() == [{"key": "betterprompts.io/spot", "value": "true", "effect": "NO_SCHEDULE"}]

    system = plan.node_group_spec("system", group("t3a.medium"))
    assert system.eks_taints() == [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}]
    application = plan.node_group_spec("application", group("c6i.xlarge"))
    assert application.eks_taints() == [] and application.capacity_type == "ON_DEMAND"


def test_configured_labels_cannot_override_the_pool_label() -> None:
    settings = NodeGroupSettings(("g4dn.xlarge",), 0, 1, 0, labels={POOL_LABEL: "application", "extra": "x"})
    assert plan.node_group_spec("gpu", settings).labels[POOL_LABEL] == "gpu"


def test_node_template_tags_make_scale_from_zero_possible() -> None:
    ca = ClusterAutoscalerSettings()
    spot = plan.node_template_tags(plan.node_group_spec("spot", group("t3a.large")), ca)
    assert spot == {
        "k8s.io/cluster-autoscaler/node-template/label/betterprompts.io/node-pool": "spot",
        "k8s.io/cluster-autoscaler/node-template/taint/betterprompts.io/spot": "true:NoSchedule",
    }
    gpu = plan.node_template_tags(plan.node_group_spec("gpu", group("g4dn.xlarge")), ca)
    assert gpu["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"] == "true:NoSchedule"
    assert gpu["k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present"] == "true"
    # GPU nodes are protected from the cluster-wide 10-minute scale-down.
    assert gpu["k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownunneededtime"] == "30m"
    assert gpu["k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownutilizationthreshold"] == "0.2"
    assert gpu["k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledowngpuutilizationthreshold"] == "0.2"


def test_priority_expander_prefers_spot_then_application_then_system() -> None:
    priorities = plan.priority_expander_priorities(CLUSTER, ["spot", "application", "system"], ["system", "application", "gpu", "spot"])
    assert priorities == {
        "40": [f"^eks-{CLUSTER}-spot-.*"],
        "30": [f"^eks-{CLUSTER}-application-.*"],
        "20": [f"^eks-{CLUSTER}-system-.*"],
        "10": [f"^eks-{CLUSTER}-gpu-.*"],
    }
    # The patterns match the names EKS gives managed node groups' ASGs.
    asg = f"eks-{plan.node_group_name_prefix(CLUSTER, 'spot')}20250101abcdef-1a2b3c4d-0000-1111-2222-333344445555"
    assert re.match(priorities["40"][0], asg)
    assert not re.match(priorities["30"][0], asg)


def test_cluster_autoscaler_values() -> None:
    values = plan.cluster_autoscaler_values(
        cluster_name=CLUSTER, region=REGION, role_arn="arn:role", settings=ClusterAutoscalerSettings(), pools=["system", "application"]
    )
    assert values["extraArgs"]["expander"] == "priority,least-waste"
    assert values["extraArgs"]["scale-down-utilization-threshold"] == 0.5
    assert values["extraArgs"]["scale-down-unneeded-time"] == "10m"
    assert values["extraArgs"]["new-pod-scale-up-delay"] == "30s"
    assert values["rbac"]["serviceAccount"] == {
        "create": True,
        "name": "cluster-autoscaler",
        "annotations": {"eks.amazonaws.com/role-arn": "arn:role"},
    }
    assert values["autoDiscovery"] == {"clusterName": CLUSTER}
    assert values["nodeSelector"] == {POOL_LABEL: "system"}


def test_cluster_autoscaler_policy_is_scoped_by_tags() -> None:
    document = plan.cluster_autoscaler_policy(CLUSTER, REGION, ACCOUNT)
    assert wildcard_on_everything(document) == []
    statements = {s["Sid"]: s for s in json.loads(document)["Statement"]}
    resize = statements["ResizeOnlyThisClustersGroups"]
    assert resize["Action"] == ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    assert resize["Condition"]["StringEquals"] == {
        f"aws:ResourceTag/k8s.io/cluster-autoscaler/{CLUSTER}": "owned",
        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
    }
    assert statements["ReadThisClustersNodeGroups"]["Resource"] == f"arn:aws:eks:{REGION}:{ACCOUNT}:nodegroup/{CLUSTER}/*"


def test_karpenter_policy_is_scoped_to_the_cluster() -> None:
    document = plan.karpenter_controller_policy(
        cluster_name=CLUSTER,
        region=REGION,
        account_id=ACCOUNT,
        node_role_arn="arn:aws:iam::123456789012:role/node",
        queue_arn="arn:aws:sqs:us-east-1:123456789012:q",
        volume_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        queue_key_arn="arn:aws:kms:us-east-1:123456789012:key/q",
    )
    assert wildcard_on_everything(document) == []
    statements = {s["Sid"]: s for s in json.loads(document)["Statement"]}
    assert statements["AllowPassingInstanceRole"]["Resource"] == "arn:aws:iam::123456789012:role/node"
    assert statements["AllowScopedDeletion"]["Condition"]["StringEquals"] == {f"aws:ResourceTag/kubernetes.io/cluster/{CLUSTER}": "owned"}
    assert statements["AllowInterruptionQueueActions"]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:q"
    assert statements["AllowInterruptionQueueDecrypt"] == {
        "Sid": "AllowInterruptionQueueDecrypt",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": "arn:aws:kms:us-east-1:123456789012:key/q",
        "Condition": {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}},
    }
    assert statements["EncryptNodeVolumesThroughEc2"]["Condition"] == {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}


def test_load_balancer_controller_and_ebs_policies_have_no_wildcard_grants() -> None:
    assert wildcard_on_everything(plan.load_balancer_controller_policy()) == []
    ebs = json.loads(plan.ebs_csi_kms_policy("arn:aws:kms:us-east-1:123456789012:key/k", REGION))
    assert ebs["Statement"][0]["Resource"] == "arn:aws:kms:us-east-1:123456789012:key/k"


def test_interruption_queue_admits_only_this_stacks_rules_over_tls() -> None:
    rules = ["arn:aws:events:us-east-1:123456789012:rule/b", "arn:aws:events:us-east-1:123456789012:rule/a"]
    statements = json.loads(plan.interruption_queue_policy("arn:q", rules))["Statement"]
    assert statements[0]["Principal"] == {"Service": "events.amazonaws.com"}
    assert statements[0]["Action"] == "sqs:SendMessage" and statements[0]["Resource"] == "arn:q"
    # Confused-deputy protection: only the rules that feed the queue, by ARN.
    assert statements[0]["Condition"] == {"ArnEquals": {"aws:SourceArn": sorted(rules)}}
    with pytest.raises(ValueError, match="ARNs of the rules"):
        plan.interruption_queue_policy("arn:q", [])
    assert statements[1]["Effect"] == "Deny" and statements[1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert [r.event_pattern()["detail-type"][0] for r in plan.INTERRUPTION_RULES] == [
        "AWS Health Event",
        "EC2 Spot Instance Interruption Warning",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
    ]


def test_karpenter_node_class_and_pools() -> None:
    node_class = plan.ec2_node_class(
        name="gpu",
        node_role_name="node-role",
        discovery_tag=f"{CLUSTER}-gpu",
        security_group_id="sg-1",
        volume_key_arn="arn:key",
        disk_size_gib=100,
        tags={"CostCenter": "CC"},
    )
    spec = node_class["spec"]
    assert spec["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": f"{CLUSTER}-gpu"}}]
    assert spec["securityGroupSelectorTerms"] == [{"id": "sg-1"}]
    assert spec["metadataOptions"]["httpTokens"] == "required"
    assert spec["blockDeviceMappings"][0]["ebs"] == {
        "volumeSize": "100Gi",
        "volumeType": "gp3",
        "encrypted": True,
        "kmsKeyID": "arn:key",
        "deleteOnTermination": True,
    }

    spot, gpu = plan.karpenter_node_pools(KarpenterSettings(), general_class="general", gpu_class="gpu")
    assert spot["spec"]["template"]["metadata"]["labels"] == {POOL_LABEL: "spot"}
    assert spot["spec"]["template"]["spec"]["taints"] == [{"key": "betterprompts.io/spot", "value": "true", "effect": "NoSchedule"}]
    assert {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["spot"]} in spot["spec"]["template"]["spec"]["requirements"]
    assert spot["spec"]["disruption"] == {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "1m"}
    assert gpu["spec"]["template"]["spec"]["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
    assert gpu["spec"]["template"]["spec"]["nodeClassRef"]["name"] == "gpu"
    assert gpu["spec"]["disruption"] == {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "30m"}
    assert gpu["spec"]["template"]["spec"]["expireAfter"] == "720h"
    assert gpu["spec"]["limits"] == {"nvidia.com/gpu": "5"}


@pytest.mark.parametrize("key", sorted(plan.CHARTS))
def test_charts_are_pinned_to_exact_versions(key: str) -> None:
    ref = plan.CHARTS[key]
    assert re.fullmatch(r"\d+\.\d+\.\d+", ref.version)
    assert ref.repo.startswith(("https://", "oci://"))


def test_oci_charts_are_addressed_by_url() -> None:
    assert ChartRef("karpenter", "oci://public.ecr.aws/karpenter", "1.5.0").is_oci
    assert not ChartRef("metrics-server", "https://kubernetes-sigs.github.io/metrics-server/", "3.12.0").is_oci


def test_storage_key_admits_the_auto_scaling_service_linked_role() -> None:
    statements = {s["Sid"]: s for s in json.loads(key_policy("storage", account_id=ACCOUNT, region=REGION))["Statement"]}
    role = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    assert statements["AutoScalingUses"]["Principal"] == {"AWS": role}
    assert "kms:GenerateDataKey*" in statements["AutoScalingUses"]["Action"]
    grants = statements["AutoScalingGrantsToAwsResources"]
    assert grants["Action"] == "kms:CreateGrant"
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    # Other purposes are unchanged.
    data = json.loads(key_policy("data", account_id=ACCOUNT, region=REGION))["Statement"]
    assert [s["Sid"] for s in data] == ["AccountAdministers"]


def test_admin_roles_by_name_or_arn() -> None:
    assert plan.admin_role_arn("PlatformAdmin", ACCOUNT) == f"arn:aws:iam::{ACCOUNT}:role/PlatformAdmin"
    assert plan.admin_role_arn("arn:aws:iam::999999999999:role/x", ACCOUNT) == "arn:aws:iam::999999999999:role/x"


# --- the AWS Load Balancer Controller's policy is the one published for its version ------------

LBC_PUBLISHED = Path(__file__).resolve().parent.parent / "vendor" / "iam"


def _statements(document: dict[str, Any]) -> list[tuple[str, tuple[str, ...], tuple[str, ...], str]]:
    """Statements as comparable values: effect, sorted actions, sorted resources, condition."""

    def many(value: Any) -> tuple[str, ...]:
        return tuple(sorted([value] if isinstance(value, str) else value))

    return [
        (s["Effect"], many(s["Action"]), many(s["Resource"]), json.dumps(s.get("Condition"), sort_keys=True))
        for s in document["Statement"]
    ]


def test_lbc_policy_matches_the_published_document_for_the_pinned_controller() -> None:
    chart = plan.CHARTS["aws-load-balancer-controller"]
    # eks-charts numbers the chart like the controller from 3.x on: chart 3.5.0 = controller v3.5.0.
    assert plan.LBC_POLICY_VERSION == f"v{chart.version}"
    published = json.loads((LBC_PUBLISHED / f"aws-load-balancer-controller-{plan.LBC_POLICY_VERSION}.json").read_text())
    ours = json.loads(plan.load_balancer_controller_policy())
    assert _statements(ours) == _statements(published)


def test_lbc_policy_comparison_notices_a_missing_action() -> None:
    published = json.loads((LBC_PUBLISHED / f"aws-load-balancer-controller-{plan.LBC_POLICY_VERSION}.json").read_text())
    ours = json.loads(plan.load_balancer_controller_policy())
    ours["Statement"][-1]["Action"].remove("elasticloadbalancing:SetRulePriorities")
    assert _statements(ours) != _statements(published)

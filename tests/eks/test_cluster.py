"""EksCluster as each stack registers it, the Karpenter mode in a config variant, and the refusals."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from components.eks.cluster import EksCluster, EksClusterArgs
from components.eks.settings import AddonVersions, KarpenterSettings, NodeGroupSettings
from components.platform.iam import wildcard_grants as wildcard_on_everything
from components.platform.kms_policy import KeyOptions, key_policy
from components.settings import ConfigError
from preflight.harness import Plan, Resource, read_stack_config, run_stack
from preflight.monitor import run_function


POOL = "betterprompts.io/node-pool"


def node_groups(plan: Plan) -> dict[str, dict[str, Any]]:
    return {r.inputs["labels"][POOL]: r.inputs for r in plan.of_type("aws:eks/nodeGroup:NodeGroup")}


def cluster(plan: Plan) -> dict[str, Any]:
    (resource,) = plan.of_type("eks:index:Cluster")
    return resource.inputs


def in_cluster_component(plan: Plan, token: str) -> list[Resource]:
    """Resources of ``token`` that EksCluster itself owns (other components deploy charts and roles too)."""
    (component,) = plan.of_type("betterprompts:eks:EksCluster")
    return [r for r in plan.descendants(component.urn) if r.type == token]


def releases(plan: Plan) -> dict[str, dict[str, Any]]:
    return {r.inputs["chart"].rsplit("/", 1)[-1]: r.inputs for r in in_cluster_component(plan, "kubernetes:helm.sh/v3:Release")}


def key_arn(plan: Plan, purpose: str) -> str:
    return str(plan.outputs["kmsKeyArns"][purpose])


def irsa_roles(plan: Plan) -> dict[str, Resource]:
    """IRSA roles by the service account their trust policy names."""
    roles = {}
    for role in in_cluster_component(plan, "aws:iam/role:Role"):
        trust = json.loads(role.inputs["assumeRolePolicy"])
        statement = trust["Statement"][0]
        if "Federated" in statement["Principal"]:
            (sub,) = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
            roles[sub] = role
    return roles


# --- node groups ------------------------------------------------------------------------

EXPECTED_GROUPS = {
    "production": {
        "system": (["t3a.medium"], 2, 4, "ON_DEMAND", "AL2023_x86_64_STANDARD"),
        "application": (["c6i.xlarge", "c6a.xlarge", "c5.xlarge", "c5a.xlarge"], 3, 9, "ON_DEMAND", "AL2023_x86_64_STANDARD"),
        "gpu": (["g4dn.xlarge"], 0, 5, "ON_DEMAND", "AL2023_x86_64_NVIDIA"),
        "spot": (["t3a.large", "t3.large"], 0, 10, "SPOT", "AL2023_x86_64_STANDARD"),
        "training": (["g5.xlarge", "g4dn.xlarge"], 0, 4, "SPOT", "AL2023_x86_64_NVIDIA"),
    },
    "staging": {
        "system": (["t3a.medium"], 1, 2, "ON_DEMAND", "AL2023_x86_64_STANDARD"),
        "application": (["c6i.large", "c6a.large", "c5.large", "c5a.large"], 2, 4, "ON_DEMAND", "AL2023_x86_64_STANDARD"),
        "gpu": (["g4dn.xlarge"], 0, 2, "ON_DEMAND", "AL2023_x86_64_NVIDIA"),
        "spot": (["t3a.large", "t3.large"], 0, 5, "SPOT", "AL2023_x86_64_STANDARD"),
        "training": (["g4dn.xlarge", "g5.xlarge"], 0, 1, "SPOT", "AL2023_x86_64_NVIDIA"),
    },
}

EXPECTED_TAINTS = {
    "system": [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}],
    "application": [],
    "gpu": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}],
    "spot": [{"key": "betterprompts.io/spot", "value": "true", "effect": "NO_SCHEDULE"}],
    # Its own taint, not nvidia.com/gpu: only training jobs land there, never TorchServe.
    "training": [{"key": "betterprompts.io/training", "value": "true", "effect": "NO_SCHEDULE"}],
}


def test_node_groups_per_stack(plan: Plan) -> None:
    groups = node_groups(plan)
    actual = {
        pool: (g["instanceTypes"], g["scalingConfig"]["minSize"], g["scalingConfig"]["maxSize"], g["capacityType"], g["amiType"])
        for pool, g in groups.items()
    }
    assert actual == EXPECTED_GROUPS[plan.stack]
    for pool, g in groups.items():
        assert g["taints"] == EXPECTED_TAINTS[pool]
        assert g["version"] == "1.35"
        assert g["clusterName"] == f"betterprompts-{plan.stack}"
        assert "remoteAccess" not in g  # no SSH from anywhere
    assert groups["gpu"]["labels"] == {
        POOL: "gpu",
        "nvidia.com/gpu.present": "true",
        "k8s.amazonaws.com/accelerator": "nvidia-tesla-t4",
    }
    assert groups["spot"]["labels"] == {POOL: "spot"}
    # The first type's accelerator: the autoscaler treats the nodes as GPU nodes before the plugin starts.
    first = {"production": "nvidia-a10g", "staging": "nvidia-tesla-t4"}[plan.stack]
    assert groups["training"]["labels"] == {POOL: "training", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": first}


def test_gpu_nodes_in_ml_subnets_others_in_app_subnets(plan: Plan) -> None:
    groups = node_groups(plan)
    subnets = plan.outputs["subnetIds"]
    assert groups["gpu"]["subnetIds"] == subnets["ml"]
    assert groups["training"]["subnetIds"] == subnets["ml"]
    for pool in ("system", "application", "spot"):
        assert groups[pool]["subnetIds"] == subnets["app"]


def test_launch_templates_imdsv2_encrypted_gp3_node_sg(plan: Plan) -> None:
    templates = {r.urn: r.inputs for r in plan.of_type("aws:ec2/launchTemplate:LaunchTemplate")}
    assert len(templates) == 5
    for group in node_groups(plan).values():
        (template,) = [t for t in templates.values() if t.get("tags", {}).get("NodePool") == group["labels"][POOL]]
        assert group["launchTemplate"]["version"] == "1"
        assert template["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1}
        (device,) = template["blockDeviceMappings"]
        assert device["deviceName"] == "/dev/xvda"
        assert device["ebs"]["volumeType"] == "gp3"
        assert device["ebs"]["encrypted"] == "true"
        assert device["ebs"]["kmsKeyId"] == key_arn(plan, "storage")
        assert template["vpcSecurityGroupIds"] == [plan.outputs["nodeSecurityGroupId"]]
        assert "keyName" not in template
        for spec in template["tagSpecifications"]:
            assert spec["tags"]["CostCenter"] and spec["tags"]["Project"] == "betterprompts"


def test_node_role_is_least_privilege(plan: Plan) -> None:
    (role,) = [r for r in plan.of_type("aws:iam/role:Role") if r.name == f"betterprompts-{plan.stack}-eks-node"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    attached = sorted(a.inputs["policyArn"] for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a.parent == role.urn)
    assert attached == ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"]
    assert [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.urn] == []


def test_scale_from_zero_tags_on_the_asgs(plan: Plan) -> None:
    tags = {(t.inputs["tag"]["key"], t.inputs["tag"]["value"]) for t in plan.of_type("aws:autoscaling/tag:Tag")}
    assert ("k8s.io/cluster-autoscaler/node-template/label/betterprompts.io/node-pool", "spot") in tags
    assert ("k8s.io/cluster-autoscaler/node-template/taint/betterprompts.io/spot", "true:NoSchedule") in tags
    assert ("k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu", "true:NoSchedule") in tags
    assert ("k8s.io/cluster-autoscaler/node-template/autoscaling-options/scaledownunneededtime", "30m") in tags
    assert ("k8s.io/cluster-autoscaler/node-template/label/betterprompts.io/node-pool", "training") in tags
    assert ("k8s.io/cluster-autoscaler/node-template/taint/betterprompts.io/training", "true:NoSchedule") in tags


def test_training_pool_is_protected_from_scale_down_like_the_gpu_pool(plan: Plan) -> None:
    """The scale-from-zero tags and the GPU scale-down options sit on the training group's own ASG."""
    groups = {r.urn: r for r in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    by_pool: dict[str, dict[str, str]] = {}
    for tag in plan.of_type("aws:autoscaling/tag:Tag"):
        pool = groups[tag.parent].inputs["labels"][POOL]
        by_pool.setdefault(pool, {})[tag.inputs["tag"]["key"]] = tag.inputs["tag"]["value"]
    options = "k8s.io/cluster-autoscaler/node-template/autoscaling-options/"
    for pool in ("gpu", "training"):
        assert by_pool[pool][options + "scaledownunneededtime"] == "30m"
        assert by_pool[pool][options + "scaledowngpuutilizationthreshold"] == "0.2"
    assert not any(key.startswith(options) for key in by_pool["spot"])
    for tag in plan.of_type("aws:autoscaling/tag:Tag"):
        assert tag.inputs["autoscalingGroupName"].startswith(f"eks-betterprompts-{plan.stack}-")
        assert tag.inputs["tag"]["propagateAtLaunch"] is False


# --- control plane ----------------------------------------------------------------------


def test_control_plane(plan: Plan) -> None:
    inputs = cluster(plan)
    assert inputs["name"] == f"betterprompts-{plan.stack}"
    assert inputs["version"] == "1.35"
    assert inputs["privateSubnetIds"] == plan.outputs["subnetIds"]["app"]
    assert inputs["vpcId"] == plan.outputs["vpcId"]
    assert inputs["encryptionConfigKeyArn"] == key_arn(plan, "eks")
    assert inputs["enabledClusterLogTypes"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert inputs["createOidcProvider"] is True
    assert inputs["authenticationMode"] == "API"
    assert inputs["endpointPrivateAccess"] is True
    assert inputs["skipDefaultNodeGroup"] is True
    assert inputs["upgradePolicy"] == {"supportType": "STANDARD"}
    admin = inputs["accessEntries"]["admin-0"]
    assert admin["principalArn"] == "arn:aws:iam::123456789012:role/PlatformAdmin"
    assert admin["accessPolicies"]["cluster-admin"]["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def test_endpoint_is_private_in_both_stacks(plan: Plan) -> None:
    # Deploys run on the runner in the VPC; no placeholder range opens a public endpoint.
    assert cluster(plan)["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in cluster(plan)


def test_deletion_protection_follows_the_platform_setting(production: Plan, staging: Plan) -> None:
    assert cluster(production)["deletionProtection"] is True
    assert cluster(staging)["deletionProtection"] is False
    (log_group,) = [g for g in production.of_type("aws:cloudwatch/logGroup:LogGroup") if g.inputs.get("name", "").startswith("/aws/eks/") and g.inputs["name"].endswith("/cluster")]
    assert log_group.protect


def test_control_plane_log_group(plan: Plan) -> None:
    # The control plane's group is the one EKS writes to: /aws/eks/<cluster>/cluster (Fluent Bit's is .../containers).
    (group,) = [g for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if g.inputs.get("name", "").endswith("/cluster")]
    assert group.inputs["name"] == f"/aws/eks/betterprompts-{plan.stack}/cluster"
    assert group.inputs["kmsKeyId"] == key_arn(plan, "logs")
    assert group.inputs["retentionInDays"] == {"production": 365, "staging": 30}[plan.stack]
    assert group.urn in plan.of_type("eks:index:Cluster")[0].dependencies


def test_managed_addons_pinned(plan: Plan) -> None:
    addons = {a.inputs["addonName"]: a.inputs for a in plan.of_type("aws:eks/addon:Addon")}
    assert {name: a["addonVersion"] for name, a in addons.items()} == {
        "vpc-cni": "v1.21.1-eksbuild.7",
        "kube-proxy": "v1.35.3-eksbuild.13",
        "coredns": "v1.14.3-eksbuild.3",
        "aws-ebs-csi-driver": "v1.60.0-eksbuild.1",
    }
    by_sub = irsa_roles(plan)
    assert addons["aws-ebs-csi-driver"]["serviceAccountRoleArn"] == _arn(plan, by_sub["system:serviceaccount:kube-system:ebs-csi-controller-sa"])
    assert addons["vpc-cni"]["serviceAccountRoleArn"] == _arn(plan, by_sub["system:serviceaccount:kube-system:aws-node"])


def _arn(plan: Plan, role: Resource) -> str:
    """The ARN the role got: the registration of the role answers it (auto-named like the engine)."""
    (arn,) = {r.inputs.get("role") for r in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if r.parent == role.urn} | {
        r.inputs.get("role") for r in plan.of_type("aws:iam/rolePolicy:RolePolicy") if r.parent == role.urn
    }
    return f"arn:aws:iam::123456789012:role/{arn}"


def test_outputs(plan: Plan) -> None:
    assert plan.outputs["clusterName"] == f"betterprompts-{plan.stack}"
    assert plan.outputs["kubeconfig"] == "[secret]"
    assert plan.outputs["oidcProviderArn"].startswith("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/")
    assert plan.outputs["nodeSecurityGroupId"].startswith("sg-")
    (provider,) = [p for p in plan.of_type("pulumi:providers:kubernetes")]
    assert provider.inputs["kubeconfig"] == "[secret]"


# --- IRSA -------------------------------------------------------------------------------


def test_irsa_roles_trust_one_service_account_each(plan: Plan) -> None:
    oidc_arn = plan.outputs["oidcProviderArn"]
    issuer = oidc_arn.split(":oidc-provider/")[1]
    roles = irsa_roles(plan)
    assert set(roles) == {
        "system:serviceaccount:kube-system:aws-node",
        "system:serviceaccount:kube-system:ebs-csi-controller-sa",
        "system:serviceaccount:kube-system:cluster-autoscaler",
        "system:serviceaccount:kube-system:aws-load-balancer-controller",
        "system:serviceaccount:kube-system:efs-csi-controller-sa",
    }
    for sub, role in roles.items():
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Federated": oidc_arn}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Condition"]["StringEquals"] == {f"{issuer}:sub": sub, f"{issuer}:aud": "sts.amazonaws.com"}


def test_no_role_policy_grants_everything_on_everything(plan: Plan) -> None:
    policies = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if "-eks-" in p.name]
    assert len(policies) >= 3
    for policy in policies:
        assert wildcard_on_everything(policy.inputs["policy"]) == [], policy.name


# --- Helm releases ----------------------------------------------------------------------

EXPECTED_CHARTS = {
    "cluster-autoscaler": ("https://kubernetes.github.io/autoscaler", "9.59.0"),
    "aws-node-termination-handler": (None, "0.27.6"),
    "metrics-server": ("https://kubernetes-sigs.github.io/metrics-server/", "3.13.1"),
    "nvidia-device-plugin": ("https://nvidia.github.io/k8s-device-plugin", "0.20.0"),
    "aws-load-balancer-controller": ("https://aws.github.io/eks-charts", "3.5.0"),
    "aws-efs-csi-driver": ("https://kubernetes-sigs.github.io/aws-efs-csi-driver", "4.4.1"),
}


def test_helm_releases_pinned(plan: Plan) -> None:
    found = releases(plan)
    assert {chart: ((r.get("repositoryOpts") or {}).get("repo"), r["version"]) for chart, r in found.items()} == EXPECTED_CHARTS
    # NTH is published as an OCI chart only (aws-ec2's public ECR), addressed by chart URL.
    assert found["aws-node-termination-handler"]["chart"] == "oci://public.ecr.aws/aws-ec2/helm/aws-node-termination-handler"
    for r in found.values():
        assert r["namespace"] == "kube-system"
        assert r["atomic"] is True


def test_cluster_autoscaler_release(plan: Plan) -> None:
    values = releases(plan)["cluster-autoscaler"]["values"]
    prefix = f"betterprompts-{plan.stack}"
    assert values["extraArgs"] == {
        "expander": "priority,least-waste",
        "scale-down-utilization-threshold": 0.5,
        "scale-down-unneeded-time": "10m",
        "new-pod-scale-up-delay": "30s",
        "balance-similar-node-groups": True,
        "skip-nodes-with-local-storage": False,
    }
    assert values["expanderPriorities"] == {
        "40": [f"^eks-{prefix}-spot-.*"],
        "30": [f"^eks-{prefix}-application-.*"],
        "20": [f"^eks-{prefix}-system-.*"],
        # Both GPU groups at the lowest priority: chosen only for pods that tolerate them.
        "10": [f"^eks-{prefix}-gpu-.*", f"^eks-{prefix}-training-.*"],
    }
    role = irsa_roles(plan)["system:serviceaccount:kube-system:cluster-autoscaler"]
    assert values["rbac"]["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": _arn(plan, role)}
    assert values["autoDiscovery"] == {"clusterName": prefix}


def test_addon_releases_values(plan: Plan) -> None:
    found = releases(plan)
    replicas = {"production": 2, "staging": 1}[plan.stack]
    assert found["metrics-server"]["values"]["replicas"] == replicas
    assert found["metrics-server"]["values"]["nodeSelector"] == {POOL: "system"}
    nvidia = found["nvidia-device-plugin"]["values"]
    # Every GPU pool (inference and training) gets the plugin: without it no pod gets nvidia.com/gpu.
    assert nvidia["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"} in nvidia["tolerations"]
    assert {"key": "betterprompts.io/training", "operator": "Equal", "value": "true", "effect": "NoSchedule"} in nvidia["tolerations"]
    lbc = found["aws-load-balancer-controller"]["values"]
    lbc_role = irsa_roles(plan)["system:serviceaccount:kube-system:aws-load-balancer-controller"]
    assert lbc["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": _arn(plan, lbc_role)}
    assert (lbc["clusterName"], lbc["vpcId"], lbc["region"]) == (f"betterprompts-{plan.stack}", plan.outputs["vpcId"], "us-east-1")
    efs = found["aws-efs-csi-driver"]["values"]
    efs_role = irsa_roles(plan)["system:serviceaccount:kube-system:efs-csi-controller-sa"]
    assert efs["controller"]["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": _arn(plan, efs_role)}
    nth = found["aws-node-termination-handler"]["values"]
    # Every spot node (burst and training) drains on the interruption notice.
    assert nth["daemonsetNodeSelector"] == {"eks.amazonaws.com/capacityType": "SPOT"}
    assert nth["daemonsetTolerations"] == [
        {"key": "betterprompts.io/spot", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
        {"key": "betterprompts.io/training", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
    ]
    # One EFS controller per configured replica, at the key the chart reads.
    assert efs["controller"]["replicaCount"] == replicas and "replicaCount" not in efs
    assert nth["enableSpotInterruptionDraining"] is True


# --- Karpenter mode (config variant) ----------------------------------------------------


def _karpenter_config() -> dict[str, Any]:
    config, _ = read_stack_config("staging")
    eks = copy.deepcopy(config["betterprompts:eks"])
    eks["autoscaler"] = "karpenter"
    del eks["clusterAutoscaler"]
    for pool in ("gpu", "spot", "training"):
        del eks["nodeGroups"][pool]
    eks["karpenter"] = {"spotCpuLimit": 20, "gpuLimit": 2, "trainingInstanceFamilies": ["g5", "g4dn"], "trainingGpuLimit": 2}
    return eks


@pytest.fixture(scope="module")
def karpenter() -> Plan:
    return run_stack("staging", overrides={"betterprompts:eks": _karpenter_config()})


def test_karpenter_interruption_queue_is_encrypted_with_the_notifications_key(karpenter: Plan) -> None:
    (queue,) = [q for q in karpenter.of_type("aws:sqs/queue:Queue") if "-karpenter-" in q.name]
    assert queue.inputs["kmsMasterKeyId"] == key_arn(karpenter, "alarms")
    assert "sqsManagedSseEnabled" not in queue.inputs
    # The Karpenter variant passes the whole pack, queue included.
    from preflight.policy_stage import evaluate

    assert [v for v in evaluate(karpenter.to_json()) if v.enforcement == "mandatory"] == []


def test_karpenter_mode_replaces_the_cluster_autoscaler(karpenter: Plan) -> None:
    found = releases(karpenter)
    assert "cluster-autoscaler" not in found and "aws-node-termination-handler" not in found
    assert found["karpenter"]["chart"] == "oci://public.ecr.aws/karpenter/karpenter"
    assert found["karpenter"]["version"] == "1.14.1"
    assert "repositoryOpts" not in found["karpenter"]
    assert found["karpenter-crd"]["chart"] == "oci://public.ecr.aws/karpenter/karpenter-crd"
    values = found["karpenter"]["values"]
    (queue,) = [q for q in karpenter.of_type("aws:sqs/queue:Queue") if "-karpenter-" in q.name]
    assert values["settings"]["clusterName"] == "betterprompts-staging"
    assert values["settings"]["interruptionQueue"].startswith(queue.name)
    role = irsa_roles(karpenter)["system:serviceaccount:kube-system:karpenter"]
    assert values["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": _arn(karpenter, role)}
    # Only the fixed managed groups remain, and no ASG tags for an autoscaler that is not there.
    assert set(node_groups(karpenter)) == {"system", "application"}
    assert karpenter.of_type("aws:autoscaling/tag:Tag") == []


def test_karpenter_interruption_handling(karpenter: Plan) -> None:
    (queue,) = [q for q in karpenter.of_type("aws:sqs/queue:Queue") if "-karpenter-" in q.name]
    assert queue.inputs["messageRetentionSeconds"] == 300
    patterns = sorted(json.loads(r.inputs["eventPattern"])["detail-type"][0] for r in karpenter.of_type("aws:cloudwatch/eventRule:EventRule"))
    assert patterns == [
        "AWS Health Event",
        "EC2 Instance Rebalance Recommendation",
        "EC2 Instance State-change Notification",
        "EC2 Spot Instance Interruption Warning",
    ]
    assert len(karpenter.of_type("aws:cloudwatch/eventTarget:EventTarget")) == 4


def test_karpenter_node_classes_and_pools(karpenter: Plan) -> None:
    classes = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in karpenter.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")}
    assert classes["general"]["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "betterprompts-staging"}}]
    assert classes["gpu"]["subnetSelectorTerms"] == [{"tags": {"karpenter.sh/discovery": "betterprompts-staging-gpu"}}]
    for spec in classes.values():
        assert spec["metadataOptions"]["httpTokens"] == "required"
        ebs = spec["blockDeviceMappings"][0]["ebs"]
        assert (ebs["volumeType"], ebs["encrypted"], ebs["kmsKeyID"]) == ("gp3", True, key_arn(karpenter, "storage"))
        assert spec["securityGroupSelectorTerms"] == [{"id": karpenter.outputs["nodeSecurityGroupId"]}]
        assert spec["tags"]["CostCenter"] == "CC-1002-STAGING"
    pools = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in karpenter.of_type("kubernetes:karpenter.sh/v1:NodePool")}
    assert pools["spot"]["limits"] == {"cpu": "20"}
    assert pools["gpu"]["limits"] == {"nvidia.com/gpu": "2"}
    assert pools["gpu"]["template"]["spec"]["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]
    # The spot GPU training pool: GPU families from config, spot only, its own taint and label, on the GPU class.
    training = pools["training"]
    assert training["limits"] == {"nvidia.com/gpu": "2"}
    assert training["template"]["spec"]["nodeClassRef"]["name"] == "gpu"
    requirements = {r["key"]: r["values"] for r in training["template"]["spec"]["requirements"]}
    assert requirements["karpenter.sh/capacity-type"] == ["spot"]
    assert requirements["karpenter.k8s.aws/instance-family"] == ["g5", "g4dn"]
    assert training["template"]["spec"]["taints"] == [{"key": "betterprompts.io/training", "value": "true", "effect": "NoSchedule"}]
    assert training["template"]["metadata"]["labels"] == {POOL: "training", "nvidia.com/gpu.present": "true"}
    assert training["disruption"] == {"consolidationPolicy": "WhenEmpty", "consolidateAfter": "30m"}
    # Karpenter's node role joins through an EC2_LINUX access entry.
    entry = cluster(karpenter)["accessEntries"]["karpenter-node"]
    assert entry["type"] == "EC2_LINUX"


def test_karpenter_controller_policy_in_the_plan(karpenter: Plan) -> None:
    role = irsa_roles(karpenter)["system:serviceaccount:kube-system:karpenter"]
    (policy,) = [p for p in karpenter.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.urn]
    assert wildcard_on_everything(policy.inputs["policy"]) == []


def test_config_asking_for_both_autoscalers_is_refused() -> None:
    eks = _karpenter_config()
    config, _ = read_stack_config("staging")
    eks["nodeGroups"]["spot"] = config["betterprompts:eks"]["nodeGroups"]["spot"]
    with pytest.raises(ConfigError, match="two controllers must never manage the same nodes"):
        run_stack("staging", overrides={"betterprompts:eks": eks})


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_preflight_runs_clean(stack: str) -> None:
    import io

    from preflight.cli import main

    out = io.StringIO()
    assert main([stack], out=out) == 0, out.getvalue()
    assert "betterprompts:eks:EksCluster" in out.getvalue()


# --- the component refuses conflicting args before any child exists ------------------------


def _args(**changes: Any) -> EksClusterArgs:
    group = NodeGroupSettings(("t3a.medium",), 1, 2, 1)
    args = EksClusterArgs(
        cluster_name="c",
        kubernetes_version="1.35",
        region="us-east-1",
        account_id="123456789012",
        vpc_id="vpc-1",
        subnet_ids=["subnet-1"],
        gpu_subnet_ids=["subnet-2"],
        secrets_kms_key_arn="arn:k1",
        logs_kms_key_arn="arn:k2",
        volume_kms_key_arn="arn:k3",
        queue_kms_key_arn="arn:k4",
        admin_role_arns=["arn:aws:iam::123456789012:role/Admin"],
        addon_versions=AddonVersions("v1.21.1-eksbuild.7", "v1.14.3-eksbuild.3", "v1.35.3-eksbuild.13", "v1.60.0-eksbuild.1"),
        node_groups={"system": group, "application": group},
        api_clients={"runner": "sg-0123456789abcdef0"},
    )
    for key, value in changes.items():
        setattr(args, key, value)
    return args


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"autoscaler": "karpenter", "cluster_autoscaler": None, "karpenter": KarpenterSettings(),
          "node_groups": {p: NodeGroupSettings(("g4dn.xlarge",), 0, 1, 0) for p in ("system", "application", "gpu")}},
         "two controllers"),
        ({"karpenter": KarpenterSettings()}, "no karpenter settings"),
        ({"admin_role_arns": []}, "admin role"),
        ({"public_access_cidrs": ("0.0.0.0/0",)}, "whole internet"),
        ({"api_clients": {}}, "private-only endpoint needs an API client"),
        ({"node_groups": {}}, "system, application"),
    ],
)
def test_conflicting_args_register_nothing(changes: dict[str, Any], message: str) -> None:
    from components.eks.settings import Autoscaler

    if changes.get("autoscaler") == "karpenter":
        changes["autoscaler"] = Autoscaler.KARPENTER
    args = _args(**changes)
    with pytest.raises(ValueError, match=message):
        run_function(lambda: EksCluster("c", args))


def test_component_in_isolation_registers_the_cluster_under_its_parent() -> None:
    resources, _ = run_function(lambda: EksCluster("c", _args()))
    (component,) = [r for r in resources if r.type == "betterprompts:eks:EksCluster"]
    (eks_cluster,) = [r for r in resources if r.type == "eks:index:Cluster"]
    assert eks_cluster.parent == component.urn
    assert {r.inputs["labels"][POOL] for r in resources if r.type == "aws:eks/nodeGroup:NodeGroup"} == {"system", "application"}


# --- Karpenter's key statements and queue policy ----------------------------------------


KARPENTER_ACCOUNT = "123456789012"


def _key_statements(plan: Plan, purpose: str) -> dict[str, Any]:
    key = next(k for k in plan.of_type("aws:kms/key:Key") if k.inputs["tags"].get("KeyPurpose") == purpose)
    document: dict[str, Any] = json.loads(key.inputs["policy"])
    return {s["Sid"]: s for s in document["Statement"]}


def test_with_karpenter_eventbridge_may_encrypt_for_the_interruption_queue_only(karpenter: Plan, staging: Plan) -> None:
    events = _key_statements(karpenter, "alarms")["EventsUses"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert events["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    # No aws:Source* keys (EventBridge does not carry them to KMS): the queue's encryption context.
    assert events["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:sqs:arn": f"arn:aws:sqs:us-east-1:{KARPENTER_ACCOUNT}:betterprompts-staging-*"}
    }
    assert "EventsUses" not in _key_statements(staging, "alarms")


def test_with_karpenter_the_storage_key_admits_the_account_through_ec2(karpenter: Plan, staging: Plan) -> None:
    statement = _key_statements(karpenter, "storage")["AccountPrincipalsUseThroughEc2"]
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Action"] == [
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"
    ]
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com", "kms:CallerAccount": KARPENTER_ACCOUNT}
    }
    assert "AccountPrincipalsUseThroughEc2" not in _key_statements(staging, "storage")
    assert json.loads(key_policy("storage", account_id=KARPENTER_ACCOUNT, region="us-east-1", options=KeyOptions(ebs_through_ec2=True)))


def test_the_interruption_queue_admits_its_own_rules_only(karpenter: Plan) -> None:
    (policy,) = [p for p in karpenter.of_type("aws:sqs/queuePolicy:QueuePolicy") if "-karpenter-" in p.name]
    statement = json.loads(policy.inputs["policy"])["Statement"][0]
    rules = sorted(f"arn:aws:events:us-east-1:{KARPENTER_ACCOUNT}:rule/{r.id}" for r in karpenter.of_type("aws:cloudwatch/eventRule:EventRule"))
    assert len(rules) == 4
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": rules}}
    # The targets wait for the policy that lets their rules send.
    for target in karpenter.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        assert policy.urn in target.dependencies

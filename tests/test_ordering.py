"""Each Helm release (and EKS add-on) depends on what it needs, directly, in the plan.

A release that starts before the EKS add-ons it relies on, or before its IRSA role's policies
exist, fails its first calls or waits out its timeout: Prometheus's volume needs the EBS CSI
add-on, GPU pods need the NVIDIA device plugin, every pod needs nodes, the VPC CNI, kube-proxy
and CoreDNS, and a controller's first AWS call needs its role's policy attached. The SDK does
not carry a component's ``depends_on`` into its children, and the add-ons are children of
pulumi-eks's (remote) Cluster, so these edges must be explicit.
"""

from __future__ import annotations

import json

import pytest

from preflight.harness import Plan, Resource, run_stack
from tests.eks.test_cluster import _karpenter_config

RELEASE = "kubernetes:helm.sh/v3:Release"
ADDON = "aws:eks/addon:Addon"
GRANTS = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment")


@pytest.fixture(scope="module")
def karpenter() -> Plan:
    return run_stack("staging", overrides={"betterprompts:eks": _karpenter_config()})


def addon(plan: Plan, name: str) -> Resource:
    (found,) = [r for r in plan.of_type(ADDON) if r.inputs["addonName"] == name]
    return found


def release(plan: Plan, chart_suffix: str) -> Resource:
    (found,) = [r for r in plan.of_type(RELEASE) if r.inputs["chart"].endswith(chart_suffix)]
    return found


def test_every_release_waits_for_nodes_networking_and_dns(plan: Plan) -> None:
    needed = {addon(plan, name).urn for name in ("vpc-cni", "kube-proxy", "coredns")}
    needed |= {r.urn for r in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    for r in plan.of_type(RELEASE):
        assert needed <= set(r.dependencies), r.name


def test_prometheus_waits_for_the_ebs_csi_addon(plan: Plan) -> None:
    ebs = addon(plan, "aws-ebs-csi-driver").urn
    assert ebs in release(plan, "kube-prometheus-stack").dependencies
    # Prometheus's (EBS) class; the storage layer's EFS class is the other one.
    (storage_class,) = [s for s in plan.of_type("kubernetes:storage.k8s.io/v1:StorageClass") if s.inputs["provisioner"] == "ebs.csi.aws.com"]
    assert ebs in storage_class.dependencies


def test_torchserve_waits_for_the_device_plugin(plan: Plan) -> None:
    plugin = release(plan, "nvidia-device-plugin").urn
    assert plugin in release(plan, "charts/torchserve").dependencies


def test_workload_deployments_wait_for_the_cluster(plan: Plan) -> None:
    needed = {addon(plan, name).urn for name in ("vpc-cni", "kube-proxy", "coredns")}
    for deployment in plan.of_type("kubernetes:apps/v1:Deployment"):
        assert needed <= set(deployment.dependencies), deployment.name


def _roles_used(plan: Plan, resource: Resource) -> list[Resource]:
    text = json.dumps(resource.inputs)
    return [role for role in plan.of_type("aws:iam/role:Role") if f":role/{role.name}-" in text]


def _check_role_policies_first(plan: Plan) -> int:
    checked = 0
    for r in plan.of_type(RELEASE) + plan.of_type(ADDON):
        for role in _roles_used(plan, r):
            grants = [g for g in plan.resources if g.type in GRANTS and g.parent == role.urn]
            assert grants, role.name
            missing = [g.name for g in grants if g.urn not in r.dependencies]
            assert missing == [], f"{r.name} uses {role.name} before its policies exist: {missing}"
            checked += 1
    return checked


def test_what_uses_an_irsa_role_waits_for_its_policies(plan: Plan) -> None:
    # cluster-autoscaler, load balancer and EFS controllers, TorchServe, the CloudWatch exporter, the OpenTelemetry
    # collector, Fluent Bit, Velero, VPC CNI and EBS CSI add-ons; in production also Prometheus (remote write to AMP).
    remote_write = 1 if plan.stack == "production" else 0
    assert _check_role_policies_first(plan) == 10 + remote_write


def test_karpenter_waits_for_its_policy(karpenter: Plan) -> None:
    # Karpenter, load balancer and EFS controllers, TorchServe, the CloudWatch exporter, the OpenTelemetry collector,
    # Fluent Bit, Velero, VPC CNI and EBS CSI add-ons.
    assert _check_role_policies_first(karpenter) == 10

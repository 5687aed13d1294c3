"""The quota model: which quota each registered resource counts against, and how much at peak."""

from __future__ import annotations

from typing import Any

import pytest

from policies.instance_sizes import gpus, vcpus
from policies.quota_model import (
    ON_DEMAND_G_VT,
    ON_DEMAND_STANDARD,
    SPOT_G_VT,
    SPOT_STANDARD,
    quota_needs,
    sagemaker_instance_quota,
    vcpu_quota,
)


def _r(type_: str, logical: str, **inputs: Any) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:s::p::{type_}::{logical}", "type": type_, "name": logical, "inputs": inputs}


def _needs(*resources: dict[str, Any], requests: dict[str, Any] | None = None) -> dict[str, Any]:
    return {n.quota.key: n for n in quota_needs(list(resources), requests)}


@pytest.mark.parametrize(
    ("instance_type", "expected"),
    [("t3a.medium", 2), ("t4g.nano", 2), ("c6i.xlarge", 4), ("c6i.large", 2), ("g4dn.xlarge", 4), ("ml.g4dn.xlarge", 4),
     ("g5.12xlarge", 48), ("p3.2xlarge", 8), ("t2.micro", 1), ("r6g.medium", 1)],
)
def test_vcpus_per_instance_type(instance_type: str, expected: int) -> None:
    assert vcpus(instance_type) == expected


def test_unknown_sizes_fail_loudly() -> None:
    with pytest.raises(ValueError, match="add it to policies/instance_sizes.py"):
        vcpus("c6i.metal")
    with pytest.raises(ValueError, match="not an instance type"):
        vcpus("g4dn")


def test_gpus_per_instance_type() -> None:
    assert gpus("g4dn.xlarge") == 1 and gpus("g5.12xlarge") == 4 and gpus("c6i.xlarge") == 0


def test_instance_families_map_to_their_vcpu_quota() -> None:
    assert vcpu_quota("c6i.xlarge", spot=False) is ON_DEMAND_STANDARD
    assert vcpu_quota("t3a.large", spot=True) is SPOT_STANDARD
    assert vcpu_quota("g4dn.xlarge", spot=False) is ON_DEMAND_G_VT
    assert vcpu_quota("g5.xlarge", spot=True) is SPOT_G_VT
    assert ON_DEMAND_STANDARD.code == "L-1216C47A" and ON_DEMAND_G_VT.code == "L-DB2E81BA"
    assert SPOT_STANDARD.code == "L-34B43A08" and SPOT_G_VT.code == "L-3819A6DF"
    with pytest.raises(ValueError, match="no vCPU quota family"):
        vcpu_quota("inf2.xlarge", spot=False)


def test_a_managed_node_group_counts_its_maximum_plus_the_update_surge() -> None:
    group = _r(
        "aws:eks/nodeGroup:NodeGroup", "gpu",
        scalingConfig={"minSize": 1, "maxSize": 5}, instanceTypes=["g4dn.xlarge"], capacityType="ON_DEMAND",
        subnetIds=["a", "b", "c"], updateConfig={"maxUnavailablePercentage": 33}, clusterName="c",
    )
    need = _needs(group)["ec2/L-DB2E81BA"]
    # 5 nodes x 4 vCPUs; an update launches up to twice the AZs (6) more.
    assert (need.needed, need.peak) == (20, 44)
    assert _needs(group)["eks/L-BD136A63"].peak == 11


def test_a_large_max_unavailable_sets_the_surge() -> None:
    group = _r("aws:eks/nodeGroup:NodeGroup", "app", scalingConfig={"maxSize": 40}, instanceTypes=["c6i.xlarge"],
               subnetIds=["a"], updateConfig={"maxUnavailable": 10})
    assert _needs(group)["ec2/L-1216C47A"].peak == (40 + 10) * 4


def test_spot_groups_count_against_spot_quotas_at_their_largest_type() -> None:
    group = _r("aws:eks/nodeGroup:NodeGroup", "spot", scalingConfig={"maxSize": 10}, instanceTypes=["t3a.large", "c6i.xlarge"],
               capacityType="SPOT", subnetIds=["a"])
    assert _needs(group)["ec2/L-34B43A08"].needed == 40


def test_network_counts() -> None:
    resources = [
        _r("aws:ec2/vpc:Vpc", "vpc"),
        _r("aws:ec2/eip:Eip", "a"), _r("aws:ec2/eip:Eip", "b"),
        _r("aws:ec2/natGateway:NatGateway", "a", subnetId="s1"), _r("aws:ec2/natGateway:NatGateway", "b", subnetId="s2"),
        _r("aws:ec2/vpcEndpoint:VpcEndpoint", "ecr", vpcEndpointType="Interface", vpcId="v"),
        _r("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", vpcEndpointType="Gateway", serviceName="s3"),
        _r("aws:ec2/securityGroup:SecurityGroup", "sg"),
    ]
    needs = _needs(*resources)
    assert needs["ec2/L-0263D0A3"].needed == 2
    assert needs["vpc/L-FE5A380F"].needed == 1  # one per AZ
    assert needs["vpc/L-29B6F2EB"].needed == 1 and needs["vpc/L-1B52E74A"].needed == 1
    assert needs["vpc/L-E79EC296"].needed == 2  # the group + the VPC's default group
    assert needs["vpc/L-F678F1CE"].quota.default == 5


def test_sagemaker_endpoint_counts_its_scaling_ceiling_and_the_update_fleet() -> None:
    config = _r("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg",
                productionVariants=[{"variantName": "AllTraffic", "instanceType": "ml.g4dn.xlarge", "initialInstanceCount": 5}])
    blue_green = _r("aws:sagemaker/endpoint:Endpoint", "ep", name="ep")
    blue_green["dependencies"] = [config["urn"]]
    target = _r("aws:appautoscaling/target:Target", "t", resourceId="endpoint/ep/variant/AllTraffic", minCapacity=2, maxCapacity=5)
    need = _needs(config, blue_green, target)[sagemaker_instance_quota("ml.g4dn.xlarge").key]
    assert (need.needed, need.peak) == (5, 10)  # blue/green: a whole new fleet of initialInstanceCount
    rolling = dict(blue_green, inputs={"name": "ep", "deploymentConfig": {
        "rollingUpdatePolicy": {"maximumBatchSize": {"type": "INSTANCE_COUNT", "value": 1}}}})
    need = _needs(config, rolling, target)["sagemaker/ml.g4dn.xlarge for endpoint usage"]
    assert (need.needed, need.peak) == (5, 6)


def test_an_endpoint_configuration_without_an_endpoint_holds_nothing() -> None:
    config = _r("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "cfg",
                productionVariants=[{"instanceType": "ml.g4dn.xlarge", "initialInstanceCount": 2}])
    assert _needs(config) == {}


def test_requests_below_the_peak_are_flagged() -> None:
    eip = _r("aws:ec2/eip:Eip", "a")
    assert not _needs(eip, requests={"ec2/L-0263D0A3": 1})["ec2/L-0263D0A3"].request_short
    assert _needs(eip, eip, requests={"ec2/L-0263D0A3": 1})["ec2/L-0263D0A3"].request_short


def test_production_needs_gpu_quota_for_nodes_and_endpoint(production: Any) -> None:
    needs = {n.quota.key: n for n in quota_needs(production.to_json()["resources"])}
    assert needs["ec2/L-1216C47A"].needed == 4 * 2 + 9 * 4  # system + application at max
    assert needs["ec2/L-34B43A08"].needed == 10 * 2
    assert needs["vpc/L-FE5A380F"].needed == 1 and needs["ec2/L-0263D0A3"].needed == 3
    assert needs["sagemaker/ml.g4dn.xlarge for endpoint usage"].needed == 5

"""Cost lines issue 23 added: part-time commitments, managed secrets, cache backups, scaling alarms,
interface endpoints and image pulls, and both ML serving paths side by side."""

from __future__ import annotations

from typing import Any

import pytest

from policies.cost_model import Assumptions, CostResource, Usage, estimate, serving_paths

HOURS = 730


def _r(type_: str, logical: str, **inputs: Any) -> CostResource:
    return CostResource(urn=f"urn:x::{type_}::{logical}", type=type_, name=logical, inputs=inputs)


def _items(*resources: CostResource, assumptions: Assumptions | None = None) -> list[Any]:
    return [i for i in estimate(list(resources), "us-east-1", assumptions or Assumptions()).items if i.urn]


GROUP = _r("aws:eks/nodeGroup:NodeGroup", "app", scalingConfig={"minSize": 2, "maxSize": 4}, instanceTypes=["c6i.xlarge"])
DB = _r("aws:rds/instance:Instance", "db", instanceClass="db.t4g.medium", engine="postgres", allocatedStorage=50)


def test_full_time_resources_keep_the_whole_commitment() -> None:
    [nodes] = _items(GROUP)
    compute = 2 * 0.17 * HOURS
    assert nodes.committed == pytest.approx(nodes.baseline - 0.2 * compute)


def test_part_time_resources_save_only_what_a_commitment_billed_every_hour_saves() -> None:
    # Staging's week: 36% running. A 20% Savings Plan costs 80% of full time, more than 36% on demand.
    [nodes] = _items(GROUP, assumptions=Assumptions(running_fraction=0.36))
    assert nodes.committed == pytest.approx(nodes.baseline) and nodes.commitment is None
    # Running 90% of the week: the plan costs 0.8 x full time against 0.9 on demand.
    [nodes] = _items(GROUP, assumptions=Assumptions(running_fraction=0.9))
    full_time = 2 * 0.17 * HOURS
    assert nodes.baseline - nodes.committed == pytest.approx(0.9 * full_time - 0.8 * full_time)
    [db, *_] = _items(DB, assumptions=Assumptions(running_fraction=0.36))
    assert db.committed == pytest.approx(db.baseline)


def test_rds_managed_master_secret_is_priced() -> None:
    managed = _r("aws:rds/instance:Instance", "db", instanceClass="db.t4g.medium", engine="postgres", allocatedStorage=50,
                 manageMasterUserPassword=True)
    descriptions = {i.description: i.baseline for i in _items(managed)}
    assert descriptions["Secrets Manager secret of db (RDS-managed master password)"] == pytest.approx(0.40)
    assert len(_items(DB)) == 1


def test_cache_backups_beyond_the_free_one_are_priced() -> None:
    group = _r("aws:elasticache/replicationGroup:ReplicationGroup", "cache", nodeType="cache.t4g.small",
               numNodeGroups=1, replicasPerNodeGroup=1, snapshotRetentionLimit=7)
    usage = Assumptions(usage=Usage(cache_data_gb=30))
    [nodes, backups] = _items(group, assumptions=usage)
    assert backups.baseline == pytest.approx(6 * 30 * 0.085)
    one_day = _r("aws:elasticache/replicationGroup:ReplicationGroup", "c1", nodeType="cache.t4g.small",
                 numNodeGroups=1, replicasPerNodeGroup=1, snapshotRetentionLimit=1)
    assert len(_items(one_day)) == 1


def test_target_tracking_policies_bill_their_two_alarms() -> None:
    policy = _r("aws:appautoscaling/policy:Policy", "scale", policyType="TargetTrackingScaling")
    [alarms] = _items(policy)
    assert alarms.baseline == pytest.approx(2 * 0.10)
    assert _items(_r("aws:appautoscaling/policy:Policy", "step", policyType="StepScaling")) == []


def test_image_pulls_go_through_nat_unless_ecr_endpoints_exist() -> None:
    nat = _r("aws:ec2/natGateway:NatGateway", "nat")
    usage = Assumptions(usage=Usage(nat_processed_gb=100, image_pull_gb=200))
    [line] = _items(nat, assumptions=usage)
    assert line.baseline == pytest.approx(0.045 * HOURS + 300 * 0.045)
    dkr = _r("aws:ec2/vpcEndpoint:VpcEndpoint", "dkr", vpcEndpointType="Interface",
             serviceName="com.amazonaws.us-east-1.ecr.dkr", subnetIds=["a", "b", "c"])
    api = _r("aws:ec2/vpcEndpoint:VpcEndpoint", "api", vpcEndpointType="Interface",
             serviceName="com.amazonaws.us-east-1.ecr.api", subnetIds=["a", "b", "c"])
    by_name = {i.urn.rsplit("::", 1)[1]: i.baseline for i in _items(nat, dkr, api, assumptions=usage)}
    assert by_name["nat"] == pytest.approx(0.045 * HOURS + 100 * 0.045)
    assert by_name["dkr"] == pytest.approx(3 * 0.01 * HOURS + 200 * 0.01)
    assert by_name["api"] == pytest.approx(3 * 0.01 * HOURS)


def test_both_serving_paths_are_priced() -> None:
    value = {
        "serving": "sagemaker",
        "sagemaker": {"instanceType": "ml.g4dn.xlarge", "min": 2, "max": 5},
        "torchserve": {"instanceType": "g4dn.xlarge", "podsMin": 1, "podsMax": 8, "gpusPerPod": 1, "nodesMax": 5, "diskGb": 100},
    }
    sm, ts = serving_paths(value, "us-east-1")
    assert (sm.path, sm.serving, ts.path, ts.serving) == ("sagemaker", True, "torchserve", False)
    assert sm.baseline == pytest.approx(2 * 0.7364 * HOURS)
    node = 0.526 * HOURS + 100 * 0.08
    # 8 pods at one GPU each need 8 nodes, but the pool stops at 5.
    assert (ts.baseline, ts.peak) == (pytest.approx(node), pytest.approx(5 * node))
    assert serving_paths(None, "us-east-1") == []


def test_the_cost_stage_shows_both_paths(production: Any) -> None:
    from preflight import cost_stage

    result = cost_stage.run(production.to_json())
    assert not result.failed
    assert [p["path"] for p in result.data["servingPaths"]] == ["sagemaker", "torchserve"]
    assert any("sized to zero" in line for line in result.lines)

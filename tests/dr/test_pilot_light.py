"""The pilot-light `dr` stack: its settings (``betterprompts:pilotLight``), the node groups of each posture, and
the plan of Pulumi.dr.yaml: everything in us-west-2, the cheap NAT, the cluster at standby sizes, off when asked."""

from __future__ import annotations

from typing import Any

import pytest

from components.dr import STANDBY_SYSTEM_NODES, ClusterPosture, standby_node_groups
from components.platform import ConfigError
from components.settings import is_pilot_light, load_pilot_light_settings, load_settings
from preflight import plan_diff, policy_stage
from preflight.harness import Plan, run_stack
from tests.preflight.review_support import document
from tests.stack_config import config_of

KEY = "betterprompts:pilotLight"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
REPLICA = "betterprompts-dr-replica"
STANDBY_SIZES = {
    "system": (1, 1, 4),
    "application": (0, 0, 9),
    "gpu": (0, 0, 5),
    "spot": (0, 0, 10),
    "training": (0, 0, 4),
}


def _load(config: dict[str, Any]) -> Any:
    return load_pilot_light_settings(config, project="betterprompts", stack="dr")


def _error(config: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _load(config)
    return caught.value


def _with(**changes: Any) -> dict[str, Any]:
    config = config_of("dr")
    config[KEY].update(changes)
    return config


# --- settings --------------------------------------------------------------------------------------


def test_the_dr_stack_is_production_s_pilot_light_in_us_west_2() -> None:
    config = config_of("dr")
    assert is_pilot_light(config) and not is_pilot_light(config_of("production")) and not is_pilot_light(config_of("staging"))
    settings = _load(config)
    assert settings.region == "us-west-2"
    assert settings.pilot_light.primary_stack == "betterprompts/betterprompts/production"
    assert settings.pilot_light.primary_region == "us-east-1"
    assert settings.pilot_light.active is False
    assert settings.pilot_light.cluster is ClusterPosture.STANDBY
    # Its own range: production's and staging's never overlap it.
    assert str(settings.network.vpc_cidr) == "10.2.0.0/16"
    assert settings.network.availability_zones == ("us-west-2a", "us-west-2b", "us-west-2c")


def test_the_failover_sizes_are_production_s() -> None:
    dr = _load(config_of("dr")).eks.node_groups
    production = load_settings(config_of("production"), project="betterprompts", stack="production").eks.node_groups
    assert {p: (g.instance_types, g.min_size, g.max_size) for p, g in dr.items()} == {
        p: (g.instance_types, g.min_size, g.max_size) for p, g in production.items()
    }


def test_a_pilot_light_in_the_primary_s_region_is_refused() -> None:
    error = _error(_with(primaryRegion="us-west-2"))
    assert error.key == f"{KEY}.primaryRegion" and error.value == "us-west-2"
    assert "us-east-1" in error.allowed and "us-west-2" not in error.allowed


def test_the_primary_stack_is_a_fully_qualified_name() -> None:
    error = _error(_with(primaryStack="production"))
    assert (error.key, error.value) == (f"{KEY}.primaryStack", "production")
    assert error.allowed.startswith("<organization>/<project>/<stack>")


def test_the_cluster_posture_is_standby_or_off() -> None:
    error = _error(_with(cluster="paused"))
    assert (error.key, error.value, error.allowed) == (f"{KEY}.cluster", "paused", "one of standby, off")
    config = config_of("dr")
    del config[KEY]["cluster"]
    assert _load(config).pilot_light.cluster is ClusterPosture.STANDBY


def test_the_failover_switch_is_required() -> None:
    config = config_of("dr")
    del config[KEY]["active"]
    error = _error(config)
    assert (error.key, error.value) == (f"{KEY}.active", None)


def test_an_unknown_pilot_light_key_is_named() -> None:
    error = _error(_with(promote=True))
    assert (error.key, error.value) == (f"{KEY}.promote", True)


def test_a_primary_s_section_is_not_read_by_a_pilot_light() -> None:
    config = config_of("dr")
    config["betterprompts:database"] = config_of("production")["betterprompts:database"]
    error = _error(config)
    assert error.key == "betterprompts:database"
    assert error.allowed.startswith("no such key")
    assert "betterprompts:pilotLight" in error.allowed and "betterprompts:eks" in error.allowed


def test_only_the_sections_it_composes_are_required() -> None:
    config = config_of("dr")
    assert sorted(k for k in config if k.startswith("betterprompts:")) == sorted(
        f"betterprompts:{s}" for s in ("pilotLight", "platform", "network", "eks", "deploy", "edge", "workloads", "cache", "serverless", "cost")
    )
    _load(config)


@pytest.mark.parametrize(("key", "value"), [("shutdown", {"enabled": True, "timezone": "UTC", "stopSchedule": "cron(0 20 ? * MON-FRI *)", "startSchedule": "cron(0 8 ? * MON-FRI *)"}), ("activateCostAllocationTags", True)])
def test_a_pilot_light_neither_stops_at_night_nor_owns_the_account_s_cost_tags(key: str, value: Any) -> None:
    config = config_of("dr")
    config["betterprompts:cost"][key] = value
    error = _error(config)
    assert error.key.startswith(f"betterprompts:cost.{key}") and error.value is True


def test_a_primary_stack_refuses_a_pilot_light_section() -> None:
    config = config_of("production")
    config[KEY] = config_of("dr")[KEY]
    with pytest.raises(ConfigError) as caught:
        load_settings(config, project="betterprompts", stack="production")
    assert caught.value.key == KEY


def test_standby_keeps_one_system_node_and_every_other_pool_at_zero() -> None:
    groups = _load(config_of("dr")).eks.node_groups
    standby = standby_node_groups(groups, active=False)
    assert {p: (g.min_size, g.desired_size) for p, g in standby.items()} == {
        "system": (STANDBY_SYSTEM_NODES, STANDBY_SYSTEM_NODES),
        "application": (0, 0),
        "gpu": (0, 0),
        "spot": (0, 0),
        "training": (0, 0),
    }
    # The shape stays the failover's: types, maximum, disks and labels.
    assert all((standby[p].instance_types, standby[p].max_size, standby[p].labels) == (g.instance_types, g.max_size, g.labels) for p, g in groups.items())
    assert standby_node_groups(groups, active=True) == groups


# --- the plan ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dr_plan() -> Plan:
    return run_stack("dr")


def _scaling(plan: Plan) -> dict[str, tuple[float, float, float]]:
    return {
        r.name.removeprefix("betterprompts-dr-eks-"): tuple(r.inputs["scalingConfig"][k] for k in ("minSize", "desiredSize", "maxSize"))  # type: ignore[misc]
        for r in plan.of_type("aws:eks/nodeGroup:NodeGroup")
    }


def test_everything_goes_through_one_us_west_2_provider(dr_plan: Plan) -> None:
    providers = dr_plan.of_type("pulumi:providers:aws")
    assert [(p.name, p.inputs["region"]) for p in providers] == [("betterprompts-dr-aws", "us-west-2")]
    aws_resources = [r for r in dr_plan.resources if r.custom and r.type.startswith("aws:")]
    assert aws_resources and all(r.provider.startswith(providers[0].urn) for r in aws_resources)
    # Nothing names the primary's Region (a failover's `pulumi up` must not need it) but the replica's source,
    # an ARN read from the state backend (a StackReference), not from us-east-1's APIs.
    assert [r.name for r in aws_resources if "us-east-1" in str({k: v for k, v in r.inputs.items() if k != "replicateSourceDb"})] == []


def test_the_network_is_its_own_range_with_one_nat_instance(dr_plan: Plan) -> None:
    assert [v.inputs["cidrBlock"] for v in dr_plan.of_type("aws:ec2/vpc:Vpc")] == ["10.2.0.0/16"]
    assert dr_plan.of_type("aws:ec2/natGateway:NatGateway") == []
    assert [i.inputs["instanceType"] for i in dr_plan.of_type("aws:ec2/instance:Instance")] == ["t4g.nano"]
    assert sorted(s.inputs["availabilityZone"] for s in dr_plan.of_type("aws:ec2/subnet:Subnet")) == sorted(
        [f"us-west-2{az}" for az in "abc"] * 4
    )


def test_standby_runs_the_control_plane_and_one_system_node(dr_plan: Plan) -> None:
    assert _scaling(dr_plan) == STANDBY_SIZES
    assert dr_plan.outputs["pilotLight"] == {"primaryStack": "betterprompts/betterprompts/production", "primaryRegion": "us-east-1", "active": False, "cluster": "standby"}
    # Nothing else of the primary's platform: no cache, storage buckets or CloudFront in the pilot light (the replica
    # below; the HTTPS entry and its access-log bucket: tests/dr/test_entry.py).
    types = {r.type for r in dr_plan.resources}
    assert not types & {"aws:elasticache/replicationGroup:ReplicationGroup", "aws:s3/bucketV2:BucketV2", "aws:cloudfront/distribution:Distribution"}
    assert [b.name for b in dr_plan.of_type("aws:s3/bucket:Bucket")] == ["betterprompts-dr-entry-access-logs"]


def _replica(plan: Plan) -> Any:
    (instance,) = plan.of_type("aws:rds/instance:Instance")
    return instance


def test_standby_replicates_production_s_database_under_this_region_s_data_key(dr_plan: Plan, production: Plan) -> None:
    replica = _replica(dr_plan)
    # The source by ARN (cross-Region), production's own export read through the StackReference.
    assert replica.inputs["replicateSourceDb"] == production.outputs["databaseArn"]
    assert replica.inputs["replicateSourceDb"].startswith("arn:aws:rds:us-east-1:")
    data_key = next(k for k in dr_plan.of_type("aws:kms/key:Key") if k.inputs["tags"].get("KeyPurpose") == "data")
    assert replica.inputs["kmsKeyId"] == f"arn:aws:kms:us-west-2:123456789012:key/{data_key.id}"
    (subnet_group,) = dr_plan.of_type("aws:rds/subnetGroup:SubnetGroup")
    assert replica.inputs["dbSubnetGroupName"] == subnet_group.id == dr_plan.outputs["dbSubnetGroupName"]
    assert replica.inputs["instanceClass"] == "db.r6g.xlarge" and replica.inputs.get("multiAz") in (False, None)
    # Its clients: the app-clients group and the standby cluster's nodes.
    group = next(g for g in dr_plan.of_type("aws:ec2/securityGroup:SecurityGroup") if g.id in replica.inputs["vpcSecurityGroupIds"])
    (ingress,) = group.inputs["ingress"]
    assert (ingress["fromPort"], ingress["toPort"]) == (5432, 5432)
    admitted = set(ingress["securityGroups"])
    app_clients = dr_plan.named("betterprompts-dr-app-clients").id
    assert app_clients in admitted and dr_plan.outputs["nodeSecurityGroupId"] in admitted
    assert dr_plan.outputs["databasePromoted"] is False


def test_the_failover_switch_promotes_the_replica() -> None:
    config = config_of("dr")
    config[KEY]["active"] = True
    replica = _replica(run_stack("dr", config=config))
    assert "replicateSourceDb" not in replica.inputs or not replica.inputs["replicateSourceDb"]
    assert replica.inputs["multiAz"] is True
    assert replica.name == "betterprompts-dr-replica"  # the same resource: promoted in place


def test_a_past_promotion_stays_when_the_switch_goes_back() -> None:
    config = config_of("dr")
    config[KEY]["replica"]["promoted"] = True
    settings = _load(config)
    assert settings.pilot_light.active is False and settings.pilot_light.replica.promoted is True
    assert _load(config_of("dr")).pilot_light.replica.promoted is False
    assert _load(_with(active=True)).pilot_light.replica.promoted is True


def test_a_bad_replica_value_names_its_key_under_the_pilot_light() -> None:
    config = config_of("dr")
    config[KEY]["replica"]["instanceClass"] = "db.x1.huge"
    assert _error(config).key == f"{KEY}.replica.instanceClass"


def test_without_a_replica_section_there_is_no_database() -> None:
    config = config_of("dr")
    del config[KEY]["replica"]
    # The application layer needs the database (tests/dr/test_pilot_light_apps.py): without it, neither.
    for section in ("workloads", "cache", "serverless"):
        del config[f"betterprompts:{section}"]
    assert _load(config).pilot_light.replica is None


def test_a_failover_brings_the_node_groups_to_production_s_sizes() -> None:
    config = config_of("dr")
    config[KEY]["active"] = True
    plan = run_stack("dr", config=config)
    assert _scaling(plan) == {
        "system": (2, 2, 4),
        "application": (3, 3, 9),
        "gpu": (0, 0, 5),
        "spot": (0, 0, 10),
        "training": (0, 0, 4),
    }


def test_cluster_off_keeps_the_network_and_drops_the_cluster() -> None:
    config = config_of("dr")
    config[KEY]["cluster"] = "off"
    plan = run_stack("dr", config=config)
    assert plan.of_type("betterprompts:eks:EksCluster") == [] and plan.of_type("aws:eks/nodeGroup:NodeGroup") == []
    assert plan.of_type("aws:ec2/vpc:Vpc") and plan.of_type("betterprompts:eks:DeployRunner")
    assert plan.outputs["nodeGroupSizes"] == {}


# --- who owns a node group's desired size (the plan records ``ignore_changes``) --------------------


def test_the_pilot_light_sends_its_node_groups_desired_size_production_leaves_it_to_the_autoscaler(
    dr_plan: Plan, production: Plan
) -> None:
    # Production: the Cluster Autoscaler owns desiredSize, so an update keeps the state's (a `pulumi up` at
    # 14:00 must not shrink a pool the autoscaler grew).
    pools = ("system", "application", "gpu", "spot", "training")
    assert {r.name.rsplit("-", 1)[-1]: r.ignore_changes for r in production.of_type(NODE_GROUP)} == {
        pool: ["scalingConfig.desiredSize"] for pool in pools
    }
    # The pilot light sends it: the failover raises minSize from 0 to 3, and EKS refuses min > desired, so the
    # desired size must travel with it (docs/dr.md, "With active: true").
    assert [r.ignore_changes for r in dr_plan.of_type(NODE_GROUP)] == [[]] * len(pools)
    # Nothing else in either plan ignores an input.
    assert {r.type for r in [*production.resources, *dr_plan.resources] if r.ignore_changes} == {NODE_GROUP}


def test_the_failover_update_sends_the_raised_desired_size_with_the_minimum() -> None:
    config = config_of("dr")
    config[KEY]["active"] = True
    groups = run_stack("dr", config=config).of_type(NODE_GROUP)
    assert all(g.ignore_changes == [] for g in groups)
    for group in groups:
        scaling = group.inputs["scalingConfig"]
        assert scaling["minSize"] <= scaling["desiredSize"] <= scaling["maxSize"], group.name


# --- failback: the promoted replica stays the primary it became; rebuilding it is a replacement -------


def _promoted_standby() -> dict[str, Any]:
    """Pulumi.dr.yaml after a failover and the failback: promotion kept, the switch back to standby."""
    config = config_of("dr")
    config[KEY]["replica"]["promoted"] = True
    return config


def _instance(doc: dict[str, Any]) -> dict[str, Any]:
    (instance,) = [r for r in doc["resources"] if r["type"] == "aws:rds/instance:Instance"]
    return instance


@pytest.fixture(scope="module")
def failed_back() -> dict[str, Any]:
    return document(run_stack("dr", config=_promoted_standby()))


@pytest.fixture(scope="module")
def standby_document(dr_plan: Plan) -> dict[str, Any]:
    return document(dr_plan)


def test_failback_returns_the_nodes_to_standby_and_keeps_the_promoted_instance(
    standby_document: dict[str, Any], failed_back: dict[str, Any]
) -> None:
    assert failed_back["outputs"]["databasePromoted"] is True
    replica = _instance(failed_back)
    # A standalone primary: no source (the StackReference is not read), Multi-AZ, protected, a final snapshot.
    assert not replica["inputs"].get("replicateSourceDb")
    assert replica["inputs"]["multiAz"] is True and replica["inputs"]["deletionProtection"] is True
    assert replica["protect"] is True and replica["inputs"]["skipFinalSnapshot"] is False
    assert replica["inputs"]["tags"]["Role"] == "primary"
    sizes = {
        r["name"].removeprefix("betterprompts-dr-eks-"): tuple(r["inputs"]["scalingConfig"][k] for k in ("minSize", "desiredSize", "maxSize"))
        for r in failed_back["resources"]
        if r["type"] == NODE_GROUP
    }
    assert sizes == STANDBY_SIZES
    # From the standby plan it is the same instance, changed in place (promotion), never replaced.
    found = plan_diff.diff(standby_document, failed_back)
    changed = {c.name: c for c in found.of_kind("changed")}
    assert "replicateSourceDb" in changed[REPLICA].paths and not changed[REPLICA].forcing
    assert REPLICA not in {c.name for c in found.of_kind("replaced")}
    # Only the replica-lag alarm goes: a standalone instance has no lag to watch.
    assert [c.name for c in found.of_kind("removed")] == [f"{REPLICA}-replica-lag"]
    # Nothing the pack requires of production's data is lost by the failback.
    assert [v for v in failed_back["violations"] if v["enforcement"] == "mandatory"] == []


def test_rebuilding_the_replica_after_a_failback_is_a_deliberate_replacement(failed_back: dict[str, Any]) -> None:
    config = config_of("dr")
    config[KEY]["replica"].update(protect=False, identifier="betterprompts-dr-replica-2")
    rebuilt = document(run_stack("dr", config=config))
    replica = _instance(rebuilt)
    assert replica["inputs"]["replicateSourceDb"].startswith("arn:aws:rds:us-east-1:")
    assert replica["inputs"]["identifier"] == "betterprompts-dr-replica-2" and replica["protect"] is False
    (replaced,) = [c for c in plan_diff.diff(failed_back, rebuilt).of_kind("replaced") if c.type == "aws:rds/instance:Instance"]
    # The new identifier is what forces it (an RDS instance cannot become a replica again); the preview shows it.
    assert replaced.name == REPLICA and "identifier" in replaced.forcing


# --- this Region's backup plan: nothing selected in standby, the promoted database after a failover ---


def test_the_backup_plan_stays_in_this_region() -> None:
    backup = _load(config_of("dr")).pilot_light.backup
    assert backup is not None and (backup.frequency_hours, backup.retention_days, backup.copy_to_dr_region) == (24, 30, False)
    config = config_of("dr")
    config[KEY]["backup"]["copyToDrRegion"] = True
    error = _error(config)
    assert error.key == f"{KEY}.backup.copyToDrRegion" and "us-east-1" in str(error)
    config = config_of("dr")
    config[KEY]["backup"]["frequencyHours"] = 5
    assert _error(config).key == f"{KEY}.backup.frequencyHours"
    config = config_of("dr")
    del config[KEY]["backup"]
    assert _load(config).pilot_light.backup is None


def test_standby_s_plan_selects_primaries_of_this_stack_and_the_replica_is_not_one(dr_plan: Plan) -> None:
    (vault,) = dr_plan.of_type("aws:backup/vault:Vault")
    assert vault.provider.startswith(dr_plan.of_type("pulumi:providers:aws")[0].urn)
    (database,) = [s for s in dr_plan.of_type("aws:backup/selection:Selection") if s.name.endswith("-database")]
    tags = {c["key"]: c["value"] for c in database.inputs["conditions"][0]["stringEquals"]}
    assert tags == {
        "aws:ResourceTag/Project": "betterprompts",
        "aws:ResourceTag/Environment": "dr",
        "aws:ResourceTag/Component": "database",
        "aws:ResourceTag/Role": "primary",
    }
    assert _replica(dr_plan).inputs["tags"]["Role"] == "read-replica"
    # No copy rule: a copy would go to us-east-1.
    (plan,) = dr_plan.of_type("aws:backup/plan:Plan")
    assert [rule.get("copyActions") or [] for rule in plan.inputs["rules"]] == [[]]


def test_a_promoted_database_without_this_region_s_plan_breaks_production_s_backup_coverage() -> None:
    config = config_of("dr")
    config[KEY]["active"] = True
    del config[KEY]["backup"]
    found = policy_stage.evaluate(run_stack("dr", config=config).to_json())
    assert [(v.policy, v.enforcement) for v in found if v.enforcement == "mandatory"] == [
        ("production-backup-plan-covers-stateful", "mandatory")
    ]


def test_a_restore_finds_the_dr_stack_s_subnet_group_key_and_database_group_in_its_outputs(dr_plan: Plan) -> None:
    # docs/dr.md, "Restoring": the restore command reads these three outputs.
    replica = _replica(dr_plan)
    assert dr_plan.outputs["databaseSecurityGroupId"] in replica.inputs["vpcSecurityGroupIds"]
    assert dr_plan.outputs["dbSubnetGroupName"] == replica.inputs["dbSubnetGroupName"]
    assert dr_plan.outputs["kmsKeyArns"]["data"] == replica.inputs["kmsKeyId"]

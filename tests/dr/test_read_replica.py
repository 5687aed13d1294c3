"""ReadReplica: the pilot light's cross-Region replica of the primary database, built alone under the mock
runtime in us-west-2 (as the dr stack will): its source by ARN from a StackReference to production, a key of
its own Region, the DR VPC's subnet group, no credentials, protection; promoted, the same resource without a
source and with a final snapshot. Bad config and inconsistent inputs fail before anything exists."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Mapping

import pulumi
import pulumi_aws as aws
import pytest

from components.data import db_parameters
from components.dr import DATABASE_ARN_OUTPUT, ReadReplica, ReadReplicaArgs, ReplicaSettings, primary_database_arn
from components.dr.read_replica_plan import check_source, identifier_problem, mode_inputs, source_region
from components.platform import ConfigError, Section
from policies.cost_model import Assumptions, CostResource, Usage, estimate
from preflight.harness import Plan, Resource, referenced_stack_outputs
from tests.policy_plans import violations
from preflight.mocks import STACK_REFERENCE, PreflightMocks
from preflight.monitor import run_function

INSTANCE = "aws:rds/instance:Instance"
ACCOUNT = "123456789012"
REFERENCE = "acme/betterprompts/production"
PRIMARY_ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:betterprompts-production-database"
SUBNET_GROUP = "betterprompts-dr-network-db-1a2b3c4"
CLIENTS = ["sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"]
NAME = "betterprompts-dr-replica"
CONFIG: dict[str, Any] = {
    "engineVersion": "16",
    "instanceClass": "db.r6g.xlarge",
    "allocatedStorageGb": 500,
    "maxAllocatedStorageGb": 2000,
    "backupRetentionDays": 7,
    "backupWindow": "03:00-04:00",
    "maintenanceWindow": "sun:04:30-sun:05:30",
}


def settings(**changes: Any) -> ReplicaSettings:
    return ReplicaSettings.read(
        Section({**CONFIG, **changes}, "betterprompts:pilotLight.replica"), region="us-west-2", primary_stack=REFERENCE
    )


def _outputs(name: str) -> Mapping[str, Any]:
    if name != REFERENCE:
        raise KeyError(name)
    return {DATABASE_ARN_OUTPUT: PRIMARY_ARN, "region": "us-east-1"}


def build(replica: ReplicaSettings, stack: str = "dr", **changes: Any) -> list[Resource]:
    def program() -> None:
        provider = aws.Provider("dr-aws", region="us-west-2")
        in_dr = pulumi.ResourceOptions(providers=[provider])
        key = aws.kms.Key("dr-data", enable_key_rotation=True, opts=in_dr)
        logs = aws.kms.Key("dr-logs", enable_key_rotation=True, opts=in_dr)
        args = ReadReplicaArgs(
            settings=replica,
            region="us-west-2",
            source_arn=None if replica.promoted else primary_database_arn(REFERENCE),
            vpc_id="vpc-0123456789abcdef0",
            db_subnet_group_name=SUBNET_GROUP,
            client_security_group_ids=CLIENTS,
            kms_key_arn=key.arn,
            log_kms_key_arn=logs.arn,
            alarm_topic_arn=f"arn:aws:sns:us-west-2:{ACCOUNT}:betterprompts-dr-alarms",
            account_id=ACCOUNT,
        )
        ReadReplica(NAME, replace(args, **changes), in_dr)

    resources, _ = run_function(program, stack=stack, region="us-west-2", stack_outputs=_outputs)
    return resources


def _one(resources: list[Resource], token: str, name: str | None = None) -> Resource:
    (found,) = [r for r in resources if r.type == token and (name is None or r.name == name)]
    return found


@pytest.fixture(scope="module")
def replica_mode() -> list[Resource]:
    return build(settings())


@pytest.fixture(scope="module")
def promoted_mode() -> list[Resource]:
    return build(settings(promoted=True))


def test_the_replica_copies_the_primary_by_arn_under_a_us_west_2_key_in_the_dr_subnet_group(replica_mode: list[Resource]) -> None:
    instance = _one(replica_mode, INSTANCE)
    inputs = instance.inputs
    assert inputs["replicateSourceDb"] == PRIMARY_ARN
    assert inputs["identifier"] == NAME
    assert inputs["storageEncrypted"] is True
    assert inputs["kmsKeyId"].startswith(f"arn:aws:kms:us-west-2:{ACCOUNT}:key/")
    assert inputs["performanceInsightsKmsKeyId"] == inputs["kmsKeyId"]
    assert inputs["dbSubnetGroupName"] == SUBNET_GROUP and inputs["publiclyAccessible"] is False
    # A replica inherits the master user, password, database and version: none is set.
    for inherited in ("username", "password", "dbName", "engineVersion", "manageMasterUserPassword"):
        assert inherited not in inputs
    assert inputs["deletionProtection"] is True and instance.protect
    # RDS refuses a final snapshot of a replica.
    assert inputs["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in inputs
    assert inputs["backupRetentionPeriod"] == 7 and inputs["backupWindow"] == "03:00-04:00"
    assert inputs["storageType"] == "gp3" and inputs["allocatedStorage"] == 500 and inputs["maxAllocatedStorage"] == 2000
    assert inputs["autoMinorVersionUpgrade"] is True and inputs["applyImmediately"] is True
    assert inputs["monitoringInterval"] == 60 and inputs["databaseInsightsMode"] == "standard"
    assert inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert inputs["tags"]["Role"] == "read-replica"


def test_its_security_group_admits_only_the_clients_on_5432(replica_mode: list[Resource]) -> None:
    group = _one(replica_mode, "aws:ec2/securityGroup:SecurityGroup")
    [rule] = group.inputs["ingress"]
    assert (rule["fromPort"], rule["toPort"], rule["protocol"]) == (5432, 5432, "tcp")
    assert rule["securityGroups"] == CLIENTS and not rule.get("cidrBlocks")
    assert group.inputs["egress"] == []
    assert _one(replica_mode, INSTANCE).property_dependencies["vpcSecurityGroupIds"] == [group.urn]


def test_its_parameter_group_is_the_primarys_family_and_settings(replica_mode: list[Resource]) -> None:
    group = _one(replica_mode, "aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres16"
    assert [(p["name"], p["value"]) for p in group.inputs["parameters"]] == [(p.name, p.value) for p in db_parameters(slow_statement_ms=500)]


def test_the_log_groups_exist_first_under_the_logs_key(replica_mode: list[Resource]) -> None:
    groups = {g.inputs["name"]: g for g in replica_mode if g.type == "aws:cloudwatch/logGroup:LogGroup"}
    assert set(groups) == {f"/aws/rds/instance/{NAME}/postgresql", f"/aws/rds/instance/{NAME}/upgrade", "RDSOSMetrics"}
    instance = _one(replica_mode, INSTANCE)
    assert {g.urn for g in groups.values()} <= set(instance.dependencies)
    assert all(g.inputs["kmsKeyId"].startswith(f"arn:aws:kms:us-west-2:{ACCOUNT}:key/") for g in groups.values())


def test_the_replica_lag_alarm_watches_it(replica_mode: list[Resource]) -> None:
    alarms = {a.inputs["metricName"] for a in replica_mode if a.type == "aws:cloudwatch/metricAlarm:MetricAlarm"}
    assert alarms == {"ReplicaLag", "CPUUtilization", "FreeableMemory", "FreeStorageSpace"}


def test_promoted_it_is_the_same_resource_without_a_source_and_with_a_final_snapshot(
    replica_mode: list[Resource], promoted_mode: list[Resource]
) -> None:
    before, after = _one(replica_mode, INSTANCE), _one(promoted_mode, INSTANCE)
    assert before.urn == after.urn
    inputs = after.inputs
    assert "replicateSourceDb" not in inputs
    assert inputs["skipFinalSnapshot"] is False and inputs["finalSnapshotIdentifier"].startswith(f"{NAME}-final-")
    assert inputs["deletionProtection"] is True and after.protect
    for same in ("kmsKeyId", "dbSubnetGroupName", "backupRetentionPeriod", "backupWindow", "instanceClass", "storageEncrypted"):
        assert inputs[same] == before.inputs[same]
    for inherited in ("username", "password", "dbName"):
        assert inherited not in inputs
    assert inputs["tags"]["Role"] == "primary"
    # A primary gets its standby (production-resilience, RDS.5); the replica had none.
    assert before.inputs["multiAz"] is False and inputs["multiAz"] is True
    # Every other resource stays; only the replica-lag alarm goes (a primary reports no lag).
    gone = {r.urn for r in replica_mode} - {r.urn for r in promoted_mode}
    assert [u.rsplit("::", 1)[-1] for u in gone] == [f"{NAME}-replica-lag"]
    assert {r.urn for r in promoted_mode} < {r.urn for r in replica_mode}


def test_unprotected_it_can_be_deleted() -> None:
    instance = _one(build(settings(protect=False, createEnhancedMonitoringLogGroup=False)), INSTANCE)
    assert instance.inputs["deletionProtection"] is False and not instance.protect
    assert instance.inputs["skipFinalSnapshot"] is True


def test_a_pinned_minor_turns_automatic_minor_upgrades_off() -> None:
    pinned = replace(settings(), engine_version="16.8")
    assert pinned.pins_minor_version
    assert _one(build(pinned), INSTANCE).inputs["autoMinorVersionUpgrade"] is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"client_security_group_ids": []}, "at least one client security group"),
        ({"source_arn": None}, "source_arn"),
        ({"source_arn": "arn:aws:rds:us-west-2:123456789012:db:betterprompts-production-database"}, "the replica's own Region"),
        ({"source_arn": "betterprompts-production-database"}, "not an RDS DB instance ARN"),
    ],
)
def test_inconsistent_inputs_fail_before_any_child_exists(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as failure:
        build(settings(), **changes)
    assert not [r for r in failure.value.registered if r.type.startswith("aws:rds")]  # type: ignore[attr-defined]


def test_an_identifier_over_63_characters_is_refused_before_anything_exists() -> None:
    with pytest.raises(ValueError, match="at most 63") as failure:
        build(replace(settings(), identifier="b" * 64))
    assert not [r for r in failure.value.registered if "ReadReplica" in r.urn or r.name.startswith(NAME)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("promoted", [False, True])
def test_the_packs_rds_policies_pass_for_the_replica_and_the_promoted_primary(promoted: bool) -> None:
    # Judged as production's (the strictest enforcement; the dr stack's config is the pilot light's).
    resources = build(settings(promoted=promoted), stack="production")
    document = {"project": "betterprompts", "stack": "production", "resources": [r.to_json() for r in resources], "outputs": {}}
    instance = _one(resources, INSTANCE)
    # The test's provider carries no default tags: the tagging policy is judged on the stacks' plans.
    flagged = [v for v in violations(document) if v.urn == instance.urn and v.policy != "required-cost-allocation-tags"]
    assert flagged == []


def test_the_pack_flags_a_replica_under_the_primary_regions_key() -> None:
    resources = build(settings(), stack="production", kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
    document = {"project": "betterprompts", "stack": "production", "resources": [r.to_json() for r in resources], "outputs": {}}
    [message] = [v.message for v in violations(document, "replication-destinations-encrypted-with-cmk")]
    assert "kmsKeyId is a key of us-east-1, but the replica is in us-west-2" in message


# --- settings -----------------------------------------------------------------------------------


def test_the_settings_read_the_documented_shape() -> None:
    s = settings()
    assert (s.engine_version, s.instance_class, s.multi_az, s.promoted, s.protect) == ("16", "db.r6g.xlarge", False, False, True)
    assert s.parameter_group_family == "postgres16" and not s.pins_minor_version
    assert settings(promoted=True).promoted


@pytest.mark.parametrize(
    ("changes", "key", "allowed"),
    [
        ({"instanceClass": "db.r5.xlarge"}, "instanceClass", "an instance class of the families"),
        ({"instanceClass": "db.m7g.16xlarge"}, "instanceClass", "priced in"),
        ({"identifier": "b" * 64}, "identifier", "at most 63 characters (this one has 64)"),
        ({"identifier": "Replica--1"}, "identifier", "single hyphens"),
        ({"engineVersion": "14"}, "engineVersion", "major 16 or 17"),
        ({"maxAllocatedStorageGb": 500}, "maxAllocatedStorageGb", "at least 550"),
        ({"backupRetentionDays": 0}, "backupRetentionDays", "1"),
        ({"maintenanceWindow": "sun:03:30-sun:04:30", "backupWindow": "sun:03:00-04:00"}, "backupWindow", ""),
        ({"monitoringIntervalSeconds": 7}, "monitoringIntervalSeconds", "one of 1, 5, 10, 15, 30, 60"),
        ({"promotd": True}, "promotd", ""),
    ],
)
def test_bad_replica_config_names_its_key(changes: dict[str, Any], key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as failure:
        settings(**changes)
    assert failure.value.key == f"betterprompts:pilotLight.replica.{key}"
    assert allowed in str(failure.value)


@pytest.mark.parametrize("promoted", [False, True])
def test_a_replica_or_a_promotion_without_a_primary_stack_is_refused(promoted: bool) -> None:
    with pytest.raises(ConfigError) as failure:
        ReplicaSettings.read(Section({**CONFIG, "promoted": promoted}, "betterprompts:pilotLight.replica"), region="us-west-2", primary_stack=None)
    assert failure.value.key == "betterprompts:pilotLight.replica.promoted"
    assert "primaryStack" in str(failure.value)


# --- the plan ------------------------------------------------------------------------------------


def test_identifiers_sources_and_modes() -> None:
    assert identifier_problem("betterprompts-dr-replica") is None
    assert identifier_problem("a" * 63) is None and "63" in str(identifier_problem("a" * 64))
    assert identifier_problem("1replica") and identifier_problem("replica-") and identifier_problem("re--plica")
    assert source_region(PRIMARY_ARN) == "us-east-1"
    assert check_source(PRIMARY_ARN, "us-west-2") == PRIMARY_ARN
    with pytest.raises(ValueError, match="own Region"):
        check_source(PRIMARY_ARN, "us-east-1")
    replica, promoted, unprotected = mode_inputs(promoted=False, protect=True), mode_inputs(promoted=True, protect=True), mode_inputs(promoted=True, protect=False)
    assert (replica.skip_final_snapshot, replica.final_snapshot) == (True, False)
    assert (promoted.skip_final_snapshot, promoted.final_snapshot, promoted.delete_automated_backups) == (False, True, False)
    assert (unprotected.skip_final_snapshot, unprotected.final_snapshot) == (True, False)


# --- the reference's answers ---------------------------------------------------------------------


def test_the_mocks_answer_a_reference_with_the_named_stacks_outputs_or_fail_loudly() -> None:
    args = pulumi.runtime.MockResourceArgs(typ=STACK_REFERENCE, name=REFERENCE, inputs={"name": REFERENCE}, resource_id=REFERENCE)
    name, state = PreflightMocks("us-west-2", stack_outputs=_outputs).new_resource(args)
    assert name == REFERENCE and state["outputs"][DATABASE_ARN_OUTPUT] == PRIMARY_ARN
    with pytest.raises(NotImplementedError, match="no outputs for the referenced stack 'acme/betterprompts/production'"):
        PreflightMocks("us-west-2").new_resource(args)


def test_production_exports_its_database_arn_in_us_east_1(production: Plan) -> None:
    [primary] = [r for r in production.of_type(INSTANCE) if "replicateSourceDb" not in r.inputs]
    arn = production.outputs["databaseArn"]
    assert arn == PRIMARY_ARN and arn.endswith(f":db:{primary.inputs['identifier']}")


def test_the_reference_reads_productions_own_offline_outputs(production: Plan) -> None:
    outputs = referenced_stack_outputs(REFERENCE, project="betterprompts")
    assert outputs[DATABASE_ARN_OUTPUT] == production.outputs["databaseArn"] == PRIMARY_ARN
    with pytest.raises(Exception, match="<org>/betterprompts/<stack>"):
        referenced_stack_outputs("acme/other/production", project="betterprompts")


# --- cost ----------------------------------------------------------------------------------------


def test_the_replica_costs_its_class_and_storage_in_us_west_2_and_the_replicated_wal(replica_mode: list[Resource]) -> None:
    instance = _one(replica_mode, INSTANCE)
    resource = CostResource(instance.urn, INSTANCE, instance.name, instance.inputs)
    items = [i for i in estimate([resource], "us-west-2", Assumptions(usage=Usage(rds_replication_gb=200))).items if i.urn == instance.urn]
    instance_line, transfer = items
    # db.r6g.xlarge Single-AZ in us-west-2 $0.449/h x 730 h (a replica never stops) + 500 GB gp3 x $0.115.
    assert instance_line.baseline == pytest.approx(0.449 * 730 + 500 * 0.115)
    assert "read replica db.r6g.xlarge" in instance_line.description
    # 200 GB/month of WAL from us-east-1 at $0.02/GB inter-Region.
    assert transfer.baseline == pytest.approx(4.0) and transfer.description.startswith("DR: cross-Region replication")
    assert "from us-east-1" in transfer.description


def test_a_same_region_replica_or_a_promoted_one_moves_nothing_across_regions(promoted_mode: list[Resource]) -> None:
    promoted = _one(promoted_mode, INSTANCE)
    same = CostResource("urn:s", INSTANCE, "s", {"instanceClass": "db.r6g.xlarge", "replicateSourceDb": "arn:aws:rds:us-west-2:123456789012:db:x"})
    for resource in (CostResource(promoted.urn, INSTANCE, promoted.name, promoted.inputs), same):
        assert not [i for i in estimate([resource], "us-west-2").items if "cross-Region" in i.description]

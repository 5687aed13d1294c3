"""PgvectorDatabase, asserted from what each stack registers, plus its pure plan and its argument checks."""

from __future__ import annotations

import re

import json
from dataclasses import replace
from typing import Any

import pytest

from components.data.database import PgvectorDatabase, PgvectorDatabaseArgs
from components.data.database_plan import (
    db_parameters,
    free_storage_threshold_bytes,
    primary_alarm_specs,
    replica_alarm_specs,
    replica_keys,
)
from components.data.database_settings import DatabaseAlarmSettings
from components.platform.alarms import AlarmSpec
from components.platform.naming import final_snapshot_identifier
from preflight.harness import SECRET_PLACEHOLDER, Plan, Resource
from preflight.monitor import run_function
from tests.stack_config import config_of, load

INSTANCE = "aws:rds/instance:Instance"
GIB = 1024**3


def one(plan: Plan, token: str, name: str) -> Resource:
    (found,) = [r for r in plan.of_type(token) if r.name == name]
    return found


def primary(plan: Plan) -> Resource:
    return one(plan, INSTANCE, f"betterprompts-{plan.stack}-database")


def replicas(plan: Plan) -> list[Resource]:
    return [r for r in plan.of_type(INSTANCE) if r.inputs.get("replicateSourceDb")]


def data_key(plan: Plan) -> str:
    return plan.outputs["kmsKeyArns"]["data"]


def test_primary_engine_class_and_storage_per_stack(production: Plan, staging: Plan) -> None:
    expected = [
        (production, ("db.r6g.xlarge", True, 500, 2000)),
        (staging, ("db.t4g.medium", False, 50, 100)),
    ]
    for plan, (instance_class, multi_az, storage, max_storage) in expected:
        db = primary(plan).inputs
        assert db["engine"] == "postgres"
        assert db["engineVersion"] == "16"
        assert db["instanceClass"] == instance_class
        assert db["multiAz"] is multi_az
        assert db["storageType"] == "gp3"
        assert db["allocatedStorage"] == storage
        assert db["maxAllocatedStorage"] == max_storage
        assert db["dbName"] == "betterprompts"
        assert db["port"] == 5432


def test_every_encrypted_property_uses_the_data_key(plan: Plan) -> None:
    key = data_key(plan)
    for db in plan.of_type(INSTANCE):
        assert db.inputs["storageEncrypted"] is True
        assert db.inputs["kmsKeyId"] == key
        assert db.inputs["performanceInsightsEnabled"] is True
        assert db.inputs["performanceInsightsKmsKeyId"] == key
        # Database Insights in its free Standard mode, set explicitly (RDS defaults new instances to Advanced).
        assert db.inputs["databaseInsightsMode"] == "standard"
    db = primary(plan).inputs
    # Not RDS-managed (replicas and Blue/Green refuse that): the program's password, as a secret.
    assert "manageMasterUserPassword" not in db and "masterUserSecretKmsKeyId" not in db
    assert db["password"] == SECRET_PLACEHOLDER
    secret = one(plan, "aws:secretsmanager/secret:Secret", f"betterprompts-{plan.stack}-database-master")
    assert secret.inputs["kmsKeyId"] == key


def test_backups_windows_upgrades_and_logs(plan: Plan) -> None:
    for db in plan.of_type(INSTANCE):
        assert db.inputs["autoMinorVersionUpgrade"] is True
        assert db.inputs["copyTagsToSnapshot"] is True
        assert db.inputs["iamDatabaseAuthenticationEnabled"] is True
        assert db.inputs["publiclyAccessible"] is False
        assert db.inputs["monitoringInterval"] == 60
        assert db.inputs["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    db = primary(plan).inputs
    assert db["backupRetentionPeriod"] == 7
    assert db["backupWindow"] == "03:00-04:00"
    assert db["maintenanceWindow"] == "sun:04:30-sun:05:30"
    assert db["allowMajorVersionUpgrade"] is False


def test_protection_follows_protect_stateful(production: Plan, staging: Plan) -> None:
    prod = primary(production)
    assert prod.protect is True
    assert prod.inputs["deletionProtection"] is True
    assert prod.inputs["skipFinalSnapshot"] is False
    [suffix] = [r for r in production.of_type("random:index/randomId:RandomId") if r.name == "betterprompts-production-database-final-snapshot"]
    assert suffix.inputs["keepers"] == {"identifier": "betterprompts-production-database"}
    assert re.fullmatch(r"betterprompts-production-database-final-[0-9a-f]{8}", prod.inputs["finalSnapshotIdentifier"])
    assert prod.inputs["deleteAutomatedBackups"] is False
    stage = primary(staging)
    assert stage.protect is False
    assert stage.inputs["deletionProtection"] is False
    assert stage.inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in stage.inputs


def test_read_replicas_per_stack(production: Plan, staging: Plan) -> None:
    assert replicas(staging) == []
    (replica,) = replicas(production)
    source = primary(production)
    assert replica.name == "betterprompts-production-database-replica-1"
    assert replica.parent == source.urn
    assert replica.protect is True
    inputs = replica.inputs
    # With an explicit subnet group, a same-region replica names its source by ARN.
    assert inputs["replicateSourceDb"] == f"arn:aws:rds:us-east-1:123456789012:db:{source.id}"
    assert inputs["dbSubnetGroupName"] == source.inputs["dbSubnetGroupName"] == production.outputs["dbSubnetGroupName"]
    assert inputs["vpcSecurityGroupIds"] == source.inputs["vpcSecurityGroupIds"]
    assert inputs["parameterGroupName"] == source.inputs["parameterGroupName"]
    assert inputs["instanceClass"] == "db.r6g.xlarge"
    assert inputs["deletionProtection"] is True
    # RDS refuses a final snapshot of a read replica.
    assert inputs["skipFinalSnapshot"] is True
    for inherited in ("engine", "engineVersion", "username", "dbName", "manageMasterUserPassword", "backupRetentionPeriod"):
        assert inherited not in inputs
    assert production.outputs["databaseReplicaAddresses"].keys() == {"replica-1"}


def test_parameter_group_forces_tls_and_loads_pg_stat_statements(plan: Plan) -> None:
    (group,) = plan.of_type("aws:rds/parameterGroup:ParameterGroup")
    assert group.inputs["family"] == "postgres16"
    params = {p["name"]: (p["value"], p["applyMethod"]) for p in group.inputs["parameters"]}
    assert params["rds.force_ssl"] == ("1", "immediate")
    assert params["ssl_min_protocol_version"] == ("TLSv1.3", "immediate")
    assert params["shared_preload_libraries"] == ("pg_stat_statements", "pending-reboot")
    slow = "500" if plan.stack == "production" else "250"
    assert params["log_min_duration_statement"] == (slow, "immediate")
    assert primary(plan).inputs["parameterGroupName"] == plan.by_urn(group.urn).id


def test_security_group_admits_5432_only_from_the_client_groups(plan: Plan) -> None:
    sg = one(plan, "aws:ec2/securityGroup:SecurityGroup", f"betterprompts-{plan.stack}-database-postgres")
    assert sg.inputs["vpcId"] == plan.outputs["vpcId"]
    assert sg.inputs["ingress"] == [
        {
            "description": "PostgreSQL clients",
            "protocol": "tcp",
            "fromPort": 5432,
            "toPort": 5432,
            "securityGroups": [
                plan.outputs["appClientsSecurityGroupId"],
                plan.outputs["nodeSecurityGroupId"],
                # The password rotation function.
                one(plan, "aws:ec2/securityGroup:SecurityGroup", f"betterprompts-{plan.stack}-database-rotation").id,
            ],
        }
    ]
    assert sg.inputs["egress"] == []
    for db in plan.of_type(INSTANCE):
        assert db.inputs["vpcSecurityGroupIds"] == [sg.id]
        assert db.inputs["dbSubnetGroupName"] == plan.outputs["dbSubnetGroupName"]


def test_exported_logs_land_in_encrypted_log_groups_made_first(plan: Plan) -> None:
    retention = 365 if plan.stack == "production" else 30
    groups = {
        r.inputs["name"]: r
        for r in plan.of_type("aws:cloudwatch/logGroup:LogGroup")
        if str(r.inputs.get("name", "")).startswith("/aws/rds/")
    }
    for db in plan.of_type(INSTANCE):
        identifier = db.inputs["identifier"]
        assert identifier == db.name == db.id
        for export in ("postgresql", "upgrade"):
            group = groups.pop(f"/aws/rds/instance/{identifier}/{export}")
            assert group.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
            assert group.inputs["retentionInDays"] == retention
            assert group.urn in db.dependencies
    assert groups == {}


def test_enhanced_monitoring_role(plan: Plan) -> None:
    role = one(plan, "aws:iam/role:Role", f"betterprompts-{plan.stack}-database-monitoring")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "monitoring.rds.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        }
    ]
    (attachment,) = [r for r in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if r.parent == role.urn]
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"


def database_alarms(plan: Plan) -> dict[str, Resource]:
    ids = {db.id: db for db in plan.of_type(INSTANCE)}
    return {
        r.name: r
        for r in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if r.inputs.get("dimensions", {}).get("DBInstanceIdentifier") in ids
    }


def test_alarms_per_stack(production: Plan, staging: Plan) -> None:
    prod = database_alarms(production)
    base = "betterprompts-production-database"
    assert set(prod) == {
        f"{base}-cpu", f"{base}-free-storage", f"{base}-freeable-memory", f"{base}-connections",
        f"{base}-replica-1-replica-lag", f"{base}-replica-1-cpu", f"{base}-replica-1-freeable-memory",
        f"{base}-replica-1-free-storage",
    }
    assert prod[f"{base}-cpu"].inputs["threshold"] == 80
    # 5% of the current allocation (500 GiB as created; the autoscaled size after a refresh), replicas too.
    assert prod[f"{base}-free-storage"].inputs["threshold"] == 25 * GIB
    assert prod[f"{base}-replica-1-free-storage"].inputs["threshold"] == 25 * GIB
    assert prod[f"{base}-free-storage"].inputs["comparisonOperator"] == "LessThanThreshold"
    assert prod[f"{base}-freeable-memory"].inputs["threshold"] == 2048 * 1024**2
    assert prod[f"{base}-connections"].inputs["threshold"] == 2800
    assert prod[f"{base}-replica-1-replica-lag"].inputs["threshold"] == 60
    assert prod[f"{base}-replica-1-replica-lag"].inputs["dimensions"] == {"DBInstanceIdentifier": replicas(production)[0].id}
    assert prod[f"{base}-cpu"].inputs["dimensions"] == {"DBInstanceIdentifier": primary(production).id}
    stage = database_alarms(staging)
    assert len(stage) == 4
    assert stage["betterprompts-staging-database-free-storage"].inputs["threshold"] == 2.5 * GIB
    for plan in (production, staging):
        topic = plan.outputs["alarmTopicArn"]
        for alarm in database_alarms(plan).values():
            assert alarm.inputs["alarmActions"] == [topic]
            assert alarm.inputs["okActions"] == [topic]


def test_exports_are_endpoints_not_secrets(plan: Plan) -> None:
    outputs = plan.outputs
    assert outputs["databaseAddress"].endswith(".us-east-1.rds.amazonaws.com")
    assert outputs["databaseEndpoint"] == f"{outputs['databaseAddress']}:5432"
    assert outputs["databasePort"] == 5432
    # The stack-owned secret's ARN (never its value).
    assert outputs["databaseMasterSecretArn"].startswith(
        f"arn:aws:secretsmanager:us-east-1:123456789012:secret:betterprompts-{plan.stack}-database-master-"
    )


# --- pure plan -----------------------------------------------------------------------------


def test_db_parameters() -> None:
    assert [(p.name, p.value, p.apply_method) for p in db_parameters(slow_statement_ms=750)] == [
        ("rds.force_ssl", "1", "immediate"),
        ("ssl_min_protocol_version", "TLSv1.3", "immediate"),
        ("shared_preload_libraries", "pg_stat_statements", "pending-reboot"),
        ("pg_stat_statements.track", "all", "immediate"),
        ("log_min_duration_statement", "750", "immediate"),
        ("log_lock_waits", "1", "immediate"),
        ("log_temp_files", "10240", "immediate"),
    ]


def test_alarm_specs_and_names() -> None:
    assert free_storage_threshold_bytes(500, 5) == 25 * GIB
    # After autoscaling to 2,000 GiB the threshold is 100 GiB, not the 25 GiB of the initial size.
    assert free_storage_threshold_bytes(2000, 5) == 100 * GIB
    alarms = DatabaseAlarmSettings(cpu_percent=70, freeable_memory_mb=100, max_connections=10, replica_lag_seconds=30)
    specs = {s.key: s for s in primary_alarm_specs(alarms, free_storage_threshold=2 * GIB)}
    assert specs["free-storage"] == AlarmSpec(
        key="free-storage",
        namespace="AWS/RDS",
        metric="FreeStorageSpace",
        comparison="LessThanThreshold",
        threshold=2 * GIB,
        description=specs["free-storage"].description,
        evaluation_periods=2,
    )
    assert specs["freeable-memory"].threshold == 100 * 1024**2
    replica = {s.key: s for s in replica_alarm_specs(alarms, free_storage_threshold=GIB)}
    assert replica["free-storage"].threshold == GIB
    lag = replica["replica-lag"]
    assert (lag.metric, lag.threshold, lag.treat_missing_data) == ("ReplicaLag", 30, "breaching")
    assert replica_keys(0) == []
    assert replica_keys(2) == ["replica-1", "replica-2"]
    assert final_snapshot_identifier("BetterPrompts_production--db") == "betterprompts-production-db-final"
    assert final_snapshot_identifier("bp-db", "0a1b2c3d") == "bp-db-final-0a1b2c3d"


# --- argument checks -----------------------------------------------------------------------


def _args(**changes: Any) -> PgvectorDatabaseArgs:
    args = PgvectorDatabaseArgs(
        database=load(config_of("production")).database,
        region="us-east-1",
        vpc_id="vpc-0123",
        rotation_subnet_ids=["subnet-0a", "subnet-0b"],
        database_cidrs=["10.0.21.0/24", "10.0.22.0/24"],
        db_subnet_group_name="db-group",
        client_security_group_ids=["sg-0abc"],
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        log_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/logs",
        alarm_topic_arn="arn:aws:sns:us-east-1:123456789012:alarms",
        account_id="123456789012",
    )
    return replace(args, **changes)


def test_component_rejects_no_client_groups() -> None:
    with pytest.raises(ValueError, match="at least one client security group"):
        PgvectorDatabase("db", _args(client_security_group_ids=[]))


def test_component_rejects_three_replicas() -> None:
    settings = replace(load(config_of("production")).database, read_replicas=3)
    with pytest.raises(ValueError, match="0 to 2 read replicas"):
        PgvectorDatabase("db", _args(database=settings))


def test_component_rejects_a_name_rds_cannot_take() -> None:
    with pytest.raises(ValueError, match="valid RDS identifiers"):
        PgvectorDatabase("Database_1", _args())
    with pytest.raises(ValueError, match="valid RDS identifiers"):
        PgvectorDatabase("d" * 60, _args())


def test_component_alone_with_two_replicas() -> None:
    settings = replace(load(config_of("production")).database, read_replicas=2)
    resources, _ = run_function(lambda: PgvectorDatabase("db", _args(database=settings)))
    assert sorted(r.name for r in resources if r.type == INSTANCE) == ["db", "db-replica-1", "db-replica-2"]
    alarms = [r for r in resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    assert len(alarms) == 4 + 2 * 4


def test_free_storage_percent_is_validated() -> None:
    from components.settings import ConfigError
    from tests.stack_config import load, with_value

    assert load(with_value("database", "alarms.freeStoragePercent", 8)).database.alarms.free_storage_percent == 8
    with pytest.raises(ConfigError) as error:
        load(with_value("database", "alarms.freeStoragePercent", 0))
    assert error.value.key == "betterprompts:database.alarms.freeStoragePercent"


def test_a_pinned_minor_turns_automatic_minor_upgrades_off_everywhere() -> None:
    # A bare major (both stacks' "16") keeps them on; "16.13" would be upgraded past by RDS and the next update
    # would try to take it back, which RDS refuses.
    assert not load(config_of("production")).database.pins_minor_version
    settings = replace(load(config_of("production")).database, engine_version="16.13", read_replicas=1)
    assert settings.pins_minor_version
    resources, _ = run_function(lambda: PgvectorDatabase("db", _args(database=settings)))
    instances = {r.name: r.inputs for r in resources if r.type == INSTANCE}
    assert {name: inputs["autoMinorVersionUpgrade"] for name, inputs in instances.items()} == {"db": False, "db-replica-1": False}
    assert instances["db"]["engineVersion"] == "16.13"

"""RedisCluster, asserted from what each stack registers, plus its pure plan and its argument checks."""

from __future__ import annotations

import re

import json
from dataclasses import replace
from typing import Any

import pulumi
import pytest

from components.data.cache import RedisCluster, RedisClusterArgs
from components.data.cache_plan import cache_nodes, cache_parameters, node_alarm_specs
from components.data.cache_settings import CacheAlarmSettings
from components.platform.alarms import AlarmSpec, create_alarms
from components.platform.naming import ComponentTags
from components.platform.network_access import service_security_group
from preflight.harness import SECRET_PLACEHOLDER, Plan, Resource
from preflight.monitor import run_function
from tests.stack_config import config_of, load

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


def one(plan: Plan, token: str, name: str) -> Resource:
    (found,) = [r for r in plan.of_type(token) if r.name == name]
    return found


def group(plan: Plan) -> Resource:
    (found,) = plan.of_type(GROUP)
    return found


def test_cluster_mode_shape_per_stack(production: Plan, staging: Plan) -> None:
    for plan, (node_type, shards, replicas) in [
        (production, ("cache.r6g.large", 3, 1)),
        (staging, ("cache.t4g.small", 1, 1)),
    ]:
        rg = group(plan).inputs
        assert rg["engine"] == "redis"
        assert rg["engineVersion"] == "7.1"
        assert rg["nodeType"] == node_type
        assert rg["clusterMode"] == "enabled"
        assert rg["numNodeGroups"] == shards
        assert rg["replicasPerNodeGroup"] == replicas
        assert rg["automaticFailoverEnabled"] is True
        assert rg["multiAzEnabled"] is True
        assert rg["port"] == 6379
        assert rg["subnetGroupName"] == plan.outputs["cacheSubnetGroupName"]


def test_encryption_and_auth(plan: Plan) -> None:
    rg = group(plan).inputs
    key = plan.outputs["kmsKeyArns"]["data"]
    assert rg["atRestEncryptionEnabled"] is True
    assert rg["kmsKeyId"] == key
    assert rg["transitEncryptionEnabled"] is True
    assert rg["transitEncryptionMode"] == "required"
    assert rg["authToken"] == SECRET_PLACEHOLDER
    assert rg["authTokenUpdateStrategy"] == "ROTATE"
    secret = one(plan, "aws:secretsmanager/secret:Secret", f"betterprompts-{plan.stack}-cache-auth-token")
    assert secret.inputs["kmsKeyId"] == key
    version = one(plan, "aws:secretsmanager/secretVersion:SecretVersion", f"betterprompts-{plan.stack}-cache-auth-token")
    assert version.inputs["secretString"] == SECRET_PLACEHOLDER
    assert version.inputs["secretId"] == secret.id
    password = one(plan, "random:index/randomPassword:RandomPassword", f"betterprompts-{plan.stack}-cache-auth-token")
    assert password.inputs["length"] == 64
    assert password.inputs["special"] is False


def test_no_secret_value_in_any_plain_input_or_output(plan: Plan) -> None:
    # The mock's generated token starts with "MockPw"; it may appear only behind a secret marker.
    for resource in plan.resources:
        assert "MockPw" not in json.dumps(resource.inputs), resource.name
    assert "MockPw" not in json.dumps(plan.outputs)
    assert "authToken" not in json.dumps(plan.outputs)


def test_snapshots_windows_and_protection(production: Plan, staging: Plan) -> None:
    for plan, retention, protected in [(production, 7, True), (staging, 1, False)]:
        resource = group(plan)
        rg = resource.inputs
        assert rg["snapshotRetentionLimit"] == retention
        assert rg["snapshotWindow"] == "05:00-06:00"
        assert rg["maintenanceWindow"] == "sun:06:30-sun:07:30"
        assert rg["autoMinorVersionUpgrade"] is True
        assert resource.protect is protected
        secret = one(plan, "aws:secretsmanager/secret:Secret", f"betterprompts-{plan.stack}-cache-auth-token")
        assert secret.protect is protected
        assert secret.inputs["recoveryWindowInDays"] == (30 if protected else 7)
    # Unique per incarnation of the stack: the suffix is a RandomId kept in state (renewed with the group's name).
    [suffix] = [r for r in production.of_type("random:index/randomId:RandomId") if r.name == "betterprompts-production-cache-final-snapshot"]
    assert suffix.inputs["keepers"] == {"identifier": "betterprompts-production-cache"} and suffix.inputs["byteLength"] == 4
    assert re.fullmatch(r"betterprompts-production-cache-final-[0-9a-f]{8}", group(production).inputs["finalSnapshotIdentifier"])
    assert not [r for r in staging.of_type("random:index/randomId:RandomId") if "cache" in r.name]
    assert "finalSnapshotIdentifier" not in group(staging).inputs


def test_slow_and_engine_logs_go_to_encrypted_log_groups(plan: Plan) -> None:
    base = f"betterprompts-{plan.stack}-cache"
    delivery = {d["logType"]: d for d in group(plan).inputs["logDeliveryConfigurations"]}
    assert delivery.keys() == {"slow-log", "engine-log"}
    for log_type, config in delivery.items():
        log_group = one(plan, "aws:cloudwatch/logGroup:LogGroup", f"{base}-{log_type}")
        assert log_group.inputs["name"] == f"/aws/elasticache/{base}/{log_type}"
        assert log_group.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
        assert log_group.inputs["retentionInDays"] == (365 if plan.stack == "production" else 30)
        assert config == {
            "destination": log_group.inputs["name"],
            "destinationType": "cloudwatch-logs",
            "logFormat": "json",
            "logType": log_type,
        }


def test_parameter_group(plan: Plan) -> None:
    (pg,) = plan.of_type("aws:elasticache/parameterGroup:ParameterGroup")
    assert pg.inputs["family"] == "redis7"
    assert {p["name"]: p["value"] for p in pg.inputs["parameters"]} == {
        "cluster-enabled": "yes",
        "maxmemory-policy": "allkeys-lru",
    }
    assert group(plan).inputs["parameterGroupName"] == pg.id


def test_security_group_admits_6379_only_from_the_client_groups(plan: Plan) -> None:
    sg = one(plan, "aws:ec2/securityGroup:SecurityGroup", f"betterprompts-{plan.stack}-cache-redis")
    assert sg.inputs["ingress"] == [
        {
            "description": "Redis clients",
            "protocol": "tcp",
            "fromPort": 6379,
            "toPort": 6379,
            "securityGroups": [plan.outputs["appClientsSecurityGroupId"], plan.outputs["nodeSecurityGroupId"]],
        }
    ]
    assert sg.inputs["egress"] == []
    assert group(plan).inputs["securityGroupIds"] == [sg.id]


def cache_alarms(plan: Plan) -> list[Resource]:
    return [r for r in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "CacheClusterId" in r.inputs.get("dimensions", {})]


def test_alarms_on_every_node(production: Plan, staging: Plan) -> None:
    rg_id = group(production).id
    alarms = {r.name: r for r in cache_alarms(production)}
    # 3 shards x 2 members x (engine CPU, swap, evictions, replication lag).
    assert len(alarms) == 24
    cpu = alarms["betterprompts-production-cache-0002-002-engine-cpu"].inputs
    assert cpu["dimensions"] == {"CacheClusterId": f"{rg_id}-0002-002"}
    assert (cpu["metricName"], cpu["threshold"], cpu["namespace"]) == ("EngineCPUUtilization", 75, "AWS/ElastiCache")
    # Swap, not memory percentage: an allkeys-lru cache runs at maxmemory by design.
    swap = alarms["betterprompts-production-cache-0001-001-swap"].inputs
    assert (swap["metricName"], swap["threshold"], swap["statistic"]) == ("SwapUsage", 50 * 1024**2, "Maximum")
    assert not [a for a in cache_alarms(production) if a.inputs["metricName"] == "DatabaseMemoryUsagePercentage"]
    evictions = alarms["betterprompts-production-cache-0003-001-evictions"].inputs
    assert (evictions["metricName"], evictions["threshold"], evictions["statistic"]) == ("Evictions", 1000, "Sum")
    lag = alarms["betterprompts-production-cache-0003-002-replication-lag"].inputs
    assert (lag["metricName"], lag["threshold"], lag["treatMissingData"]) == ("ReplicationLag", 30, "notBreaching")
    assert len(cache_alarms(staging)) == 8
    for plan in (production, staging):
        topic = plan.outputs["alarmTopicArn"]
        for alarm in cache_alarms(plan):
            assert alarm.inputs["alarmActions"] == [topic] == alarm.inputs["okActions"]


def test_outputs(plan: Plan) -> None:
    assert plan.outputs["cacheConfigurationEndpoint"].startswith("clustercfg.")
    assert plan.outputs["cachePort"] == 6379
    assert plan.outputs["cacheAuthSecretArn"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:")


# --- pure plan and shared helpers ----------------------------------------------------------


def test_cache_plan() -> None:
    assert cache_parameters() == {"cluster-enabled": "yes", "maxmemory-policy": "allkeys-lru"}
    assert [n.key for n in cache_nodes(2, 1)] == ["0001-001", "0001-002", "0002-001", "0002-002"]
    assert cache_nodes(1, 0)[0].cluster_id("bp-cache") == "bp-cache-0001-001"
    keys = [s.key for s in node_alarm_specs(CacheAlarmSettings(), has_replicas=False)]
    assert keys == ["engine-cpu", "swap", "evictions"]


def test_create_alarms_rejects_duplicate_keys() -> None:
    spec = AlarmSpec("cpu", "AWS/RDS", "CPUUtilization", "GreaterThanThreshold", 80, "cpu")
    with pytest.raises(ValueError, match="unique"):
        run_function(
            lambda: create_alarms(
                "x", [spec, spec], dimensions={}, topic_arn="arn:t", tags=ComponentTags("t"),
                parent=pulumi.ComponentResource("betterprompts:test:Probe", "probe"),
            )
        )


def test_service_security_group_needs_a_client() -> None:
    with pytest.raises(ValueError, match="at least one client security group"):
        service_security_group("x", vpc_id="vpc-1", port=6379, service="Redis", client_security_group_ids=[], tags=ComponentTags("t"))


def _args(**changes: Any) -> RedisClusterArgs:
    args = RedisClusterArgs(
        cache=load(config_of("production")).cache,
        vpc_id="vpc-0123",
        cache_subnet_group_name="cache-group",
        client_security_group_ids=["sg-0abc", "sg-0def"],
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        log_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/logs",
        alarm_topic_arn="arn:aws:sns:us-east-1:123456789012:alarms",
    )
    return replace(args, **changes)


@pytest.mark.parametrize(
    ("cache_changes", "message"),
    [({"shards": 0}, "1 to 15 shards"), ({"replicas_per_shard": 0}, "1 to 5 replicas per shard")],
)
def test_component_rejects_bad_shape_before_any_child(cache_changes: dict[str, int], message: str) -> None:
    cache = replace(load(config_of("production")).cache, **cache_changes)
    with pytest.raises(ValueError, match=message):
        RedisCluster("cache", _args(cache=cache))


def test_component_alone_admits_every_client_group() -> None:
    resources, _ = run_function(lambda: RedisCluster("cache", _args()))
    (sg,) = [r for r in resources if r.type == "aws:ec2/securityGroup:SecurityGroup"]
    assert sg.inputs["ingress"][0]["securityGroups"] == ["sg-0abc", "sg-0def"]
    assert "cidrBlocks" not in sg.inputs["ingress"][0]


def test_swap_threshold_is_validated_and_memory_percent_is_gone() -> None:
    from components.settings import ConfigError
    from tests.stack_config import load, with_value

    assert load(with_value("cache", "alarms.swapUsageMb", 100)).cache.alarms.swap_usage_mb == 100
    for key, value in (("alarms.swapUsageMb", 0), ("alarms.memoryPercent", 80)):
        with pytest.raises(ConfigError) as error:
            load(with_value("cache", key, value))
        assert error.value.key == f"betterprompts:cache.{key}"

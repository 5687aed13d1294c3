"""The pilot light's application layer (docs/dr.md, "Application layer"): nothing of it in standby; with the failover
switch the primary's services, Redis, the intent classifier's queue, TorchServe on the models replica and the
entry's TargetGroupBindings; the sections it reads, their couplings, and what it reads of the primary's stack."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.dr import primary_parameter_path
from components.dr.primary_replicas import replica_name, storage_key_arn
from components.platform import ConfigError
from components.settings import load_pilot_light_settings
from preflight import policy_stage
from preflight.harness import Plan, run_stack
from tests.stack_config import config_of

KEY = "betterprompts:pilotLight"
APP_TYPES = (
    "betterprompts:apps:Workloads",
    "betterprompts:ml:TorchServe",
    "betterprompts:observability:MetricsPipeline",
    "betterprompts:data:RedisCluster",
    "betterprompts:serverless:WorkQueue",
    "betterprompts:apps:AppParameters",
    "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
)
RELEASE = "kubernetes:helm.sh/v3:Release"
ROUTED = ("frontend", "intent-classifier", "technique-selector")


def _active() -> dict[str, Any]:
    config = config_of("dr")
    config[KEY]["active"] = True
    return config


@pytest.fixture(scope="module")
def active() -> Plan:
    return run_stack("dr", config=_active())


def _error(config: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_pilot_light_settings(config, project="betterprompts", stack="dr")
    return caught.value


# --- standby and failover ----------------------------------------------------------------------------


def test_standby_runs_no_application_object(dr: Plan) -> None:
    # In standby the app pools are at zero: a Deployment or a Helm release waiting for pods would fail `pulumi up`.
    assert {t: len(dr.of_type(t)) for t in APP_TYPES} == dict.fromkeys(APP_TYPES, 0)
    # The cluster's controllers run on the system node; the metrics stack and TorchServe come with the failover.
    standby_releases = {r.name for r in dr.of_type(RELEASE)} - {"betterprompts-dr-velero-release"}
    assert all("-eks-" in name for name in standby_releases), standby_releases
    # Its sections are read all the same (a bad value fails in standby, not during a failover).
    settings = load_pilot_light_settings(config_of("dr"), project="betterprompts", stack="dr")
    assert settings.workloads is not None and settings.cache is not None and settings.intent_queue is not None


def test_the_failover_runs_production_s_services_redis_queue_and_prompt_generator(active: Plan, dr: Plan, production: Plan) -> None:
    assert {t: len(active.of_type(t)) for t in APP_TYPES[:6]} == dict.fromkeys(APP_TYPES[:6], 1)
    added = {r.name for r in active.of_type(RELEASE)} - {r.name for r in dr.of_type(RELEASE)}
    assert {name.removeprefix("betterprompts-dr-") for name in added} >= {"torchserve-release"}
    # The same services with the same HPA bounds as production's.
    def bounds(plan: Plan) -> dict[str, tuple[int, int]]:
        return {
            r.inputs["metadata"]["name"]: (r.inputs["spec"]["minReplicas"], r.inputs["spec"]["maxReplicas"])
            for r in plan.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
        }

    assert bounds(active) == bounds(production) | {"prompt-generator": (1, 8)}
    # TorchServe serves here (no SageMaker endpoint stands in): its HPA exists though production's SageMaker serves.
    assert "prompt-generator" in bounds(active)
    # Production's Redis shape, in this Region's cache subnets, under this Region's data key.
    (group,) = active.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    assert (group.inputs["nodeType"], group.inputs["numNodeGroups"], group.inputs["replicasPerNodeGroup"]) == ("cache.r6g.large", 3, 1)
    assert group.inputs["kmsKeyId"] == active.outputs["kmsKeyArns"]["data"]
    assert group.inputs["subnetGroupName"] == active.outputs["cacheSubnetGroupName"]
    # Its own work queue, in us-west-2.
    assert active.outputs["intentQueueUrl"] == "https://sqs.us-west-2.amazonaws.com/123456789012/betterprompts-dr-intent-classification"


def test_torchserve_reads_the_models_replica_under_production_s_key_in_us_west_2(active: Plan, production: Plan) -> None:
    replica = production.outputs["replicaBucketNames"]["models"]
    assert replica.endswith("-us-west-2")
    (release,) = [r for r in active.of_type("kubernetes:helm.sh/v3:Release") if r.name == "betterprompts-dr-torchserve-release"]
    assert release.inputs["values"]["modelStore"]["s3"] == {"region": "us-west-2", "bucket": replica, "prefix": production.outputs["modelPrefix"]}
    (policy,) = [r for r in active.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == "betterprompts-dr-torchserve-model-reader"]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["ReadModels"]["Resource"] == f"arn:aws:s3:::{replica}/models/*"
    # The replica's objects are under production's storage key in us-west-2 (S3 replication re-encrypts with it).
    assert statements["DecryptModels"]["Resource"] == production.outputs["drKeyArns"]["storage"]
    assert statements["DecryptModels"]["Condition"] == {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}}


def test_the_entry_s_target_groups_get_the_services_pods(active: Plan, dr: Plan) -> None:
    bindings = {r.inputs["spec"]["serviceRef"]["name"]: r for r in active.of_type("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")}
    assert sorted(bindings) == sorted(ROUTED)
    for service, binding in bindings.items():
        assert binding.inputs["spec"]["targetGroupARN"] == active.outputs["apiTargetGroupArns"][service]
        assert binding.inputs["metadata"]["namespace"] == "betterprompts"
    # The entry itself does not move: the same load balancer and target groups as in standby.
    for token in ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"):
        assert [(r.urn, r.inputs) for r in active.of_type(token)] == [(r.urn, r.inputs) for r in dr.of_type(token)]


def test_the_services_find_this_region_s_endpoints_under_production_s_parameter_path(active: Plan, production: Plan) -> None:
    values = {r.inputs["name"]: r.inputs.get("value") or r.inputs.get("insecureValue") for r in active.of_type("aws:ssm/parameter:Parameter")}
    path = "/betterprompts/production"
    assert active.outputs["parameterPath"] == path
    assert values[f"{path}/database/address"] == active.outputs["databaseAddress"]
    # Production's master credential, replicated by Secrets Manager into us-west-2 (same name and suffix).
    assert values[f"{path}/database/master-secret-arn"] == production.outputs["databaseMasterSecretReplicaArn"]
    assert str(values[f"{path}/database/master-secret-arn"]).startswith("arn:aws:secretsmanager:us-west-2:")
    assert values[f"{path}/cache/configuration-endpoint"] == active.outputs["cacheConfigurationEndpoint"]
    assert values[f"{path}/queues/intent-classification-url"] == active.outputs["intentQueueUrl"]
    assert values[f"{path}/inference/prompt-generator-url"] == active.outputs["promptGeneratorUrl"]
    assert str(values[f"{path}/buckets/models"]).endswith("-models-123456789012-us-west-2")
    assert all(":us-east-1:" not in str(v) and ".us-east-1." not in str(v) for v in values.values()), values


def test_the_failover_plan_breaks_no_mandatory_policy(active: Plan) -> None:
    found = policy_stage.evaluate(active.to_json())
    # Only the pilot light's standby budget is exceeded (runbook: raise it to production's with the switch).
    assert [(v.policy, v.enforcement) for v in found] == [("baseline-under-budget", "advisory")]


def test_the_failback_removes_the_application_layer_after_unprotecting_only_redis(active: Plan) -> None:
    # Back to standby with the promotion kept (docs/dr.md, "Failback (pilot light)").
    config = config_of("dr")
    config[KEY]["replica"]["promoted"] = True
    failed_back = run_stack("dr", config=config)
    kept = {r.urn for r in failed_back.resources}
    removed = [r for r in active.resources if r.urn not in kept]
    names = {r.name for r in removed}
    # The application layer goes (Redis, the queue, the services, TorchServe, metrics, parameters, bindings) ...
    assert {"betterprompts-dr-cache", "betterprompts-dr-serverless-intent", "betterprompts-dr-apps", "betterprompts-dr-torchserve"} <= names
    assert {n for n in names if "binding" in n} == {f"betterprompts-dr-edge-{s}-binding" for s in ROUTED}
    # ... Redis is protected while it serves (the pack judges the stack as production): the runbook's unprotect step
    # selects exactly the protected resources the failback removes, by the cache's name in their URN.
    protected = {r.urn for r in removed if r.protect}
    selected = {r.urn for r in active.resources if r.protect and "betterprompts-dr-cache" in r.urn}
    assert protected == selected and len(selected) > 1
    # What stays after the failback has no such URN (the selection cannot reach past the cache).
    assert not any("betterprompts-dr-cache" in urn for urn in kept)
    # The promoted database and the entry stay.
    assert "betterprompts-dr-replica" not in names and not any(n.startswith("betterprompts-dr-edge-api") for n in names)


# --- settings -----------------------------------------------------------------------------------------


def test_the_application_sections_come_together() -> None:
    config = config_of("dr")
    del config["betterprompts:workloads"]
    assert _error(config).key == "betterprompts:cache"
    del config["betterprompts:cache"]
    assert _error(config).key == "betterprompts:serverless"
    del config["betterprompts:serverless"]
    settings = load_pilot_light_settings(config, project="betterprompts", stack="dr")
    assert (settings.workloads, settings.cache, settings.intent_queue) == (None, None, None)
    # Without the application layer a failover still promotes the database and raises the nodes.
    config[KEY]["active"] = True
    assert run_stack("dr", config=config).of_type("betterprompts:apps:Workloads") == []


@pytest.mark.parametrize(
    ("removed", "key"),
    [
        ("cache", "betterprompts:cache"),
        ("serverless", "betterprompts:serverless.intentQueue"),
    ],
)
def test_the_application_layer_needs_its_redis_and_queue(removed: str, key: str) -> None:
    config = config_of("dr")
    del config[f"betterprompts:{removed}"]
    error = _error(config)
    assert error.key == key and "present with betterprompts:workloads" in str(error)


@pytest.mark.parametrize(("removed", "why"), [("entry", "target groups"), ("replica", "promoted replica")])
def test_the_application_layer_needs_the_entry_and_the_replica(removed: str, why: str) -> None:
    config = config_of("dr")
    del config[KEY][removed]
    if removed == "entry":
        del config["betterprompts:edge"]
    error = _error(config)
    assert error.key == f"{KEY}.{removed}" and why in str(error)


def test_the_entry_s_ports_are_the_services_ports() -> None:
    config = config_of("dr")
    config[KEY]["entry"]["servicePorts"]["techniqueSelector"] = 9002
    error = _error(config)
    assert error.key == f"{KEY}.entry.servicePorts" and "technique-selector listens on 8002, not 9002" in str(error)


def test_the_prompt_generator_loads_from_the_models_replica_not_efs() -> None:
    config = config_of("dr")
    config["betterprompts:workloads"]["promptGenerator"]["modelStore"] = {"source": "efs", "models": "all", "efsClaimName": "models"}
    error = _error(config)
    assert error.key == "betterprompts:workloads.promptGenerator.modelStore.source" and error.value == "efs"


def test_of_the_serverless_layer_only_the_queue_is_read() -> None:
    config = config_of("dr")
    config["betterprompts:serverless"]["functions"] = config_of("production")["betterprompts:serverless"]["functions"]
    error = _error(config)
    assert error.key == "betterprompts:serverless.functions" and "only intentQueue" in str(error)


# --- what it reads of the primary's stack -----------------------------------------------------------------


def test_the_models_replica_and_its_key_come_from_production_s_exports(production: Plan) -> None:
    names = production.outputs["replicaBucketNames"]
    assert replica_name(names, "models", needed_by="TorchServe") == names["models"]
    assert replica_name(names, "velero", needed_by="Velero").endswith("-velero-123456789012-us-west-2")
    assert storage_key_arn(production.outputs["drKeyArns"]).startswith("arn:aws:kms:us-west-2:")


def test_a_primary_that_does_not_replicate_its_models_is_named() -> None:
    with pytest.raises(ValueError, match="no 'models' replica .*so the pilot light's TorchServe"):
        replica_name({"assets": "a-us-west-2"}, "models", needed_by="so the pilot light's TorchServe has models to load")
    with pytest.raises(ValueError, match="no 'storage' key"):
        storage_key_arn({"data": "arn:aws:kms:us-west-2:1:key/x"})


def test_the_parameter_path_is_the_primary_s() -> None:
    assert primary_parameter_path("betterprompts/betterprompts/production") == "/betterprompts/production"
    assert primary_parameter_path("acme/shop/prod-eu") == "/shop/prod-eu"

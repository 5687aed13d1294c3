"""The bulk-transform workflow in both stacks: the state machine's logging, encryption and tracing, its
key and role, the definition (validated by the real Amazon States Language validator), the model role's
batch grants, the task functions, and the config that shapes them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.platform import ConfigError, wildcard_grants
from components.serverless.function_plan import function_name
from components.serverless.workflow_plan import (
    HASH_LENGTH,
    LAMBDA_TRANSIENT,
    LOG_DELIVERY_ACTIONS,
    TRANSFORM_JOB_NAME_LIMIT,
    TRANSFORM_RULE,
    TRANSFORM_SYNC,
    job_name_prefix,
    state_machine_name,
)
from preflight.harness import Plan, Resource
from tests.stack_config import load, with_value

ROOT = Path(__file__).resolve().parents[2]
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
VALIDATOR = ROOT / ".cache" / "asl-validator" / "node_modules" / ".bin" / "asl-validator"


def _machine(plan: Plan) -> Resource:
    [machine] = plan.of_type(STATE_MACHINE)
    return machine


def _definition(plan: Plan) -> dict[str, Any]:
    document = _machine(plan).inputs["definition"]
    assert isinstance(document, str), "the definition resolves to a string with the mocks' ARNs"
    parsed: dict[str, Any] = json.loads(document)
    return parsed


def _settings(stack: str):  # type: ignore[no-untyped-def]
    return load(with_value("serverless", "intentQueue.maxReceiveCount", 5, stack), stack).serverless.bulk_transform


def _statements(document: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(document)["Statement"]}


def _model_role(plan: Plan) -> Resource:
    [role] = [r for r in plan.of_type("aws:iam/role:Role") if r.name == f"betterprompts-{plan.stack}-inference-execution"]
    return role


def _batch_model(plan: Plan) -> Resource:
    """The model the jobs run: the serverless endpoint's own, or the multi-model endpoint's single-model twin."""
    models = {r.name: r for r in plan.of_type("aws:sagemaker/model:Model")}
    return models.get(f"betterprompts-{plan.stack}-inference-batch") or next(iter(models.values()))


def _component(plan: Plan) -> str:
    [component] = [r for r in plan.resources if r.type == "betterprompts:serverless:BulkTransform"]
    return component.urn


def test_the_state_machine_logs_everything_encrypted_traced_with_its_own_key(plan: Plan) -> None:
    machine = _machine(plan)
    inputs = machine.inputs
    name = state_machine_name(f"betterprompts-{plan.stack}")
    assert (inputs["name"], inputs["type"]) == (name, "STANDARD")
    # Every event, without the executions' inputs and outputs (they stay in the encrypted history).
    assert inputs["loggingConfiguration"]["level"] == "ALL"
    assert inputs["loggingConfiguration"]["includeExecutionData"] is False
    [log_group] = [r for r in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if r.inputs.get("name") == f"/aws/vendedlogs/states/{name}"]
    assert inputs["loggingConfiguration"]["logDestination"].endswith(f":log-group:/aws/vendedlogs/states/{name}:*")
    assert log_group.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
    assert log_group.inputs["retentionInDays"] == _settings(plan.stack).log_retention_days
    assert inputs["tracingConfiguration"] == {"enabled": True}
    encryption = inputs["encryptionConfiguration"]
    assert encryption["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    [key] = [r for r in plan.descendants(_component(plan)) if r.type == "aws:kms/key:Key"]
    assert encryption["kmsKeyId"].startswith("arn:aws:kms:") and key.inputs["enableKeyRotation"] is True
    assert encryption["kmsDataKeyReusePeriodSeconds"] == 300
    # The role's grants and the log group exist before Step Functions checks them at creation.
    deps = set(machine.dependencies)
    assert log_group.urn in deps
    assert any(plan.by_urn(u).type == ROLE_POLICY for u in deps)
    assert plan.outputs["bulkTransformStateMachineArn"] == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    assert key.protect is (plan.stack == "production")


def test_the_key_admits_the_account_and_log_delivery_only(plan: Plan) -> None:
    [key] = [r for r in plan.descendants(_component(plan)) if r.type == "aws:kms/key:Key"]
    statements = _statements(key.inputs["policy"])
    assert set(statements) == {"AccountAdministers", "LogDeliveryDecrypts"}
    assert statements["AccountAdministers"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert statements["LogDeliveryDecrypts"]["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert statements["LogDeliveryDecrypts"]["Action"] == "kms:Decrypt"


def test_the_role_is_this_machines_and_least_privilege(plan: Plan) -> None:
    machine = _machine(plan)
    arn = plan.outputs["bulkTransformStateMachineArn"]
    [role] = [r for r in plan.descendants(_component(plan)) if r.type == "aws:iam/role:Role"
              and "states.amazonaws.com" in r.inputs["assumeRolePolicy"]]  # fmt: skip
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnLike": {"aws:SourceArn": arn}}
    [policy] = [r for r in plan.children(role.urn) if r.type == ROLE_POLICY]
    statements = _statements(policy.inputs["policy"])
    assert wildcard_grants(policy.inputs["policy"]) == []
    prefix = f"betterprompts-{plan.stack}"
    jobs = job_name_prefix(prefix)
    assert statements["RunTransformJobs"]["Resource"] == [f"arn:aws:sagemaker:us-east-1:123456789012:transform-job/{jobs}-*"]
    assert statements["FollowTransformJobs"]["Resource"] == [f"arn:aws:events:us-east-1:123456789012:rule/{TRANSFORM_RULE}"]
    ml_role = _model_role(plan)
    assert statements["PassModelRole"]["Resource"] == [f"arn:aws:iam::123456789012:role/{ml_role.id}"]
    assert statements["PassModelRole"]["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    functions = {function_name(prefix, k) for k in ("bulk-validate-manifest", "bulk-post-process", "bulk-failure-handler")}
    invoked = {r.rsplit(":", 1)[-1] for r in statements["InvokeTasks"]["Resource"] if not r.endswith(":*")}
    assert invoked == functions
    assert statements["NotifyFailures"]["Resource"] == [plan.outputs["alarmTopicArn"]]
    assert statements["EncryptExecutions"]["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": arn}}
    assert statements["EncryptLogDeliveries"]["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:SourceArn": "arn:aws:logs:us-east-1:123456789012:*"}
    }
    assert statements["EncryptFailureNotices"]["Resource"] == [plan.outputs["kmsKeyArns"]["alarms"]]
    # "*" only where the action has no resource type (vended-log delivery, X-Ray writes) or AWS's .sync policy reads tags.
    starred = {sid for sid, s in statements.items() if s["Resource"] == "*"}
    assert starred == {"DeliverLogs", "WriteTraces", "ReadJobTags"}
    assert statements["DeliverLogs"]["Action"] == LOG_DELIVERY_ACTIONS
    assert machine.inputs["roleArn"] == f"arn:aws:iam::123456789012:role/{role.id}"


def test_the_models_role_reads_inputs_and_writes_outputs_only(plan: Plan) -> None:
    settings = _settings(plan.stack)
    [policy] = [r for r in plan.children(_component(plan)) if r.type == ROLE_POLICY]
    bucket = plan.outputs["bucketArns"]["models"]
    statements = _statements(policy.inputs["policy"])
    assert statements["ReadBatchInputs"]["Resource"] == [f"{bucket}/{settings.input_prefix}*"]
    assert statements["WriteBatchOutputs"]["Resource"] == [f"{bucket}/{settings.output_prefix}*"]
    assert statements["BatchDataThroughS3"]["Resource"] == [plan.outputs["kmsKeyArns"]["storage"]]
    ml_role = _model_role(plan)
    assert policy.inputs["role"] == ml_role.id


def test_the_definition_validates_names_the_job_and_catches_every_failure(plan: Plan) -> None:
    definition = _definition(plan)
    states = definition["States"]
    settings = _settings(plan.stack)
    transform = states["Transform"]
    assert transform["Resource"] == TRANSFORM_SYNC
    params = transform["Parameters"]
    assert params["ModelName"] == _batch_model(plan).id
    assert params["TransformResources"] == {"InstanceType": settings.instance_type, "InstanceCount": settings.instance_count}
    assert params["TransformInput"]["DataSource"]["S3DataSource"]["S3DataType"] == "ManifestFile"
    bucket = plan.outputs["bucketNames"]["models"]
    assert params["TransformOutput"]["S3OutputPath.$"] == f"States.Format('s3://{bucket}/{settings.output_prefix}{{}}/', $.job.name)"
    assert params["MaxPayloadInMB"] * params["MaxConcurrentTransforms"] <= 100
    assert {t["Key"] for t in params["Tags"]} >= {"Project", "Environment", "Component"}
    assert transform["TimeoutSeconds"] == settings.job_timeout_minutes * 60
    # One deterministic name per execution: retries reuse it; the longest fits SageMaker's 63 characters.
    jobs = job_name_prefix(f"betterprompts-{plan.stack}")
    assert states["NameJob"]["Parameters"]["name.$"] == f"States.Format('{jobs}-{{}}', States.Hash($$.Execution.Name, 'MD5'))"
    assert len(jobs) + 1 + HASH_LENGTH <= TRANSFORM_JOB_NAME_LIMIT
    # Transient errors are retried with backoff; everything else is caught and reaches the alarm topic.
    for name in ("ValidateManifest", "PostProcess", "HandleFailure"):
        [retrier] = states[name]["Retry"]
        assert set(LAMBDA_TRANSIENT) | {"States.Timeout"} == set(retrier["ErrorEquals"])
        assert retrier["BackoffRate"] == 2 and retrier["JitterStrategy"] == "FULL"
    assert transform["Retry"][0]["ErrorEquals"] == ["SageMaker.AmazonSageMakerException"]
    for name in ("ValidateManifest", "Transform", "PostProcess", "AnnounceSuccess"):
        assert states[name]["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HandleFailure"}]
    assert states["HandleFailure"]["Catch"][0]["Next"] == "NotifyUnhandledFailure"
    for name in ("NotifyFailure", "NotifyUnhandledFailure"):
        assert states[name]["Parameters"]["TopicArn"] == plan.outputs["alarmTopicArn"]
        assert states[name]["Next"] == "Failed"
    assert states["Failed"]["Type"] == "Fail"
    assert states["AnnounceSuccess"]["Parameters"]["Entries"][0]["EventBusName"] == "default"


def test_the_rendered_definition_passes_the_amazon_states_language_validator(plan: Plan, tmp_path: Path) -> None:
    """asl-validator (npm, .ci/fetch-asl-validator) checks the schema, the transitions, the paths and the
    intrinsic functions of the definition exactly as the program renders it (the mocks' real-form ARNs)."""
    assert VALIDATOR.exists(), "asl-validator is missing: run .ci/fetch-asl-validator (.ci/run does)"
    path = tmp_path / "definition.json"
    path.write_text(_machine(plan).inputs["definition"])
    done = subprocess.run([str(VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is valid" in done.stdout


def test_the_validator_catches_a_broken_definition(tmp_path: Path, production: Plan) -> None:
    """The same check fails on a definition whose catch leads nowhere (the validator is not a rubber stamp)."""
    broken = _definition(production)
    broken["States"]["Transform"]["Catch"][0]["Next"] = "Nowhere"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    done = subprocess.run([str(VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode != 0 and "MISSING_TRANSITION_TARGET" in done.stdout + done.stderr


def test_the_task_functions_are_serverless_functions_with_their_own_roles(plan: Plan) -> None:
    prefix = f"betterprompts-{plan.stack}"
    functions = {r.inputs["name"]: r for r in plan.of_type("aws:lambda/function:Function")}
    settings = _settings(plan.stack)
    for key, configured in (
        ("bulk-validate-manifest", settings.validator),
        ("bulk-post-process", settings.post_processor),
        ("bulk-failure-handler", settings.failure_handler),
    ):
        inputs = functions[function_name(prefix, key)].inputs
        assert (inputs["memorySize"], inputs["timeout"], inputs["reservedConcurrentExecutions"]) == (
            configured.memory_mb, configured.timeout_seconds, configured.reserved_concurrency,
        )  # fmt: skip
        assert inputs["environment"]["variables"]["INPUT_PREFIX"] == settings.input_prefix
        assert inputs["tracingConfig"] == {"mode": "Active"}


def test_staging_runs_smaller_jobs() -> None:
    production, staging = _settings("production"), _settings("staging")
    assert staging.instance_count < production.instance_count
    assert staging.job_timeout_minutes < production.job_timeout_minutes
    assert staging.max_manifest_objects < production.max_manifest_objects


def test_bad_bulk_transform_config_fails_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"maxConcurrentTransforms.*at most 16"):
        load(with_value("serverless", "bulkTransform.maxConcurrentTransforms", 20, "production"), "production")
    with pytest.raises(ConfigError, match="bulkTransform.outputPrefix"):
        load(with_value("serverless", "bulkTransform.outputPrefix", "batch-transform/input/results/", "production"), "production")
    with pytest.raises(ConfigError, match="bulkTransform.instanceType"):
        load(with_value("serverless", "bulkTransform.instanceType", "g4dn.xlarge", "production"), "production")
    with pytest.raises(ConfigError, match="functions.accountConcurrency"):
        load(with_value("serverless", "bulkTransform.validator.reservedConcurrency", 880, "production"), "production")


def test_batch_prefixes_stay_apart_from_the_models() -> None:
    from components.serverless.workflow import BulkTransformArgs, _check_args

    settings = _settings("production")
    args = BulkTransformArgs(
        prefix="p", settings=settings, region="us-east-1", account_id="1", model_name="m", model_role_arn="r",
        model_role_name="r", model_prefix="batch-transform/", bucket_name="b", bucket_arn="arn:aws:s3:::b",
        storage_key_arn="k", data_key_arn="k", logs_key_arn="k", alarms_key_arn="k", alarm_topic_arn="t", tags={},
    )  # fmt: skip
    with pytest.raises(ConfigError, match="bulkTransform.inputPrefix"):
        _check_args(args)


def test_a_stack_prefix_too_long_for_job_names_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 63"):
        job_name_prefix("betterprompts-" + "x" * 20)


def test_cost_prices_transitions_transform_hours_and_tasks_per_execution(production: Plan) -> None:
    """The pricer reads the definition: states x runs at $0.025 per 1,000 transitions, the transform's
    instances x hours at the type's SageMaker price, each Lambda task once per run; the task functions
    themselves are not priced again as always-on functions."""
    from dataclasses import replace

    from policies.cost_model import Assumptions, CostResource, Usage, estimate

    machine = _machine(production)
    functions = [r for r in production.of_type("aws:lambda/function:Function") if "bulk" in r.inputs["name"]]
    resources = [CostResource.from_plan(r.to_json()) for r in (machine, *functions)]
    usage = replace(Usage(), bulk_transform_runs=30, bulk_transform_hours=2, lambda_average_duration_ms=1000)
    items = {i.description: i.baseline for i in estimate(resources, "us-east-1", Assumptions(usage=usage)).items}
    states = len(_definition(production)["States"])
    assert items[f"Step Functions {machine.name}: 30 executions x {states} state transitions"] == pytest.approx(30 * states * 0.000025)
    settings = _settings("production")
    transform = f"SageMaker batch transform {machine.name}/Transform: 30 jobs x 2 h x {settings.instance_count} x {settings.instance_type}"
    assert items[transform] == pytest.approx(30 * 2 * settings.instance_count * 0.7364)  # ml.g4dn.xlarge, us-east-1
    validate = f"Lambda task {machine.name}/ValidateManifest: 30 invocations at {settings.validator.memory_mb} MB"
    assert items[validate] == pytest.approx(30 * 0.0000002 + 30 * settings.validator.memory_mb / 1024 * 0.0000133334)
    assert all(v == 0 for d, v in items.items() if d.startswith("Lambda betterprompts-production-serverless-bulk"))


def test_jobs_run_a_single_model_container(plan: Plan) -> None:
    """Batch transform cannot name a multi-model endpoint's target model: production's jobs run a single-model
    twin of the Triton model (same image, role, subnets, isolation) over one archive; staging's the model itself."""
    models = plan.of_type("aws:sagemaker/model:Model")
    batch = _batch_model(plan)
    assert batch.inputs["primaryContainer"]["mode"] == "SingleModel"
    if plan.stack == "production":
        [endpoint_model] = [m for m in models if m.urn != batch.urn]
        assert endpoint_model.inputs["primaryContainer"]["mode"] == "MultiModel"
        for key in ("executionRoleArn", "enableNetworkIsolation", "vpcConfig"):
            assert batch.inputs[key] == endpoint_model.inputs[key]
        assert batch.inputs["primaryContainer"]["image"] == endpoint_model.inputs["primaryContainer"]["image"]
        # No batchModelArtifactKey yet: the starter archive, uploaded before CreateModel checks it exists.
        bucket = plan.outputs["bucketNames"]["models"]
        assert batch.inputs["primaryContainer"]["modelDataUrl"] == f"s3://{bucket}/models/serverless/starter/model.tar.gz"
        [starter] = [r for r in plan.of_type("aws:s3/bucketObjectv2:BucketObjectv2") if r.inputs["key"] == "models/serverless/starter/model.tar.gz"]
        assert starter.urn in batch.dependencies
    else:
        assert models == [batch]


def test_a_configured_batch_archive_replaces_the_starter() -> None:
    settings = load(with_value("inference", "multiModel.batchModelArtifactKey", "batch/triton.tar.gz", "production"), "production")
    assert settings.inference.multi_model.batch_model_artifact_key == "batch/triton.tar.gz"
    with pytest.raises(ConfigError, match="batchModelArtifactKey"):
        load(with_value("inference", "multiModel.batchModelArtifactKey", "batch/", "production"), "production")


def test_a_state_machine_without_a_transform_is_not_priced_as_one() -> None:
    from policies.cost_model import Assumptions, CostResource, Usage, estimate

    other = CostResource("urn:sm", "aws:sfn/stateMachine:StateMachine", "other", {"definition": json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})})
    [item] = estimate([other], "us-east-1", Assumptions(usage=Usage(bulk_transform_runs=30))).items[:1]
    assert (item.description, item.baseline) == ("Step Functions other: no batch transform, no usage assumed", 0.0)


TRANSFORM_KEY = "betterprompts:serverless.bulkTransform.instanceType"


@pytest.mark.parametrize("stack", ["production", "staging"])
@pytest.mark.parametrize("instance_type", ["ml.g5.xlarge", "ml.c5.xlarge", "ml.m5.xlarge"])
def test_a_batch_transform_type_offered_and_priced_is_accepted(stack: str, instance_type: str) -> None:
    settings = load(with_value("serverless", "bulkTransform.instanceType", instance_type, stack), stack)
    assert settings.serverless.bulk_transform.instance_type == instance_type


@pytest.mark.parametrize("stack", ["production", "staging"])
@pytest.mark.parametrize(
    ("instance_type", "allowed"),
    [
        # A misspelt size: not in SageMaker batch transform's list for the Region, the closest named.
        ("ml.g4dn.xlarg", "an instance type SageMaker batch transform offers in us-east-1 (AWS's published list) (closest: ml.g4dn.xlarge"),
        # Hosting-only (real-time endpoints): batch transform does not offer it, although it is priced.
        ("ml.t2.medium", "an instance type SageMaker batch transform offers in us-east-1"),
        ("ml.c5.large", "an instance type SageMaker batch transform offers in us-east-1"),
        # Offered for batch transform but without a price: said so, with the priced ones.
        ("ml.g6.2xlarge", "ml.g6.2xlarge is offered by SageMaker batch transform in us-east-1, no price source yet"),
    ],
)
def test_a_batch_transform_type_is_checked_against_facts(stack: str, instance_type: str, allowed: str) -> None:
    from components.serverless.workflow_settings import transform_instance_types

    with pytest.raises(ConfigError) as caught:
        load(with_value("serverless", "bulkTransform.instanceType", instance_type, stack), stack)
    assert (caught.value.key, caught.value.value) == (TRANSFORM_KEY, instance_type)
    assert allowed in caught.value.allowed
    if "no price source" in allowed:
        assert caught.value.allowed.endswith("priced now: " + ", ".join(transform_instance_types("us-east-1")))


def test_the_accepted_batch_transform_types_are_offered_and_priced_in_every_region() -> None:
    from components.platform import priced_sagemaker_instance_types, sagemaker_transform_instance_types
    from components.serverless.workflow_settings import transform_instance_types
    from components.settings import SUPPORTED_REGIONS

    for region in SUPPORTED_REGIONS:
        accepted = set(transform_instance_types(region))
        assert accepted == sagemaker_transform_instance_types(region) & priced_sagemaker_instance_types(region)
        assert {"ml.g4dn.xlarge", "ml.m5.large"} <= accepted and "ml.t2.medium" not in accepted

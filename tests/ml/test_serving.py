"""Which path serves (SageMaker, TorchServe or both), the staging starter archive, update and alarm details."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import io
import json
import tarfile
from typing import Any

import pytest

from components.ml.inference_plan import AlarmThresholds, alarm_specs
from components.ml.starter_model import HANDLER, STARTER_ARTIFACT_KEY, starter_archive, starter_archive_base64
from components.settings import ConfigError
from preflight.harness import Plan, run_stack
from tests.stack_config import load, with_value

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


def _torchserve_values(plan: Plan) -> dict[str, Any]:
    [release] = [r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r.name.endswith("-torchserve-release")]
    return release.inputs["values"]


def _prompt_generator_hpa(plan: Plan) -> list[Any]:
    return [r for r in plan.of_type(HPA) if r.name.endswith("-torchserve-hpa")]


# --- serving path ----------------------------------------------------------------------------


def test_both_stacks_serve_from_sagemaker_with_torchserve_at_zero(plan: Plan) -> None:
    assert plan.of_type(ENDPOINT)
    values = _torchserve_values(plan)
    assert values["autoscaling"] == {"external": False} and values["replicaCount"] == 0
    assert _prompt_generator_hpa(plan) == []
    [gpu] = [g for g in plan.of_type("aws:eks/nodeGroup:NodeGroup") if g.name.endswith("-gpu")]
    assert gpu.inputs["scalingConfig"]["minSize"] == 0


def _production(serving: str, gpu_min: int) -> Plan:
    config = with_value("inference", "serving", serving)
    config["betterprompts:eks"]["nodeGroups"]["gpu"]["size"]["min"] = gpu_min
    if serving == "torchserve":
        # Business hours raise the SageMaker variant only while it serves.
        del config["betterprompts:cost"]["businessHours"]["floors"]["sagemakerInstances"]
    return run_stack("production", config=config)


def test_torchserve_serving_drops_the_endpoint_and_keeps_its_configuration() -> None:
    plan = _production("torchserve", 1)
    assert plan.of_type(ENDPOINT) == []
    assert plan.of_type("aws:appautoscaling/target:Target") == []
    assert not [a for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-inference-" in a.name]
    assert plan.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    assert plan.outputs["inferenceEndpointName"] is None
    assert _torchserve_values(plan)["autoscaling"] == {"external": True}
    [hpa] = _prompt_generator_hpa(plan)
    assert hpa.inputs["spec"]["minReplicas"] == 1


def test_both_paths_run_side_by_side_for_a_migration() -> None:
    plan = _production("both", 1)
    assert plan.of_type(ENDPOINT) and _prompt_generator_hpa(plan)


def test_a_gpu_pool_kept_warm_while_torchserve_is_at_zero_is_rejected() -> None:
    config = with_value("eks", "nodeGroups.gpu.size", {"min": 1, "max": 5})
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:eks.nodeGroups.gpu.size.min"


def test_torchserve_without_a_gpu_pool_is_rejected() -> None:
    config = with_value("inference", "serving", "torchserve")
    del config["betterprompts:eks"]["nodeGroups"]["gpu"]
    config["betterprompts:eks"]["clusterAutoscaler"]["expanderPriorities"] = ["spot", "application", "system"]
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:inference.serving"


# --- staging's first deploy: the starter archive ------------------------------------------------------


def test_the_starter_archive_is_deterministic_and_holds_only_the_handler() -> None:
    archive = starter_archive()
    assert archive == starter_archive()
    assert base64.b64decode(starter_archive_base64()) == archive
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive))) as tar:
        [member] = tar.getmembers()
        assert (member.name, member.mtime, member.uid, member.mode) == ("code/inference.py", 0, 0, 0o644)
        assert tar.extractfile(member).read() == HANDLER.read_bytes()  # type: ignore[union-attr]


def test_the_starter_handler_answers_like_the_inference_toolkit_expects() -> None:
    spec = importlib.util.spec_from_file_location("starter_inference", HANDLER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.model_fn("/opt/ml/model")
    data = module.input_fn('{"prompt": "hi"}', "application/json")
    body, content_type = module.output_fn(module.predict_fn(data, model), "application/json")
    assert content_type == "application/json" and json.loads(body)["model"] == "starter"


def test_staging_uploads_the_starter_archive_before_the_model(staging: Plan) -> None:
    [obj] = staging.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
    bucket = staging.outputs["modelBucketName"]
    assert obj.inputs["bucket"] == bucket and obj.inputs["key"] == "models/" + STARTER_ARTIFACT_KEY
    assert obj.inputs["contentBase64"] == starter_archive_base64()
    assert obj.inputs["serverSideEncryption"] == "aws:kms"
    assert obj.inputs["kmsKeyId"] == staging.outputs["kmsKeyArns"]["storage"]
    [model] = staging.of_type("aws:sagemaker/model:Model")
    assert model.inputs["primaryContainer"]["modelDataUrl"] == f"s3://{bucket}/models/{STARTER_ARTIFACT_KEY}"
    assert obj.urn in model.dependencies


def test_a_configured_model_archive_replaces_the_starter() -> None:
    config = with_value("inference", "serverless.modelArtifactKey", "serverless/v2/model.tar.gz", stack="staging")
    plan = run_stack("staging", config=config)
    assert plan.of_type("aws:s3/bucketObjectv2:BucketObjectv2") == []
    [model] = plan.of_type("aws:sagemaker/model:Model")
    assert model.inputs["primaryContainer"]["modelDataUrl"].endswith("/models/serverless/v2/model.tar.gz")


def test_serverless_endpoints_keep_sagemakers_default_update(staging: Plan) -> None:
    [endpoint] = staging.of_type(ENDPOINT)
    assert "deploymentConfig" not in endpoint.inputs


def test_blue_green_leaves_the_deployment_config_to_sagemaker() -> None:
    config = with_value("inference", "multiModel.update", {"strategy": "blue_green"})
    [endpoint] = run_stack("production", config=config).of_type(ENDPOINT)
    assert "deploymentConfig" not in endpoint.inputs


# --- alarms ----------------------------------------------------------------------------------


def test_multi_model_endpoints_alarm_on_model_loading_waits() -> None:
    keys = [s.key for s in alarm_specs("ep", AlarmThresholds(), multi_model=True)]
    assert keys == ["model-loading-wait-p95", "model-latency-p95", "invocation-5xx"]
    [wait] = [s for s in alarm_specs("ep", AlarmThresholds(model_loading_wait_p95_microseconds=2_000_000), multi_model=True)
              if s.metric == "ModelLoadingWaitTime"]
    assert (wait.threshold, wait.extended_statistic, wait.treat_missing_data) == (2_000_000, "p95", "notBreaching")
    assert [s.key for s in alarm_specs("ep", AlarmThresholds())] == ["model-latency-p95", "invocation-5xx"]


def test_production_has_the_loading_wait_alarm_and_staging_does_not(production: Plan, staging: Plan) -> None:
    def metrics(plan: Plan) -> set[str]:
        return {a.inputs["metricName"] for a in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.inputs.get("namespace") == "AWS/SageMaker"}

    assert metrics(production) == {"ModelLatency", "Invocation5XXErrors", "ModelLoadingWaitTime"}
    assert metrics(staging) == {"ModelLatency", "Invocation5XXErrors"}

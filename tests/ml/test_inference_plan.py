"""The pure side of the SageMaker endpoint: images, role policy, scaling, alarms, SageMaker's rules."""

from __future__ import annotations

import json

import pytest

from components.ml.inference_plan import (
    AlarmThresholds,
    EcrImage,
    InferenceMode,
    RoleScope,
    TargetTracking,
    alarm_specs,
    cpu_inference_image_uri,
    endpoint_config_takes_kms_key,
    endpoint_log_group_name,
    execution_role_policy,
    normalize_prefix,
    parse_ecr_image,
    scaling_resource_id,
    supports_gpu_multi_model,
    target_tracking,
    triton_image_uri,
)
from components.platform.alarms import AlarmSpec
from components.platform.iam import wildcard_grants

BUCKET = "arn:aws:s3:::models-bucket"
STORAGE_KEY = "arn:aws:kms:us-east-1:123456789012:key/storage"
DATA_KEY = "arn:aws:kms:us-east-1:123456789012:key/data"
LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/ep"


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-2"])
def test_triton_image_is_sagemakers_for_the_region(region: str) -> None:
    assert triton_image_uri(region) == f"763104351884.dkr.ecr.{region}.amazonaws.com/sagemaker-tritonserver:25.09-py3"
    assert cpu_inference_image_uri(region) == (
        f"763104351884.dkr.ecr.{region}.amazonaws.com/pytorch-inference:2.6.0-cpu-py312-ubuntu22.04-sagemaker"
    )


def test_unknown_region_has_no_default_image() -> None:
    with pytest.raises(ValueError, match="eu-central-1"):
        triton_image_uri("eu-central-1")


def test_ecr_image_parsing() -> None:
    image = parse_ecr_image("785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:22.07-py3")
    assert image == EcrImage("785573368785", "us-east-1", "sagemaker-tritonserver")
    assert image.repository_arn() == "arn:aws:ecr:us-east-1:785573368785:repository/sagemaker-tritonserver"
    with pytest.raises(ValueError, match="not an ECR image"):
        parse_ecr_image("nvcr.io/nvidia/tritonserver:24.09-py3")


def test_gpu_multi_model_families() -> None:
    assert supports_gpu_multi_model("ml.g4dn.xlarge")
    assert supports_gpu_multi_model("ml.g5.2xlarge")
    assert not supports_gpu_multi_model("ml.c5.xlarge")
    with pytest.raises(ValueError, match="not a SageMaker instance type"):
        supports_gpu_multi_model("g4dn.xlarge")


def test_kms_key_only_where_sagemaker_accepts_one() -> None:
    # ml.g4dn has hardware-encrypted local NVMe: CreateEndpointConfig fails with a KmsKeyId.
    assert not endpoint_config_takes_kms_key(InferenceMode.MULTI_MODEL_GPU, "ml.g4dn.xlarge")
    assert not endpoint_config_takes_kms_key(InferenceMode.MULTI_MODEL_GPU, "ml.g5.xlarge")
    assert endpoint_config_takes_kms_key(InferenceMode.MULTI_MODEL_GPU, "ml.p3.2xlarge")
    assert endpoint_config_takes_kms_key(InferenceMode.SERVERLESS, "ml.g4dn.xlarge")


@pytest.mark.parametrize(("raw", "clean"), [("models/", "models/"), ("/models", "models/"), ("a/b//", "a/b/")])
def test_prefix_normalization(raw: str, clean: str) -> None:
    assert normalize_prefix(raw) == clean


@pytest.mark.parametrize("raw", ["", "/", "a//b", "my models"])
def test_bad_prefixes(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_prefix(raw)


def test_names_sagemaker_expects() -> None:
    assert endpoint_log_group_name("ep") == "/aws/sagemaker/Endpoints/ep"
    assert scaling_resource_id("ep") == "endpoint/ep/variant/AllTraffic"


def test_target_tracking_on_invocations_per_instance() -> None:
    assert target_tracking(100, 300, 60) == TargetTracking(100.0, 300, 60, "SageMakerVariantInvocationsPerInstance")
    with pytest.raises(ValueError):
        target_tracking(0, 300, 60)


def test_alarm_specs_are_the_seed_kpi_and_5xx() -> None:
    latency, errors = alarm_specs("ep", AlarmThresholds())
    assert latency == AlarmSpec(
        key="model-latency-p95",
        metric="ModelLatency",
        namespace="AWS/SageMaker",
        statistic=None,
        extended_statistic="p95",
        threshold=500_000.0,  # microseconds: 500 ms
        comparison="GreaterThanThreshold",
        period_seconds=60,
        evaluation_periods=5,
        datapoints_to_alarm=3,
        dimensions={"EndpointName": "ep", "VariantName": "AllTraffic"},
        description=latency.description,
        treat_missing_data="notBreaching",
    )
    assert "500 ms" in latency.description
    assert (errors.metric, errors.statistic, errors.threshold) == ("Invocation5XXErrors", "Sum", 5.0)
    assert errors.dimensions == {"EndpointName": "ep", "VariantName": "AllTraffic"}


def _scope(**overrides: object) -> RoleScope:
    values: dict[str, object] = dict(
        region="us-east-1",
        account_id="123456789012",
        bucket_arn=BUCKET,
        model_prefix="models/",
        bucket_kms_key_arn=STORAGE_KEY,
        log_group_arn=LOGS,
        image_uris=[triton_image_uri("us-east-1")],
    )
    values.update(overrides)
    return RoleScope(**values)  # type: ignore[arg-type]


def _statements(scope: RoleScope) -> dict[str, dict]:
    document = json.loads(execution_role_policy(scope))
    assert wildcard_grants(document) == []
    return {s["Sid"]: s for s in document["Statement"]}


def test_role_reads_only_the_model_prefix_and_pulls_only_its_image() -> None:
    statements = _statements(_scope())
    assert statements["ReadModelArtifacts"]["Resource"] == [f"{BUCKET}/models/*"]
    assert statements["ListModelPrefix"]["Condition"] == {"StringLike": {"s3:prefix": ["models/*"]}}
    assert statements["DecryptModelArtifacts"] == {
        "Sid": "DecryptModelArtifacts",
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [STORAGE_KEY],
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    }
    assert statements["PullInferenceImages"]["Resource"] == [
        "arn:aws:ecr:us-east-1:763104351884:repository/sagemaker-tritonserver"
    ]
    assert statements["WriteEndpointLogs"]["Resource"] == [LOGS, f"{LOGS}:log-stream:*"]
    # No endpoint key and no VPC: no statements for them.
    assert not {"EndpointStorageKey", "AttachToMlSubnets"} & set(statements)


def test_role_with_endpoint_key_and_vpc() -> None:
    statements = _statements(_scope(endpoint_kms_key_arn=DATA_KEY, subnet_ids=["subnet-1", "subnet-2"], security_group_id="sg-1"))
    assert statements["EndpointStorageKey"]["Resource"] == [DATA_KEY]
    via_sagemaker = {"kms:ViaService": "sagemaker.us-east-1.amazonaws.com"}
    assert statements["EndpointStorageKeyGrant"]["Condition"] == {
        "Bool": {"kms:GrantIsForAWSResource": "true"},
        "StringEquals": via_sagemaker,
    }
    # The shared data key is usable only through SageMaker (the endpoint's storage).
    assert statements["EndpointStorageKey"]["Condition"] == {"StringEquals": via_sagemaker}
    ec2 = "arn:aws:ec2:us-east-1:123456789012"
    assert statements["AttachToMlSubnets"]["Resource"] == [
        f"{ec2}:network-interface/*",
        f"{ec2}:subnet/subnet-1",
        f"{ec2}:subnet/subnet-2",
        f"{ec2}:security-group/sg-1",
    ]

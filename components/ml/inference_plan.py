"""Pure calculations for :class:`~components.ml.inference.InferenceEndpoint` (SageMaker, Option B).

Image URIs per region, the execution role's policy, the scaling configuration, the
alarm specs and the SageMaker rules the component must respect. Nothing here touches
Pulumi resources, so all of it is unit-tested directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

# The policy pack owns this AWS fact (it must stand alone); the component follows it.
from policies.instance_storage import has_local_instance_storage, instance_family

from ..platform import AlarmSpec, allow, policy_document


class InferenceMode(str, Enum):
    """Which kind of SageMaker endpoint serves the models."""

    MULTI_MODEL_GPU = "multi_model_gpu"
    """Instance-based multi-model endpoint on GPU (Triton), auto-scaled; in the ML subnets (production)."""
    SERVERLESS = "serverless"
    """Serverless single-model CPU endpoint: no GPU, no multi-model, no VPC; scales to zero (staging)."""


# SageMaker publishes its Triton Inference Server and framework DLC images from one ECR
# account per region; in the regions this project supports it is the Deep Learning
# Containers account (sagemaker-python-sdk image_uri_config/sagemaker-tritonserver.json,
# versions 23.12 and later; releases up to 23.02 lived in per-region accounts such as
# 785573368785 for us-east-1).
DLC_ACCOUNTS: dict[str, str] = {
    "us-east-1": "763104351884",
    "us-east-2": "763104351884",
    "us-west-2": "763104351884",
}
# Current releases (sagemaker-core image_uri_config: sagemaker-tritonserver 25.09 is the newest
# Triton, pytorch.json's newest inference version 2.6.0 on py312).
TRITON_REPOSITORY = "sagemaker-tritonserver"
TRITON_TAG = "25.09-py3"
CPU_INFERENCE_REPOSITORY = "pytorch-inference"
CPU_INFERENCE_TAG = "2.6.0-cpu-py312-ubuntu22.04-sagemaker"

VARIANT_NAME = "AllTraffic"
SCALABLE_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
SCALING_METRIC = "SageMakerVariantInvocationsPerInstance"
SAGEMAKER_NAMESPACE = "AWS/SageMaker"

# SageMaker serverless inference: memory in 1 GB steps, concurrency per endpoint.
SERVERLESS_MEMORY_SIZES_MB = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_MAX_CONCURRENCY = (1, 200)

# The GPU instance types SageMaker lists for multi-model endpoints (all single-GPU; Triton only):
# https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-support.html
MME_GPU_INSTANCE_TYPES = (
    "ml.p2.xlarge", "ml.p3.2xlarge",
    "ml.g5.xlarge", "ml.g5.2xlarge", "ml.g5.4xlarge", "ml.g5.8xlarge", "ml.g5.16xlarge",
    "ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.g4dn.4xlarge", "ml.g4dn.8xlarge", "ml.g4dn.16xlarge",
)


class ServingPath(str, Enum):
    """Which ML serving path takes production traffic; the other is sized to zero."""

    SAGEMAKER = "sagemaker"
    """The SageMaker endpoint serves; TorchServe runs no pods (the GPU pool may scale to zero)."""
    TORCHSERVE = "torchserve"
    """TorchServe on the GPU pool serves; no SageMaker endpoint runs (model and configuration stay)."""
    BOTH = "both"
    """Both run at their configured sizes (a migration between the two)."""

    @property
    def sagemaker(self) -> bool:
        return self is not ServingPath.TORCHSERVE

    @property
    def torchserve(self) -> bool:
        return self is not ServingPath.SAGEMAKER


@dataclass(frozen=True)
class UpdatePolicy:
    """How an endpoint update replaces the instance fleet.

    ``rolling``: new instances come up ``batch_instances`` at a time and old ones go after each
    step, so an update needs only one batch of extra quota. ``blue_green``: a whole new fleet
    next to the old one (SageMaker's default). Either way the new fleet starts at the
    configuration's initial instance count, which this component sets to the scaling maximum:
    the provider's UpdateEndpoint does not pass RetainAllVariantProperties, so an initial count
    at the minimum would drop an autoscaled fleet to its floor on every update.
    """

    strategy: str = "rolling"
    batch_instances: int = 1
    wait_interval_seconds: int = 120
    """Baking time after each batch, watching the alarms before the next."""


# SageMaker resource names: 1-63 letters, digits and hyphens, starting with a letter or digit.
SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repository>[a-z0-9._/-]+)(:[\w.-]+|@sha256:[0-9a-f]{64})$"
)


def triton_image_uri(region: str) -> str:
    """SageMaker's Triton Inference Server image for ``region`` (the only GPU multi-model container)."""
    return _dlc_image(region, TRITON_REPOSITORY, TRITON_TAG)


def cpu_inference_image_uri(region: str) -> str:
    """The PyTorch CPU inference DLC for ``region`` (serverless endpoints have no GPU)."""
    return _dlc_image(region, CPU_INFERENCE_REPOSITORY, CPU_INFERENCE_TAG)


def _dlc_image(region: str, repository: str, tag: str) -> str:
    if region not in DLC_ACCOUNTS:
        raise ValueError(f"no SageMaker image account known for region {region}")
    return f"{DLC_ACCOUNTS[region]}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}"


@dataclass(frozen=True)
class EcrImage:
    account: str
    region: str
    repository: str

    def repository_arn(self, partition: str = "aws") -> str:
        return f"arn:{partition}:ecr:{self.region}:{self.account}:repository/{self.repository}"


def parse_ecr_image(uri: str) -> EcrImage:
    """Account, region and repository of an ECR image URI; ``ValueError`` when it is not one."""
    match = ECR_IMAGE.match(uri)
    if not match:
        raise ValueError(f"{uri!r} is not an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>)")
    return EcrImage(match["account"], match["region"], match["repository"])


def supports_gpu_multi_model(instance_type: str) -> bool:
    instance_family(instance_type)  # raises on a name that is not ml.<family>.<size>
    return instance_type in MME_GPU_INSTANCE_TYPES


def endpoint_config_takes_kms_key(mode: InferenceMode, instance_type: str) -> bool:
    """Whether CreateEndpointConfig accepts a KmsKeyId for this endpoint.

    Serverless and EBS-backed instances: yes, and we always give the CMK. Instances with
    local NVMe storage (ml.g4dn among them): SageMaker rejects the key, because the
    volume is already encrypted by the instance's hardware module with a per-instance key.
    """
    return mode is InferenceMode.SERVERLESS or not has_local_instance_storage(instance_type)


def normalize_prefix(prefix: str) -> str:
    """An S3 key prefix without a leading slash and with exactly one trailing slash."""
    cleaned = prefix.strip().strip("/")
    if not cleaned:
        raise ValueError("the model prefix may not be empty (the bucket root is not a model repository)")
    if "//" in cleaned or any(c in cleaned for c in " \\{}^%`[]\"<>~#|"):
        raise ValueError(f"{prefix!r} is not a plain S3 key prefix")
    return cleaned + "/"


def model_data_url(bucket_name: str, key: str) -> str:
    """``s3://bucket/key``: a prefix (ending in /) for multi-model, an archive for single-model."""
    return f"s3://{bucket_name}/{key}"


def endpoint_log_group_name(endpoint_name: str) -> str:
    """The log group SageMaker writes an endpoint's container logs to."""
    return f"/aws/sagemaker/Endpoints/{endpoint_name}"


def scaling_resource_id(endpoint_name: str, variant_name: str = VARIANT_NAME) -> str:
    """Application Auto Scaling's id for an endpoint variant."""
    return f"endpoint/{endpoint_name}/variant/{variant_name}"


@dataclass(frozen=True)
class TargetTracking:
    """The target-tracking policy on invocations per instance."""

    target_value: float
    scale_in_cooldown: int
    scale_out_cooldown: int
    metric: str = SCALING_METRIC


def target_tracking(target_invocations_per_instance: int, scale_in_cooldown: int, scale_out_cooldown: int) -> TargetTracking:
    if target_invocations_per_instance < 1:
        raise ValueError("target invocations per instance must be at least 1")
    if scale_in_cooldown < 0 or scale_out_cooldown < 0:
        raise ValueError("cooldowns are seconds >= 0")
    return TargetTracking(float(target_invocations_per_instance), scale_in_cooldown, scale_out_cooldown)


@dataclass(frozen=True)
class AlarmThresholds:
    """The seed's inference KPI and the error alarm, in CloudWatch's units."""

    model_latency_p95_microseconds: int = 500_000
    """SageMaker's ModelLatency is in microseconds: 500000 is the seed's 500 ms p95."""
    invocation_5xx_errors: int = 5
    """5XX responses per period (Sum) above which the error alarm fires."""
    period_seconds: int = 60
    evaluation_periods: int = 5
    datapoints_to_alarm: int = 3
    model_loading_wait_p95_microseconds: int = 5_000_000
    """Multi-model endpoints: p95 ``ModelLoadingWaitTime`` (a request waiting for its model to be
    downloaded or loaded) above which models are thrashing in and out of memory."""


def alarm_specs(
    endpoint_name: Any, thresholds: AlarmThresholds, variant_name: str = VARIANT_NAME, *, multi_model: bool = False
) -> list[AlarmSpec]:
    """Latency p95 and 5XX alarms on one endpoint variant (``endpoint_name`` may be an Output).

    SageMaker publishes ``ModelLatency`` per variant, not per model: on a multi-model endpoint
    one slow model moves the whole variant's percentile. A multi-model endpoint also gets an
    alarm on ``ModelLoadingWaitTime``, the wait for a model that was not in memory.
    """
    dimensions: Mapping[str, Any] = {"EndpointName": endpoint_name, "VariantName": variant_name}

    def variant_alarm(key: str, metric: str, threshold: int, description: str, statistic: str | None = None) -> AlarmSpec:
        # M of N one-minute datapoints; no traffic (or no model to load) is not an outage.
        return AlarmSpec(
            key=key,
            metric=metric,
            namespace=SAGEMAKER_NAMESPACE,
            statistic=statistic,
            extended_statistic=None if statistic else "p95",
            threshold=float(threshold),
            comparison="GreaterThanThreshold",
            period_seconds=thresholds.period_seconds,
            evaluation_periods=thresholds.evaluation_periods,
            datapoints_to_alarm=thresholds.datapoints_to_alarm,
            dimensions=dimensions,
            treat_missing_data="notBreaching",
            description=description,
        )

    loading = thresholds.model_loading_wait_p95_microseconds
    return ([
        variant_alarm(
            "model-loading-wait-p95",
            "ModelLoadingWaitTime",
            loading,
            f"Multi-model endpoint: p95 wait for a model to load above {loading / 1_000_000:g} s "
            "(models are evicted and reloaded: more instances or memory, or fewer hot models)",
        )
    ] if multi_model else []) + [
        variant_alarm(
            "model-latency-p95",
            "ModelLatency",
            thresholds.model_latency_p95_microseconds,
            f"ML inference p95 model latency above {thresholds.model_latency_p95_microseconds / 1000:g} ms "
            "(seed KPI: p95 < 500 ms; per variant, not per model)",
        ),
        variant_alarm(
            "invocation-5xx",
            "Invocation5XXErrors",
            thresholds.invocation_5xx_errors,
            f"More than {thresholds.invocation_5xx_errors} model invocation 5XX errors per {thresholds.period_seconds} s",
            statistic="Sum",
        ),
    ]


@dataclass(frozen=True)
class RoleScope:
    """What the endpoint's execution role may touch, as resolved strings."""

    region: str
    account_id: str
    bucket_arn: str
    model_prefix: str
    bucket_kms_key_arn: str
    log_group_arn: str
    image_uris: Sequence[str]
    endpoint_kms_key_arn: str | None = None
    """The key of the endpoint configuration, when it takes one."""
    subnet_ids: Sequence[str] = ()
    security_group_id: str | None = None
    """Set when the model runs in the VPC: the role then manages its network interfaces."""
    partition: str = "aws"


def execution_role_policy(scope: RoleScope) -> str:
    """The execution role's only policy: the model prefix, the images, its log group, its keys."""
    p, region, account = scope.partition, scope.region, scope.account_id
    prefix = scope.model_prefix
    repositories = sorted({parse_ecr_image(uri).repository_arn(p) for uri in scope.image_uris})
    statements: list[dict[str, Any]] = [
        allow(["s3:GetObject"], [f"{scope.bucket_arn}/{prefix}*"], Sid="ReadModelArtifacts"),
        allow(
            ["s3:ListBucket"],
            [scope.bucket_arn],
            Sid="ListModelPrefix",
            Condition={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
        ),
        allow(
            ["kms:Decrypt"],
            [scope.bucket_kms_key_arn],
            Sid="DecryptModelArtifacts",
            Condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        ),
        # GetAuthorizationToken has no resource type: it is "*" by definition, and only opens the registry login.
        allow(["ecr:GetAuthorizationToken"], "*", Sid="RegistryLogin"),
        allow(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            repositories,
            Sid="PullInferenceImages",
        ),
        allow(
            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [scope.log_group_arn, f"{scope.log_group_arn}:log-stream:*"],
            Sid="WriteEndpointLogs",
        ),
        # PutMetricData has no resource type; the condition keeps the role to SageMaker's namespaces.
        allow(
            ["cloudwatch:PutMetricData"],
            "*",
            Sid="PublishEndpointMetrics",
            Condition={"StringLike": {"cloudwatch:namespace": ["AWS/SageMaker", "/aws/sagemaker/*"]}},
        ),
    ]
    if scope.endpoint_kms_key_arn:
        statements.append(
            # The data key is shared with the databases and caches: the role may use it only
            # through SageMaker (the endpoint's storage), not to decrypt anything else under it.
            allow(
                ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"],
                [scope.endpoint_kms_key_arn],
                Sid="EndpointStorageKey",
                Condition={"StringEquals": {"kms:ViaService": f"sagemaker.{region}.amazonaws.com"}},
            )
        )
        statements.append(
            allow(
                ["kms:CreateGrant"],
                [scope.endpoint_kms_key_arn],
                Sid="EndpointStorageKeyGrant",
                Condition={
                    "Bool": {"kms:GrantIsForAWSResource": "true"},
                    "StringEquals": {"kms:ViaService": f"sagemaker.{region}.amazonaws.com"},
                },
            )
        )
    if scope.security_group_id:
        ec2 = f"arn:{p}:ec2:{region}:{account}"
        statements.extend(
            [
                # Describe calls have no resource type.
                allow(
                    [
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DescribeVpcs",
                        "ec2:DescribeDhcpOptions",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups",
                    ],
                    "*",
                    Sid="DescribeNetwork",
                ),
                allow(
                    ["ec2:CreateNetworkInterface"],
                    [f"{ec2}:network-interface/*"]
                    + [f"{ec2}:subnet/{subnet}" for subnet in scope.subnet_ids]
                    + [f"{ec2}:security-group/{scope.security_group_id}"],
                    Sid="AttachToMlSubnets",
                ),
                allow(
                    ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"],
                    [f"{ec2}:network-interface/*"],
                    Sid="ManageOwnInterfaces",
                ),
            ]
        )
    return policy_document(statements)



def rolling_update(mode: InferenceMode, update: UpdatePolicy) -> UpdatePolicy | None:
    """The rolling policy an endpoint update uses, or None for SageMaker's default blue/green.

    Serverless endpoints cannot roll (SageMaker excludes them), and ``blue_green`` asks for the default.
    """
    if mode is InferenceMode.SERVERLESS or update.strategy != "rolling":
        return None
    return update

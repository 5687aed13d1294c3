"""``betterprompts:inference``: the SageMaker endpoint that serves the ML models (Option B).

```yaml
betterprompts:inference:
  mode: multi_model_gpu            # or serverless
  serving: sagemaker               # which path serves production traffic: sagemaker | torchserve | both
  modelPrefix: models/
  multiModel:                      # used when mode is multi_model_gpu
    instanceType: ml.g4dn.xlarge
    instanceCount: {min: 2, max: 5}
    targetInvocationsPerInstance: 100
    scaleInCooldownSeconds: 300
    scaleOutCooldownSeconds: 60
    imageUri: <region's Triton image>
    networkIsolation: true
    modelCacheSetting: Enabled
    update: {strategy: rolling, batchInstances: 1, waitIntervalSeconds: 120}
    batchModelArtifactKey: batch/model.tar.gz   # batch transform's single-model archive; absent: the starter
  serverless:                      # used when mode is serverless
    memorySizeMb: 4096
    maxConcurrency: 10
    imageUri: <region's PyTorch CPU image>
    modelArtifactKey: serverless/model.tar.gz   # absent: the stack's starter archive
  alarms:
    modelLatencyP95Microseconds: 500000
    modelLoadingWaitP95Microseconds: 5000000   # multi-model endpoints only
    invocation5xxErrors: 5
    periodSeconds: 60
    evaluationPeriods: 5
    datapointsToAlarm: 3
  logRetentionDays: 90
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..platform import LOG_RETENTION_DAYS, ConfigError, Section, check_offered, sagemaker_hosting_instance_types
from .starter_model import STARTER_ARTIFACT_KEY
from .inference_plan import (
    MME_GPU_INSTANCE_TYPES,
    SERVERLESS_MAX_CONCURRENCY,
    SERVERLESS_MEMORY_SIZES_MB,
    AlarmThresholds,
    InferenceMode,
    ServingPath,
    UpdatePolicy,
    cpu_inference_image_uri,
    normalize_prefix,
    parse_ecr_image,
    supports_gpu_multi_model,
    triton_image_uri,
)

@dataclass(frozen=True)
class MultiModelSettings:
    """The GPU multi-model endpoint (Triton) and its auto-scaling."""

    image_uri: str
    """The Triton Inference Server image: SageMaker runs GPU multi-model endpoints only on Triton."""
    instance_type: str = "ml.g4dn.xlarge"
    min_instances: int = 1
    max_instances: int = 4
    target_invocations_per_instance: int = 100
    """Target of the SageMakerVariantInvocationsPerInstance tracking policy (per minute)."""
    scale_in_cooldown_seconds: int = 300
    scale_out_cooldown_seconds: int = 60
    network_isolation: bool = True
    """No network for the container; SageMaker itself fetches models from S3."""
    model_cache_setting: str = "Enabled"
    """Keep loaded models in memory (``Disabled`` for many rarely used models)."""
    update: UpdatePolicy = UpdatePolicy()
    """How an endpoint update replaces the fleet (rolling in batches, or blue/green)."""
    batch_model_artifact_key: str | None = None
    """The single-model archive batch transform jobs run (relative to ``modelPrefix``): a job cannot name a
    multi-model endpoint's target model. None: the stack's starter archive, so the batch model exists and
    jobs fail clearly until a real archive is named."""


@dataclass(frozen=True)
class ServerlessSettings:
    """The serverless single-model CPU endpoint for low-traffic periods."""

    image_uri: str
    memory_size_mb: int = 2048
    max_concurrency: int = 5
    model_artifact_key: str | None = None
    """The model archive, relative to ``modelPrefix``; it must exist before the endpoint uses it.
    None: the starter archive the stack uploads itself, so the first deploy succeeds."""


@dataclass(frozen=True)
class InferenceSettings:
    mode: InferenceMode
    serving: ServingPath
    """Which path serves production traffic; the other is sized to zero."""
    model_prefix: str
    """S3 prefix (``models/``) the multi-model endpoint loads models from."""
    multi_model: MultiModelSettings
    serverless: ServerlessSettings
    alarms: AlarmThresholds
    log_retention_days: int


    @staticmethod
    def read(section: Section, region: str) -> "InferenceSettings":
        mode = InferenceMode(
            section.string("mode", InferenceMode.MULTI_MODEL_GPU.value, choices=[m.value for m in InferenceMode])
        )
        serving = ServingPath(section.string("serving", ServingPath.SAGEMAKER.value, choices=[p.value for p in ServingPath]))
        prefix_raw = section.string("modelPrefix", "models/")
        try:
            model_prefix = normalize_prefix(prefix_raw)
        except ValueError as exc:
            raise ConfigError(section.key("modelPrefix"), prefix_raw, f"an S3 key prefix such as models/ ({exc})") from None

        multi_model = _read_multi_model(section.child("multiModel", {}), region)
        serverless = _read_serverless(section.child("serverless", {}), region)

        alarms_section = section.child("alarms", {})
        defaults = AlarmThresholds()
        evaluation_periods = alarms_section.integer("evaluationPeriods", defaults.evaluation_periods, minimum=1, maximum=60)
        alarms = AlarmThresholds(
            model_latency_p95_microseconds=alarms_section.integer(
                "modelLatencyP95Microseconds", defaults.model_latency_p95_microseconds, minimum=1000, maximum=60_000_000
            ),
            invocation_5xx_errors=alarms_section.integer("invocation5xxErrors", defaults.invocation_5xx_errors, minimum=0),
            period_seconds=alarms_section.integer("periodSeconds", defaults.period_seconds, minimum=60, maximum=3600),
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=alarms_section.integer(
                "datapointsToAlarm", min(defaults.datapoints_to_alarm, evaluation_periods), minimum=1, maximum=evaluation_periods
            ),
            model_loading_wait_p95_microseconds=alarms_section.integer(
                "modelLoadingWaitP95Microseconds", defaults.model_loading_wait_p95_microseconds, minimum=1000, maximum=600_000_000
            ),
        )
        if alarms.period_seconds % 60:
            raise ConfigError(alarms_section.key("periodSeconds"), alarms.period_seconds, "a multiple of 60 seconds")
        alarms_section.finish()

        retention = section.integer("logRetentionDays", 90)
        if retention not in LOG_RETENTION_DAYS:
            raise ConfigError(
                section.key("logRetentionDays"),
                retention,
                "a CloudWatch Logs retention period: " + ", ".join(map(str, LOG_RETENTION_DAYS)),
            )
        section.finish()
        return InferenceSettings(
            mode=mode,
            serving=serving,
            model_prefix=model_prefix,
            multi_model=multi_model,
            serverless=serverless,
            alarms=alarms,
            log_retention_days=retention,
        )


def _image(section: Section, default: str, region: str) -> str:
    uri = section.string("imageUri", default)
    try:
        image = parse_ecr_image(uri)
    except ValueError as exc:
        raise ConfigError(section.key("imageUri"), uri, str(exc)) from None
    if image.region != region:
        # SageMaker pulls a hosting container only from an ECR registry in the endpoint's own region.
        raise ConfigError(section.key("imageUri"), uri, f"an ECR image in {region}, the endpoint's region (not {image.region})")
    return uri


def _read_multi_model(section: Section, region: str) -> MultiModelSettings:
    defaults: Any = MultiModelSettings
    instance_type = section.string("instanceType", defaults.instance_type)
    try:
        gpu = supports_gpu_multi_model(instance_type)
    except ValueError as exc:
        raise ConfigError(section.key("instanceType"), instance_type, str(exc)) from None
    if not gpu:
        # Only the listed types SageMaker still hosts in the region: a retired one (ml.p2.xlarge) offered
        # here would fail the next check. A typo names its closest usable type.
        usable = [t for t in MME_GPU_INSTANCE_TYPES if t in sagemaker_hosting_instance_types(region)]
        check_offered(
            section.key("instanceType"),
            instance_type,
            frozenset(usable),
            f"a GPU instance type SageMaker lists for multi-model endpoints and hosts in {region}: " + ", ".join(usable),
        )
    check_offered(
        section.key("instanceType"),
        instance_type,
        sagemaker_hosting_instance_types(region),
        f"an instance type SageMaker hosting offers in {region} (AWS's published list)",
    )
    low, high = section.min_max(
        "instanceCount", {"min": defaults.min_instances, "max": defaults.max_instances}, minimum=1, maximum=100
    )
    settings = MultiModelSettings(
        image_uri=_image(section, triton_image_uri(region), region),
        instance_type=instance_type,
        min_instances=low,
        max_instances=high,
        target_invocations_per_instance=section.integer(
            "targetInvocationsPerInstance", defaults.target_invocations_per_instance, minimum=1, maximum=100_000
        ),
        scale_in_cooldown_seconds=section.integer("scaleInCooldownSeconds", defaults.scale_in_cooldown_seconds, minimum=0, maximum=3600),
        scale_out_cooldown_seconds=section.integer("scaleOutCooldownSeconds", defaults.scale_out_cooldown_seconds, minimum=0, maximum=3600),
        network_isolation=section.boolean("networkIsolation", defaults.network_isolation),
        model_cache_setting=section.string("modelCacheSetting", defaults.model_cache_setting, choices=("Enabled", "Disabled")),
        update=_read_update(section.child("update", {}), high, section.key("instanceCount.max")),
        batch_model_artifact_key=_artifact_key(section, "batchModelArtifactKey", "batch/model.tar.gz"),
    )
    section.finish()
    return settings


def _artifact_key(section: Section, name: str, example: str) -> str | None:
    """A model archive key relative to modelPrefix (absent: the stack's starter archive)."""
    key = section.raw(name, None)
    if key is not None and (
        not isinstance(key, str) or key.startswith("/") or key.endswith("/") or not key.endswith(".tar.gz")
        or key == STARTER_ARTIFACT_KEY
    ):
        raise ConfigError(
            section.key(name),
            key,
            f"a model archive key relative to modelPrefix, such as {example} (not the stack's own {STARTER_ARTIFACT_KEY})",
        )
    return key


def _read_serverless(section: Section, region: str) -> ServerlessSettings:
    defaults: Any = ServerlessSettings
    memory = section.integer("memorySizeMb", defaults.memory_size_mb)
    if memory not in SERVERLESS_MEMORY_SIZES_MB:
        raise ConfigError(section.key("memorySizeMb"), memory, "one of " + ", ".join(map(str, SERVERLESS_MEMORY_SIZES_MB)))
    low, high = SERVERLESS_MAX_CONCURRENCY
    key = _artifact_key(section, "modelArtifactKey", "serverless/model.tar.gz")
    settings = ServerlessSettings(
        image_uri=_image(section, cpu_inference_image_uri(region), region),
        memory_size_mb=memory,
        max_concurrency=section.integer("maxConcurrency", defaults.max_concurrency, minimum=low, maximum=high),
        model_artifact_key=key,
    )
    section.finish()
    return settings


def _read_update(section: Section, max_instances: int, fleet_key: str) -> UpdatePolicy:
    """``multiModel.update``: rolling batches must be 5-50% of the fleet (SageMaker's rule)."""
    defaults = UpdatePolicy()
    strategy = section.string("strategy", defaults.strategy, choices=("rolling", "blue_green"))
    batch = section.integer("batchInstances", defaults.batch_instances, minimum=1, maximum=100)
    wait = section.integer("waitIntervalSeconds", defaults.wait_interval_seconds, minimum=0, maximum=3600)
    section.finish()
    if strategy == "rolling" and not 0.05 * max_instances <= batch <= 0.5 * max_instances:
        raise ConfigError(
            section.key("batchInstances"),
            batch,
            f"5% to 50% of the fleet ({max_instances} instances at deployment, {fleet_key}) for a rolling update; "
            "with fewer than 2 instances use strategy: blue_green",
        )
    return UpdatePolicy(strategy=strategy, batch_instances=batch, wait_interval_seconds=wait)

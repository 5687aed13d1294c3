"""``betterprompts:inference``: defaults per region, and every bad value rejected by key."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.ml.inference_plan import InferenceMode
from components.ml.inference_settings import InferenceSettings
from components.platform.config import Section
from components.settings import ConfigError, load_settings
from preflight.harness import read_stack_config

def _base() -> dict[str, Any]:
    """Production's config moved to us-west-2, with the inference section left to its defaults."""
    config = copy.deepcopy(read_stack_config("production")[0])
    config["aws:region"] = "us-west-2"
    config["betterprompts:network"]["availabilityZones"] = ["us-west-2a", "us-west-2b", "us-west-2c"]
    # The DR Region must differ from the stack's: the other side of the country.
    config["betterprompts:dr"]["region"] = "us-east-1"
    del config["betterprompts:inference"]
    return config


BASE: dict[str, Any] = _base()


def _read(section: dict[str, Any], region: str = "us-east-1") -> InferenceSettings:
    return InferenceSettings.read(Section(section, "betterprompts:inference"), region)


def test_defaults_follow_the_stack_region() -> None:
    settings = load_settings(BASE, project="betterprompts", stack="dev").inference
    assert settings.mode is InferenceMode.MULTI_MODEL_GPU
    assert settings.multi_model.instance_type == "ml.g4dn.xlarge"
    assert settings.multi_model.image_uri == "763104351884.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tritonserver:25.09-py3"
    assert settings.serverless.image_uri.startswith("763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:")
    assert settings.model_prefix == "models/"
    assert settings.alarms.model_latency_p95_microseconds == 500_000
    # No archive key: the endpoint serves the stack's starter archive; SageMaker serves production traffic.
    assert settings.serverless.model_artifact_key is None
    assert settings.serving.value == "sagemaker"
    assert settings.alarms.model_loading_wait_p95_microseconds == 5_000_000


def test_structured_config_as_json_text_is_read() -> None:
    config = dict(BASE, **{"betterprompts:inference": '{"mode": "serverless", "serverless": {"memorySizeMb": 3072}}'})
    settings = load_settings(config, project="betterprompts", stack="dev").inference
    assert settings.mode is InferenceMode.SERVERLESS
    assert settings.serverless.memory_size_mb == 3072


def test_image_override() -> None:
    uri = "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:23.02-py3"
    assert _read({"multiModel": {"imageUri": uri}}).multi_model.image_uri == uri


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"mode": "gpu"}, "betterprompts:inference.mode"),
        ({"modelPrefix": "/"}, "betterprompts:inference.modelPrefix"),
        ({"multiModel": {"instanceType": "ml.c5.xlarge"}}, "betterprompts:inference.multiModel.instanceType"),
        ({"multiModel": {"instanceType": "g4dn.xlarge"}}, "betterprompts:inference.multiModel.instanceType"),
        ({"multiModel": {"instanceCount": {"min": 3, "max": 2}}}, "betterprompts:inference.multiModel.instanceCount"),
        ({"multiModel": {"instanceCount": {"min": 0, "max": 2}}}, "betterprompts:inference.multiModel.instanceCount.min"),
        ({"multiModel": {"targetInvocationsPerInstance": 0}}, "betterprompts:inference.multiModel.targetInvocationsPerInstance"),
        ({"multiModel": {"scaleInCooldownSeconds": -1}}, "betterprompts:inference.multiModel.scaleInCooldownSeconds"),
        ({"multiModel": {"imageUri": "tritonserver:latest"}}, "betterprompts:inference.multiModel.imageUri"),
        ({"multiModel": {"modelCacheSetting": "On"}}, "betterprompts:inference.multiModel.modelCacheSetting"),
        ({"multiModel": {"instanceTyp": "ml.g4dn.xlarge"}}, "betterprompts:inference.multiModel.instanceTyp"),
        ({"serverless": {"memorySizeMb": 1500}}, "betterprompts:inference.serverless.memorySizeMb"),
        ({"serverless": {"memorySizeMb": 8192}}, "betterprompts:inference.serverless.memorySizeMb"),
        ({"serverless": {"maxConcurrency": 0}}, "betterprompts:inference.serverless.maxConcurrency"),
        ({"serverless": {"maxConcurrency": 201}}, "betterprompts:inference.serverless.maxConcurrency"),
        ({"serverless": {"modelArtifactKey": "model.zip"}}, "betterprompts:inference.serverless.modelArtifactKey"),
        ({"alarms": {"modelLatencyP95Microseconds": 500}}, "betterprompts:inference.alarms.modelLatencyP95Microseconds"),
        ({"alarms": {"periodSeconds": 90}}, "betterprompts:inference.alarms.periodSeconds"),
        ({"alarms": {"evaluationPeriods": 2, "datapointsToAlarm": 3}}, "betterprompts:inference.alarms.datapointsToAlarm"),
        ({"alarms": {"invocation5xxErrors": -1}}, "betterprompts:inference.alarms.invocation5xxErrors"),
        ({"logRetentionDays": 45}, "betterprompts:inference.logRetentionDays"),
        ({"endpoint": "x"}, "betterprompts:inference.endpoint"),
        ({"serving": "sagemaker-only"}, "betterprompts:inference.serving"),
        # Only the GPU types AWS lists for multi-model endpoints: no g6, no multi-GPU sizes.
        ({"multiModel": {"instanceType": "ml.g6.xlarge"}}, "betterprompts:inference.multiModel.instanceType"),
        ({"multiModel": {"instanceType": "ml.g5.12xlarge"}}, "betterprompts:inference.multiModel.instanceType"),
        ({"serverless": {"modelArtifactKey": "serverless/starter/model.tar.gz"}}, "betterprompts:inference.serverless.modelArtifactKey"),
        ({"alarms": {"modelLoadingWaitP95Microseconds": 10}}, "betterprompts:inference.alarms.modelLoadingWaitP95Microseconds"),
        ({"multiModel": {"update": {"strategy": "canary"}}}, "betterprompts:inference.multiModel.update.strategy"),
        # A rolling batch must be 5-50% of the fleet (here 4 instances: 1 or 2).
        ({"multiModel": {"update": {"batchInstances": 3}}}, "betterprompts:inference.multiModel.update.batchInstances"),
        (
            {"multiModel": {"instanceCount": {"min": 1, "max": 1}, "update": {"strategy": "rolling"}}},
            "betterprompts:inference.multiModel.update.batchInstances",
        ),
        ({"multiModel": {"update": {"waitIntervalSeconds": 4000}}}, "betterprompts:inference.multiModel.update.waitIntervalSeconds"),
    ],
)
def test_bad_values_name_their_key(section: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        _read(section)
    assert error.value.key == key


def test_every_listed_multi_model_gpu_type_the_region_offers_is_accepted() -> None:
    from components.ml.inference_plan import MME_GPU_INSTANCE_TYPES

    assert len(MME_GPU_INSTANCE_TYPES) == 12
    for instance_type in MME_GPU_INSTANCE_TYPES:
        if instance_type in ("ml.p2.xlarge", "ml.p3.2xlarge"):
            # On AWS's multi-model page, but no longer offered for hosting (cfn-lint's per-region list).
            with pytest.raises(ConfigError, match="SageMaker hosting offers in us-east-1"):
                _read({"multiModel": {"instanceType": instance_type}})
            continue
        assert _read({"multiModel": {"instanceType": instance_type}}).multi_model.instance_type == instance_type


def test_a_single_instance_fleet_updates_blue_green() -> None:
    settings = _read({"multiModel": {"instanceCount": {"min": 1, "max": 1}, "update": {"strategy": "blue_green"}}})
    assert settings.multi_model.update.strategy == "blue_green"

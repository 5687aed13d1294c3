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
    del config["betterprompts:inference"]
    return config


BASE: dict[str, Any] = _base()


def _read(section: dict[str, Any], region: str = "us-east-1") -> InferenceSettings:
    return InferenceSettings.read(Section(section, "betterprompts:inference"), region)


def test_defaults_follow_the_stack_region() -> None:
    settings = load_settings(BASE, project="betterprompts", stack="dev").inference
    assert settings.mode is InferenceMode.MULTI_MODEL_GPU
    assert settings.multi_model.instance_type == "ml.g4dn.xlarge"
    assert settings.multi_model.image_uri == "763104351884.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tritonserver:24.09-py3"
    assert settings.serverless.image_uri.startswith("763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:")
    assert settings.model_prefix == "models/"
    assert settings.alarms.model_latency_p95_microseconds == 500_000
    assert settings.serverless_model_key == "models/serverless/model.tar.gz"


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
    ],
)
def test_bad_values_name_their_key(section: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        _read(section)
    assert error.value.key == key



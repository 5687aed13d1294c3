"""Stack config checked against facts: what AWS offers in the region, what Kubernetes parses, what
an address is, and the values AWS or Kubernetes couple. Each bad value fails in both stacks before
anything is registered, naming the key and the value; each valid neighbour is accepted."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from components.platform import ConfigError
from components.settings import StackSettings, load_settings
from preflight.harness import run_stack
from tests.stack_config import config_of

STACKS = ["production", "staging"]


def _set(config: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    section, *keys = path.split(".")
    target = config.setdefault(f"betterprompts:{section}", {})
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value
    return config


def _changed(stack: str, **changes: Any) -> dict[str, Any]:
    config = config_of(stack)
    for path, value in changes.items():
        _set(config, path.replace("__", "."), value)
    return config


def _load(config: dict[str, Any], stack: str) -> StackSettings:
    return load_settings(config, project="betterprompts", stack=stack)


# (case, changes as path=value, key, value, part of what is allowed)
BAD: list[tuple[str, dict[str, Any], str, Any, str]] = [
    ("misspelt node type", {"eks__nodeGroups__application__instanceTypes": ["c6i.xlrage"]},
     "betterprompts:eks.nodeGroups.application.instanceTypes[0]", "c6i.xlrage", "offered in us-east-1"),
    ("made-up GPU type", {"eks__nodeGroups__gpu__instanceTypes": ["g4dn.huge"]},
     "betterprompts:eks.nodeGroups.gpu.instanceTypes[0]", "g4dn.huge", "offered in us-east-1"),
    ("Graviton node type on x86 AMIs", {"eks__nodeGroups__system__instanceTypes": ["t4g.medium"]},
     "betterprompts:eks.nodeGroups.system.instanceTypes[0]", "t4g.medium", "an x86_64 instance type"),
    ("two shapes in one group", {"eks__nodeGroups__application__instanceTypes": ["c6i.xlarge", "c6i.2xlarge"]},
     "betterprompts:eks.nodeGroups.application.instanceTypes", ["c6i.xlarge", "c6i.2xlarge"], "of one shape"),
    ("misspelt DB class", {"database__instanceClass": "db.r6g.xlarg"},
     "betterprompts:database.instanceClass", "db.r6g.xlarg", "RDS for PostgreSQL offers in us-east-1"),
    ("DB class RDS offers but no price exists for", {"database__instanceClass": "db.r7i.large"},
     "betterprompts:database.instanceClass", "db.r7i.large", "a class priced in policies/pricing/us-east-1.json"),
    ("node type EC2 offers but no price exists for", {"eks__nodeGroups__application__instanceTypes": ["g7.2xlarge"]},
     "betterprompts:eks.nodeGroups.application.instanceTypes[0]", "g7.2xlarge", "a first instance type priced in policies/pricing/us-east-1.json"),
    ("Graviton type newer than the autoscaler's table on x86 AMIs", {"eks__nodeGroups__application__instanceTypes": ["c9g.xlarge"]},
     "betterprompts:eks.nodeGroups.application.instanceTypes[0]", "c9g.xlarge", "an x86_64 instance type: the nodes run the AL2023 x86_64 EKS AMIs (c9g.xlarge is arm64)"),
    ("node type without an architecture fact", {"eks__nodeGroups__application__instanceTypes": ["r9g.xlarge"]},
     "betterprompts:eks.nodeGroups.application.instanceTypes[0]", "r9g.xlarge", "no architecture known for r9g.xlarge"),
    ("GPU type without an architecture fact", {"eks__nodeGroups__gpu__instanceTypes": ["t8i.medium"]},
     "betterprompts:eks.nodeGroups.gpu.instanceTypes[0]", "t8i.medium", "an NVIDIA GPU instance type"),
    ("NAT type without an architecture fact", {"network__natInstance__instanceType": "r9g.large"},
     "betterprompts:network.natInstance.instanceType", "r9g.large", "of the image's architecture (arm64) whose architecture is known: no architecture known for r9g.large"),
    ("retired engine version", {"database__engineVersion": "16.6"},
     "betterprompts:database.engineVersion", "16.6", "RDS still creates"),
    ("misspelt cache node", {"cache__nodeType": "cache.r6g.larg"},
     "betterprompts:cache.nodeType", "cache.r6g.larg", "ElastiCache offers in us-east-1"),
    ("MME type SageMaker no longer offers", {"inference__multiModel__instanceType": "ml.p2.xlarge"},
     "betterprompts:inference.multiModel.instanceType", "ml.p2.xlarge", "SageMaker hosting offers in us-east-1"),
    ("misspelt multi-model type", {"inference__multiModel__instanceType": "ml.g4dn.xlarg"},
     "betterprompts:inference.multiModel.instanceType", "ml.g4dn.xlarg", "and hosts in us-east-1: ml.g5.xlarge"),
    ("non-finite tag value", {"platform__extraTags": {"DataClassification": float("nan")}},
     "betterprompts:platform.extraTags.DataClassification", float("nan"), "not .nan or .inf"),
    ("NAT type not offered", {"network__natInstance__instanceType": "t4g.nanoo"},
     "betterprompts:network.natInstance.instanceType", "t4g.nanoo", "offered in us-east-1"),
    ("x86 NAT type for the arm64 image", {"network__natInstance__instanceType": "t3.nano"},
     "betterprompts:network.natInstance.instanceType", "t3.nano", "the image's architecture (arm64"),
    ("zone the region lacks", {"network__availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1g"]},
     "betterprompts:network.availabilityZones[2]", "us-east-1g", "us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f"),
    ("zone ID instead of a zone name", {"network__availabilityZones": ["us-east-1a", "use1-az1", "us-east-1c"]},
     "betterprompts:network.availabilityZones[1]", "use1-az1", "not a zone ID"),
    ("Kubernetes version EKS does not offer", {"eks__kubernetesVersion": "1.29"},
     "betterprompts:eks.kubernetesVersion", "1.29", "a version EKS offers"),
    ("add-on build EKS does not publish", {"eks__addons__coreDns": "v1.11.4-eksbuild.2"},
     "betterprompts:eks.addons.coreDns", "v1.11.4-eksbuild.2", "a coredns build EKS publishes for Kubernetes 1.35"),
    ("cache engine version that does not exist", {"cache__engineVersion": "7.3"},
     "betterprompts:cache.engineVersion", "7.3", "that ElastiCache offers"),
    ("tag value longer than AWS allows", {"platform__extraTags": {"DataClassification": "x" * 257}},
     "betterprompts:platform.extraTags.DataClassification", "x" * 257, "at most 256 characters"),
    ("tag key with a character AWS refuses", {"platform__extraTags": {"data#class": "internal"}},
     "betterprompts:platform.extraTags.data#class", "data#class", "letters, digits, spaces"),
    ("subnet smaller than AWS allows", {"network__subnets__app": ["10.9.11.0/29", "10.9.12.0/24", "10.9.13.0/24"]},
     "betterprompts:network.subnets.app[0]", "10.9.11.0/29", "a block from /16 to /28"),
    ("public subnet too small for a load balancer", {"network__subnets__public": ["10.9.1.0/28", "10.9.2.0/24", "10.9.3.0/24"]},
     "betterprompts:network.subnets.public[0]", "10.9.1.0/28", "load balancers need a /27"),
    ("malformed alarm email", {"platform__alarmEmails": ["oncall@betterprompts"]},
     "betterprompts:platform.alarmEmails[0]", "oncall@betterprompts", "an email address"),
    ("malformed budget email", {"cost__budgetAlertEmails": ["finops at betterprompts.io"]},
     "betterprompts:cost.budgetAlertEmails[0]", "finops at betterprompts.io", "an email address"),
    ("not a quantity", {"workloads__services__frontend__resources__requests__memory": "128MB"},
     "betterprompts:workloads.services.frontend.resources.requests.memory", "128MB", "a Kubernetes memory quantity"),
    ("negative quantity", {"workloads__services__frontend__resources__requests__cpu": "-100m"},
     "betterprompts:workloads.services.frontend.resources.requests.cpu", "-100m", "a Kubernetes CPU quantity"),
    ("non-finite number", {"cost__budgetMonthlyUsd": float("inf")},
     "betterprompts:cost.budgetMonthlyUsd", float("inf"), "a finite number"),
    ("cache maintenance over its snapshots", {"cache__maintenanceWindow": "sun:05:30-sun:06:30"},
     "betterprompts:cache.maintenanceWindow", "sun:05:30-sun:06:30", "does not overlap betterprompts:cache.snapshotWindow (05:00-06:00)"),
    ("more GPUs per pod than per node", {"workloads__promptGenerator__gpus": 2},
     "betterprompts:workloads.promptGenerator.gpus", 2, "at most 1: the GPUs of g4dn.xlarge"),
    ("more memory per pod than per node", {"workloads__promptGenerator__resources__requests__memory": "20Gi",
                                            "workloads__promptGenerator__resources__limits__memory": "20Gi"},
     "betterprompts:workloads.promptGenerator.resources.requests.memory", "20Gi", "less than the 16384 MiB of g4dn.xlarge"),
]


def _same(got: Any, expected: Any) -> bool:
    """Equal, counting NaN as equal to NaN (the value may have crossed JSON on its way)."""
    if isinstance(got, float) and isinstance(expected, float) and math.isnan(got) and math.isnan(expected):
        return True
    return bool(got == expected)


def _adapt(stack: str, changes: dict[str, Any]) -> dict[str, Any]:
    changes = dict(changes)
    if stack == "staging":
        # Staging's VPC is 10.1.0.0/16; the test subnets above sit outside both VPCs' defaults otherwise.
        changes = {k: [c.replace("10.9.", "10.1.") for c in v] if k.startswith("network__subnets") else v for k, v in changes.items()}
    else:
        changes = {k: [c.replace("10.9.", "10.0.") for c in v] if k.startswith("network__subnets") else v for k, v in changes.items()}
    return changes


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("case", "changes", "key", "value", "allowed"), BAD, ids=[b[0] for b in BAD])
def test_values_aws_or_kubernetes_would_refuse_fail_naming_key_and_value(
    stack: str, case: str, changes: dict[str, Any], key: str, value: Any, allowed: str
) -> None:
    changes = _adapt(stack, changes)
    with pytest.raises(ConfigError) as caught:
        _load(_changed(stack, **changes), stack)
    error = caught.value
    expected = value.replace("10.9.", "10.1." if stack == "staging" else "10.0.") if isinstance(value, str) else value
    assert error.key == key and _same(error.value, expected)
    assert allowed in error.allowed


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("case", "changes", "key", "value", "allowed"), BAD, ids=[b[0] for b in BAD])
def test_nothing_is_registered(stack: str, case: str, changes: dict[str, Any], key: str, value: Any, allowed: str) -> None:
    with pytest.raises(ConfigError) as caught:
        run_stack(stack, config=_changed(stack, **_adapt(stack, changes)))
    expected = value.replace("10.9.", "10.1." if stack == "staging" else "10.0.") if isinstance(value, str) else value
    assert caught.value.key == key and _same(caught.value.value, expected)
    assert allowed in caught.value.allowed
    assert caught.value.registered == []  # type: ignore[attr-defined]


GOOD: list[tuple[str, dict[str, Any]]] = [
    ("decimal memory units", {"workloads__services__frontend__resources__requests__memory": "256M",
                              "workloads__services__frontend__resources__limits__memory": "1.5Gi"}),
    ("fractional CPU", {"workloads__services__frontend__resources__requests__cpu": "0.25"}),
    ("another zone the region has", {"network__availabilityZones": ["us-east-1d", "us-east-1e", "us-east-1f"]}),
    ("a tag value at AWS's limit", {"platform__extraTags": {"DataClassification": "x" * 256, "Team:Owner/Unit": "a+b=c @ d-e_f.g"}}),
    ("a /28 private subnet", {"network__subnets__db": ["10.9.21.0/28", "10.9.22.0/28", "10.9.23.0/28"]}),
    ("same-shape node types", {"eks__nodeGroups__application__instanceTypes": ["m6i.xlarge", "m6a.xlarge", "m5.xlarge"]}),
    ("a GPU type of the same family", {"eks__nodeGroups__gpu__instanceTypes": ["g5.xlarge"]}),
    ("an internationalized address", {"platform__alarmEmails": ["bereitschaft@beispiel.de", "oncall+pager@betterprompts.io"]}),
]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("case", "changes"), GOOD, ids=[g[0] for g in GOOD])
def test_valid_values_are_accepted(stack: str, case: str, changes: dict[str, Any]) -> None:
    _load(_changed(stack, **_adapt(stack, changes)), stack)


@pytest.mark.parametrize("stack", STACKS)
def test_an_inference_image_from_another_region_is_refused(stack: str) -> None:
    section = "multiModel" if stack == "production" else "serverless"
    image = "763104351884.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tritonserver:25.09-py3"
    with pytest.raises(ConfigError) as caught:
        _load(_changed(stack, **{f"inference__{section}__imageUri": image}), stack)
    assert (caught.value.key, caught.value.value) == (f"betterprompts:inference.{section}.imageUri", image)
    assert "an ECR image in us-east-1, the endpoint's region (not us-west-2)" == caught.value.allowed


def test_karpenter_gpu_types_and_families_are_checked_too() -> None:
    config = copy.deepcopy(config_of("staging"))
    eks = config["betterprompts:eks"]
    eks["autoscaler"] = "karpenter"
    eks.pop("clusterAutoscaler")
    for pool in ("gpu", "spot", "training"):
        eks["nodeGroups"].pop(pool, None)
    eks["controllerReplicas"] = 1
    eks["karpenter"] = {"gpuInstanceTypes": ["g4dn.xlarge"], "spotInstanceFamilies": ["t3a", "t3"]}
    _load(config, "staging")
    eks["karpenter"]["spotInstanceFamilies"] = ["t3a", "t3x"]
    with pytest.raises(ConfigError) as caught:
        _load(config, "staging")
    assert (caught.value.key, caught.value.value) == ("betterprompts:eks.karpenter.spotInstanceFamilies[1]", "t3x")
    eks["karpenter"]["spotInstanceFamilies"] = ["t3a"]
    eks["karpenter"]["gpuInstanceTypes"] = ["g4dn.xlarge", "g9.xlarge"]
    with pytest.raises(ConfigError) as caught:
        _load(config, "staging")
    assert (caught.value.key, caught.value.value) == ("betterprompts:eks.karpenter.gpuInstanceTypes[1]", "g9.xlarge")


def _documented_multi_model_types() -> list[str]:
    """The list docs/inference.md gives (AWS's multi-model GPU types), as SageMaker offers them in us-east-1."""
    from components.ml.inference_plan import MME_GPU_INSTANCE_TYPES
    from components.platform import sagemaker_hosting_instance_types

    return [t for t in MME_GPU_INSTANCE_TYPES if t in sagemaker_hosting_instance_types("us-east-1")]


@pytest.mark.parametrize("instance_type", _documented_multi_model_types())
def test_every_documented_multi_model_type_passes_preflight_for_production(instance_type: str) -> None:
    from preflight import cost_stage

    config = config_of("production")
    config["betterprompts:inference"]["multiModel"]["instanceType"] = instance_type
    plan = run_stack("production", config=config)
    endpoint_configs = plan.of_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    assert [v["instanceType"] for c in endpoint_configs for v in c.inputs["productionVariants"]] == [instance_type]
    result = cost_stage.run(plan.to_json())
    assert not result.failed, result.lines


def test_the_documented_multi_model_types_are_the_offered_ones() -> None:
    offered = _documented_multi_model_types()
    assert len(offered) == 10 and "ml.p2.xlarge" not in offered and "ml.p3.2xlarge" not in offered


@pytest.mark.parametrize("stack", STACKS)
def test_a_nat_instance_type_of_the_images_architecture_is_taken_by_fact(stack: str) -> None:
    # c9g (Graviton5): arm64 per Karpenter's generated reference, priced by Karpenter's price table.
    settings = _load(_changed(stack, network__natMode="instance", network__natInstance__instanceType="c9g.large"), stack)
    assert settings.network.nat_instance.instance_type == "c9g.large"
    # r9g: offered in us-east-1 (cfn-lint) but in no generated shape table: refused by that fact, in every NAT mode
    # (as a known x86 type is: the natInstance section is one setting, checked whether or not it is used).
    for mode in ("instance", "single_gateway"):
        with pytest.raises(ConfigError) as caught:
            _load(_changed(stack, network__natMode=mode, network__natInstance__instanceType="r9g.large"), stack)
        assert (caught.value.key, caught.value.value) == ("betterprompts:network.natInstance.instanceType", "r9g.large")
        assert "no architecture known for r9g.large" in caught.value.allowed

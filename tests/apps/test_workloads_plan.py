"""Unit tests of the pure helpers behind the workloads: quantities, images, prefixes, policies,
the scale-up budget, and the components' argument checks (no child exists when they fail)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pulumi_kubernetes as k8s
import pytest

from components.apps.settings import Resources, cpu_millicores, memory_bytes, scale_up_reaction_seconds
from components.apps.workloads import Workloads, WorkloadsArgs
from components.apps.workloads_plan import service_metrics
from components.ml.torchserve import TorchServe, TorchServeArgs
from components.ml.torchserve_plan import model_read_policy, normalize_prefix, split_image
from components.platform.config import Section
from components.settings import ConfigError
from tests.k8s_stack_support import DUMMY_KUBECONFIG, stack_settings
from preflight.monitor import run_function


@pytest.mark.parametrize(("text", "millicores"), [("250m", 250), ("1", 1000), ("1.5", 1500), ("3500m", 3500)])
def test_cpu_quantities(text: str, millicores: int) -> None:
    assert cpu_millicores("k", text) == millicores


@pytest.mark.parametrize(("text", "size"), [("512Mi", 512 << 20), ("2Gi", 2 << 30), ("1024", 1024)])
def test_memory_quantities(text: str, size: int) -> None:
    assert memory_bytes("k", text) == size


@pytest.mark.parametrize("bad", ["1.5m", "one", "", True, "-1"])
def test_bad_cpu_quantities(bad: object) -> None:
    with pytest.raises(ConfigError):
        cpu_millicores("k", bad)


def test_resources_reject_a_limit_below_the_request() -> None:
    raw = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "512Mi"}}
    with pytest.raises(ConfigError) as error:
        Resources.read(Section(raw, "x"))
    assert error.value.key == "x.limits.memory"


def test_gpu_is_requested_and_limited_alike() -> None:
    resources = Resources("1", "1Gi", "2", "2Gi")
    assert resources.to_k8s({"nvidia.com/gpu": "1"}) == {
        "requests": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"},
        "limits": {"cpu": "2", "memory": "2Gi", "nvidia.com/gpu": "1"},
    }


def test_images_split_into_chart_values() -> None:
    assert split_image("pytorch/torchserve:0.12.0-gpu") == {"repository": "pytorch/torchserve", "tag": "0.12.0-gpu"}
    assert split_image("registry:5000/ts:1.0") == {"repository": "registry:5000/ts", "tag": "1.0"}
    assert split_image("pytorch/torchserve@sha256:abc") == {"repository": "pytorch/torchserve", "digest": "sha256:abc"}


@pytest.mark.parametrize(("raw", "prefix"), [("models", "models/"), ("/models/", "models/"), ("a/b", "a/b/")])
def test_model_prefixes_are_normalized(raw: str, prefix: str) -> None:
    assert normalize_prefix(raw) == prefix


def test_model_read_policy_names_only_the_prefix() -> None:
    document = json.loads(model_read_policy("arn:aws:s3:::b", "prompt/models", "arn:aws:kms:us-east-1:1:key/k", "us-east-1"))
    resources = [s["Resource"] for s in document["Statement"]]
    assert resources == ["arn:aws:s3:::b/prompt/models/*", "arn:aws:s3:::b", "arn:aws:kms:us-east-1:1:key/k"]


def test_scale_up_budget_counts_source_scrape_sync_and_window() -> None:
    # DCGM sample (30 s) + scrape + HPA sync (15 s) + stabilization.
    assert scale_up_reaction_seconds("15s", 0) == 60
    assert scale_up_reaction_seconds("1m", 10) == 115


def test_a_service_without_a_seed_row_has_no_hpa_metrics() -> None:
    settings = stack_settings("production").workloads.frontend
    with pytest.raises(ValueError, match="no HPA row"):
        service_metrics("checkout", settings)


def _registered(program: Callable[[], None]) -> list[str]:
    resources, _ = run_function(program)
    return [r.type for r in resources]


def test_torchserve_rejects_its_own_namespace_as_a_client_before_any_child() -> None:
    settings = stack_settings("production")

    def program() -> None:
        provider = k8s.Provider("cluster", kubeconfig=DUMMY_KUBECONFIG)
        with pytest.raises(ValueError, match="client namespace"):
            TorchServe(
                "ts",
                TorchServeArgs(
                    k8s_provider=provider,
                    settings=settings.workloads.prompt_generator,
                    region="us-east-1",
                    oidc_provider_arn="arn",
                    oidc_provider_url="url",
                    model_bucket_name="b",
                    model_bucket_arn="arn:aws:s3:::b",
                    model_prefix="models/",
                    model_kms_key_arn="k",
                    client_namespaces=(settings.workloads.prompt_generator.namespace,),
                ),
            )

    assert _registered(program) == ["pulumi:providers:kubernetes"]


def test_workloads_reject_a_system_namespace_before_any_child() -> None:
    settings = dataclasses.replace(stack_settings("production").workloads, namespace="kube-system")

    def program() -> None:
        provider = k8s.Provider("cluster", kubeconfig=DUMMY_KUBECONFIG)
        with pytest.raises(ValueError, match="own namespace"):
            Workloads("apps", WorkloadsArgs(k8s_provider=provider, settings=settings))

    assert _registered(program) == ["pulumi:providers:kubernetes"]

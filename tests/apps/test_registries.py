"""Private images: every image comes from a public registry, a registry with pull credentials
(from Secrets Manager, as an imagePullSecret), or ECR; any other image fails before anything
is created."""

from __future__ import annotations

import json
from typing import Any

import helm_python as helm
import pytest
import yaml

from components.apps.registries import ECR, Registry, access, check_image, docker_config_json, repository
from components.ml.torchserve_plan import CHART_DIR, CHART_PATH, RELEASE_NAME
from components.settings import ConfigError
from preflight.harness import Plan, run_stack
from tests.stack_config import config_of, load, with_value

GHCR = Registry("ghcr.io/betterprompts", "betterprompts/registry/ghcr")
HUB = Registry("docker.io/pytorch")


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("ghcr.io/betterprompts/frontend:1.0.0", "ghcr.io/betterprompts/frontend"),
        ("pytorch/torchserve:0.12.0-gpu", "docker.io/pytorch/torchserve"),
        ("postgres:16", "docker.io/library/postgres"),
        ("registry.example.com:5000/team/app@sha256:" + "a" * 64, "registry.example.com:5000/team/app"),
        ("public.ecr.aws/aws-cli/aws-cli:2.22.0", "public.ecr.aws/aws-cli/aws-cli"),
    ],
)
def test_image_repositories_are_normalized_as_docker_does(image: str, expected: str) -> None:
    assert repository(image) == expected


def test_access_is_the_most_specific_listed_registry_or_ecr() -> None:
    registries = (Registry("ghcr.io"), GHCR, HUB)
    assert access("ghcr.io/betterprompts/frontend:1", registries) == GHCR
    assert access("ghcr.io/other/app:1", registries) == Registry("ghcr.io")
    assert access("pytorch/torchserve:1", registries) == HUB
    assert access("123456789012.dkr.ecr.us-east-1.amazonaws.com/frontend:1", ()) is ECR
    # A prefix matches whole path segments only.
    assert access("ghcr.io/betterprompts-evil/app:1", (GHCR,)) is None
    assert access("quay.io/x/y:1", registries) is None


def test_an_image_from_nowhere_is_refused_naming_its_key() -> None:
    with pytest.raises(ConfigError) as error:
        check_image("k.image", "quay.io/x/y:1", (GHCR,), "k.registries")
    assert error.value.key == "k.image"
    assert "quay.io/x/y is under none" in error.value.allowed


def test_docker_config_json_is_what_kubelet_reads() -> None:
    document = json.loads(docker_config_json("ghcr.io", json.dumps({"username": "bot", "password": "tok"})))
    assert document == {"auths": {"ghcr.io": {"username": "bot", "password": "tok", "auth": "Ym90OnRvaw=="}}}
    with pytest.raises(ValueError):
        docker_config_json("ghcr.io", json.dumps({"token": "x"}))


# --- config ------------------------------------------------------------------------------------


def test_both_stacks_name_where_their_images_come_from() -> None:
    for stack in ("production", "staging"):
        registries = load(config_of(stack), stack).workloads.registries
        assert set(registries) == {GHCR, HUB}


def test_without_the_registries_every_image_is_refused() -> None:
    config = config_of("production")
    del config["betterprompts:workloads"]["registries"]
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:workloads.services.frontend.image"


def test_a_private_image_registry_not_listed_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("workloads", "promptGenerator.image", "nvcr.io/nvidia/pytorch:24.01-py3"))
    assert error.value.key == "betterprompts:workloads.promptGenerator.image"


@pytest.mark.parametrize(
    "entry",
    [{"public": True, "pullSecret": "x"}, {}, {"public": False}, {"pullSecret": "not a secret!"}, {"public": True, "mirror": "x"}],
)
def test_a_registry_is_public_or_has_a_pull_secret_exactly(entry: dict[str, Any]) -> None:
    config = config_of("production")
    config["betterprompts:workloads"]["registries"]["ghcr.io/betterprompts"] = entry
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key.startswith("betterprompts:workloads.registries.ghcr.io/betterprompts")


# --- the plan ---------------------------------------------------------------------------------


def test_private_images_are_pulled_with_a_secret_from_secrets_manager(plan: Plan) -> None:
    (secret,) = [r for r in plan.of_type("kubernetes:core/v1:Secret") if r.inputs["type"] == "kubernetes.io/dockerconfigjson"]
    assert secret.inputs["metadata"] == {"name": "pull-ghcr-io-betterprompts", "namespace": "betterprompts"}
    assert secret.inputs["stringData"] == "[secret]"  # read at deploy time, held only as a Pulumi secret
    deployments = plan.of_type("kubernetes:apps/v1:Deployment")
    assert len(deployments) == 3
    for deployment in deployments:
        pod = deployment.inputs["spec"]["template"]["spec"]
        assert pod["imagePullSecrets"] == [{"name": "pull-ghcr-io-betterprompts"}]
        assert secret.urn in deployment.dependencies


def test_public_torchserve_needs_no_pull_secret(plan: Plan) -> None:
    (release,) = [r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == CHART_PATH]
    assert "imagePullSecrets" not in release.inputs["values"]


def test_a_private_torchserve_image_gets_its_pull_secret_through_the_chart() -> None:
    # TorchServe images are pinned by digest (components/apps/settings.py), private registries included.
    image = "ghcr.io/betterprompts/prompt-generator@sha256:" + "1" * 64
    config = with_value("workloads", "promptGenerator.image", image, "staging")
    plan = run_stack("staging", config=config)
    (secret,) = [r for r in plan.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["namespace"] == "ml-inference"]
    (release,) = [r for r in plan.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == CHART_PATH]
    assert release.inputs["values"]["imagePullSecrets"] == [{"name": secret.inputs["metadata"]["name"]}]
    assert secret.urn in release.dependencies
    with helm.Chart.load(CHART_DIR) as chart:
        manifests = chart.render(values=release.inputs["values"], name=RELEASE_NAME, namespace="ml-inference", is_install=True)
    (deployment,) = [d for text in manifests.values() for d in yaml.safe_load_all(text) if d and d["kind"] == "Deployment"]
    assert deployment["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "pull-ghcr-io-betterprompts"}]


def test_the_images_in_code_come_from_public_registries() -> None:
    from components.data.pgvector_plan import AWS_CLI_IMAGE, PSQL_IMAGE

    chart_defaults = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    sync = chart_defaults["modelStore"]["syncImage"]
    for image in (AWS_CLI_IMAGE, PSQL_IMAGE, f"{sync['repository']}:{sync['tag']}"):
        assert repository(image).startswith("public.ecr.aws/"), image

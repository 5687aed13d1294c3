"""The Actions Runner Controller scale set: pinned official charts, runners on the spot pool from zero,
the GitHub App's credentials from Secrets Manager into the runners' namespace; config refused early."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from components.apps.runners_plan import (
    ARC_CHARTS,
    ARC_VERSION,
    CONTROLLER_SERVICE_ACCOUNT,
    K8S_SECRET_NAME,
    RUNNER_IMAGE,
    app_secret_data,
)
from components.apps.runners_settings import RunnersSettings
from components.platform.config import Section
from components.settings import ConfigError
from preflight.harness import Plan
from tests.stack_config import config_of, load

RELEASE = "kubernetes:helm.sh/v3:Release"
KEY = "betterprompts:runners"
SPOT_TOLERATION = {"key": "betterprompts.io/spot", "operator": "Equal", "value": "true", "effect": "NoSchedule"}


def _releases(plan: Plan) -> dict[str, dict[str, Any]]:
    return {r.inputs["chart"].rsplit("/", 1)[-1]: r.inputs for r in plan.of_type(RELEASE) if "gha-runner" in str(r.inputs.get("chart"))}


def test_each_stack_installs_the_pinned_controller_and_one_scale_set(plan: Plan) -> None:
    releases = _releases(plan)
    assert sorted(releases) == ["gha-runner-scale-set", "gha-runner-scale-set-controller"]
    for chart, inputs in releases.items():
        assert inputs["chart"] == f"{ARC_CHARTS}/{chart}" and inputs["version"] == ARC_VERSION
    controller = releases["gha-runner-scale-set-controller"]
    assert controller["name"] == "arc" and controller["namespace"] == "arc-systems"
    assert controller["values"]["nodeSelector"] == {"betterprompts.io/node-pool": "system"}
    scale_set = releases["gha-runner-scale-set"]
    values = scale_set["values"]
    assert scale_set["name"] == values["runnerScaleSetName"] == f"betterprompts-{plan.stack}" == plan.outputs["runnerScaleSet"]
    assert (values["minRunners"], values["maxRunners"]) == (0, {"production": 4, "staging": 2}[plan.stack])
    assert values["githubConfigUrl"] == "https://github.com/betterprompts/betterprompts"
    assert values["githubConfigSecret"] == K8S_SECRET_NAME
    assert values["controllerServiceAccount"] == {"namespace": "arc-systems", "name": CONTROLLER_SERVICE_ACCOUNT}
    assert "containerMode" not in values  # no Docker-in-Docker: no privileged pod
    spec = values["template"]["spec"]
    assert spec["nodeSelector"] == {"betterprompts.io/node-pool": "spot"}
    assert spec["tolerations"] == [SPOT_TOLERATION]
    (runner,) = spec["containers"]
    assert runner["image"] == RUNNER_IMAGE and runner["command"] == ["/home/runner/run.sh"]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "runner"}, "spec": spec}
    kubernetes_validate.validate(pod, "1.31", strict=True)


def test_the_runners_namespace_is_restricted_and_holds_the_app_secret(plan: Plan) -> None:
    (namespace,) = [r for r in plan.of_type("kubernetes:core/v1:Namespace") if r.inputs["metadata"]["name"] == "arc-runners"]
    assert namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    (secret,) = [r for r in plan.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == K8S_SECRET_NAME]
    assert secret.inputs["metadata"]["namespace"] == "arc-runners"
    assert secret.inputs["stringData"] == "[secret]"  # never in the plan


def test_the_app_secret_is_the_three_keys_the_chart_reads() -> None:
    text = '{"github_app_id": 123, "github_app_installation_id": "456", "github_app_private_key": "-----BEGIN-----"}'
    assert app_secret_data(text) == {"github_app_id": "123", "github_app_installation_id": "456", "github_app_private_key": "-----BEGIN-----"}
    with pytest.raises(ValueError, match="github_app_installation_id"):
        app_secret_data('{"github_app_id": "1", "github_app_private_key": "k"}')
    with pytest.raises(ValueError, match="JSON"):
        app_secret_data("not json")


def parse(raw: dict[str, Any]) -> RunnersSettings | None:
    return RunnersSettings.read(Section(raw, KEY), project="betterprompts", stack="staging")


GOOD = {"githubConfigUrl": "https://github.com/acme", "appSecret": "acme/github-app"}


def test_settings_defaults_and_absent_section() -> None:
    assert parse({}) is None
    settings = parse(GOOD)
    assert settings is not None and (settings.scale_set_name, settings.max_runners) == ("betterprompts-staging", 4)


@pytest.mark.parametrize(
    ("change", "bad_key"),
    [
        ({"githubConfigUrl": "https://gitlab.com/acme"}, "githubConfigUrl"),
        ({"githubConfigUrl": "https://github.com/acme/*"}, "githubConfigUrl"),
        ({"appSecret": "has spaces"}, "appSecret"),
        ({"scaleSetName": "Upper"}, "scaleSetName"),
        ({"maxRunners": 0}, "maxRunners"),
        ({"cpu": "lots"}, "cpu"),
        ({"memory": "2 GB"}, "memory"),
        ({"githubToken": "ghp_x"}, "githubToken"),
    ],
)
def test_bad_values_are_refused(change: dict[str, Any], bad_key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse({**GOOD, **change})
    assert error.value.key == f"{KEY}.{bad_key}"


def test_runners_need_the_spot_pool() -> None:
    config = config_of("staging")
    del config["betterprompts:eks"]["nodeGroups"]["spot"]
    config["betterprompts:eks"]["clusterAutoscaler"]["expanderPriorities"] = ["application", "system"]
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == KEY

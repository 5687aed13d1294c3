"""Every Helm release waits as long as what it waits for takes, never the provider's 300 s default
by accident; TorchServe's wait comes from stack config because staging's GPU pool starts at zero."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.apps.settings import TORCHSERVE_STARTUP_SECONDS
from components.ml.torchserve_plan import CHART_DIR, CHART_PATH
from components.platform.helm import MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS
from components.settings import ConfigError
from preflight.harness import Plan
from tests.stack_config import config_of, load, with_value

RELEASE = "kubernetes:helm.sh/v3:Release"


def chart_of(chart: str) -> str:
    """A release's chart: the project's own by path, an official one by name (OCI URLs too)."""
    return chart if chart.startswith("charts/") else chart.rsplit("/", 1)[-1]


def timeouts(plan: Plan) -> dict[str, float]:
    return {chart_of(r.inputs["chart"]): r.inputs["timeout"] for r in plan.of_type(RELEASE)}


def test_every_release_sets_its_timeout(plan: Plan) -> None:
    found = timeouts(plan)
    assert len(found) == len(plan.of_type(RELEASE))
    for chart, seconds in found.items():
        assert isinstance(seconds, (int, float)) and float(seconds).is_integer(), chart
        assert MIN_TIMEOUT_SECONDS <= seconds <= MAX_TIMEOUT_SECONDS, chart
    assert found["kube-prometheus-stack"] == 900


def test_torchserve_waits_as_long_as_the_stack_says(plan: Plan) -> None:
    settings = load(config_of(plan.stack), plan.stack)
    seconds = timeouts(plan)[CHART_PATH]
    assert seconds == settings.workloads.prompt_generator.release_timeout_seconds
    # More than the chart's startup probe allows for the model load alone.
    assert seconds > TORCHSERVE_STARTUP_SECONDS


def test_staging_waits_longer_for_its_gpu_node_from_zero(production: Plan, staging: Plan) -> None:
    assert timeouts(staging)[CHART_PATH] == 1800
    assert timeouts(production)[CHART_PATH] == 1200


def test_startup_budget_matches_the_chart() -> None:
    probe = yaml.safe_load((Path(CHART_DIR) / "values.yaml").read_text())["probes"]["startup"]
    assert probe["periodSeconds"] * probe["failureThreshold"] == TORCHSERVE_STARTUP_SECONDS


@pytest.mark.parametrize("value", [300, 600, 659, 3601, "20m"])
def test_a_timeout_shorter_than_the_model_load_is_refused(value: object) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("workloads", "promptGenerator.releaseTimeoutSeconds", value))
    assert error.value.key == "betterprompts:workloads.promptGenerator.releaseTimeoutSeconds"


def test_the_release_helper_refuses_a_timeout_out_of_bounds() -> None:
    from components.platform import helm

    with pytest.raises(ValueError, match="timeout"):
        helm._release(  # noqa: SLF001 - the bound is checked before any resource exists
            "x", chart="c", version=None, repository_opts=None, release_name="x", namespace="n",
            values={}, create_namespace=False, timeout_seconds=60, opts=None,  # type: ignore[arg-type]
        )

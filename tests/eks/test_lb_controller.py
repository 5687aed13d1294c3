"""The AWS Load Balancer Controller must not race the releases installed beside it.

Its chart's service mutator webhook (``mservice.elbv2.k8s.aws``, failurePolicy Fail, every
Service) rejects each new Service until the controller's pods are ready; the other
releases, atomic, then roll back and fail the deploy (aws-load-balancer-controller #3170,
#4140). EksCluster turns the webhook off; these tests hold that against the pinned chart's
own values.yaml (vendored in tests/vendor/charts with its source, tests/vendor/README.md), so a
renamed key or a new pin without a look at its values fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.eks.plan import CHARTS
from preflight.harness import Plan
from tests.eks.test_cluster import releases

VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "charts"
CHART = CHARTS["aws-load-balancer-controller"]


def chart_defaults() -> dict[str, Any]:
    path = VENDOR / CHART.chart / CHART.version / "values.yaml"
    assert path.exists(), f"vendor {CHART.chart} {CHART.version}'s values.yaml as {path} and re-check the webhook keys"
    values = yaml.safe_load(path.read_text())
    assert isinstance(values, dict)
    return values


def test_the_pinned_chart_turns_the_service_webhook_on_by_default() -> None:
    # Without our value the webhook is on: the setting below is what removes the race.
    defaults = chart_defaults()
    assert defaults["enableServiceMutatorWebhook"] is True
    assert defaults["serviceMutatorWebhookConfig"]["failurePolicy"] == "Fail"


def test_the_service_mutator_webhook_is_off(plan: Plan) -> None:
    values = releases(plan)["aws-load-balancer-controller"]["values"]
    assert values["enableServiceMutatorWebhook"] is False


def test_every_value_we_set_is_a_key_of_the_pinned_chart(plan: Plan) -> None:
    defaults = chart_defaults()
    values = releases(plan)["aws-load-balancer-controller"]["values"]
    assert sorted(set(values) - set(defaults)) == []

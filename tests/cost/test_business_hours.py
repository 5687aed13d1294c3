"""Business hours in both stacks and composed with staging's shutdown: node-group floors through the
Scheduler (one weekly model, the shutdown wins), the SageMaker variant's scheduled actions, the HPA
CronJobs with RBAC on exactly those HPAs; settings refused before anything exists; priced in the estimate."""

from __future__ import annotations

import json
from typing import Any

import kubernetes_validate
import pytest

from components.cost.business_hours import BusinessHours, BusinessHoursArgs, ScaledHpa
from components.cost.hours_plan import Window, weekly_levels
from components.settings import ConfigError
from preflight.harness import Plan
from preflight.monitor import run_function
from tests.stack_config import config_of, load

SCHEDULE = "aws:scheduler/schedule:Schedule"
ACTION = "aws:appautoscaling/scheduledAction:ScheduledAction"
CRONJOB = "kubernetes:batch/v1:CronJob"
KEY = "betterprompts:cost.businessHours"


def _schedules(plan: Plan) -> dict[str, dict[str, Any]]:
    """CostControls' schedules (other layers have their own, such as serverless's cleanup)."""
    prefix = f"betterprompts-{plan.stack}-cost-"
    return {r.name.removeprefix(prefix): r.inputs for r in plan.of_type(SCHEDULE) if r.name.startswith(prefix)}


def test_production_raises_the_application_group_from_six_to_seven(production: Plan) -> None:
    schedules = _schedules(production)
    assert sorted(schedules) == ["nodes-application-lower", "nodes-application-raise"]
    raise_, lower = schedules["nodes-application-raise"], schedules["nodes-application-lower"]
    assert raise_["scheduleExpression"] == "cron(0 6 ? * MON-FRI *)"
    assert lower["scheduleExpression"] == "cron(0 19 ? * MON-FRI *)"
    assert raise_["scheduleExpressionTimezone"] == "America/New_York"
    assert json.loads(raise_["target"]["input"])["ScalingConfig"] == {"MinSize": 5, "MaxSize": 9, "DesiredSize": 5}
    # Lowering leaves the size to the autoscaler.
    assert json.loads(lower["target"]["input"])["ScalingConfig"] == {"MinSize": 3, "MaxSize": 9}
    assert all(s["kmsKeyArn"] == production.outputs["kmsKeyArns"]["alarms"] for s in schedules.values())
    # The role may update only the application group.
    (policy,) = [r for r in production.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == "betterprompts-production-cost-scheduler"]
    scale = [s for s in json.loads(policy.inputs["policy"])["Statement"] if s["Sid"] == "ScaleNodeGroups"][0]
    assert len(scale["Resource"]) == 1 and "/betterprompts-production-application" in scale["Resource"][0]


def test_production_raises_the_sagemaker_variant_with_scheduled_actions(production: Plan) -> None:
    actions = {r.inputs["name"].rsplit("-", 1)[-1]: r.inputs for r in production.of_type(ACTION)}
    assert sorted(actions) == ["lower", "raise"]
    assert actions["raise"]["scalableTargetAction"] == {"minCapacity": 3, "maxCapacity": 5}
    assert actions["lower"]["scalableTargetAction"] == {"minCapacity": 2, "maxCapacity": 5}
    assert actions["raise"]["schedule"] == "cron(0 6 ? * MON-FRI *)" and actions["raise"]["timezone"] == "America/New_York"
    assert all(a["serviceNamespace"] == "sagemaker" and a["scalableDimension"] == "sagemaker:variant:DesiredInstanceCount" for a in actions.values())
    (target,) = production.of_type("aws:appautoscaling/target:Target")
    assert all(a["resourceId"] == target.inputs["resourceId"] for a in actions.values())


def test_production_patches_only_the_three_hpas_from_a_cronjob(production: Plan) -> None:
    jobs = {r.inputs["metadata"]["name"]: r.inputs for r in production.of_type(CRONJOB)}
    assert sorted(jobs) == ["business-hours-lower", "business-hours-raise"]
    raise_ = jobs["business-hours-raise"]
    assert raise_["spec"]["schedule"] == "0 6 * * 1-5" and raise_["spec"]["timeZone"] == "America/New_York"
    commands = {c["name"]: c["command"] for c in raise_["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]}
    assert commands["frontend"][-1] == '{"spec":{"minReplicas":4}}'
    assert commands["intent-classifier"][-1] == '{"spec":{"minReplicas":5}}'
    lower = {c["name"]: c["command"][-1] for c in jobs["business-hours-lower"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]}
    assert lower == {"frontend": '{"spec":{"minReplicas":2}}', "intent-classifier": '{"spec":{"minReplicas":3}}', "technique-selector": '{"spec":{"minReplicas":3}}'}
    (role,) = production.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")
    assert role.inputs["rules"] == [
        {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "resourceNames": ["frontend", "intent-classifier", "technique-selector"], "verbs": ["get", "patch"]}
    ]
    for kind, token in (("CronJob", CRONJOB), ("Role", "kubernetes:rbac.authorization.k8s.io/v1:Role"), ("RoleBinding", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")):
        api = "batch/v1" if kind == "CronJob" else "rbac.authorization.k8s.io/v1"
        for r in production.of_type(token):
            kubernetes_validate.validate({"apiVersion": api, "kind": kind, **r.inputs}, "1.31", strict=True)


def test_staging_keeps_its_shutdown_schedules_unchanged(staging: Plan) -> None:
    schedules = _schedules(staging)
    assert {k: v["scheduleExpression"] for k, v in schedules.items() if k.startswith("nodes-application")} == {
        "nodes-application-stop": "cron(0 20 ? * MON-FRI *)",
        "nodes-application-start": "cron(0 8 ? * MON-FRI *)",
    }
    assert staging.of_type(ACTION) == [] and staging.of_type(CRONJOB) == []


def test_staging_with_business_hours_composes_one_model() -> None:
    config = config_of("staging")
    config["betterprompts:cost"]["businessHours"] = {
        "enabled": True,
        "windows": [{"days": "MON-FRI", "start": 7, "end": 19}],
        "floors": {"nodeGroups": {"application": 3}, "services": {"frontend": 2}},
    }
    settings = load(config, "staging")
    hours = settings.cost.business_hours
    assert hours.timezone == "America/New_York"  # the shutdown's zone by default
    levels = hours.levels(settings.cost.shutdown.crons)
    assert levels == weekly_levels([Window(frozenset(range(1, 6)), 7, 19)], settings.cost.shutdown.crons)
    (floor,) = [f for f in settings.cost.assumptions.scheduled_floors]
    assert (floor.price_key, floor.extra) == ("ec2:c6i.large", 1)
    assert floor.fraction == pytest.approx(55 / 168)  # 08:00 (the shutdown's start) to 19:00, five days


@pytest.mark.parametrize(
    ("business_hours", "bad_key", "fragment"),
    [
        ({"enabled": True, "floors": {"services": {"frontend": 4}}}, f"{KEY}.windows", "at least one window"),
        ({"enabled": True, "windows": [{"days": "MON-FRY", "start": 7, "end": 19}], "floors": {"sagemakerInstances": 3}}, f"{KEY}.windows[0].days", "days of the week"),
        ({"enabled": True, "windows": [{"days": "MON-FRI", "start": 7, "end": 7}], "floors": {"sagemakerInstances": 3}}, f"{KEY}.windows[0].end", "other than the start"),
        ({"enabled": True, "windows": [{"days": "MON-FRI", "start": 7, "end": 19}]}, f"{KEY}.floors", "at least one floor"),
        ({"enabled": True, "windows": [{"days": "MON-FRI", "start": 7, "end": 19}], "floors": {"nodeGroups": {"application": 3}}}, f"{KEY}.floors.nodeGroups.application", "above the minimum (3)"),
        ({"enabled": True, "windows": [{"days": "MON-FRI", "start": 7, "end": 19}], "floors": {"nodeGroups": {"batch": 3}}}, f"{KEY}.floors.nodeGroups.batch", "a node group"),
        ({"enabled": True, "windows": [{"days": "MON-FRI", "start": 7, "end": 19}], "floors": {"services": {"frontend": 11}}}, f"{KEY}.floors.services.frontend", "at most the maximum (10)"),
        ({"enabled": True, "windows": [{"days": "MON-FRI", "start": 7, "end": 19}], "floors": {"services": {"promptGenerator": 2}}}, f"{KEY}.floors.services.promptGenerator", "TorchServe serves"),
        ({"enabled": True, "windows": [{"days": "MON-FRI", "start": 7, "end": 19}], "floors": {"services": {"backend": 2}}}, f"{KEY}.floors.services.backend", "one of"),
    ],
)
def test_bad_business_hours_are_refused(business_hours: dict[str, Any], bad_key: str, fragment: str) -> None:
    config = config_of("production")
    config["betterprompts:cost"]["businessHours"] = business_hours
    with pytest.raises(ConfigError) as error:
        load(config, "production")
    assert error.value.key == bad_key
    assert fragment in str(error.value)


def test_schedule_names_stay_within_the_scheduler_limit() -> None:
    config = config_of("production")
    windows = [{"days": "MON-FRI", "start": 6, "end": 19}, {"days": "SUN-THU", "start": 20, "end": 4}]
    config["betterprompts:cost"]["businessHours"]["windows"] = windows
    assert len(load(config, "production").cost.business_hours.windows) == 2  # raise-06/-20, lower-19/-04 fit
    # A lunch-break shutdown stops at two times with minutes: production's application schedule would be 65 characters.
    config["betterprompts:cost"]["businessHours"]["windows"] = windows[:1]
    config["betterprompts:cost"]["shutdown"] = {
        "enabled": True,
        "timezone": "America/New_York",
        "stopSchedule": "cron(30 12,20 ? * MON-FRI *)",
        "startSchedule": "cron(0 5,13 ? * MON-FRI *)",
    }
    with pytest.raises(ConfigError) as error:
        load(config, "production")
    assert error.value.key == f"{KEY}.windows"
    assert "betterprompts-production-cost-nodes-application-stop-1230" in str(error.value)


def test_the_zone_must_be_the_shutdowns() -> None:
    config = config_of("staging")
    config["betterprompts:cost"]["businessHours"] = {
        "enabled": True,
        "timezone": "Europe/London",
        "windows": [{"days": "MON-FRI", "start": 7, "end": 19}],
        "floors": {"services": {"frontend": 2}},
    }
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == f"{KEY}.timezone"


def test_serverless_staging_has_no_variant_to_raise() -> None:
    config = config_of("staging")
    config["betterprompts:cost"]["businessHours"] = {
        "enabled": True,
        "windows": [{"days": "MON-FRI", "start": 7, "end": 19}],
        "floors": {"sagemakerInstances": 2},
    }
    with pytest.raises(ConfigError) as error:
        load(config, "staging")
    assert error.value.key == f"{KEY}.floors.sagemakerInstances"


def test_the_estimate_prices_the_raised_floors(production: Plan) -> None:
    from preflight.cost_stage import estimate_document

    items = [i for i in estimate_document(production.to_json()).items if i.type == "usage:business-hours"]
    fraction = 65 / 168
    by_label = {i.description.split(":")[1].split("+")[0].strip(): i for i in items}
    assert sorted(by_label) == ["SageMaker variant", "node group application"]
    hours = 730
    assert by_label["node group application"].baseline == pytest.approx(2 * 0.17 * hours * fraction, rel=0.01)
    assert by_label["SageMaker variant"].baseline == pytest.approx(1 * 0.736 * hours * fraction, rel=0.01)
    assert all(i.peak == 0 for i in items)


def test_conflicting_args_register_nothing() -> None:
    args = BusinessHoursArgs(timezone="UTC", levels=weekly_levels([Window(frozenset({1}), 7, 19)]), hpas={"frontend": ScaledHpa("apps", 2, 2)})
    with pytest.raises(ValueError, match="must exceed its minimum") as error:
        run_function(lambda: BusinessHours("bp-hours", args))
    assert error.value.registered == []  # type: ignore[attr-defined]
    no_peak = BusinessHoursArgs(timezone="UTC", levels=weekly_levels([]))
    with pytest.raises(ValueError, match="business hours in it"):
        run_function(lambda: BusinessHours("bp-hours", no_peak))


def test_scheduled_floors_round_trip_through_the_cost_assumptions_output() -> None:
    from policies.cost_model import Assumptions, ScheduledFloor

    floor = ScheduledFloor("node group spot", "ec2:t3a.large", 2, 0.25, spot=True)
    again = Assumptions.from_json(Assumptions(scheduled_floors=(floor,)).to_json())
    assert again.scheduled_floors == (floor,)
    assert Assumptions.from_json({"scheduledFloors": "nonsense"}).scheduled_floors == ()
    assert "scheduledFloors" not in Assumptions().to_json()

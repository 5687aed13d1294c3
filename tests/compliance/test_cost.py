"""Compliance services priced by their dimensions from the usage in config: CloudTrail data events,
GuardDuty per analysed volume and feature, Security Hub checks, Config items and evaluations."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from policies.cost_model import Assumptions, CostResource, Usage, estimate
from preflight.cost_report import category
from preflight.harness import Plan

DETECTOR = "urn:x::aws:guardduty/detector:Detector::gd"


def _r(type_: str, logical: str, parent: str = "", **inputs: Any) -> CostResource:
    return CostResource(urn=f"urn:x::{type_}::{logical}", type=type_, name=logical, inputs=inputs, parent=parent)


def _items(*resources: CostResource, usage: Usage | None = None) -> list[Any]:
    assumptions = Assumptions(usage=usage or Usage())
    return [i for i in estimate(list(resources), "us-east-1", assumptions).items if i.urn]


def test_management_events_are_free_and_data_events_billed_per_event() -> None:
    plain = _r("aws:cloudtrail/trail:Trail", "t", eventSelectors=[{"includeManagementEvents": True}])
    assert _items(plain) == []
    with_data = _r("aws:cloudtrail/trail:Trail", "t", eventSelectors=[{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::b/"]}]}])
    [item] = _items(with_data, usage=replace(Usage(), cloudtrail_data_events_millions=3))
    assert item.baseline == pytest.approx(3.0)  # $0.10 per 100,000


def test_guardduty_prices_foundational_analysis_and_each_enabled_feature() -> None:
    detector = _r("aws:guardduty/detector:Detector", "gd", enable=True)
    usage = Usage()
    [bare] = _items(detector)
    assert bare.baseline == pytest.approx(usage.management_events_millions * 4.0 + usage.flow_log_analysis_gb * 1.0)
    features = [
        _r("aws:guardduty/detectorFeature:DetectorFeature", n, parent=DETECTOR, name=n, status="ENABLED")
        for n in ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING")
    ]
    [full] = _items(detector, *features)
    assert full.baseline - bare.baseline == pytest.approx(
        usage.cloudtrail_data_events_millions * 0.8 + usage.eks_audit_events_millions * 1.6 + usage.runtime_monitored_vcpus * 1.5
    )


def test_security_hub_and_config_follow_usage() -> None:
    usage = replace(Usage(), security_hub_checks=50_000, config_items=1_000, config_rule_evaluations=10_000)
    items = {i.type: i for i in _items(_r("aws:securityhub/account:Account", "hub"), _r("aws:cfg/recorder:Recorder", "rec"), usage=usage)}
    hub, recorder = items["aws:securityhub/account:Account"], items["aws:cfg/recorder:Recorder"]
    assert hub.baseline == pytest.approx(50.0)
    assert recorder.baseline == pytest.approx(1_000 * 0.003 + 10_000 * 0.001)


SERVICES = ("aws:cloudtrail", "aws:guardduty", "aws:securityhub", "aws:cfg")


def _plan_items(plan: Plan) -> list[Any]:
    resources = [CostResource.from_plan(r) for r in plan.to_json()["resources"]]
    assumptions = Assumptions.from_json(plan.outputs["costAssumptions"])
    return [i for i in estimate(resources, "us-east-1", assumptions).items if i.type.startswith(SERVICES)]


def test_production_prices_every_service_in_the_compliance_row(production: Plan, staging: Plan) -> None:
    items = _plan_items(production)
    assert sorted(i.type for i in items) == [
        "aws:cfg/recorder:Recorder",
        "aws:cloudtrail/trail:Trail",
        "aws:guardduty/detector:Detector",
        "aws:securityhub/account:Account",
    ]
    assert {category(i) for i in items} == {"CloudTrail, GuardDuty, Security Hub, Config (the seed's Compliance)"}
    assert _plan_items(staging) == []

"""The EKS support-status policies, on a fixed day (BETTERPROMPTS_TODAY) so the verdicts do not age."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy_plans import plan, resource, violations

CLUSTER = "eks:index:Cluster"


def cluster(version: Any, stack: str = "production", type_: str = CLUSTER) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "skipDefaultNodeGroup": True,
        "encryptionConfigKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1",
        # A private, audited endpoint (eks-endpoint-private-audit-logged), as the platform's clusters have.
        "endpointPublicAccess": False,
        "enabledClusterLogTypes": ["api", "audit"],
    }
    if version is not None:
        inputs["version"] = version
    return plan(resource(type_, "eks", inputs, stack=stack), stack=stack)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2026-11-26")


@pytest.mark.parametrize("type_", [CLUSTER, "aws:eks/cluster:Cluster"])
def test_a_version_past_standard_support_is_a_mandatory_violation_in_production(type_: str) -> None:
    (found,) = violations(cluster("1.32", type_=type_), "eks-version-in-standard-support")
    assert found.enforcement == "mandatory"
    assert "Kubernetes 1.32 left EKS standard support on 2026-03-23 (extended support on 2026-11-26)" in found.message
    assert "$0.60 instead of $0.10 per cluster hour" in found.message
    assert "standard support (1.34, 1.35, 1.36)" in found.message  # 1.33 left it on 2026-07-29


def test_staging_hears_it_as_advice() -> None:
    (found,) = violations(cluster("1.32", stack="staging"), "eks-version-in-standard-support")
    assert found.enforcement == "advisory"


def test_a_version_unknown_to_the_calendar_is_a_violation() -> None:
    (found,) = violations(cluster("1.99"), "eks-version-in-standard-support")
    assert "Kubernetes 1.99 is not in the EKS calendar" in found.message


def test_a_version_in_standard_support_passes_every_policy() -> None:
    assert violations(cluster("1.35")) == []
    assert violations(cluster(None)) == []  # unpinned: EKS picks its newest version


def test_preflight_warns_within_90_days_of_the_end_of_standard_support(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1.34 leaves standard support on 2026-12-02: 6 days after 2026-11-26.
    (found,) = violations(cluster("1.34"))
    assert (found.policy, found.enforcement) == ("eks-standard-support-ending", "advisory")
    assert "Kubernetes 1.34 leaves EKS standard support in 6 days (2026-12-02)" in found.message
    # 1.35 leaves it on 2027-03-27: warned from 2026-12-27 (90 days before), not the day before that.
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2026-12-26")
    assert violations(cluster("1.35")) == []
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2026-12-27")
    (found,) = violations(cluster("1.35"))
    assert found.policy == "eks-standard-support-ending"


def test_the_day_standard_support_ends_the_warning_becomes_the_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2027-03-27")
    (found,) = violations(cluster("1.35"))
    assert (found.policy, found.enforcement) == ("eks-version-in-standard-support", "mandatory")

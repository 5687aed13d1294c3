"""Lifecycle: an EKS cluster runs a Kubernetes version in standard support, and hears before it ends.

A version past its 14 months of standard support keeps running in extended support at six
times the control-plane price ($0.60 instead of $0.10 per cluster hour), silently. The
calendar (``eks_versions.json``) says when each version's standard support ends; the day
is today (``BETTERPROMPTS_TODAY`` overrides it for a what-if).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from .common import UNKNOWN, get, label, resource_policy

try:  # As ``policies.lifecycle`` from the repository root...
    from . import eks_lifecycle
except ImportError:  # ...or when Pulumi runs the pack with policies/ as its program.
    import eks_lifecycle  # type: ignore[no-redef, import-not-found]

# The pulumi-eks component (what preflight and a preview show) and the raw cluster it creates.
CLUSTER_TYPES = ("eks:index:Cluster", "aws:eks/cluster:Cluster")


def _version(args: ResourceValidationArgs) -> Any:
    return get(args.props, "version")


def _past_standard_support(args: ResourceValidationArgs) -> Iterator[str]:
    version = _version(args)
    if version is UNKNOWN:
        return
    where = label(args.resource_type, args.name)
    if not isinstance(version, str) or not version:
        return  # unpinned: EKS creates the newest version, in standard support
    calendar = eks_lifecycle.load_calendar()
    day = eks_lifecycle.today()
    entry = calendar.get(version)
    if entry is None:
        yield (
            f"{where}: Kubernetes {version} is not in the EKS calendar (policies/eks_versions.json), so its support "
            f"and price are unknown. Fix: pin a version in standard support ({', '.join(calendar.in_standard_support(day))}) "
            "or add the version to the calendar with its dates and source"
        )
        return
    status = entry.status(day)
    if status == eks_lifecycle.STANDARD:
        return
    ended = entry.end_of_standard_support.isoformat()
    newer = ", ".join(calendar.in_standard_support(day)) or "none recorded"
    yield (
        f"{where}: Kubernetes {version} left EKS standard support on {ended} ({status} support on {day.isoformat()}): "
        f"the control plane bills $0.60 instead of $0.10 per cluster hour. Fix: upgrade one minor version at a time "
        f"to a version in standard support ({newer}) with its add-ons"
    )


def _standard_support_ending(args: ResourceValidationArgs) -> Iterator[str]:
    version = _version(args)
    if not isinstance(version, str) or version is UNKNOWN:
        return
    entry = eks_lifecycle.load_calendar().get(version)
    day = eks_lifecycle.today()
    if entry is None or entry.status(day) != eks_lifecycle.STANDARD:
        return  # judged by the mandatory policy above
    left = (entry.end_of_standard_support - day).days
    if left <= eks_lifecycle.WARNING_DAYS:
        yield (
            f"{label(args.resource_type, args.name)}: Kubernetes {version} leaves EKS standard support in {left} days "
            f"({entry.end_of_standard_support.isoformat()}); from then the control plane bills the extended-support "
            "price. Fix: plan the upgrade to the next minor version and its add-ons now"
        )


POLICIES = [
    resource_policy(
        name="eks-version-in-standard-support",
        description="EKS clusters run a Kubernetes version in standard support (a known version, not yet in extended support).",
        severity=Severity.HIGH,
        types=CLUSTER_TYPES,
        check=_past_standard_support,
        remediation="Upgrade the cluster one minor version at a time to a version in standard support, with its add-ons.",
    ),
    resource_policy(
        name="eks-standard-support-ending",
        description=f"EKS clusters are warned {eks_lifecycle.WARNING_DAYS} days before their version leaves standard support.",
        severity=Severity.LOW,
        types=CLUSTER_TYPES,
        check=_standard_support_ending,
        remediation="Plan the upgrade to the next Kubernetes minor version before standard support ends.",
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
]

"""Names and tags derived from project, stack and component.

Logical names start with ``<project>-<stack>`` so that two stacks can live in one
account without their auto-named physical resources colliding; the ``Name`` tag
carries the same string so the console shows it.
"""

from __future__ import annotations

from collections.abc import Mapping

MANAGED_BY = "pulumi"


def stack_prefix(project: str, stack: str) -> str:
    return f"{project}-{stack}"


def cost_allocation_tags(
    *,
    project: str,
    environment: str,
    service: str,
    cost_center: str,
    owner: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The tags every taggable resource carries, applied as the provider's default tags."""
    tags = dict(extra or {})
    tags.update(
        {
            "Project": project,
            "Environment": environment,
            "Service": service,
            "CostCenter": cost_center,
            "Owner": owner,
            "ManagedBy": MANAGED_BY,
        }
    )
    return tags


class ComponentTags:
    """Per-resource tags a component adds on top of the provider's default tags."""

    def __init__(self, component: str) -> None:
        self.component = component

    def __call__(self, name: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        tags = {"Name": name, "Component": self.component}
        tags.update(extra or {})
        return tags


def final_snapshot_identifier(name: str, suffix: str = "") -> str:
    """The snapshot a stateful service takes when it is deleted (``<name>-final[-<suffix>]``).

    RDS and ElastiCache accept letters, digits and single hyphens, starting with a letter, at
    most 255 characters; the suffix (a stack-owned random hex, see :func:`unique_final_snapshot`)
    keeps the name of every deletion distinct.
    """
    parts = "".join(c if c.isalnum() else "-" for c in f"{name}-final-{suffix}".lower()).split("-")
    return "-".join(p for p in parts if p)[:255]

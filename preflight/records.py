"""What one registration looks like in a plan: the record the monitor writes and the harness returns.

Kept apart from both so the monitor (which records) and the harness (which runs the
program and reads stack files) depend on it and not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SECRET_PLACEHOLDER = "[secret]"
"""What a secret value is replaced with in a recorded plan."""


@dataclass
class Resource:
    """One registration, as the engine (and so a policy pack) would see it."""

    urn: str
    id: str
    type: str
    name: str
    parent: str
    provider: str
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    custom: bool
    inputs: dict[str, Any]
    aliases: list[str] = field(default_factory=list)
    """URNs this resource had before a rename (its ``aliases`` option, resolved)."""
    ignore_changes: list[str] = field(default_factory=list)
    """Input paths the engine keeps from the state instead of the program (``ignore_changes``): what an
    update would NOT send, e.g. a node group's desired size owned by its autoscaler."""

    def to_json(self) -> dict[str, Any]:
        document = {
            "urn": self.urn,
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "provider": self.provider,
            "dependencies": self.dependencies,
            "propertyDependencies": self.property_dependencies,
            "protect": self.protect,
            "inputs": self.inputs,
        }
        if self.aliases:
            document["aliases"] = self.aliases
        if self.ignore_changes:
            document["ignoreChanges"] = self.ignore_changes
        return document

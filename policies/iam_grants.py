"""IAM statements that grant everything: ``*`` (or a whole service, ``svc:*``) on ``*``.

The pack must stand alone, so the check lives here; components and tests import it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def wildcard_grants(document: str | Mapping[str, Any]) -> list[dict[str, Any]]:
    """Allow statements that grant every action (``*``) or a whole service (``svc:*``) on every resource."""
    parsed = json.loads(document) if isinstance(document, str) else document
    statements = parsed.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    found = []
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if "*" in resources and any(a == "*" or a.endswith(":*") for a in actions):
            found.append(dict(statement))
    return found

"""IAM policy documents as plain data: computed locally, no data-source invoke at preview."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

Statement = Mapping[str, Any]


def policy_document(statements: Sequence[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def allow(actions: Sequence[str], resources: Sequence[str] | str, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": list(actions), "Resource": resources}
    statement.update(extra)
    return statement


def service_assume_role_policy(service: str, *, source_account: str | None = None) -> str:
    """Trust policy for an AWS service principal, pinned to our account when given."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if source_account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": source_account}}
    return policy_document([statement])


def wildcard_grants(document: str) -> list[dict[str, Any]]:
    """Allow statements that grant every action (``*``) or a whole service (``svc:*``) on every resource."""
    found = []
    for statement in json.loads(document)["Statement"]:
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if "*" in resources and any(a == "*" or a.endswith(":*") for a in actions):
            found.append(statement)
    return found

"""Web-identity trust: a role trusted through an OIDC provider pins the token's subject and audience.

An IAM OIDC provider such as GitHub's (``token.actions.githubusercontent.com``) vouches for every
token it issues: for every repository, fork, branch and pull request on GitHub. A role that trusts
it without an exact ``<issuer>:sub`` condition (``repo:<owner>/<repo>:environment:<env>``, or a
service account for an EKS cluster's issuer) can be assumed by any of them, and a pattern
(``repo:*``, ``repo:org/*``) admits whole organisations. ``aud`` must be pinned too (STS).

The pack must stand alone, so the check lives here; components and tests import it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

WEB_IDENTITY_ACTIONS = ("sts:AssumeRoleWithWebIdentity", "sts:*", "*")
OIDC_PROVIDER_MARK = ":oidc-provider/"
EXACT_OPERATOR = "StringEquals"


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, (str, Mapping)) else list(value)


def _conditions_on(condition: Mapping[str, Any], key: str) -> list[tuple[str, list[str]]]:
    """(operator, values) for every condition on ``key`` (condition keys are case-insensitive)."""
    found = []
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            continue
        for name, values in block.items():
            if str(name).lower() == key.lower():
                found.append((str(operator), [str(v) for v in _listed(values)]))
    return found


def trust_problems(document: str | Mapping[str, Any]) -> list[str]:
    """What is wrong with each web-identity statement of a trust policy (empty when every one pins sub and aud)."""
    parsed = json.loads(document) if isinstance(document, str) else document
    problems: list[str] = []
    for index, statement in enumerate(_listed(parsed.get("Statement"))):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in _listed(statement.get("Action"))]
        if not any(a in WEB_IDENTITY_ACTIONS for a in actions):
            continue
        principal = statement.get("Principal")
        federated = _listed(principal.get("Federated")) if isinstance(principal, Mapping) else []
        condition = statement.get("Condition") or {}
        sid = statement.get("Sid") or f"Statement[{index}]"
        for provider in federated:
            if OIDC_PROVIDER_MARK not in str(provider):
                continue  # SAML or a built-in web identity (Cognito): not an OIDC provider's issuer
            issuer = str(provider).split(OIDC_PROVIDER_MARK, 1)[1]
            subs = _conditions_on(condition, f"{issuer}:sub")
            if not subs:
                problems.append(f"{sid} trusts {issuer} without a condition on {issuer}:sub: every token that issuer signs may assume the role")
            for operator, values in subs:
                patterns = [v for v in values if "*" in v or "?" in v]
                if patterns:
                    problems.append(f"{sid} matches {issuer}:sub against the pattern(s) {patterns}: other repositories or branches match too")
                elif operator != EXACT_OPERATOR:
                    problems.append(f"{sid} matches {issuer}:sub with {operator}, not {EXACT_OPERATOR}")
            auds = [(op, vs) for op, vs in _conditions_on(condition, f"{issuer}:aud") if op == EXACT_OPERATOR]
            if not auds:
                problems.append(f"{sid} does not pin {issuer}:aud with {EXACT_OPERATOR} (sts.amazonaws.com)")
    return problems

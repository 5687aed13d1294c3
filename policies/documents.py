"""Reading IAM policy documents the way an auditor does: who is allowed, to do what, on which resources.

Pure functions over parsed JSON (the pack must stand alone); the policies in ``iam.py`` and
``resource_access.py`` apply them to identity policies, trust policies and resource policies.
The rules follow AWS's own definitions where there is one:

- **public** (IAM Access Analyzer, AWS Config's ``*-no-public-access`` rules, Security Hub's
  KMS.5/SNS.4/SQS.3/S3.2/Lambda.1): an Allow whose principal is ``*`` (or ``{"AWS": "*"}``) and
  that no condition pins to an account, organization, ARN or network with fixed values.
- **privilege escalation**: the IAM actions that let a principal grant itself more than it has
  (Rhino Security Labs' catalogue of escalation paths, which AWS's IAM Access Analyzer and
  Security Hub's IAM findings build on), allowed on every user, role or policy.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Optional

ANY = "*"

RESTRICTING_CONDITION_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceAccount",
        "aws:SourceOwner",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:userid",
        "aws:username",
        "kms:CallerAccount",
        "lambda:FunctionArn",
    )
)
"""Condition keys that pin a wildcard principal to known callers (when their values are fixed)."""

_ACCOUNT_IN_ARN = re.compile(r"^arn:[^:]+:[^:]*:[^:]*:(\d{12}):")

ESCALATION_ACTIONS = frozenset(
    action.lower()
    for action in (
        "iam:PassRole",
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:AttachUserPolicy",
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
        "iam:PutUserPolicy",
        "iam:PutGroupPolicy",
        "iam:PutRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePermissionsBoundary",
        "iam:PutUserPermissionsBoundary",
        "iam:DeleteUserPermissionsBoundary",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:UpdateAssumeRolePolicy",
        "iam:AddUserToGroup",
        "iam:CreateUser",
        "iam:CreateRole",
        "iam:AddRoleToInstanceProfile",
        "sts:AssumeRole",
    )
)
"""Actions that widen the caller's own permissions when allowed on every user, role or policy."""

KMS_DECRYPT_ACTIONS = frozenset(a.lower() for a in ("kms:Decrypt", "kms:ReEncryptFrom"))
"""The decryption actions Security Hub's KMS.1/KMS.2 look for on every key."""

TAG_SCOPING_PREFIXES = ("aws:resourcetag/", "aws:requesttag/")
"""Condition keys AWS-published controller policies (Karpenter, the Load Balancer Controller) scope
their unscoped-resource statements with: the statement then acts only on resources carrying the
controller's cluster tags. The one documented exception to the escalation rule."""


def parse(document: Any) -> Optional[dict[str, Any]]:
    """A policy document from its JSON text (None when it is not a JSON object)."""
    if isinstance(document, Mapping):
        return dict(document)
    if not isinstance(document, str):
        return None
    try:
        parsed = json.loads(document)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, Mapping)):
        return [value]
    return list(value)


def statements(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for statement in as_list(document.get("Statement")):
        if isinstance(statement, Mapping):
            yield dict(statement)


def allows(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for statement in statements(document):
        if statement.get("Effect") == "Allow":
            yield statement


def sid(statement: Mapping[str, Any]) -> str:
    return str(statement.get("Sid") or "(no Sid)")


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: Mapping[str, Any]) -> list[str]:
    return [str(r) for r in as_list(statement.get("Resource"))]


def action_matches(pattern: str, wanted: frozenset[str]) -> list[str]:
    """The ``wanted`` actions (lower case) an Action entry such as ``iam:Put*`` or ``*`` grants."""
    pattern = pattern.lower()
    return sorted(a for a in wanted if fnmatch.fnmatchcase(a, pattern))


def principal_values(statement: Mapping[str, Any], kind: str) -> list[str]:
    principal = statement.get("Principal")
    if principal == ANY:
        return [ANY] if kind == "AWS" else []
    if not isinstance(principal, Mapping):
        return []
    return [str(p) for p in as_list(principal.get(kind))]


def wildcard_principal(statement: Mapping[str, Any]) -> bool:
    """``"Principal": "*"`` or ``{"AWS": "*"}``: everyone, in every account."""
    return statement.get("Principal") == ANY or ANY in principal_values(statement, "AWS")


def _fixed(value: Any) -> bool:
    """A condition value that names one account, ARN, organization or network (no wildcard there)."""
    text = str(value)
    if "*" not in text and "?" not in text:
        return True
    # An ARN pattern is still pinned to one account when its account field is fixed.
    return bool(_ACCOUNT_IN_ARN.match(text))


def restricting_conditions(statement: Mapping[str, Any]) -> list[str]:
    """The condition keys that pin the statement to known callers, with fixed values only."""
    found = []
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    for operator, clauses in condition.items():
        if not isinstance(clauses, Mapping) or str(operator).startswith("Null") or "IfExists" in str(operator):
            continue  # Null tests presence only; ...IfExists passes requests without the key.
        for key, values in clauses.items():
            if str(key).lower() in RESTRICTING_CONDITION_KEYS and all(_fixed(v) for v in as_list(values)):
                found.append(str(key))
    return found


def public_statements(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Allow statements that admit anyone (a wildcard principal no condition pins down)."""
    for statement in allows(document):
        if wildcard_principal(statement) and not restricting_conditions(statement):
            yield statement


def not_element_allows(document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Allow statements built on NotAction/NotResource/NotPrincipal: they grant everything not listed."""
    for statement in allows(document):
        for element in ("NotAction", "NotResource", "NotPrincipal"):
            if element in statement:
                yield statement, element


def unscoped(resource: str) -> bool:
    """A Resource entry that covers every resource of its kind (``*``, ``arn:aws:iam::<account>:role/*``, ``...:key/*``)."""
    if resource == ANY:
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return False
    name = parts[5]
    return name in (ANY, "*/*") or bool(re.fullmatch(r"[A-Za-z-]+/\*", name))


def tag_scoped(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, clauses in condition.items():
        if str(operator).startswith("Null") or not isinstance(clauses, Mapping):
            continue
        if any(str(key).lower().startswith(TAG_SCOPING_PREFIXES) for key in clauses):
            return True
    return False


def escalations(document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Allow statements that grant an escalation action on every user, role or policy."""
    for statement in allows(document):
        granted = sorted({a for pattern in actions(statement) for a in action_matches(pattern, ESCALATION_ACTIONS)})
        if not granted or not any(unscoped(r) for r in resources(statement)):
            continue
        if tag_scoped(statement):
            continue  # the documented controller exception (TAG_SCOPING_PREFIXES)
        yield statement, granted


def service_wildcards(document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Allow statements with ``*`` or ``service:*`` actions, on any resource (Security Hub IAM.21)."""
    for statement in allows(document):
        wild = [a for a in actions(statement) if a == ANY or a.endswith(":*")]
        if wild:
            yield statement, wild


def unscoped_decrypts(document: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Allow statements granting kms:Decrypt or kms:ReEncryptFrom on every key (KMS.1, KMS.2)."""
    for statement in allows(document):
        granted = sorted({a for pattern in actions(statement) for a in action_matches(pattern, KMS_DECRYPT_ACTIONS)})
        if granted and any(unscoped(r) for r in resources(statement)):
            yield statement, granted

"""IAM: no policy grants every action, or a whole service, on every resource; web-identity trusts pin their subject."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pulumi_policy import ResourceValidationArgs, Severity

from .common import UNKNOWN, get, items, label, resource_policy
from .iam_grants import wildcard_grants
from .oidc_trust import trust_problems

# Resources whose `policy` input is an IAM policy document.
POLICY_DOCUMENT_TYPES = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
ROLE = "aws:iam/role:Role"
T = TypeVar("T")


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    if args.resource_type == ROLE:
        for index, inline in enumerate(items(get(args.props, "inlinePolicies"))):
            yield f"inlinePolicies[{index}].policy", get(inline, "policy")
    else:
        yield "policy", get(args.props, "policy")


def _judged(where: str, prop: str, document: Any, judge: Callable[[str], list[T]]) -> tuple[list[T], str | None]:
    """``judge``'s findings on a known JSON document, or the message saying it is not one.

    A document still unknown (it names resources not yet created) is judged in the preview that knows it.
    """
    if document is None or document is UNKNOWN or not isinstance(document, str):
        return [], None
    try:
        return judge(document), None
    except (ValueError, AttributeError):
        return [], f"{where}: {prop} is not a JSON policy document. Fix: build it with components.platform.policy_document"


def _no_wildcards(args: ResourceValidationArgs) -> Iterator[str]:
    where = label(args.resource_type, args.name)
    for prop, document in _documents(args):
        grants, error = _judged(where, prop, document, wildcard_grants)
        if error:
            yield error
        for statement in grants:
            sid = statement.get("Sid", "(no Sid)")
            yield (
                f"{where}: {prop} statement {sid} allows {statement.get('Action')} on every resource. "
                "Fix: name the actions it needs and scope Resource to the ARNs it acts on"
            )


IAM_NO_WILDCARD_GRANTS = resource_policy(
    name="iam-no-wildcard-grants",
    description="No IAM policy allows every action, or every action of a service, on every resource.",
    severity=Severity.CRITICAL,
    types=(*POLICY_DOCUMENT_TYPES, ROLE),
    check=_no_wildcards,
    remediation="List the actions and scope the resources (least privilege).",
)


def _trust_pins_subject(args: ResourceValidationArgs) -> Iterator[str]:
    where = label(args.resource_type, args.name)
    problems, error = _judged(where, "assumeRolePolicy", get(args.props, "assumeRolePolicy"), trust_problems)
    if error:
        yield error
    for problem in problems:
        yield (
            f"{where}: assumeRolePolicy {problem}. Fix: condition StringEquals on <issuer>:aud = sts.amazonaws.com "
            "and <issuer>:sub = the exact subject (repo:<owner>/<repo>:environment:<env>, or the service account)"
        )


IAM_OIDC_TRUST_PINS_SUBJECT = resource_policy(
    name="iam-oidc-trust-pins-subject",
    description="A role trusted through an OIDC provider (GitHub Actions, EKS) pins the token's sub exactly and its aud.",
    severity=Severity.CRITICAL,
    types=(ROLE,),
    check=_trust_pins_subject,
    remediation="StringEquals on <issuer>:sub (one repository and environment or branch; no wildcard) and <issuer>:aud.",
)

POLICIES = [IAM_NO_WILDCARD_GRANTS, IAM_OIDC_TRUST_PINS_SUBJECT]

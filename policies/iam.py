"""IAM: no policy grants every action, or a whole service, on every resource."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from .common import UNKNOWN, get, items, label, resource_policy
from .iam_grants import wildcard_grants

# Resources whose `policy` input is an IAM policy document.
POLICY_DOCUMENT_TYPES = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
ROLE = "aws:iam/role:Role"


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    if args.resource_type == ROLE:
        for index, inline in enumerate(items(get(args.props, "inlinePolicies"))):
            yield f"inlinePolicies[{index}].policy", get(inline, "policy")
    else:
        yield "policy", get(args.props, "policy")


def _no_wildcards(args: ResourceValidationArgs) -> Iterator[str]:
    where = label(args.resource_type, args.name)
    for prop, document in _documents(args):
        if document is None or document is UNKNOWN or not isinstance(document, str):
            continue  # unknown until the resources it names exist: judged in the preview that knows it
        try:
            grants = wildcard_grants(document)
        except (ValueError, AttributeError):
            yield f"{where}: {prop} is not a JSON policy document. Fix: build it with components.platform.policy_document"
            continue
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

POLICIES = [IAM_NO_WILDCARD_GRANTS]

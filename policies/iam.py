"""IAM: what an auditor flags in identity and trust policies.

- no policy allows every action, or a whole service, on every resource (``iam-no-wildcard-grants``);
- no customer-managed or inline policy allows ``*`` or ``service:*`` actions at all (Security Hub IAM.21);
- no policy allows kms:Decrypt/ReEncryptFrom on every key (KMS.1, KMS.2);
- no policy allows a privilege-escalation action on every user, role or policy;
- no Allow is built on NotAction/NotResource/NotPrincipal;
- no IAM user carries policies (IAM.2: permissions go to roles);
- no trust policy admits everyone (``iam-trust-policies-scoped``), and web-identity trusts pin their
  subject and audience (``iam-oidc-trust-pins-subject``, ``oidc_trust.py``).

AWS-published policies are attached by ARN (the pack never sees their text); the controllers' policies
the program copies in (the Load Balancer Controller's) pass as published. The one exception a
controller's published policy needs is documented in ``documents.TAG_SCOPING_PREFIXES``.
"""


from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from pulumi_policy import ResourceValidationArgs, Severity

from . import documents
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
IDENTITY_POLICY_TYPES = (*POLICY_DOCUMENT_TYPES, ROLE)
USER_POLICY_TYPES = (
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
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
    types=IDENTITY_POLICY_TYPES,
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

def _known_documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """(prop, parsed document); a document not known yet is judged in the preview that knows it."""
    where = label(args.resource_type, args.name)
    for prop, document in _documents(args):
        if document is None or document is UNKNOWN or not isinstance(document, str):
            continue
        parsed = documents.parse(document)
        if parsed is None:
            raise _NotJson(f"{where}: {prop} is not a JSON policy document. Fix: build it with components.platform.policy_document")
        yield prop, parsed


class _NotJson(ValueError):
    pass


def _each_document(rule: Callable[[str, str, dict[str, Any]], Iterable[str]]) -> Callable[[ResourceValidationArgs], Iterator[str]]:
    def check(args: ResourceValidationArgs) -> Iterator[str]:
        where = label(args.resource_type, args.name)
        try:
            for prop, parsed in list(_known_documents(args)):
                yield from rule(where, prop, parsed)
        except _NotJson as exc:
            yield str(exc)

    return check


def _service_wildcards(where: str, prop: str, document: dict[str, Any]) -> Iterator[str]:
    for statement, wild in documents.service_wildcards(document):
        yield (
            f"{where}: {prop} statement {documents.sid(statement)} allows {wild}, every action of a service. "
            "Fix: list the actions it calls"
        )


IAM_NO_SERVICE_WILDCARDS = resource_policy(
    name="iam-no-service-wildcard-actions",
    description="No customer-managed or inline IAM policy allows '*' or 'service:*' actions (Security Hub IAM.21).",
    severity=Severity.HIGH,
    types=IDENTITY_POLICY_TYPES,
    check=_each_document(_service_wildcards),
    remediation="Name each action; 'service:Describe*'-style prefixes are fine, 'service:*' is not.",
)


def _decrypts(where: str, prop: str, document: dict[str, Any]) -> Iterator[str]:
    for statement, granted in documents.unscoped_decrypts(document):
        yield (
            f"{where}: {prop} statement {documents.sid(statement)} allows {granted} on every KMS key. "
            "Fix: name the key ARNs (and a kms:ViaService condition where a service decrypts for it)"
        )


IAM_NO_UNSCOPED_DECRYPT = resource_policy(
    name="iam-no-unscoped-kms-decrypt",
    description="No IAM policy allows kms:Decrypt or kms:ReEncryptFrom on every KMS key (Security Hub KMS.1, KMS.2).",
    severity=Severity.HIGH,
    types=IDENTITY_POLICY_TYPES,
    check=_each_document(_decrypts),
    remediation="Scope kms:Decrypt to the keys the principal needs.",
)


def _escalations(where: str, prop: str, document: dict[str, Any]) -> Iterator[str]:
    for statement, granted in documents.escalations(document):
        yield (
            f"{where}: {prop} statement {documents.sid(statement)} allows {granted} on "
            f"{documents.resources(statement)}, a privilege-escalation path. "
            "Fix: scope Resource to the roles/users/policies it manages (iam:PassRole: the one role it passes)"
        )


IAM_NO_ESCALATION = resource_policy(
    name="iam-no-privilege-escalation",
    description="No IAM policy allows a privilege-escalation action (PassRole, policy edits, credentials, AssumeRole) on every user, role or policy.",
    severity=Severity.CRITICAL,
    types=IDENTITY_POLICY_TYPES,
    check=_each_document(_escalations),
    remediation="Scope escalation-capable actions to named ARNs; AWS-published controller statements scope by resource tags.",
)


def _not_elements(where: str, prop: str, document: dict[str, Any]) -> Iterator[str]:
    for statement, element in documents.not_element_allows(document):
        yield (
            f"{where}: {prop} statement {documents.sid(statement)} is an Allow with {element}, which grants everything "
            f"not listed (including actions and resources AWS adds later). Fix: list what is allowed instead"
        )


IAM_NO_NOT_ELEMENTS = resource_policy(
    name="iam-no-not-action-allows",
    description="No IAM policy allows through NotAction, NotResource or NotPrincipal.",
    severity=Severity.HIGH,
    types=IDENTITY_POLICY_TYPES,
    check=_each_document(_not_elements),
    remediation="Use Action/Resource with what is allowed; keep Not* for Deny statements.",
)


def _user_policies(args: ResourceValidationArgs) -> Iterator[str]:
    where = label(args.resource_type, args.name)
    if args.resource_type == "aws:iam/policyAttachment:PolicyAttachment":
        users = list(items(get(args.props, "users")))
        if not users:
            return
    yield f"{where}: attaches permissions to an IAM user. Fix: grant them to a role the person or workload assumes"


IAM_NO_USER_POLICIES = resource_policy(
    name="iam-no-user-policies",
    description="IAM users carry no policies; permissions go to roles (Security Hub IAM.2).",
    severity=Severity.MEDIUM,
    types=USER_POLICY_TYPES,
    check=_user_policies,
    remediation="Attach policies to roles (or groups of federated users), never to IAM users.",
)


def _trust(args: ResourceValidationArgs) -> Iterator[str]:
    where = label(args.resource_type, args.name)
    document = get(args.props, "assumeRolePolicy")
    if document is None or document is UNKNOWN or not isinstance(document, str):
        return
    parsed = documents.parse(document)
    if parsed is None:
        yield f"{where}: assumeRolePolicy is not a JSON policy document. Fix: build it with components.platform.policy_document"
        return
    for statement in documents.public_statements(parsed):
        yield (
            f"{where}: assumeRolePolicy statement {documents.sid(statement)} lets any AWS principal assume the role. "
            "Fix: name the account, role or service that assumes it"
        )
    for statement, element in documents.not_element_allows(parsed):
        yield f"{where}: assumeRolePolicy statement {documents.sid(statement)} allows through {element}. Fix: name the principal"


IAM_TRUST_SCOPED = resource_policy(
    name="iam-trust-policies-scoped",
    description="Role trust policies admit named principals only: no wildcard principal without a pinning condition, no Not* allows.",
    severity=Severity.CRITICAL,
    types=(ROLE,),
    check=_trust,
    remediation="Principal = the account, role or service (web identities: iam-oidc-trust-pins-subject).",
)

POLICIES = [
    IAM_NO_WILDCARD_GRANTS,
    IAM_OIDC_TRUST_PINS_SUBJECT,
    IAM_NO_SERVICE_WILDCARDS,
    IAM_NO_UNSCOPED_DECRYPT,
    IAM_NO_ESCALATION,
    IAM_NO_NOT_ELEMENTS,
    IAM_NO_USER_POLICIES,
    IAM_TRUST_SCOPED,
]

"""The policy stage: run the CrossGuard pack (``policies/``) over a plan, as ``pulumi preview --policy-pack`` would.

No re-implementation of the analyzer: the plan's resources are turned into the very gRPC
requests the engine sends (``AnalyzeRequest`` per resource with its provider,
``AnalyzeStackRequest`` with parents and dependencies), and handed to ``pulumi_policy``'s
own analyzer servicer, the object ``PolicyPack`` serves. So the validators run with props
deserialized and wrapped exactly as in a real preview (numbers as floats, the
unknown-checking proxy, ``PolicyResource``/``PolicyProviderResource``), the stack's policy
config goes through the servicer's ``Configure``, and the diagnostics come back as the
engine would receive them. The stack name reaches the pack as it does under the CLI
(``PULUMI_STACK``), inside a copied context so the caller's runtime settings are untouched.
"""

from __future__ import annotations

import contextvars
import os
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Optional

from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies.pack import ALL_POLICIES, DEFAULT_ENFORCEMENT, PACK_DESCRIPTION, PACK_NAME
from policies.stack_config import PolicyConfigError, normalize, read_stack_config

from .stage import Document, Stage, StageResult

_TO_PROTO = {
    EnforcementLevel.ADVISORY.value: proto.ADVISORY,
    EnforcementLevel.MANDATORY.value: proto.MANDATORY,
    EnforcementLevel.REMEDIATE.value: proto.REMEDIATE,
    EnforcementLevel.DISABLED.value: proto.DISABLED,
}
_FROM_PROTO = {number: level for level, number in _TO_PROTO.items()}


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement: str
    urn: str
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def evaluate(
    document: Document,
    *,
    policies: Optional[list[Policy]] = None,
    config: Optional[Mapping[str, Any]] = None,
) -> list[Violation]:
    """Every violation of the pack in ``document`` (a plan as ``preflight --json`` writes it).

    ``config`` is a ``--policy-pack-config`` document; by default the one of the plan's stack.
    """
    policies = ALL_POLICIES if policies is None else policies
    stack = str(document.get("stack") or "")
    raw_config = read_stack_config(stack) if config is None else config
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", policies, DEFAULT_ENFORCEMENT, None, PACK_DESCRIPTION)
    servicer.Configure(_configure_request(policies, raw_config), None)

    resources = [_resource(r) for r in document.get("resources") or []]
    by_urn = {r["urn"]: r for r in resources}
    descriptions = {p.name: p.description for p in policies}
    violations: list[Violation] = []

    def run() -> None:
        for resource in resources:
            response = servicer.Analyze(_analyze_request(resource, by_urn), None)
            violations.extend(_violations(response, descriptions, default_urn=resource["urn"]))
        # The engine's stack analysis sees the root stack too, its exports as properties.
        everything = [_stack_resource(document), *resources]
        stack_request = proto.AnalyzeStackRequest(resources=[_analyzer_resource(r, by_urn) for r in everything])
        violations.extend(_violations(servicer.AnalyzeStack(stack_request, None), descriptions, default_urn=""))

    with _pack_environment(str(document.get("project") or ""), stack):
        contextvars.copy_context().run(run)
    return violations


def _configure_request(policies: list[Policy], raw: Mapping[str, Any]) -> Any:
    request = proto.ConfigureAnalyzerRequest()
    for name, entry in normalize(raw, [p.name for p in policies]).items():
        policy = next(p for p in policies if p.name == name)
        level = entry.get("enforcementLevel") or (policy.enforcement_level or DEFAULT_ENFORCEMENT).value
        policy_config = proto.PolicyConfig(enforcementLevel=_TO_PROTO[level])
        policy_config.properties.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        request.policyConfig[name].CopyFrom(policy_config)
    return request


def _resource(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A plan resource with the optional fields defaulted: no provider, parent or dependencies."""
    return {
        "urn": str(raw["urn"]),
        "type": str(raw["type"]),
        "name": str(raw.get("name") or str(raw["urn"]).rsplit("::", 1)[-1]),
        "parent": raw.get("parent") or "",
        "provider": raw.get("provider") or "",
        "dependencies": list(raw.get("dependencies") or []),
        "propertyDependencies": dict(raw.get("propertyDependencies") or {}),
        "protect": bool(raw.get("protect", False)),
        "inputs": dict(raw.get("inputs") or {}),
    }


def _stack_resource(document: Document) -> dict[str, Any]:
    """The root ``pulumi:pulumi:Stack`` resource, whose properties are the stack's outputs."""
    project, stack = str(document.get("project") or ""), str(document.get("stack") or "")
    return _resource(
        {
            "urn": f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}",
            "type": "pulumi:pulumi:Stack",
            "name": f"{project}-{stack}",
            "inputs": dict(document.get("outputs") or {}),
        }
    )


def _options(resource: Mapping[str, Any]) -> Any:
    return proto.AnalyzerResourceOptions(protect=resource["protect"], parent=resource["parent"])


def _provider(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> Any:
    """The resource's provider as the engine sends it: its type, inputs, URN and name."""
    reference = resource["provider"]
    provider = by_urn.get(reference.rsplit("::", 1)[0]) if reference else None
    if provider is None:
        return None
    message = proto.AnalyzerProviderResource(type=provider["type"], urn=provider["urn"], name=provider["name"])
    message.properties.update(provider["inputs"])
    return message


def _analyze_request(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> Any:
    request = proto.AnalyzeRequest(
        type=resource["type"],
        urn=resource["urn"],
        name=resource["name"],
        options=_options(resource),
        provider=_provider(resource, by_urn),
    )
    # Struct holds numbers as doubles, as the engine's requests do.
    request.properties.update(resource["inputs"])
    return request


def _analyzer_resource(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> Any:
    message = proto.AnalyzerResource(
        type=resource["type"],
        urn=resource["urn"],
        name=resource["name"],
        options=_options(resource),
        provider=_provider(resource, by_urn),
        parent=resource["parent"],
        dependencies=resource["dependencies"],
        propertyDependencies={
            key: proto.AnalyzerPropertyDependencies(urns=list(urns)) for key, urns in resource["propertyDependencies"].items()
        },
    )
    message.properties.update(resource["inputs"])
    return message


def _violations(response: Any, descriptions: Mapping[str, str], *, default_urn: str) -> Iterator[Violation]:
    for diagnostic in response.diagnostics:
        # The servicer prefixes each message with the policy's description; keep what the validator said.
        message = diagnostic.message
        prefix = descriptions.get(diagnostic.policyName, "") + "\n"
        if message.startswith(prefix):
            message = message[len(prefix) :]
        yield Violation(
            policy=diagnostic.policyName,
            enforcement=_FROM_PROTO[diagnostic.enforcementLevel],
            urn=diagnostic.urn or default_urn,
            message=message,
        )


@contextmanager
def _pack_environment(project: str, stack: str) -> Iterator[None]:
    """What the Pulumi CLI puts in a policy pack's environment, for the servicer's own runtime setup."""
    wanted = {"PULUMI_PROJECT": project, "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true"}
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def report_lines(violations: list[Violation], policy_count: int, resource_count: int) -> list[str]:
    """Violations grouped by policy, each group headed by its enforcement level."""
    if not violations:
        return [f"no violations: {policy_count} policies over {resource_count} resources"]
    groups: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for violation in violations:
        groups[(violation.policy, violation.enforcement)].append(violation)
    lines: list[str] = []
    for (policy, enforcement), found in sorted(groups.items(), key=lambda item: (item[0][1] != "mandatory", item[0])):
        lines.append(f"{policy} [{enforcement}]: {len(found)} violation(s)")
        for violation in found:
            lines.append(f"  {violation.urn or '(stack)'}")
            lines.append(f"    {violation.message}")
    mandatory = sum(1 for v in violations if v.enforcement == "mandatory")
    lines.append(f"{len(violations)} violation(s), {mandatory} mandatory: {policy_count} policies over {resource_count} resources")
    return lines


def run(document: Document) -> StageResult:
    try:
        violations = evaluate(document)
    except PolicyConfigError as exc:
        return StageResult(data=[], lines=[f"policy config: {exc}"], failed=True)
    return StageResult(
        data=[v.to_json() for v in violations],
        lines=report_lines(violations, len(ALL_POLICIES), len(document.get("resources") or [])),
        failed=any(v.enforcement == EnforcementLevel.MANDATORY.value for v in violations),
    )


STAGE = Stage(key="violations", title="Policy pack (policies/)", run=run)

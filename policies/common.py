"""What every policy of the pack shares: safe reads of engine-shaped props and the policy factories.

Props reach a validator the way the analyzer hands them over: camelCase inputs wrapped in
``pulumi_policy``'s unknown-checking proxy, where reading a value that is not known during
preview raises ``UnknownValueError``. In a first real preview almost every KMS key ARN is
unknown (the key is created in the same update), so the helpers here turn an unknown into
:data:`UNKNOWN` instead of letting the whole policy be skipped: a reference that will have a
value counts as "set", a flag whose value is not known yet is not judged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Optional

import pulumi
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    """A value the engine does not know during preview."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()
_MISSING = object()


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """``props[path[0]][path[1]]...``; ``default`` when absent, :data:`UNKNOWN` when not known yet."""
    current = props
    for key in path:
        if current is UNKNOWN:
            return UNKNOWN
        try:
            if isinstance(key, int):
                if not isinstance(current, Sequence) or isinstance(current, str) or key >= len(current):
                    return default
                current = current[key]
            else:
                if not isinstance(current, Mapping):
                    return default
                value = current[key] if key in current else _MISSING
                if value is _MISSING:
                    return default
                current = value
        except UnknownValueError:
            return UNKNOWN
    return default if current is None else current


def items(value: Any) -> Iterator[Any]:
    """The elements of a list prop (none when absent or unknown as a whole; unknown ones as UNKNOWN)."""
    if value is None or value is UNKNOWN or isinstance(value, (str, Mapping)) or not isinstance(value, Sequence):
        return
    for index in range(len(value)):
        try:
            yield value[index]
        except UnknownValueError:
            yield UNKNOWN


def is_true(value: Any) -> bool:
    """A flag that is on. Launch templates carry EBS flags as the strings ``"true"``/``"false"``."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "on")
    return value is True or (isinstance(value, (int, float)) and value == 1)


def is_false(value: Any) -> bool:
    """A flag that is known to be off (absent counts as off: AWS defaults these flags to off)."""
    return value is not UNKNOWN and not is_true(value)


def decode_json(value: Any) -> Any:
    """Providers JSON-encode their structured inputs (``defaultTags``): decode when it is a string."""
    if isinstance(value, str) and value not in ("",):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def cmk_problem(value: Any) -> Optional[str]:
    """Why ``value`` is not a customer-managed KMS key (None when it is one or is not known yet)."""
    if value is UNKNOWN:
        return None
    if not isinstance(value, str) or not value.strip():
        return "is not set, so the data is encrypted with an AWS-owned or AWS-managed key (or not at all)"
    if value.startswith("alias/aws/") or ":alias/aws/" in value:
        return f"names the AWS-managed key {value!r}, not a customer-managed key"
    return None


def require_cmk(where: str, prop: str, value: Any, fix: str) -> Iterator[str]:
    """The message when ``value`` is not a customer-managed key."""
    problem = cmk_problem(value)
    if problem:
        yield f"{where}: {prop} {problem}. Fix: {fix}"


def require_true(where: str, prop: str, value: Any, fix: str) -> Iterator[str]:
    """The message when the flag ``value`` is known to be off."""
    if is_false(value):
        shown = "not set" if value is None else f"{value!r}"
        yield f"{where}: {prop} is {shown}, must be true. Fix: {fix}"


def label(resource_type: str, name: str) -> str:
    return f"{resource_type} '{name}'"


def current_stack() -> str:
    """The stack being previewed: the Pulumi CLI (and ``preflight``) hand it to the pack's runtime."""
    return pulumi.get_stack()


PRODUCTION_STACK = "production"
PRODUCTION_STACKS_PROPERTY = "stacks"
PRODUCTION_STACKS_SCHEMA = PolicyConfigSchema(
    properties={PRODUCTION_STACKS_PROPERTY: {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}}
)
"""The config of a policy that holds some stacks to production's data safety: ``stacks``, their names."""


def judged_as_production(args: ResourceValidationArgs | StackValidationArgs, prop: str = PRODUCTION_STACKS_PROPERTY) -> bool:
    """Whether the policy holds the stack being previewed to production's data safety: the stack is one its
    config names (``prop``), ``production`` alone when the config names none. The pilot light names itself in
    its own pack config (policies/config/dr.json): after a failover it holds production's data and traffic, so
    its standby must already pass what a promoted, serving stack must."""
    stacks = (args.get_config() or {}).get(prop)
    return current_stack() in (stacks if isinstance(stacks, list) else [PRODUCTION_STACK])


ResourceCheck = Callable[[ResourceValidationArgs], Iterable[str]]
StackCheck = Callable[[StackValidationArgs], Iterable[tuple[str, Optional[str]]]]


def resource_policy(
    *,
    name: str,
    description: str,
    severity: Severity,
    types: Iterable[str],
    check: ResourceCheck,
    remediation: str,
    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
    config_schema: Optional[PolicyConfigSchema] = None,
) -> ResourceValidationPolicy:
    """A resource policy over ``types``; ``check`` yields one message per violation."""
    covered = types if isinstance(types, frozenset) else frozenset(types)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in covered:
            return
        for message in check(args):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        severity=severity,
        remediation_steps=remediation,
        config_schema=config_schema,
    )


def stack_policy(
    *,
    name: str,
    description: str,
    severity: Severity,
    check: StackCheck,
    remediation: str,
    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY,
    config_schema: Optional[PolicyConfigSchema] = None,
) -> StackValidationPolicy:
    """A stack policy; ``check`` yields ``(message, urn)`` per violation."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for message, urn in check(args):
            report_violation(message, urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        severity=severity,
        remediation_steps=remediation,
        config_schema=config_schema,
    )

"""Stack policy ``baseline-under-budget``: the estimated baseline must stay under the stack's budget.

The pack's per-stack config sets the budget and the enforcement level (advisory in
staging, mandatory in production)::

    {"baseline-under-budget": {"enforcementLevel": "mandatory", "budgetMonthlyUsd": 6000}}

The estimate is the one ``preflight`` prints (``cost_model``, same prices). The usage
assumptions come from the stack's ``costAssumptions`` output when the engine shows it,
else from the policy's optional ``assumptions`` config, else the documented defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

try:  # As ``policies.budget`` from the repository root...
    from . import cost_model
except ImportError:  # ...or as ``budget`` when Pulumi runs the pack with policies/ as its program.
    import cost_model  # type: ignore[no-redef, import-not-found]

POLICY_NAME = "baseline-under-budget"
DEFAULT_REGION = "us-east-1"


# The analyzer's sentinels for values unknown during preview (pulumi_policy.proxy).
UNKNOWN_VALUES = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


def known(value: Any) -> Any:
    """A plain copy of resource properties with unknown values as None (keys kept).

    Reading an unknown through the analyzer's proxy raises; the model reads a
    replica's unknown source or an unknown name as "present but not known yet".
    """
    if isinstance(value, Mapping):
        try:
            raw = value["__target"]  # the unknown-checking proxy's own dict
        except KeyError:
            raw = value
        return {k: known(v) for k, v in raw.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        try:
            items = value["__target"]  # type: ignore[call-overload]
        except (TypeError, KeyError, IndexError):
            items = value
        return [known(v) for v in items]
    if isinstance(value, str) and value in UNKNOWN_VALUES:
        return None
    return value


def to_cost_resource(resource: PolicyResource) -> cost_model.CostResource:
    """The model's view of a resource the engine hands a stack policy."""
    deps = {d.urn for d in resource.dependencies}
    for dependencies in resource.property_dependencies.values():
        deps.update(d.urn for d in dependencies)
    return cost_model.CostResource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        inputs=known(resource.props),
        parent=resource.parent.urn if resource.parent else "",
        dependencies=tuple(sorted(deps)),
        # Another Region's resources (the DR replicas) are priced apart from the stack's own.
        provider_region=_provider_region(resource),
    )


def _provider_region(resource: PolicyResource) -> str:
    region = known(resource.provider.props).get("region") if resource.provider is not None else None
    return region if isinstance(region, str) else ""


def stack_region(resources: Iterable[PolicyResource]) -> str:
    """The region of the stack's AWS provider (a provider resource, or a resource's provider)."""
    for r in resources:
        candidates: list[tuple[str, Mapping[str, Any]]] = [(r.resource_type, known(r.props))]
        if r.provider is not None:
            candidates.append((r.provider.resource_type, known(r.provider.props)))
        for token, props in candidates:
            region = props.get("region") if token.startswith("pulumi:providers:aws") else None
            if isinstance(region, str) and region:
                return region
    return DEFAULT_REGION


def stack_assumptions(resources: Iterable[PolicyResource], config: Mapping[str, Any]) -> cost_model.Assumptions:
    for r in resources:
        if r.resource_type == "pulumi:pulumi:Stack":
            props = known(r.props)
            if isinstance(props.get("costAssumptions"), Mapping):
                return cost_model.Assumptions.from_json(props["costAssumptions"])
    return cost_model.Assumptions.from_json(config.get("assumptions"))


def validate_budget(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config()
    budget = config.get("budgetMonthlyUsd")
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or budget <= 0:
        report_violation(f"{POLICY_NAME}: set budgetMonthlyUsd (a positive number) in the policy config for this stack", None)
        return
    region = stack_region(args.resources)
    assumptions = stack_assumptions(args.resources, config)
    try:
        result = cost_model.estimate([to_cost_resource(r) for r in args.resources], region, assumptions)
    except cost_model.MissingPriceError as exc:
        report_violation(f"{POLICY_NAME}: cannot estimate the stack: {exc}", None)
        return
    if result.baseline > budget:
        largest = sorted(result.items, key=lambda i: i.baseline, reverse=True)[:3]
        report_violation(
            f"estimated baseline ${result.baseline:,.2f}/month ({region}) exceeds the budget "
            f"${float(budget):,.2f} by ${result.baseline - budget:,.2f}; largest items: "
            + "; ".join(f"{i.description} ${i.baseline:,.2f}" for i in largest),
            None,
        )


baseline_under_budget = StackValidationPolicy(
    name=POLICY_NAME,
    description="The estimated monthly baseline cost (minimum capacity) stays under the stack's budget.",
    validate=validate_budget,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(
        properties={
            "budgetMonthlyUsd": {"type": "number", "exclusiveMinimum": 0},
            "assumptions": {"type": "object"},
        },
        required=["budgetMonthlyUsd"],
    ),
    remediation_steps="Lower minimum capacity or instance sizes, or raise budgetMonthlyUsd with the budget owner's approval.",
)

POLICIES = [baseline_under_budget]

"""The ``cost`` stage: a monthly estimate of the plan, priced in the stack's region.

It reads the plan document only (so ``--check-plan`` prices any plan): the resources,
the AWS provider's region, and the ``costAssumptions`` stack output for the usage the
resources do not state (absent: the documented defaults of ``policies.cost_model``).
A resource whose price is missing fails the stage with a message naming its type and size.
"""

from __future__ import annotations

from policies.cost_model import (
    Assumptions,
    CostResource,
    Estimate,
    MissingPriceError,
    estimate,
    serving_paths,
    plan_region,
)

from . import cost_table

from .stage import Document, Stage, StageResult

DEFAULT_REGION = "us-east-1"


def estimate_document(document: Document) -> Estimate:
    """The estimate of a plan document. Raises ``MissingPriceError``."""
    resources = document.get("resources") or []
    outputs = document.get("outputs") or {}
    region = plan_region(resources) or outputs.get("region") or DEFAULT_REGION
    return estimate([CostResource.from_plan(r) for r in resources], region, _assumptions(document))


def _assumptions(document: Document) -> Assumptions:
    return Assumptions.from_json((document.get("outputs") or {}).get("costAssumptions"))


def run(document: Document) -> StageResult:
    outputs = document.get("outputs") or {}
    assumptions = _assumptions(document)
    try:
        result = estimate_document(document)
    except MissingPriceError as exc:
        return StageResult(data={"error": str(exc)}, lines=[f"FAILED: {exc}"], failed=True)
    data = result.to_json()
    # For people: totals first, repeated small items grouped (the JSON keeps every item).
    lines = cost_table.text_lines(data)
    details = cost_table.text_lines(data, details=True)
    lines.append(
        f"baseline {result.baseline:,.2f}, peak {result.peak:,.2f}, with commitments {result.committed:,.2f} "
        f"({result.currency}/month; spot at -{assumptions.spot_discount:.0%}, Savings Plan -{assumptions.compute_savings_plan:.0%}, "
        f"reserved RDS/ElastiCache -{assumptions.reserved_database:.0%})"
    )
    try:
        paths = serving_paths(outputs.get("inferenceServing"), result.region, assumptions)
    except (MissingPriceError, ValueError) as exc:
        return StageResult(data={"error": str(exc)}, lines=[f"FAILED: {exc}"], failed=True)
    footer: list[str] = [lines[-1]]
    if paths:
        # The plan prices only the path that runs; both are shown so the choice is visible in review.
        data["servingPaths"] = [p.to_json() for p in paths]
        footer.append("ML serving paths (betterprompts:inference.serving), each priced as if it served:")
        for path in paths:
            state = "serving" if path.serving else "sized to zero"
            footer.append(f"  {path.path:<11} {state:<14} {path.description}: {path.baseline:,.2f} - {path.peak:,.2f}")
    if "costAssumptions" not in outputs:
        footer.append("(no costAssumptions output in the plan: usage priced with the documented defaults)")
    return StageResult(data=data, lines=lines[:-1] + footer, detail_lines=details + footer)


STAGE = Stage(key="cost", title="Estimated monthly cost", run=run)

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
    MissingPriceError,
    estimate,
    format_table,
    plan_region,
)

from .stages import Document, Stage, StageResult

DEFAULT_REGION = "us-east-1"


def run(document: Document) -> StageResult:
    resources = document.get("resources") or []
    outputs = document.get("outputs") or {}
    region = plan_region(resources) or outputs.get("region") or DEFAULT_REGION
    assumptions = Assumptions.from_json(outputs.get("costAssumptions"))
    try:
        result = estimate([CostResource.from_plan(r) for r in resources], region, assumptions)
    except MissingPriceError as exc:
        return StageResult(data={"error": str(exc)}, lines=[f"FAILED: {exc}"], failed=True)
    lines = format_table(result)
    lines.append(
        f"baseline {result.baseline:,.2f}, peak {result.peak:,.2f}, with commitments {result.committed:,.2f} "
        f"({result.currency}/month; spot at -{assumptions.spot_discount:.0%}, Savings Plan -{assumptions.compute_savings_plan:.0%}, "
        f"reserved RDS/ElastiCache -{assumptions.reserved_database:.0%})"
    )
    if "costAssumptions" not in outputs:
        lines.append("(no costAssumptions output in the plan: usage priced with the documented defaults)")
    return StageResult(data=result.to_json(), lines=lines)


STAGE = Stage(key="cost", title="Estimated monthly cost", run=run)

"""The ``quotas`` stage: the service quotas the plan needs at peak, per quota code.

It reads the plan document only (so ``--check-plan`` works on any plan): the resources, and
the ``quotaRequests`` stack output (what ``betterprompts:quotas.requests`` asks Service Quotas
for). Offline there is no account to read current values from, so the stage lists what the
stack needs next to AWS's default; ``docs/quotas.md`` shows how to compare with an account.
It fails only when the stack requests a quota below its own peak (the request would be
granted and still be too small) or when an instance type cannot be counted.
"""

from __future__ import annotations

from policies.quota_model import QuotaNeed, quota_needs

from .stage import Document, Stage, StageResult


def needs_of(document: Document) -> list[QuotaNeed]:
    outputs = document.get("outputs") or {}
    requests = outputs.get("quotaRequests")
    return quota_needs(document.get("resources") or [], requests if isinstance(requests, dict) else None)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def run(document: Document) -> StageResult:
    try:
        needs = needs_of(document)
    except ValueError as exc:
        return StageResult(data={"error": str(exc)}, lines=[f"FAILED: {exc}"], failed=True)
    width = max([len(n.quota.key) for n in needs] + [24])
    lines = [f"{'quota':<{width}}  {'needed':>7}  {'peak':>7}  {'default':>7}  {'request':>7}  name"]
    short = []
    for need in needs:
        flag = "  <- above AWS's default: request it" if need.exceeds_default and need.requested is None else ""
        if need.quota.default is None and need.requested is None:
            flag = "  <- account-specific: check it"
        if need.request_short:
            flag = "  <- REQUEST BELOW PEAK"
            short.append(need)
        lines.append(
            f"{need.quota.key:<{width}}  {need.needed:>7g}  {need.peak:>7g}  {_number(need.quota.default):>7}  "
            f"{_number(need.requested):>7}  {need.quota.name} (per {need.quota.scope}, {need.quota.unit}){flag}"
        )
    lines.append("peak = maximum capacity + what an update runs next to it; per account and region: stacks sharing one add up")
    for need in short:
        lines.append(f"FAILED: {need.quota.key} is requested at {need.requested:g}, below the stack's peak of {need.peak:g}")
    return StageResult(data=[n.to_json() for n in needs], lines=lines, failed=bool(short))


STAGE = Stage(key="quotas", title="Service quotas needed (per account and region)", run=run)

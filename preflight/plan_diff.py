"""What a change does to a stack: two plans (``preflight --json``) compared for a reviewer.

Resources are matched by URN. A URN only in the head plan is *moved* when it names the base URN
among its aliases (the engine carries the resource over), else *added*; one only in the base plan
is *removed*, unless a head resource of the same type with nearly the same inputs took its place
without an alias: the engine creates that one and deletes the old, so it is reported as
*replaced* (renamed without an alias). A resource in both is *changed* when its inputs differ
(each changed input path is listed) and *replaced* when one of those paths forces replacement
for its type (``preflight.replacements``: from the providers' schemas, not guessed).

Policy violations are compared by (policy, URN): *new* and *fixed*. Cost line items are matched
by resource (or, for stack-wide usage, by description) and their monthly deltas listed with the
totals (baseline, peak, with commitments).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import cost_table, replacements

Document = Mapping[str, Any]

MARKER = "<!-- preflight-plan-diff -->"
"""The first line of the Markdown: the workflow finds its pull-request comment by it."""

SIMILAR = 0.6
"""Share of equal inputs above which a removed and an added resource of one type are one renamed resource."""

TOTALS = (("baseline", "baseline_monthly"), ("peak", "peak_monthly"), ("committed", "committed_monthly"))


@dataclass(frozen=True)
class ResourceChange:
    kind: str
    """``added``, ``removed``, ``replaced``, ``changed`` or ``moved``."""
    urn: str
    type: str
    name: str
    paths: tuple[str, ...] = ()
    """Changed input paths (``scalingConfig.desiredSize``, ``ingress[0].fromPort``)."""
    forcing: tuple[str, ...] = ()
    """The paths among them that force the replacement."""
    old_urn: str = ""
    """For a rename: the URN in the base plan."""
    note: str = ""


@dataclass(frozen=True)
class ViolationChange:
    policy: str
    enforcement: str
    urn: str
    message: str


@dataclass(frozen=True)
class CostChange:
    description: str
    type: str
    base: float
    head: float
    base_peak: float
    head_peak: float

    @property
    def delta(self) -> float:
        return self.head - self.base

    @property
    def delta_peak(self) -> float:
        return self.head_peak - self.base_peak


@dataclass
class PlanDiff:
    stack: str
    base_count: int
    head_count: int
    resources: list[ResourceChange] = field(default_factory=list)
    new_violations: list[ViolationChange] = field(default_factory=list)
    fixed_violations: list[ViolationChange] = field(default_factory=list)
    costs: list[CostChange] = field(default_factory=list)
    totals: dict[str, tuple[float, float]] = field(default_factory=dict)
    """baseline/peak/committed -> (base, head) monthly."""
    currency: str = "USD"

    def of_kind(self, kind: str) -> list[ResourceChange]:
        return [c for c in self.resources if c.kind == kind]

    @property
    def new_mandatory(self) -> list[ViolationChange]:
        return [v for v in self.new_violations if v.enforcement == "mandatory"]

    @property
    def empty(self) -> bool:
        return not (self.resources or self.new_violations or self.fixed_violations or self.costs)


# --- comparing -----------------------------------------------------------------------------------


def changed_paths(base: Any, head: Any, prefix: str = "") -> list[str]:
    """Every input path whose value differs, as ``a.b[2].c`` (a whole list when its length changed)."""
    if isinstance(base, Mapping) and isinstance(head, Mapping):
        paths: list[str] = []
        for key in sorted(set(base) | set(head), key=str):
            sub = f"{prefix}.{key}" if prefix else str(key)
            if key not in base or key not in head:
                paths.append(sub)
            else:
                paths.extend(changed_paths(base[key], head[key], sub))
        return paths
    if isinstance(base, list) and isinstance(head, list) and len(base) == len(head):
        paths = []
        for index, (b, h) in enumerate(zip(base, head)):
            paths.extend(changed_paths(b, h, f"{prefix}[{index}]"))
        return paths
    if base == head:
        return []
    return [prefix or "(all inputs)"]


def _similarity(base: Mapping[str, Any], head: Mapping[str, Any]) -> float:
    keys = set(base) | set(head)
    if not keys:
        return 1.0
    return sum(1 for k in keys if base.get(k) == head.get(k)) / len(keys)


def _options(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[str]:
    notes = []
    if bool(base.get("protect")) != bool(head.get("protect")):
        notes.append(f"protect {bool(base.get('protect'))} -> {bool(head.get('protect'))}")
    # The provider reference is "<urn>::<id>"; the id of a mock provider says nothing.
    if (base.get("provider") or "").split("::")[:-1] != (head.get("provider") or "").split("::")[:-1]:
        notes.append("provider changed")
    if (base.get("parent") or "") != (head.get("parent") or ""):
        notes.append("parent changed")
    # What the engine keeps from the state: a change here changes what every later update sends.
    before, after = sorted(base.get("ignoreChanges") or []), sorted(head.get("ignoreChanges") or [])
    if before != after:
        notes.append(f"ignoreChanges {before} -> {after}")
    return notes


def _classify(resource: Mapping[str, Any], paths: list[str]) -> tuple[str, tuple[str, ...], str]:
    token = str(resource["type"])
    rule = replacements.rule(token)
    if rule.component or not paths:
        return "changed", (), ""
    forcing = replacements.forcing(token, paths)
    if forcing:
        return "replaced", tuple(forcing), ""
    if not rule.known:
        return "changed", (), "whether this replaces it is not known for this type"
    return "changed", (), ""


def _resource_changes(base: Document, head: Document) -> list[ResourceChange]:
    before = {str(r["urn"]): r for r in base.get("resources") or []}
    after = {str(r["urn"]): r for r in head.get("resources") or []}
    changes: list[ResourceChange] = []

    def compare(old: Mapping[str, Any], new: Mapping[str, Any], *, kind: str = "", note: str = "") -> None:
        paths = changed_paths(old.get("inputs") or {}, new.get("inputs") or {})
        options = _options(old, new)
        found, forcing, why = _classify(new, paths)
        if not kind and not paths and not options:
            return
        notes = "; ".join(n for n in (note, why, *options) if n)
        changes.append(
            ResourceChange(
                kind=kind if kind and found != "replaced" else found,
                urn=str(new["urn"]),
                type=str(new["type"]),
                name=str(new["name"]),
                paths=tuple(paths),
                forcing=forcing,
                old_urn=str(old["urn"]) if old["urn"] != new["urn"] else "",
                note=notes,
            )
        )

    for urn in sorted(before.keys() & after.keys()):
        compare(before[urn], after[urn])

    removed = {u: before[u] for u in sorted(before.keys() - after.keys())}
    added = {u: after[u] for u in sorted(after.keys() - before.keys())}
    # Aliased: the engine moves the resource to its new URN; only its inputs can still replace it.
    for urn, resource in list(added.items()):
        old = next((a for a in resource.get("aliases") or [] if a in removed), None)
        if old is not None:
            compare(removed.pop(old), resource, kind="moved", note="renamed with an alias")
            del added[urn]
    # Renamed without an alias: the same type with nearly the same inputs took the old one's place.
    by_type: dict[str, list[str]] = defaultdict(list)
    for urn, resource in removed.items():
        by_type[str(resource["type"])].append(urn)
    for urn, resource in list(added.items()):
        candidates = by_type.get(str(resource["type"])) or []
        scored = sorted(
            ((_similarity(removed[c].get("inputs") or {}, resource.get("inputs") or {}), c) for c in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        if scored and scored[0][0] >= SIMILAR:
            old_urn = scored[0][1]
            candidates.remove(old_urn)
            old = removed.pop(old_urn)
            del added[urn]
            paths = changed_paths(old.get("inputs") or {}, resource.get("inputs") or {})
            changes.append(
                ResourceChange(
                    kind="replaced",
                    urn=urn,
                    type=str(resource["type"]),
                    name=str(resource["name"]),
                    paths=tuple(paths),
                    old_urn=old_urn,
                    note=f"renamed from {old['name']} without an alias: created anew, the old one deleted",
                )
            )
    for urn, resource in added.items():
        changes.append(ResourceChange("added", urn, str(resource["type"]), str(resource["name"])))
    for urn, resource in removed.items():
        changes.append(ResourceChange("removed", urn, str(resource["type"]), str(resource["name"])))
    return sorted(changes, key=lambda c: (KINDS.index(c.kind), c.type, c.name, c.urn))


KINDS = ("replaced", "removed", "added", "changed", "moved")


def _violation_changes(base: Document, head: Document) -> tuple[list[ViolationChange], list[ViolationChange]]:
    def read(document: Document) -> dict[tuple[str, str], ViolationChange]:
        found: dict[tuple[str, str], ViolationChange] = {}
        for v in document.get("violations") or []:
            item = ViolationChange(str(v["policy"]), str(v["enforcement"]), str(v.get("urn") or ""), str(v.get("message") or ""))
            found.setdefault((item.policy, item.urn), item)
        return found

    before, after = read(base), read(head)
    new = [after[k] for k in sorted(after.keys() - before.keys())]
    fixed = [before[k] for k in sorted(before.keys() - after.keys())]
    return new, fixed


def _cost_key_items(document: Document) -> dict[tuple[str, str, int], Mapping[str, Any]]:
    """Line items by (resource URN or description, type, n-th item of that resource and type)."""
    keyed: dict[tuple[str, str, int], Mapping[str, Any]] = {}
    seen: Counter[tuple[str, str]] = Counter()
    for item in (document.get("cost") or {}).get("items") or []:
        owner = str(item.get("urn") or item.get("description"))
        base = (owner, str(item.get("type")))
        keyed[(*base, seen[base])] = item
        seen[base] += 1
    return keyed


def _cost_changes(base: Document, head: Document, renames: Mapping[str, str]) -> list[CostChange]:
    before = _cost_key_items(base)
    # A resource renamed (with or without an alias) keeps its line items under the new URN.
    after = {(renames.get(k[0], k[0]), k[1], k[2]): v for k, v in _cost_key_items(head).items()}
    changes = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key) or {}, after.get(key) or {}
        b, h = float(old.get("monthly") or 0.0), float(new.get("monthly") or 0.0)
        bp, hp = float(old.get("peak_monthly") or 0.0), float(new.get("peak_monthly") or 0.0)
        if round(b, 2) == round(h, 2) and round(bp, 2) == round(hp, 2):
            continue
        description = str(new.get("description") or old.get("description"))
        if old and new and old.get("description") != new.get("description"):
            description = f"{old.get('description')} -> {new.get('description')}"
        changes.append(CostChange(description, str(key[1]), b, h, bp, hp))
    return sorted(changes, key=lambda c: (-abs(c.delta), -abs(c.delta_peak), c.description))


def diff(base: Document, head: Document) -> PlanDiff:
    resources = _resource_changes(base, head)
    new, fixed = _violation_changes(base, head)
    renames = {c.urn: c.old_urn for c in resources if c.old_urn}
    base_cost, head_cost = base.get("cost") or {}, head.get("cost") or {}
    totals = {label: (float(base_cost.get(key) or 0.0), float(head_cost.get(key) or 0.0)) for label, key in TOTALS}
    return PlanDiff(
        stack=str(head.get("stack") or base.get("stack") or ""),
        base_count=len(base.get("resources") or []),
        head_count=len(head.get("resources") or []),
        resources=resources,
        new_violations=new,
        fixed_violations=fixed,
        costs=_cost_changes(base, head, renames),
        totals=totals,
        currency=str(head_cost.get("currency") or base_cost.get("currency") or "USD"),
    )


# --- reporting -----------------------------------------------------------------------------------


def _money(value: float, sign: bool = False) -> str:
    text = f"{abs(value):,.2f}"
    if not sign:
        return ("-" if value < 0 else "") + text
    return ("+" if value >= 0.005 else "-" if value <= -0.005 else "±") + text


def _paths(change: ResourceChange, limit: int = 8) -> str:
    shown = [f"{p} (forces replacement)" if p in change.forcing else p for p in change.paths[:limit]]
    more = len(change.paths) - limit
    return ", ".join(shown) + (f", and {more} more" if more > 0 else "")


def _summary(d: PlanDiff) -> str:
    counts = ", ".join(f"{len(d.of_kind(k))} {k}" for k in KINDS)
    return f"{d.base_count} -> {d.head_count} resources: {counts}"


SYMBOL = {"replaced": "+-", "removed": "-", "added": "+", "changed": "~", "moved": "->"}


def cost_rows(d: PlanDiff) -> list[tuple[str, float, float]]:
    """The cost changes for people: (item, baseline delta, peak delta), same small changes of a type as one row."""
    groups: dict[tuple[str, float, float], list[CostChange]] = {}
    rows: list[tuple[str, float, float]] = []
    for change in d.costs:
        delta, peak = round(change.delta, 2), round(change.delta_peak, 2)
        if max(abs(delta), abs(peak)) >= cost_table.SMALL:
            rows.append((change.description, delta, peak))
        else:
            groups.setdefault((change.type, delta, peak), []).append(change)
    for (token, delta, peak), members in groups.items():
        if len(members) == 1:
            rows.append((members[0].description, delta, peak))
            continue
        label = cost_table.common_label(sorted(m.description for m in members), token.rsplit(":", 1)[-1])
        rows.append((f"{label} ({len(members)} x {_money(delta, sign=True)})", delta * len(members), peak * len(members)))
    return sorted(rows, key=lambda row: (-abs(row[1]), -abs(row[2]), row[0]))


def text_lines(d: PlanDiff) -> list[str]:
    lines = [f"Plan diff, stack {d.stack}: {_summary(d)}"]
    for kind in KINDS:
        found = d.of_kind(kind)
        if not found:
            continue
        lines.append(f"\n{kind.capitalize()} ({len(found)}):")
        for change in found:
            lines.append(f"  {SYMBOL[kind]} {change.type} {change.name}")
            if change.old_urn:
                lines.append(f"      was {change.old_urn}")
            if change.paths:
                lines.append(f"      inputs: {_paths(change)}")
            if change.note:
                lines.append(f"      {change.note}")
    lines.append(f"\nPolicy violations: {len(d.new_violations)} new ({len(d.new_mandatory)} mandatory), {len(d.fixed_violations)} fixed")
    for label, violations in (("new", d.new_violations), ("fixed", d.fixed_violations)):
        for violation in violations:
            lines.append(f"  {label}: {violation.policy} [{violation.enforcement}] {violation.urn or '(stack)'}")
            if label == "new":
                lines.append(f"      {violation.message}")
    lines.append(f"\nMonthly cost ({d.currency}):")
    for label, (b, h) in d.totals.items():
        lines.append(f"  {label:<10} {_money(b):>12} -> {_money(h):>12}  ({_money(h - b, sign=True)})")
    for item, delta, peak in cost_rows(d):
        lines.append(f"  {_money(delta, sign=True):>12} baseline  {_money(peak, sign=True):>12} peak  {item}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_lines(d: PlanDiff) -> list[str]:
    lines = [f"### Stack `{d.stack}`: {_summary(d)}", ""]
    if d.new_mandatory:
        lines += [f"**{len(d.new_mandatory)} mandatory policy violation(s) newly introduced: this check fails.**", ""]
    (b, h) = d.totals.get("baseline", (0.0, 0.0))
    (bp, hp) = d.totals.get("peak", (0.0, 0.0))
    (bc, hc) = d.totals.get("committed", (0.0, 0.0))
    lines += [
        f"| Monthly cost ({d.currency}) | base | head | change |",
        "|---|---:|---:|---:|",
        f"| baseline | {_money(b)} | {_money(h)} | {_money(h - b, sign=True)} |",
        f"| peak | {_money(bp)} | {_money(hp)} | {_money(hp - bp, sign=True)} |",
        f"| with commitments | {_money(bc)} | {_money(hc)} | {_money(hc - bc, sign=True)} |",
        "",
    ]
    if d.costs:
        lines += ["<details><summary>Cost change per line item</summary>", "", "| baseline | peak | item |", "|---:|---:|---|"]
        for item, delta, peak in cost_rows(d):
            lines.append(f"| {_money(delta, sign=True)} | {_money(peak, sign=True)} | {_cell(item)} |")
        lines += ["", "</details>", ""]
    if d.resources:
        lines += ["| | resource | type | inputs |", "|---|---|---|---|"]
        for change in d.resources:
            detail = _paths(change) if change.paths else ""
            if change.note:
                detail = f"{detail} ({change.note})" if detail else change.note
            lines.append(f"| {change.kind} | `{_cell(change.name)}` | `{change.type}` | {_cell(detail)} |")
        lines.append("")
    else:
        lines += ["No resource changes.", ""]
    if d.new_violations or d.fixed_violations:
        lines += ["| policy | level | resource | |", "|---|---|---|---|"]
        for label, violations in (("new", d.new_violations), ("fixed", d.fixed_violations)):
            for violation in violations:
                name = violation.urn.rsplit("::", 1)[-1] if violation.urn else "(stack)"
                what = f"new: {_cell(violation.message[:300])}" if label == "new" else "fixed"
                lines.append(f"| {violation.policy} | {violation.enforcement} | `{_cell(name)}` | {what} |")
        lines.append("")
    else:
        lines += ["No policy violations introduced or fixed.", ""]
    return lines


def markdown(diffs: Iterable[PlanDiff]) -> str:
    lines = [MARKER, "## Infrastructure plan diff (offline preflight)", ""]
    for d in diffs:
        lines += markdown_lines(d)
    lines.append("_Replacement rules: preflight/replace_on_changes.json; costs: policies/cost_model.py._")
    return "\n".join(lines) + "\n"

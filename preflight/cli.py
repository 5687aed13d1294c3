"""Command line of preflight: run a stack offline, report it, write its plan."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from .harness import PROJECT_DIR, StackFileError, run_stack
from .stage import Document
from .stages import registered_stages


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Offline preview: run the Pulumi program for a stack under Pulumi's mock runtime.",
    )
    parser.add_argument("stack", nargs="?", help="stack name (reads Pulumi.STACK.yaml)")
    parser.add_argument("--json", metavar="FILE", help="write the plan as JSON to FILE ('-' for stdout)")
    parser.add_argument("--check-plan", metavar="FILE", help="run the checks on an existing plan JSON instead")
    parser.add_argument("--cost-details", action="store_true", help="list every cost line item (default: repeated small items grouped)")
    parser.add_argument("--diagram", metavar="FILE", help="draw the architecture from the plan: FILE.mmd (Mermaid) or FILE.svg")
    parser.add_argument("--html", metavar="FILE", help="write a self-contained HTML report (diagram, resources, cost, violations)")
    parser.add_argument(
        "--diff", nargs=2, metavar=("BASE", "HEAD"), action="append",
        help="compare two plans (preflight --json): resources, policy violations, cost; repeat for more stacks. "
        "Exits 1 when a mandatory policy is newly violated",
    )
    parser.add_argument("--markdown", action="store_true", help="with --diff: Markdown (for a pull-request comment)")
    args = parser.parse_args(argv)
    if args.diff:
        if args.stack or args.check_plan:
            parser.error("--diff compares two plan files: give no STACK or --check-plan with it")
        return diff_plans(args.diff, markdown=args.markdown, out=out or sys.stdout)
    if args.markdown:
        parser.error("--markdown goes with --diff")
    if out is None:
        # The plan owns stdout when written there; the readable report then moves to stderr.
        out = sys.stderr if args.json == "-" else sys.stdout
    if bool(args.stack) == bool(args.check_plan):
        parser.error("give a STACK or --check-plan FILE (one of them)")
    if args.diagram and not args.diagram.endswith((".mmd", ".svg")):
        parser.error("--diagram FILE: the format follows the extension, .mmd (Mermaid) or .svg")
    warm_stages()

    if args.check_plan:
        document = _read_plan(args.check_plan, out)
        if document is None:
            return 2
        print(f"Plan {args.check_plan}: stack {document.get('stack')!r}, {len(document['resources'])} resources", file=out)
        failed = run_stages(document, out, details=args.cost_details)
        return _write(document, args.json, out) or _outputs(document, args, out) or (1 if failed else 0)

    try:
        plan = run_stack(args.stack, project_dir=PROJECT_DIR)
    except StackFileError as exc:
        print(f"preflight: {exc}", file=out)
        return 2
    except Exception as exc:  # noqa: BLE001 - the report is the point: show what failed, exit non-zero
        from components.settings import ConfigError

        from .mocks import NameLimitError

        if isinstance(exc, ConfigError):
            print(f"preflight: stack {args.stack!r} has a config error, nothing was registered:\n  {exc}", file=out)
        elif isinstance(exc, NameLimitError):
            print(f"preflight: stack {args.stack!r} names resources AWS would refuse (the real preview fails):", file=out)
            for problem in exc.problems:
                print(f"  {problem}", file=out)
        else:
            print(f"preflight: the program failed for stack {args.stack!r}:", file=out)
            traceback.print_exception(exc, file=out)
        return 1

    document = plan.to_json()
    summarize(document, out)
    failed = run_stages(document, out, details=args.cost_details)
    return _write(document, args.json, out) or _outputs(document, args, out) or (1 if failed else 0)


def diff_plans(pairs: list[list[str]], *, markdown: bool, out: TextIO) -> int:
    """``--diff BASE HEAD``: what each head plan changes against its base (exit 1 on a new mandatory violation)."""
    from . import plan_diff

    diffs = []
    for base_path, head_path in pairs:
        base, head = _read_plan(base_path, out), _read_plan(head_path, out)
        if base is None or head is None:
            return 2
        diffs.append(plan_diff.diff(base, head))
    if markdown:
        out.write(plan_diff.markdown(diffs))
    else:
        for index, found in enumerate(diffs):
            if index:
                print("", file=out)
            print("\n".join(plan_diff.text_lines(found)), file=out)
    return 1 if any(d.new_mandatory for d in diffs) else 0


def _read_plan(path: str, out: TextIO) -> Document | None:
    """A plan file (``preflight --json``), or None after saying why it is not one."""
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        print(f"preflight: cannot read plan {path}: {exc}", file=out)
        return None
    if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
        print(f"preflight: {path} is not a plan (no 'resources' list)", file=out)
        return None
    return document


def _outputs(document: Document, args: argparse.Namespace, out: TextIO) -> int:
    """The drawings and the HTML report asked for, from the finished plan."""
    from . import diagram, html_report

    try:
        if args.diagram:
            Path(args.diagram).write_text(diagram.render(document, args.diagram))
            print(f"Diagram written to {args.diagram}", file=out)
        if args.html:
            Path(args.html).write_text(html_report.render(document))
            print(f"HTML report written to {args.html}", file=out)
    except (OSError, diagram.GraphvizMissing, RuntimeError) as exc:
        print(f"preflight: {exc}", file=out)
        return 2
    return 0


def summarize(document: Document, out: TextIO) -> None:
    resources = document["resources"]
    by_urn = {r["urn"]: r for r in resources}
    print(f"Stack {document['project']}/{document['stack']}: {len(resources)} resources (offline preview)", file=out)
    if document.get("unavailableSecrets"):
        print("  secure config unavailable offline: " + ", ".join(document["unavailableSecrets"]), file=out)

    # Count each resource under its nearest component (a non-custom ancestor), else the stack.
    per_component: Counter[str] = Counter()
    for r in resources:
        owner = _component_of(r, by_urn)
        per_component[owner] += 1
    print("\nResources per component:", file=out)
    for owner, count in sorted(per_component.items()):
        print(f"  {count:4d}  {owner}", file=out)

    print("\nResources per type:", file=out)
    for token, count in sorted(Counter(r["type"] for r in resources).items()):
        print(f"  {count:4d}  {token}", file=out)

    print("\nOutputs:", file=out)
    for name, value in document["outputs"].items():
        print(f"  {name}: {json.dumps(value)}", file=out)


def _component_of(resource: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> str:
    parent = by_urn.get(resource.get("parent") or "")
    while parent is not None:
        if parent["type"].startswith("betterprompts:") or not _is_custom(parent):
            return f"{parent['type']} {parent['name']}"
        parent = by_urn.get(parent.get("parent") or "")
    if resource["type"].startswith("betterprompts:"):
        return f"{resource['type']} {resource['name']}"
    return "(stack)"


def _is_custom(resource: dict[str, Any]) -> bool:
    return ":" in resource["type"] and not resource["type"].startswith("betterprompts:")


def warm_stages() -> None:
    """Let stages start what needs no plan (a worker process loading its tools) while the program runs."""
    for stage in registered_stages():
        if stage.warm is not None:
            stage.warm()


def run_stages(document: Document, out: TextIO, *, details: bool = False) -> bool:
    failed = False
    stages = registered_stages()
    for stage in stages:
        if stage.prepare is not None:
            stage.prepare(document)
    for stage in stages:
        result = stage.run(document)
        document[stage.key] = result.data
        print(f"\n{stage.title}:", file=out)
        for line in (result.detail_lines or result.lines) if details else result.lines:
            print(f"  {line}", file=out)
        failed = failed or result.failed
    return failed


def _write(document: Document, target: str | None, out: TextIO) -> int:
    if not target:
        return 0
    text = json.dumps(document, indent=2, sort_keys=False)
    if target == "-":
        print(text, file=sys.stdout)
        return 0
    try:
        Path(target).write_text(text + "\n")
    except OSError as exc:
        print(f"preflight: cannot write {target}: {exc}", file=out)
        return 2
    print(f"\nPlan written to {target}", file=out)
    return 0

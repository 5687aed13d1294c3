"""The cfn-lint worker: a separate process that loads cfn-lint while the program runs, then lints.

``python -m preflight.spec_worker`` imports cfn-lint and loads its rules once (about a second
and a half: its schemas, sympy and networkx), then reads JSON lines on stdin:

- ``{"regions": [...]}``: the plan's region (first);
- ``{"resources": {logicalId: {"Type", "Properties"}}}``: CloudFormation resources to check;
- ``{"end": true}``: no more resources: lint what is left and answer.

While the program is still registering, the worker lints what has arrived in batches (so the
linting overlaps the program under the mocks and then the policy pack); a plan handed over
whole (``--check-plan``) is linted in one call. It answers once on stdout:
``{"findings": [{"path", "rule", "severity", "message"}], "setupSeconds", "lintSeconds", "calls", "version"}``.
An end of input without ``end`` (the parent exited without a plan) ends it silently.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from typing import Any

# Below this many waiting resources the worker waits for more while the program still registers
# (each call has a fixed cost of a few tens of milliseconds).
BATCH = 12


def main() -> int:
    started = time.perf_counter()
    try:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner, run_template_by_data
        from cfnlint.version import __version__
    except ImportError as exc:
        _answer({"error": f"cfn-lint is not installed ({exc}): pip install -r requirements.txt"})
        return 0
    runner = Runner(ConfigMixIn(regions=["us-east-1"]))
    setup = time.perf_counter() - started

    # A reader thread drains stdin, so the parent never blocks on a full pipe while a batch lints.
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()

    config = ConfigMixIn(regions=["us-east-1"])
    pending: dict[str, Any] = {}
    findings: list[dict[str, Any]] = []
    lint_seconds = 0.0
    calls = 0

    def lint() -> None:
        nonlocal pending, lint_seconds, calls
        if not pending:
            return
        began = time.perf_counter()
        document = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": pending}
        for match in run_template_by_data(document, config, runner.rules):
            findings.append(
                {
                    "path": [p if isinstance(p, (str, int)) else str(p) for p in (getattr(match, "path", None) or [])],
                    "rule": match.rule.id,
                    "severity": str(getattr(match.rule, "severity", "") or ""),
                    "message": match.message,
                }
            )
        lint_seconds += time.perf_counter() - began
        calls += 1
        pending = {}

    while True:
        line = lines.get()
        if not line:
            return 0  # the parent went away without a plan
        message = json.loads(line)
        if "regions" in message:
            config = ConfigMixIn(regions=list(message["regions"]) or ["us-east-1"])
        pending.update(message.get("resources") or {})
        if message.get("end"):
            lint()
            _answer(
                {
                    "findings": findings,
                    "setupSeconds": round(setup, 3),
                    "lintSeconds": round(lint_seconds, 3),
                    "calls": calls,
                    "version": __version__,
                }
            )
            return 0
        if len(pending) >= BATCH and lines.empty():
            lint()


def _answer(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())

"""The cfn-lint worker: a separate process that loads cfn-lint while the program runs, then lints once.

``python -m preflight.spec_worker`` imports cfn-lint and loads its rules first (about a
second and a half: its schemas, sympy and networkx), then waits for one request on stdin
(``{"template": ..., "regions": [...]}``) and answers on stdout with the findings
(``{"findings": [{"path", "rule", "severity", "message"}], "setupSeconds", "lintSeconds", "version"}``).
Started when ``preflight`` starts, so the loading overlaps the program under the mocks and
the linting overlaps the policy pack. It reads nothing else and writes nothing else; an
empty stdin (the parent exited without a plan) ends it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def main() -> int:
    started = time.perf_counter()
    try:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner, run_template_by_data
        from cfnlint.version import __version__
    except ImportError as exc:
        _answer({"error": f"cfn-lint is not installed ({exc}): pip install -r requirements-dev.txt"})
        return 0
    # The rules load once; the region decides which published specification applies.
    runner = Runner(ConfigMixIn(regions=["us-east-1"]))
    setup = time.perf_counter() - started

    raw = sys.stdin.read()
    if not raw.strip():
        return 0
    request = json.loads(raw)
    regions = list(request.get("regions") or ["us-east-1"])
    config = ConfigMixIn(regions=regions)
    began = time.perf_counter()
    matches = list(run_template_by_data(request["template"], config, runner.rules))
    lint = time.perf_counter() - began
    findings = [
        {
            "path": [p if isinstance(p, (str, int)) else str(p) for p in (getattr(m, "path", None) or [])],
            "rule": m.rule.id,
            "severity": str(getattr(m.rule, "severity", "") or ""),
            "message": m.message,
        }
        for m in matches
    ]
    _answer({"findings": findings, "setupSeconds": round(setup, 3), "lintSeconds": round(lint, 3), "version": __version__})
    return 0


def _answer(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())

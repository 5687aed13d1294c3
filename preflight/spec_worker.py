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

Findings are cached by content: a resource's findings depend only on cfn-lint's version, the
region and the resource itself (the translation emits no references between resources), so a
resource already linted with the same version, region, type and properties is answered from the
cache (``$BETTERPROMPTS_SPEC_CACHE``, default ``~/.cache/betterprompts-preflight``; ``off``
disables it). A batch with a finding that belongs to no single resource is not cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sys
import threading
import time
from pathlib import Path
from typing import Any, Optional

# Below this many waiting resources the worker waits for more while the program still registers
# (each call has a fixed cost of a few tens of milliseconds).
BATCH = 12
CACHE_ENV = "BETTERPROMPTS_SPEC_CACHE"
# Stands for the resource's logical id in a cached message (ids are per run: R0001, R0002, ...).
LOGICAL_ID = "\u0000resource\u0000"


class FindingsCache:
    """Findings per resource content, paths relative to the resource, in one JSON file per cfn-lint version."""

    def __init__(self, version: str) -> None:
        self.path = _cache_file(version)
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.changed = False
        if self.path is not None and self.path.exists():
            try:
                self.entries = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self.entries = {}  # a damaged cache is only a slower run

    @staticmethod
    def key(regions: list[str], resource: Any) -> str:
        return hashlib.sha256(json.dumps([regions, resource], sort_keys=True).encode()).hexdigest()

    def get(self, key: str) -> Optional[list[dict[str, Any]]]:
        return self.entries.get(key)

    def put(self, key: str, findings: list[dict[str, Any]]) -> None:
        if self.path is not None:
            self.entries[key] = findings
            self.changed = True

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            scratch = self.path.with_name(f"{self.path.name}.{os.getpid()}")
            scratch.write_text(json.dumps(self.entries, sort_keys=True))
            os.replace(scratch, self.path)  # atomic: a concurrent run reads the old or the new file
        except OSError:
            pass  # an unwritable cache is only a slower next run


def _cache_file(version: str) -> Optional[Path]:
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() == "off":
        return None
    base = Path(setting) if setting else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "betterprompts-preflight"
    return base / f"cfn-lint-{version}.json"


def main() -> int:
    try:
        from importlib.metadata import PackageNotFoundError, version

        cfn_lint_version = version("cfn-lint")
    except PackageNotFoundError as exc:
        _answer({"error": f"cfn-lint is not installed ({exc}): pip install -r requirements.txt"})
        return 0

    cache = FindingsCache(cfn_lint_version)
    # cfn-lint takes seconds to import (its schemas, sympy, networkx). With no cache for this
    # version every resource will need it, so it loads at once, while the program still runs;
    # with a cache it loads only when a resource misses, and a warm run never loads it.
    engine: dict[str, Any] = {}
    engine_lock = threading.Lock()
    setup = 0.0

    def load() -> dict[str, Any]:
        nonlocal setup
        with engine_lock:
            if not engine:
                began = time.perf_counter()
                from cfnlint.config import ConfigMixIn
                from cfnlint.runner import Runner, run_template_by_data

                engine.update(
                    config=ConfigMixIn,
                    rules=Runner(ConfigMixIn(regions=["us-east-1"])).rules,
                    run=run_template_by_data,
                )
                setup = time.perf_counter() - began
        return engine

    if cache.path is None or not cache.path.exists():
        threading.Thread(target=load, daemon=True).start()

    # A reader thread drains stdin, so the parent never blocks on a full pipe while a batch lints.
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()

    regions = ["us-east-1"]
    pending: dict[str, Any] = {}
    findings: list[dict[str, Any]] = []
    lint_seconds = 0.0
    calls = 0
    cached = 0

    def lint() -> None:
        nonlocal pending, lint_seconds, calls, cached
        if not pending:
            return
        began = time.perf_counter()
        keys = {logical_id: FindingsCache.key(regions, resource) for logical_id, resource in pending.items()}
        todo: dict[str, Any] = {}
        for logical_id, resource in pending.items():
            hit = cache.get(keys[logical_id])
            if hit is None:
                todo[logical_id] = resource
                continue
            cached += 1
            findings.extend(
                {**found, "path": ["Resources", logical_id, *found["path"]], "message": found["message"].replace(LOGICAL_ID, logical_id)}
                for found in hit
            )
        if todo:
            lint_engine = load()
            document = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": todo}
            config = lint_engine["config"](regions=regions)
            batch = [
                {
                    "path": [p if isinstance(p, (str, int)) else str(p) for p in (getattr(match, "path", None) or [])],
                    "rule": match.rule.id,
                    "severity": str(getattr(match.rule, "severity", "") or ""),
                    "message": match.message,
                }
                for match in lint_engine["run"](document, config, lint_engine["rules"])
            ]
            findings.extend(batch)
            calls += 1
            per_resource: dict[str, list[dict[str, Any]]] = {logical_id: [] for logical_id in todo}
            attributable = True
            for found in batch:
                path = found["path"]
                if len(path) >= 2 and path[0] == "Resources" and path[1] in per_resource:
                    message = found["message"].replace(path[1], LOGICAL_ID)
                    per_resource[path[1]].append({**found, "path": path[2:], "message": message})
                else:
                    attributable = False
            if attributable:
                for logical_id, found_here in per_resource.items():
                    cache.put(keys[logical_id], found_here)
        lint_seconds += time.perf_counter() - began
        pending = {}

    while True:
        line = lines.get()
        if not line:
            return 0  # the parent went away without a plan
        message = json.loads(line)
        if "regions" in message:
            regions = list(message["regions"]) or ["us-east-1"]
        pending.update(message.get("resources") or {})
        if message.get("end"):
            lint()
            cache.save()
            _answer(
                {
                    "findings": findings,
                    "setupSeconds": round(setup, 3),
                    "lintSeconds": round(lint_seconds, 3),
                    "calls": calls,
                    "cached": cached,
                    "version": cfn_lint_version,
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

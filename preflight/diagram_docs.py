"""Regenerate the committed architecture diagrams: ``python -m preflight.diagram_docs [STACK ...]``.

Each stack (default: every ``Pulumi.<stack>.yaml``) runs offline and its diagram is written to
``docs/diagrams/<stack>.mmd`` and ``.svg``. Both carry the plan hash of what they draw; the tests
fail when a committed diagram's hash is not the one the current program gives.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from . import diagram
from .harness import PROJECT_DIR, run_stack

DIAGRAMS = PROJECT_DIR / "docs" / "diagrams"
COMMAND = "venv/bin/python -m preflight.diagram_docs"


def stacks() -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in PROJECT_DIR.glob("Pulumi.*.yaml"))


def main(argv: Sequence[str] | None = None) -> int:
    names = list(argv if argv is not None else sys.argv[1:]) or stacks()
    DIAGRAMS.mkdir(parents=True, exist_ok=True)
    for stack in names:
        drawing = diagram.build(run_stack(stack).to_json())
        (DIAGRAMS / f"{stack}.mmd").write_text(diagram.mermaid(drawing))
        (DIAGRAMS / f"{stack}.svg").write_text(diagram.svg(drawing))
        print(f"{stack}: docs/diagrams/{stack}.mmd and .svg (plan-hash {drawing.digest})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # As preflight's own entry point: skip the SDKs' slow teardown.
    import os

    os._exit(code)

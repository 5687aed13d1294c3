"""Run the real Pulumi program under Pulumi's own mock runtime and record what it registers.

One implementation serves ``python -m preflight`` and the test suite. The program,
the SDK classes and the stack's config are the real ones; only the engine and the
providers are replaced, by :class:`PlanMonitor` (the mock runtime's monitor, which
sees every registration request whole) and :class:`~preflight.mocks.PreflightMocks`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .records import SECRET_PLACEHOLDER, Resource

PROJECT_DIR = Path(__file__).resolve().parent.parent


class StackFileError(Exception):
    """A stack or project file is missing or is not what Pulumi expects."""


@dataclass
class Plan:
    """Everything one offline run of a stack registered and exported."""

    project: str
    stack: str
    resources: list[Resource]
    outputs: dict[str, Any]
    unavailable_secrets: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    """Sections later stages add to the JSON document (``violations``, ``cost``)."""

    def of_type(self, token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == token]

    def named(self, name: str) -> Resource:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]

    def by_urn(self, urn: str) -> Resource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def children(self, parent_urn: str) -> list[Resource]:
        return [r for r in self.resources if r.parent == parent_urn]

    def descendants(self, urn: str) -> Iterator[Resource]:
        for child in self.children(urn):
            yield child
            yield from self.descendants(child.urn)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "project": self.project,
            "stack": self.stack,
            "resources": [r.to_json() for r in self.resources],
            "outputs": self.outputs,
        }
        if self.unavailable_secrets:
            document["unavailableSecrets"] = self.unavailable_secrets
        document.update(self.extra)
        return document


# --- stack files ---------------------------------------------------------------------


def read_project(project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    path = project_dir / "Pulumi.yaml"
    if not path.exists():
        raise StackFileError(f"{path} not found: run preflight from a Pulumi project")
    project = yaml.safe_load(path.read_text())
    if not isinstance(project, dict) or "name" not in project:
        raise StackFileError(f"{path} has no project name")
    return project


def read_stack_config(stack: str, project_dir: Path = PROJECT_DIR) -> tuple[dict[str, Any], list[str]]:
    """The stack's config by full key, and the keys whose values are ``secure:`` (unavailable offline).

    Keys without a namespace get the project's, as the Pulumi CLI does.
    """
    project = read_project(project_dir)["name"]
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack file {path.name}; stacks here: {', '.join(stacks) or 'none'}")
    document = yaml.safe_load(path.read_text()) or {}
    raw = document.get("config") or {}
    if not isinstance(raw, dict):
        raise StackFileError(f"{path.name}: 'config' must be a mapping")
    config: dict[str, Any] = {}
    secrets: list[str] = []
    for key, value in raw.items():
        full_key = key if ":" in key else f"{project}:{key}"
        if _is_secure(value):
            secrets.append(full_key)
            continue
        config[full_key] = value
    return config, secrets


def _is_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return "secure" in value and len(value) == 1 or any(_is_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_is_secure(v) for v in value)
    return False


def engine_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the engine hands it to a program: strings, with structured values as JSON."""
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


# --- running ---------------------------------------------------------------------------


def referenced_stack_outputs(name: str, *, project: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """What a ``pulumi.StackReference`` to ``name`` (``<org>/<project>/<stack>``) reads: the outputs of that
    stack's own offline run (its stack file in this project), so the referenced values are the ones the
    other stack really exports. The run happens in a child process: the mock runtime is one per process."""
    parts = name.split("/")
    if len(parts) != 3 or parts[1] != project or not all(parts):
        raise StackFileError(f"a stack reference {name!r} must name <org>/{project}/<stack> (a stack of this project)")
    return dict(_stack_outputs(parts[2], str(project_dir)))


@lru_cache(maxsize=None)
def _stack_outputs(stack: str, project_dir: str) -> Mapping[str, Any]:
    script = (
        "import json, sys; from pathlib import Path; from preflight.harness import run_stack; "
        "print(json.dumps(run_stack(sys.argv[1], project_dir=Path(sys.argv[2])).outputs))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, stack, project_dir], cwd=project_dir, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise StackFileError(f"the referenced stack {stack!r} does not run offline:\n{done.stderr[-2000:]}")
    outputs: Mapping[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return outputs


def run_stack(
    stack: str,
    *,
    project_dir: Path = PROJECT_DIR,
    config: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Plan:
    """Run ``__main__.py`` for ``stack`` under the mock runtime and return its plan.

    ``config`` replaces the stack file's config; ``overrides`` replaces single keys of it
    (a value of ``None`` removes the key). Any exception the program raises propagates.
    """
    from .monitor import run_program

    project = read_project(project_dir)["name"]
    if config is None:
        stack_config, unavailable = read_stack_config(stack, project_dir)
    else:
        stack_config, unavailable = dict(config), []
    for key, value in (overrides or {}).items():
        if value is None:
            stack_config.pop(key, None)
        else:
            stack_config[key] = value
    region = stack_config.get("aws:region")
    resources, outputs = run_program(
        project_dir / "__main__.py",
        project=project,
        stack=stack,
        config=engine_config(stack_config),
        region=region if isinstance(region, str) else "us-east-1",
        stack_outputs=lambda name: referenced_stack_outputs(name, project=project, project_dir=project_dir),
    )
    return Plan(project=project, stack=stack, resources=resources, outputs=outputs, unavailable_secrets=unavailable)


"""The code's shape: one package per platform layer, imported through its face, dependencies one way.

Read from the source with ``ast`` (nothing is imported), so the rules hold for imports
inside functions too. A new layer adds its package name to ``LAYERS`` at the place its
dependencies allow.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Layers, each allowed to import only those listed before it (the platform base first).
# TorchServe (ml) is the prompt-generator row of the apps layer's HPA table, so ml follows apps.
LAYERS = ["platform", "network", "storage", "compliance", "eks", "data", "apps", "ml", "edge", "serverless", "observability", "dr", "cost"]
PACKAGES = ("components", "preflight", "policies")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    # The program: __main__.py and the compositions it runs.
    found = {name: ROOT / f"{name}.py" for name in ("__main__", "primary", "pilot_light", "composition")}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


SOURCES = _sources()


def _imports(module: str, path: Path) -> Iterator[tuple[str, str, int]]:
    """Every project module ``module`` imports: (the module loaded, the module named after
    ``from``, the line), relative imports resolved. ``from components.eks import node_pools``
    loads ``components.eks.node_pools`` through the face ``components.eks``."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in SOURCES:
                    yield alias.name, alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in SOURCES:
                    yield submodule, target, node.lineno
                elif target in SOURCES:
                    yield target, target, node.lineno


GRAPH = {module: sorted(set(_imports(module, path))) for module, path in SOURCES.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "components" and len(parts) > 1 and parts[1] in LAYERS else None


def test_every_components_package_is_a_known_layer() -> None:
    packages = {p.name for p in (ROOT / "components").iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS)


def test_no_import_cycles() -> None:
    # Tarjan's strongly connected components over the project's import graph.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _, _ in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert cycles == []


def test_layers_import_only_layers_below_them() -> None:
    wrong = []
    for module, imports in GRAPH.items():
        layer = _layer(module)
        if layer is None:
            continue
        allowed = set(LAYERS[: LAYERS.index(layer) + 1])
        for target, _, line in imports:
            if target == "components.settings" or target.startswith("preflight"):
                wrong.append(f"{module}:{line} imports {target}")
            target_layer = _layer(target)
            if target_layer is not None and target_layer not in allowed:
                wrong.append(f"{module}:{line} imports {target} (layer {target_layer!r} is above {layer!r})")
    assert wrong == []


def test_outside_a_layer_code_imports_its_face() -> None:
    wrong = []
    for module, imports in GRAPH.items():
        for target, source, line in imports:
            layer = _layer(target)
            if layer is None or _layer(module) == layer:
                continue
            if source != f"components.{layer}":
                wrong.append(f"{module}:{line} imports {source}; import from components.{layer}")
    assert wrong == []


@pytest.mark.parametrize("package", ["policies"])
def test_the_policy_pack_stands_alone(package: str) -> None:
    # Pulumi runs the pack from its own directory: it may not reach into the program.
    wrong = [
        f"{module}:{line} imports {target}"
        for module, imports in GRAPH.items()
        if module.startswith(package)
        for target, _, line in imports
        if not target.startswith(package)
    ]
    assert wrong == []


def test_tests_mirror_the_packages() -> None:
    mirrored = {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").exists()}
    assert set(LAYERS) | {"policies", "preflight"} <= mirrored

"""Loads a function's handler from its folder as Lambda does (a top-level ``handler`` module), so
tests run the very file that is packaged."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

FUNCTIONS = Path(__file__).resolve().parents[2] / "components" / "serverless" / "functions"
REGION = "us-east-1"


def load_handler(function: str) -> ModuleType:
    path = FUNCTIONS / function / "handler.py"
    spec = importlib.util.spec_from_file_location(f"lambda_{function}_handler", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up while the class is built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module

"""Kubernetes resource quantities (``250m``, ``1.5Gi``, ``256M``), parsed by the Kubernetes client's parser.

The parser is ``kubernetes.utils.quantity.parse_quantity`` from the pinned ``kubernetes`` package
(the official Python client), the same grammar the API server accepts: decimal and binary
suffixes, fractions and exponents. The package's ``__init__`` imports the whole API client (about a
second), which a settings read must not pay, so the module is loaded from its file in the
installed package by itself; it imports only the standard library.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from .config import ConfigError


@lru_cache(maxsize=1)
def _quantity_module() -> ModuleType:
    spec = importlib.util.find_spec("kubernetes")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the kubernetes package is not installed: pip install -r requirements.txt")
    path = Path(next(iter(spec.submodule_search_locations))) / "utils" / "quantity.py"
    module_spec = importlib.util.spec_from_file_location("kubernetes_utils_quantity", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def parse_quantity(key: str, value: Any, what: str) -> Decimal:
    """A non-negative, finite quantity, or a ConfigError naming ``what`` was expected."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(key, value, what)
    try:
        quantity = _quantity_module().parse_quantity(value)
    except (ValueError, ArithmeticError):
        raise ConfigError(key, value, what) from None
    if not quantity.is_finite() or quantity < 0:
        raise ConfigError(key, value, what)
    return Decimal(quantity)


def cpu_millicores(key: str, value: Any) -> int:
    """A CPU quantity (``250m``, ``0.5``, ``2``) in millicores."""
    cores = parse_quantity(key, value, "a Kubernetes CPU quantity such as 250m, 0.5 or 2")
    millicores = cores * 1000
    if millicores != millicores.to_integral_value():
        # Kubernetes takes CPU to a precision of 1m (0.001 CPU) and no finer.
        raise ConfigError(key, value, "a Kubernetes CPU quantity in whole millicores (1m = 0.001 CPU)")
    return int(millicores)


def memory_bytes(key: str, value: Any) -> int:
    """A memory or storage quantity (``512Mi``, ``1.5Gi``, ``256M``) in bytes, rounded up as Kubernetes does."""
    size = parse_quantity(key, value, "a Kubernetes memory quantity such as 512Mi, 1.5Gi or 256M")
    return int(size.to_integral_value(rounding="ROUND_CEILING"))

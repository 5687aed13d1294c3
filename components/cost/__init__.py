"""Cost controls (seed "Cost Optimization Strategies"): budgets, anomaly detection,
cost-allocation tags and the off-hours shutdown (``CostControls``), the schedule plan, and
the ``cost`` config section (which also carries the estimate's usage assumptions).

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .controls import CostControls, CostControlsArgs, NodeGroupTarget
from .settings import CostSettings, ShutdownSettings

__all__ = [
    "CostControls",
    "CostControlsArgs",
    "CostSettings",
    "NodeGroupTarget",
    "ShutdownSettings",
]

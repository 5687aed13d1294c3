"""Cost controls (seed "Cost Optimization Strategies"): budgets, anomaly detection,
cost-allocation tags, the off-hours shutdown and business hours' node-group floors (``CostControls``),
business hours' SageMaker and HPA floors (``BusinessHours``), the one weekly schedule model
(``hours_plan``), and the ``cost`` config section (which also carries the estimate's usage assumptions).

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .business_hours import BusinessHours, BusinessHoursArgs, ScaledHpa, ScaledVariant
from .controls import CostControls, CostControlsArgs, NodeGroupTarget
from .hours_k8s import kubectl_image
from .hours_plan import node_group_action, peak_fraction, target_events
from .hours_settings import BusinessHoursSettings, Floors
from .settings import CostSettings, ShutdownSettings

__all__ = [
    "BusinessHours",
    "BusinessHoursArgs",
    "BusinessHoursSettings",
    "CostControls",
    "CostControlsArgs",
    "CostSettings",
    "Floors",
    "NodeGroupTarget",
    "ScaledHpa",
    "ScaledVariant",
    "ShutdownSettings",
    "kubectl_image",
    "node_group_action",
    "peak_fraction",
    "target_events",
]

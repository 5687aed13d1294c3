"""The application layer in the cluster: the seed's services with their HPAs
(``Workloads``), the metrics pipeline the HPAs scale on (``MetricsPipeline``), the seed's HPA
table, and the ``workloads`` config section (which also holds TorchServe's settings).

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .metrics import MetricsPipeline, MetricsPipelineArgs
from .settings import MetricsSettings, ServiceSettings, TorchServeSettings, WorkloadsSettings
from .workloads import Workloads, WorkloadsArgs
from .workloads_plan import gpu_metrics, hpa_spec

__all__ = [
    "MetricsPipeline",
    "MetricsPipelineArgs",
    "MetricsSettings",
    "ServiceSettings",
    "TorchServeSettings",
    "Workloads",
    "WorkloadsArgs",
    "WorkloadsSettings",
    "gpu_metrics",
    "hpa_spec",
]

"""Observability of the platform's own workloads (seed "8. Monitoring & Observability", "Success
Metrics"): the KPI dashboard (``KpiDashboard``) with its pure body (``dashboard_plan``), the
OpenTelemetry collector exporting traces to X-Ray (``TraceCollector``, ``tracing_plan``), Fluent Bit
shipping container logs to CloudWatch Logs and through Firehose to the logs bucket (``LogShipping``,
``logs_plan``), the Amazon Managed Service for Prometheus workspace the in-cluster Prometheus remote-writes
to (``ManagedPrometheus``, ``prometheus_plan``), the Amazon Managed Grafana workspace (``GrafanaWorkspace``,
``grafana_plan``) and the ``observability`` config section.

The account-level audit and threat-detection services are the ``compliance`` layer; the in-cluster
Prometheus the HPAs scale on is the apps layer's ``MetricsPipeline``.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .dashboard import KpiDashboard, KpiDashboardArgs
from .dashboard_plan import METRICS, KpiSources, dashboard_body, dashboard_name
from .grafana import GrafanaWorkspace, GrafanaWorkspaceArgs
from .grafana_plan import workspace_name as grafana_workspace_name
from .grafana_sources import GrafanaDataSources, GrafanaDataSourcesArgs
from .logs import LogShipping, LogShippingArgs
from .prometheus import ManagedPrometheus, ManagedPrometheusArgs
from .logs_plan import FLUENT_BIT
from .settings import (
    DashboardSettings,
    GrafanaDataSourceSettings,
    GrafanaSettings,
    KpiTargets,
    LogsSettings,
    ManagedPrometheusSettings,
    ObservabilitySettings,
    SamlSettings,
    TracingSettings,
)
from .tracing import TraceCollector, TraceCollectorArgs
from .tracing_plan import OTEL_COLLECTOR, collector_endpoint, workload_env

__all__ = [
    "DashboardSettings",
    "KpiDashboard",
    "KpiDashboardArgs",
    "KpiSources",
    "KpiTargets",
    "FLUENT_BIT",
    "GrafanaDataSourceSettings",
    "GrafanaDataSources",
    "GrafanaDataSourcesArgs",
    "GrafanaSettings",
    "GrafanaWorkspace",
    "GrafanaWorkspaceArgs",
    "LogShipping",
    "LogShippingArgs",
    "LogsSettings",
    "METRICS",
    "ManagedPrometheus",
    "ManagedPrometheusArgs",
    "ManagedPrometheusSettings",
    "OTEL_COLLECTOR",
    "SamlSettings",
    "ObservabilitySettings",
    "TraceCollector",
    "TraceCollectorArgs",
    "TracingSettings",
    "collector_endpoint",
    "dashboard_body",
    "dashboard_name",
    "grafana_workspace_name",
    "workload_env",
]

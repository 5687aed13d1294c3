"""``betterprompts:observability``: telemetry of the platform's own workloads (seed "8. Monitoring &
Observability" and "Success Metrics").

``dashboard``: the KPI dashboard, one per stack, on by default. Its targets are the seed's; the API
and inference latency lines are the edge and inference alarms' thresholds (one number per KPI,
where the alarm already has it), the rest live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..apps import namespace_setting
from ..platform import ConfigError, Section, check_log_retention


@dataclass(frozen=True)
class KpiTargets:
    """The seed's "Success Metrics" that no alarm elsewhere already holds."""

    availability_percent: float = 99.9
    """Availability: share of requests the load balancer answered without a 5XX."""
    scale_up_seconds: int = 120
    """Auto-scaling response: how long pods may stay unschedulable before a node takes them (whole minutes:
    the dashboard reads EKS's one-minute scheduler metric over a window this long)."""
    cost_per_request_usd: float = 0.001
    utilization_percent: float = 70.0
    """Infrastructure efficiency: average CPU of the node groups."""
    spot_success_percent: float = 95.0
    """Spot launches of the spot node groups not followed by an interruption."""


@dataclass(frozen=True)
class DashboardSettings:
    enabled: bool = True
    kpis: KpiTargets = KpiTargets()


@dataclass(frozen=True)
class TracingSettings:
    enabled: bool = True
    namespace: str = "telemetry"
    """Namespace of the OpenTelemetry collector (restricted Pod Security Standard)."""
    replicas: int = 2
    sampling_ratio: float = 0.05
    """Share of root traces the services' SDKs record (``parentbased_traceidratio``); X-Ray bills per trace."""


@dataclass(frozen=True)
class LogsSettings:
    enabled: bool = True
    namespace: str = "logging"
    """Namespace of Fluent Bit (privileged Pod Security Standard: it mounts the nodes' /var/log)."""
    retention_days: int = 30
    """Retention of the container log group (and of Firehose's delivery-error log group)."""
    firehose_buffer_mb: int = 64
    """Firehose writes an object when this many MB are buffered (1-128) ..."""
    firehose_buffer_seconds: int = 300
    """... or when the oldest record is this old (0-900), whichever comes first."""


@dataclass(frozen=True)
class ObservabilitySettings:
    dashboard: DashboardSettings = DashboardSettings()
    tracing: TracingSettings = TracingSettings()
    logs: LogsSettings = LogsSettings()

    @staticmethod
    def read(section: Section) -> "ObservabilitySettings":
        dashboard = _read_dashboard(section.child("dashboard", {}))
        tracing = _read_tracing(section.child("tracing", {}))
        logs = _read_logs(section.child("logs", {}))
        section.finish()
        if tracing.enabled and logs.enabled and tracing.namespace == logs.namespace:
            # The collector's namespace enforces the restricted standard, Fluent Bit's the privileged one.
            raise ConfigError(
                section.key("logs.namespace"),
                logs.namespace,
                f"a namespace other than {section.key('tracing.namespace')} ({tracing.namespace}): Fluent Bit mounts the "
                "nodes' /var/log (privileged), the collector's namespace enforces the restricted standard",
            )
        return ObservabilitySettings(dashboard=dashboard, tracing=tracing, logs=logs)


def _read_dashboard(section: Section) -> DashboardSettings:
    defaults = KpiTargets()
    enabled = section.boolean("enabled", True)
    kpis = section.child("kpis", {})
    targets = KpiTargets(
        availability_percent=kpis.number("availabilityPercent", defaults.availability_percent, minimum=50, maximum=100),
        scale_up_seconds=_minutes(kpis, "scaleUpSeconds", defaults.scale_up_seconds),
        cost_per_request_usd=kpis.number("costPerRequestUsd", defaults.cost_per_request_usd, minimum=1e-9, maximum=10),
        utilization_percent=kpis.number("utilizationPercent", defaults.utilization_percent, minimum=1, maximum=100),
        spot_success_percent=kpis.number("spotSuccessPercent", defaults.spot_success_percent, minimum=1, maximum=100),
    )
    kpis.finish()
    section.finish()
    return DashboardSettings(enabled=enabled, kpis=targets)


def _read_tracing(section: Section) -> TracingSettings:
    defaults = TracingSettings()
    settings = TracingSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        namespace=namespace_setting(section, "namespace", defaults.namespace),
        replicas=section.integer("replicas", defaults.replicas, minimum=1, maximum=10),
        sampling_ratio=section.number("samplingRatio", defaults.sampling_ratio, minimum=0, maximum=1),
    )
    section.finish()
    return settings


def _read_logs(section: Section) -> LogsSettings:
    defaults = LogsSettings()
    settings = LogsSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        namespace=namespace_setting(section, "namespace", defaults.namespace),
        retention_days=check_log_retention(section.key("retentionDays"), section.integer("retentionDays", defaults.retention_days)),
        firehose_buffer_mb=section.integer("firehoseBufferMb", defaults.firehose_buffer_mb, minimum=1, maximum=128),
        firehose_buffer_seconds=section.integer("firehoseBufferSeconds", defaults.firehose_buffer_seconds, minimum=0, maximum=900),
    )
    section.finish()
    return settings


def _minutes(section: Section, name: str, default: int) -> int:
    value = section.integer(name, default, minimum=60, maximum=3600)
    if value % 60:
        raise ConfigError(section.key(name), value, "a multiple of 60 (EKS publishes its scheduler metrics once a minute)")
    return value

"""``betterprompts:observability``: telemetry of the platform's own workloads (seed "8. Monitoring &
Observability" and "Success Metrics").

``dashboard``: the KPI dashboard, one per stack, on by default. Its targets are the seed's; the API
and inference latency lines are the edge and inference alarms' thresholds (one number per KPI,
where the alarm already has it), the rest live here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..apps import namespace_setting
from ..platform import ConfigError, Section, check_log_retention
from .grafana_plan import AUTHENTICATION_PROVIDERS, GRAFANA_VERSIONS, SAML, SSO


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
class ManagedPrometheusSettings:
    """Amazon Managed Service for Prometheus: the workspace the in-cluster Prometheus remote-writes to
    and Grafana queries (docs/observability.md, "Managed Prometheus")."""

    enabled: bool = False
    """Off by default: ingestion and storage bill per sample, and only Grafana reads the workspace."""
    log_retention_days: int = 30
    """Retention of the workspace's vended log group (rule and ingestion errors)."""
    additional_series: tuple[str, ...] = ()
    """Metric names (or regular expressions of names) Prometheus writes besides the platform's own list
    (``components/apps/metrics_plan.REMOTE_WRITE_SERIES``): every series written bills per sample."""


@dataclass(frozen=True)
class SamlSettings:
    """The identity provider of a SAML workspace (``authenticationProviders`` includes SAML)."""

    idp_metadata_url: str
    editor_role_values: tuple[str, ...]
    """Values of the role assertion that make a user an editor (at least one: AMG requires it)."""
    admin_role_values: tuple[str, ...] = ()
    role_assertion: str = "role"
    login_assertion: str = "mail"
    login_validity_minutes: int = 60


@dataclass(frozen=True)
class GrafanaSettings:
    """The Amazon Managed Grafana workspace (docs/observability.md, "Grafana")."""

    enabled: bool = False
    authentication_providers: tuple[str, ...] = (SSO,)
    grafana_version: str = "10.4"
    saml: SamlSettings | None = None
    admin_group_ids: tuple[str, ...] = ()
    """IAM Identity Center groups given the ADMIN role (AWS_SSO); without any, an Identity Center administrator assigns users."""
    editor_group_ids: tuple[str, ...] = ()
    viewer_group_ids: tuple[str, ...] = ()
    allowed_prefix_list_ids: tuple[str, ...] = ()
    """Network access control: only these managed prefix lists (and VPC endpoints) reach the workspace; none: any network."""
    allowed_vpc_endpoint_ids: tuple[str, ...] = ()
    data_sources: "GrafanaDataSourceSettings | None" = None
    """The workspace's data sources provisioned as code (the Grafana provider); None: an admin adds them."""


@dataclass(frozen=True)
class GrafanaDataSourceSettings:
    """``grafana.dataSources``: the stack's service account token for the Grafana provider (docs/observability.md)."""

    token_rotation: str
    """Part of the token's name: a new value replaces the token (and so renews it) on the next ``pulumi up``."""
    token_lifetime_days: int = 30
    """How long a token lives (AMG's maximum is 30 days): rotate before it runs out."""


@dataclass(frozen=True)
class ObservabilitySettings:
    dashboard: DashboardSettings = DashboardSettings()
    tracing: TracingSettings = TracingSettings()
    logs: LogsSettings = LogsSettings()
    grafana: GrafanaSettings = field(default_factory=GrafanaSettings)
    managed_prometheus: ManagedPrometheusSettings = ManagedPrometheusSettings()

    @staticmethod
    def read(section: Section) -> "ObservabilitySettings":
        dashboard = _read_dashboard(section.child("dashboard", {}))
        tracing = _read_tracing(section.child("tracing", {}))
        logs = _read_logs(section.child("logs", {}))
        grafana = _read_grafana(section.child("grafana", {}))
        managed_prometheus = _read_managed_prometheus(section.child("managedPrometheus", {}))
        section.finish()
        if tracing.enabled and logs.enabled and tracing.namespace == logs.namespace:
            # The collector's namespace enforces the restricted standard, Fluent Bit's the privileged one.
            raise ConfigError(
                section.key("logs.namespace"),
                logs.namespace,
                f"a namespace other than {section.key('tracing.namespace')} ({tracing.namespace}): Fluent Bit mounts the "
                "nodes' /var/log (privileged), the collector's namespace enforces the restricted standard",
            )
        return ObservabilitySettings(dashboard=dashboard, tracing=tracing, logs=logs, grafana=grafana, managed_prometheus=managed_prometheus)


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


# Metric names are [a-zA-Z_:][a-zA-Z0-9_:]*; a relabel regex of names adds RE2's operators (no spaces, quotes or braces of YAML flow).
_SERIES = re.compile(r"^[A-Za-z0-9_:.*+?()\[\]|\\-]+$")


def _series(key: str, value: object) -> str:
    """A metric name or a regular expression of names (what the remote write's keep rule matches, anchored)."""
    what = "a metric name or a regular expression of metric names (letters, digits, '_', ':' and . * + ? ( ) [ ] | \\ -)"
    if not isinstance(value, str) or not _SERIES.match(value):
        raise ConfigError(key, value, what)
    try:
        re.compile(value)
    except re.error as error:
        raise ConfigError(key, value, f"{what} that compiles ({error})") from None
    return value


def _read_managed_prometheus(section: Section) -> ManagedPrometheusSettings:
    defaults = ManagedPrometheusSettings()
    settings = ManagedPrometheusSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        log_retention_days=check_log_retention(
            section.key("logRetentionDays"), section.integer("logRetentionDays", defaults.log_retention_days)
        ),
        additional_series=tuple(section.strings("additionalSeries", [], item=_series)),
    )
    if len(set(settings.additional_series)) != len(settings.additional_series):
        raise ConfigError(section.key("additionalSeries"), list(settings.additional_series), "each once")
    section.finish()
    return settings


def _minutes(section: Section, name: str, default: int) -> int:
    value = section.integer(name, default, minimum=60, maximum=3600)
    if value % 60:
        raise ConfigError(section.key(name), value, "a multiple of 60 (EKS publishes its scheduler metrics once a minute)")
    return value


_IDENTITY_STORE_ID = re.compile(r"^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$")
_PREFIX_LIST = re.compile(r"^pl-[0-9a-f]{8,17}$")
_VPC_ENDPOINT = re.compile(r"^vpce-[0-9a-f]{8,17}$")


def _ids(section: Section, name: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
    def check(key: str, value: object) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            raise ConfigError(key, value, what)
        return value

    values = section.strings(name, [], item=check)
    if len(set(values)) != len(values):
        raise ConfigError(section.key(name), list(values), "each once")
    return tuple(values)


_ROTATION = re.compile(r"^[A-Za-z0-9-]{1,20}$")
# AMG's CreateWorkspaceServiceAccountToken: secondsToLive at most 2,592,000 (30 days).
MAX_TOKEN_DAYS = 30


def _read_grafana_data_sources(section: Section) -> GrafanaDataSourceSettings | None:
    if not section.boolean("enabled", False):
        section.finish()
        return None
    rotation = section.string("tokenRotation", example="2026-11")
    if not _ROTATION.match(rotation):
        raise ConfigError(section.key("tokenRotation"), rotation, "1-20 letters, digits or '-' (a label such as the month, 2026-11)")
    days = section.integer("tokenLifetimeDays", MAX_TOKEN_DAYS, minimum=1, maximum=MAX_TOKEN_DAYS)
    section.finish()
    return GrafanaDataSourceSettings(token_rotation=rotation, token_lifetime_days=days)


def _read_grafana(section: Section) -> GrafanaSettings:
    defaults = GrafanaSettings()
    enabled = section.boolean("enabled", defaults.enabled)

    def provider(key: str, value: object) -> str:
        if value not in AUTHENTICATION_PROVIDERS:
            raise ConfigError(key, value, "one of " + ", ".join(AUTHENTICATION_PROVIDERS))
        return str(value)

    providers = section.strings("authenticationProviders", list(defaults.authentication_providers), item=provider)
    if not providers or len(set(providers)) != len(providers):
        raise ConfigError(section.key("authenticationProviders"), list(providers), "AWS_SSO, SAML or both, each once")
    version = section.string("grafanaVersion", defaults.grafana_version, choices=GRAFANA_VERSIONS)
    sso = section.child("sso", {})
    group = "an IAM Identity Center group ID (<identity store>-<uuid> or a UUID)"
    admins = _ids(sso, "adminGroupIds", _IDENTITY_STORE_ID, group)
    editors = _ids(sso, "editorGroupIds", _IDENTITY_STORE_ID, group)
    viewers = _ids(sso, "viewerGroupIds", _IDENTITY_STORE_ID, group)
    sso.finish()
    if (admins or editors or viewers) and SSO not in providers:
        raise ConfigError(section.key("sso"), {"adminGroupIds": list(admins)}, f"only with {SSO} in authenticationProviders")
    saml_section = section.child("saml", {})
    saml = None
    if saml_section.names():
        if SAML not in providers:
            raise ConfigError(section.key("saml"), saml_section.names(), f"only with {SAML} in authenticationProviders")
        url = saml_section.string("idpMetadataUrl")
        if not url.startswith("https://"):
            raise ConfigError(saml_section.key("idpMetadataUrl"), url, "the identity provider's metadata URL (https://...)")
        editor_values = tuple(saml_section.strings("editorRoleValues"))
        if not editor_values:
            raise ConfigError(saml_section.key("editorRoleValues"), [], "at least one role value (AMG requires editors)")
        saml = SamlSettings(
            idp_metadata_url=url,
            editor_role_values=editor_values,
            admin_role_values=tuple(saml_section.strings("adminRoleValues", [])),
            role_assertion=saml_section.string("roleAssertion", "role"),
            login_assertion=saml_section.string("loginAssertion", "mail"),
            login_validity_minutes=saml_section.integer("loginValidityMinutes", 60, minimum=1, maximum=525600),
        )
    saml_section.finish()
    if SAML in providers and saml is None:
        raise ConfigError(section.key("saml.idpMetadataUrl"), None, f"the identity provider's metadata URL ({SAML} in authenticationProviders)")
    data_sources = _read_grafana_data_sources(section.child("dataSources", {}))
    settings = GrafanaSettings(
        enabled=enabled,
        data_sources=data_sources,
        authentication_providers=tuple(providers),
        grafana_version=version,
        saml=saml,
        admin_group_ids=admins,
        editor_group_ids=editors,
        viewer_group_ids=viewers,
        allowed_prefix_list_ids=_ids(section, "allowedPrefixListIds", _PREFIX_LIST, "a managed prefix list ID (pl-...)"),
        allowed_vpc_endpoint_ids=_ids(section, "allowedVpcEndpointIds", _VPC_ENDPOINT, "an interface VPC endpoint ID (vpce-...)"),
    )
    section.finish()
    return settings

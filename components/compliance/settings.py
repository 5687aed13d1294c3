"""``betterprompts:compliance``: the account-level audit, threat-detection and compliance services.

CloudTrail's trail, GuardDuty's detector, Security Hub and AWS Config's recorder each watch a whole
account and region; GuardDuty, Security Hub and the Config recorder exist at most once there. So each
is a toggle: on by default (the secure posture), off in a stack whose account already has one
(docs/compliance.md says how to tell and what to do).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..platform import ConfigError, Section, check_log_retention
from .findings_plan import DEFAULT_GUARDDUTY_FEATURES, GUARDDUTY_FEATURES, SEVERITY_BANDS, STANDARDS


@dataclass(frozen=True)
class TrailSettings:
    enabled: bool = True
    s3_data_events: bool = True
    """Record object-level reads and writes of the platform's buckets (models, assets, backups)."""
    log_retention_days: int = 365
    """Retention of the trail's CloudWatch log group (the bucket keeps the files by its lifecycle)."""


@dataclass(frozen=True)
class GuardDutySettings:
    enabled: bool = True
    features: tuple[str, ...] = DEFAULT_GUARDDUTY_FEATURES
    alarm_severity: str = "high"
    """Findings from this band up reach the alarm topic: ``low``, ``medium``, ``high``, ``critical``."""

    @property
    def minimum_severity(self) -> float:
        return SEVERITY_BANDS[self.alarm_severity]


@dataclass(frozen=True)
class SecurityHubSettings:
    enabled: bool = True
    standards: tuple[str, ...] = tuple(STANDARDS)


@dataclass(frozen=True)
class ConfigRecorderSettings:
    enabled: bool = True
    min_log_retention_days: int = 30
    """The Config rule on log-group retention flags groups kept shorter than this."""


@dataclass(frozen=True)
class ComplianceSettings:
    cloud_trail: TrailSettings = TrailSettings()
    guard_duty: GuardDutySettings = GuardDutySettings()
    security_hub: SecurityHubSettings = SecurityHubSettings()
    config: ConfigRecorderSettings = ConfigRecorderSettings()

    @property
    def any_enabled(self) -> bool:
        return self.cloud_trail.enabled or self.guard_duty.enabled or self.security_hub.enabled or self.config.enabled

    @staticmethod
    def read(section: Section) -> "ComplianceSettings":
        trail = _read_trail(section.child("cloudTrail", {}))
        guard_duty = _read_guard_duty(section.child("guardDuty", {}))
        hub = _read_security_hub(section.child("securityHub", {}))
        config = _read_config(section.child("config", {}))
        section.finish()
        if hub.enabled and not config.enabled:
            # Security Hub's controls are AWS Config rules: without a recorder they never evaluate.
            raise ConfigError(
                section.key("securityHub.enabled"),
                True,
                f"false while {section.key('config.enabled')} is false (Security Hub's controls need an AWS Config "
                "recorder in the account: enable config here, or disable securityHub if another stack or "
                "the organization records this account)",
            )
        return ComplianceSettings(cloud_trail=trail, guard_duty=guard_duty, security_hub=hub, config=config)


def _read_trail(section: Section) -> TrailSettings:
    defaults = TrailSettings()
    settings = TrailSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        s3_data_events=section.boolean("s3DataEvents", defaults.s3_data_events),
        log_retention_days=check_log_retention(
            section.key("logRetentionDays"), section.integer("logRetentionDays", defaults.log_retention_days)
        ),
    )
    section.finish()
    return settings


def _distinct_choices(section: Section, name: str, default: tuple[str, ...], choices: tuple[str, ...], *, what: str) -> tuple[str, ...]:
    """A list of names from ``choices``, each at most once."""

    def item(key: str, value: object) -> str:
        if value not in choices:
            raise ConfigError(key, value, "one of " + ", ".join(choices))
        return str(value)

    values = section.strings(name, list(default), min_items=1, item=item)
    if len(set(values)) != len(values):
        raise ConfigError(section.key(name), list(values), f"each {what} once")
    return values


def _read_guard_duty(section: Section) -> GuardDutySettings:
    defaults = GuardDutySettings()
    settings = GuardDutySettings(
        enabled=section.boolean("enabled", defaults.enabled),
        features=_distinct_choices(section, "features", defaults.features, GUARDDUTY_FEATURES, what="feature"),
        alarm_severity=section.string("alarmSeverity", defaults.alarm_severity, choices=SEVERITY_BANDS),
    )
    section.finish()
    return settings


def _read_security_hub(section: Section) -> SecurityHubSettings:
    defaults = SecurityHubSettings()
    settings = SecurityHubSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        standards=_distinct_choices(section, "standards", defaults.standards, tuple(STANDARDS), what="standard"),
    )
    section.finish()
    return settings


def _read_config(section: Section) -> ConfigRecorderSettings:
    defaults = ConfigRecorderSettings()
    settings = ConfigRecorderSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        min_log_retention_days=check_log_retention(
            section.key("minLogRetentionDays"), section.integer("minLogRetentionDays", defaults.min_log_retention_days)
        ),
    )
    section.finish()
    return settings

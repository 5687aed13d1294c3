"""``betterprompts:cost``: the budget, anomaly alerts, shutdown schedule and the estimate's usage assumptions."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, fields

from policies.cost_model import USAGE_KEYS, Assumptions, Usage

from ..platform import ConfigError, Section, check_email
from .hours_settings import BusinessHoursSettings, read_business_hours
from .plan import CronError, WeeklyCron, parse_cron, running_fraction

DEFAULT_STOP = "cron(0 20 ? * MON-FRI *)"
DEFAULT_START = "cron(0 8 ? * MON-FRI *)"


@dataclass(frozen=True)
class ShutdownSettings:
    """Nights-and-weekends shutdown of node groups and databases (the seed's "Automated Shutdown")."""

    enabled: bool = False
    timezone: str = "UTC"
    """IANA time zone the cron expressions are read in (``America/New_York``)."""
    stop: WeeklyCron = parse_cron(DEFAULT_STOP)
    """When node groups scale to zero and databases stop."""
    start: WeeklyCron = parse_cron(DEFAULT_START)
    """When they come back."""

    @property
    def crons(self) -> tuple[WeeklyCron, WeeklyCron] | None:
        """(start, stop) for the weekly schedule model, or None when the shutdown is off."""
        return (self.start, self.stop) if self.enabled else None

    @property
    def running_fraction(self) -> float:
        return running_fraction(self.start, self.stop) if self.enabled else 1.0


@dataclass(frozen=True)
class CostSettings:
    budget_monthly_usd: float
    """The AWS Budget's monthly limit for the stack's tagged spend."""
    budget_alert_emails: tuple[str, ...] = ()
    """Addresses the budget mails directly, besides the alarm topic."""
    anomaly_threshold_usd: float = 100.0
    """Total impact (USD) from which a cost anomaly is reported."""
    activate_cost_allocation_tags: bool = True
    """Activate the required tag keys as cost allocation tags (account-wide: one stack per account)."""
    shutdown: ShutdownSettings = ShutdownSettings()
    business_hours: BusinessHoursSettings = BusinessHoursSettings()
    """Windows that raise capacity floors; one weekly model with ``shutdown`` (which wins)."""
    assumptions: Assumptions = Assumptions()
    """Spot discount, commitments and usage for the estimate; ``running_fraction`` follows ``shutdown``."""

    @staticmethod
    def read(section: Section) -> "CostSettings":
        budget = section.number("budgetMonthlyUsd", minimum=1)
        emails = section.strings("budgetAlertEmails", [], item=check_email)
        threshold = section.number("anomalyThresholdUsd", 100.0, minimum=1)
        activate = section.boolean("activateCostAllocationTags", True)
        spot = section.number("spotDiscount", Assumptions.spot_discount, minimum=0, maximum=0.9)
        commitments = section.child("commitments", {})
        savings_plan = commitments.number("computeSavingsPlan", Assumptions.compute_savings_plan, minimum=0, maximum=0.8)
        reserved = commitments.number("reservedDatabase", Assumptions.reserved_database, minimum=0, maximum=0.8)
        commitments.finish()
        usage = _read_usage(section.child("usage", {}))
        shutdown = _read_shutdown(section.child("shutdown", {}))
        business_hours = read_business_hours(
            section.child("businessHours", {}), shutdown_enabled=shutdown.enabled, shutdown_timezone=shutdown.timezone
        )
        section.finish()
        return CostSettings(
            budget_monthly_usd=budget,
            budget_alert_emails=emails,
            anomaly_threshold_usd=threshold,
            activate_cost_allocation_tags=activate,
            shutdown=shutdown,
            business_hours=business_hours,
            assumptions=Assumptions(
                spot_discount=spot,
                compute_savings_plan=savings_plan,
                reserved_database=reserved,
                running_fraction=shutdown.running_fraction,
                usage=usage,
            ),
        )


def _read_usage(section: Section) -> Usage:
    defaults = Usage()
    types = {f.name: f.type for f in fields(Usage)}
    values: dict[str, float | int] = {}
    for key, attr in USAGE_KEYS.items():
        default = getattr(defaults, attr)
        if types[attr] in (int, "int"):
            values[attr] = section.integer(key, default, minimum=0)
        elif attr.endswith("_fraction"):
            values[attr] = section.number(key, default, minimum=0, maximum=1)
        else:
            values[attr] = section.number(key, default, minimum=0)
    section.finish()
    return Usage(**values)  # type: ignore[arg-type]


def _read_shutdown(section: Section) -> ShutdownSettings:
    enabled = section.boolean("enabled", False)
    timezone = section.string("timezone", "UTC")
    try:
        # One zone file read, not a scan of the whole database (available_timezones() costs most of a second).
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(section.key("timezone"), timezone, "an IANA time zone such as America/New_York or UTC") from None
    crons: dict[str, WeeklyCron] = {}
    for key, default in (("stopSchedule", DEFAULT_STOP), ("startSchedule", DEFAULT_START)):
        text = section.string(key, default)
        try:
            crons[key] = parse_cron(text)
        except CronError as exc:
            raise ConfigError(section.key(key), text, str(exc)) from None
    section.finish()
    settings = ShutdownSettings(enabled=enabled, timezone=timezone, stop=crons["stopSchedule"], start=crons["startSchedule"])
    try:
        running_fraction(settings.start, settings.stop)  # a start and stop at the same moment is an error
    except CronError as exc:
        raise ConfigError(section.key("startSchedule"), settings.start.expression, str(exc)) from None
    return settings

"""``betterprompts:serverless.api``: the REST API in front of the webhook function: its stage,
throttle, execution logging, access-log retention, custom domain and the account's API Gateway
logging role, checked against API Gateway's limits before anything is created."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..platform import ConfigError, Section, check_log_retention
from .api_plan import INTEGRATION_TIMEOUT_MS, LOGGING_LEVELS, ApiAlarmSettings, burst_problem, check_stage_name, rate_problem

_DOMAIN_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"


@dataclass(frozen=True)
class ApiSettings:
    stage_name: str
    rate_limit: float
    """Steady requests a second the stage accepts (every method); above it API Gateway answers 429."""
    burst_limit: int
    """Requests the stage accepts at once above the steady rate (the token bucket's size)."""
    logging_level: str
    """Execution logging (ERROR or INFO; FSBP APIGateway.1)."""
    detailed_metrics: bool
    """Per-method CloudWatch metrics (billed as custom metrics); the stage's own metrics are always on."""
    log_retention_days: int
    """Access and execution logs."""
    create_account_logging_role: bool
    """Set the account's (per Region) API Gateway CloudWatch role; one stack per account and Region."""
    domain_name: Optional[str] = None
    """A name in the edge zone for the API (REGIONAL custom domain, TLS 1.2+); None: the execute-api URL."""
    alarms: ApiAlarmSettings = ApiAlarmSettings()


def read_api(section: Section, *, zone_name: str | None, zone_key: str, taken: dict[str, str]) -> ApiSettings:
    """``taken``: names the edge layer already serves (name -> its key), which the API may not reuse."""
    stage = section.string("stageName", "v1")
    try:
        check_stage_name(stage)
    except ValueError as error:
        raise ConfigError(section.key("stageName"), stage, str(error)) from None
    throttle = section.child("throttle")
    rate = throttle.number("rateLimit", minimum=1)
    problem = rate_problem(rate)
    if problem:
        raise ConfigError(throttle.key("rateLimit"), rate, problem)
    burst = throttle.integer("burstLimit", minimum=1)
    problem = burst_problem(burst)
    if problem:
        raise ConfigError(throttle.key("burstLimit"), burst, problem)
    throttle.finish()
    domain: Optional[str] = None
    if section.has("domainName"):
        domain = section.string("domainName").lower().rstrip(".")
        labels = domain.split(".")
        if len(domain) > 253 or not all(re.fullmatch(_DOMAIN_LABEL, label) for label in labels):
            raise ConfigError(section.key("domainName"), domain, "a DNS name (labels of a-z, 0-9 and -)")
        if zone_name is None:
            raise ConfigError(section.key("domainName"), domain, f"no custom domain without {zone_key.rsplit('.', 1)[0]} (the edge layer's zone)")
        if not domain.endswith(f".{zone_name}"):
            raise ConfigError(section.key("domainName"), domain, f"a name inside the zone {zone_name} of {zone_key} (….{zone_name})")
        if domain in taken:
            raise ConfigError(section.key("domainName"), domain, f"a name of its own ({taken[domain]} already uses it)")
    alarms = section.child("alarms", {})
    period = alarms.integer("periodSeconds", 300, minimum=60, maximum=86_400)
    if period % 60:
        raise ConfigError(alarms.key("periodSeconds"), period, "a multiple of 60")
    alarm_settings = ApiAlarmSettings(
        server_errors=alarms.integer("serverErrors", 5, minimum=0),
        # Beyond the integration timeout the request has already failed with a 504 (the 5XX alarm's).
        latency_p95_ms=alarms.integer("latencyP95Ms", 2_000, minimum=1, maximum=INTEGRATION_TIMEOUT_MS),
        period_seconds=period,
        evaluation_periods=alarms.integer("evaluationPeriods", 1, minimum=1, maximum=100),
    )
    alarms.finish()
    settings = ApiSettings(
        stage_name=stage,
        rate_limit=rate,
        burst_limit=burst,
        logging_level=section.string("loggingLevel", "ERROR", choices=LOGGING_LEVELS),
        detailed_metrics=section.boolean("detailedMetrics", False),
        log_retention_days=check_log_retention(section.key("logRetentionDays"), section.integer("logRetentionDays", 365)),
        create_account_logging_role=section.boolean("createAccountLoggingRole", True),
        domain_name=domain,
        alarms=alarm_settings,
    )
    section.finish()
    return settings

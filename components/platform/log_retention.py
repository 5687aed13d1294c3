"""CloudWatch Logs retention: the only periods the service accepts, and the config check every section shares."""

from __future__ import annotations

from .config import ConfigError

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


def check_log_retention(key: str, days: int) -> int:
    """A retention period CloudWatch Logs accepts (days)."""
    if days not in LOG_RETENTION_DAYS:
        raise ConfigError(key, days, "a CloudWatch Logs retention period: " + ", ".join(map(str, LOG_RETENTION_DAYS)))
    return days

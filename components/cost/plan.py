"""Pure calculations of the cost controls: shutdown schedules, their payloads and IAM, budget filters.

EventBridge Scheduler ``cron(minutes hours day-of-month month day-of-week year)``
expressions are parsed here only as far as a shutdown schedule needs (minutes, hours
and days of the week; every day of month, month and year), which lets the settings
reject a typo before anything exists and lets the estimate know what share of the
week the staging node groups and databases run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..platform import allow, policy_document

MINUTES_PER_WEEK = 7 * 24 * 60
# EventBridge numbers the days of the week 1-7 from Sunday.
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

EKS_UPDATE_NODEGROUP_TARGET = "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig"
RDS_STOP_TARGET = "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance"
RDS_START_TARGET = "arn:aws:scheduler:::aws-sdk:rds:startDBInstance"

_CRON = re.compile(r"^cron\((.+)\)$")


class CronError(ValueError):
    """A schedule expression outside the supported ``cron(...)`` form."""


@dataclass(frozen=True)
class WeeklyCron:
    """A cron expression as the set of (weekday 0=Sunday, hour, minute) moments it fires at."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    weekdays: frozenset[int]

    def fires(self, weekday: int, hour: int, minute: int) -> bool:
        return weekday in self.weekdays and hour in self.hours and minute in self.minutes


def parse_cron(expression: str) -> WeeklyCron:
    """Parse ``cron(m h dom mon dow year)`` with every day of month, month and year."""
    match = _CRON.match(expression.strip())
    if not match:
        raise CronError("an EventBridge Scheduler expression such as cron(0 20 ? * MON-FRI *)")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise CronError("six cron fields: minutes hours day-of-month month day-of-week year")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if month != "*" or year != "*":
        raise CronError("'*' for month and year (a shutdown schedule repeats every week)")
    if day_of_month not in ("?", "*") or (day_of_month == "?") == (day_of_week == "?"):
        raise CronError("'?' in exactly one of day-of-month and day-of-week, and no specific day of month")
    weekdays = range(7) if day_of_week in ("?", "*") else _field(day_of_week, 1, 7, names=DAY_NAMES, offset=1)
    return WeeklyCron(
        expression=expression,
        minutes=frozenset(_field(minutes, 0, 59)),
        hours=frozenset(_field(hours, 0, 23)),
        weekdays=frozenset(weekdays),
    )


def _field(text: str, low: int, high: int, *, names: Sequence[str] = (), offset: int = 0) -> list[int]:
    """A cron field of values, ranges and lists (``8``, ``8-18``, ``MON-FRI``, ``0,30``, ``*``)."""
    if text == "*":
        return [v - offset for v in range(low, high + 1)]
    values: list[int] = []
    for part in text.split(","):
        bounds = part.split("-")
        if len(bounds) > 2:
            raise CronError(f"a value, range or list in {text!r}")
        numbers = [_value(b, low, high, names) for b in bounds]
        if numbers[0] > numbers[-1]:
            raise CronError(f"an ascending range in {text!r}")
        values.extend(range(numbers[0], numbers[-1] + 1))
    return [v - offset for v in values]


def _value(text: str, low: int, high: int, names: Sequence[str]) -> int:
    if text.upper() in names:
        return names.index(text.upper()) + low
    if not text.isdigit() or not low <= int(text) <= high:
        raise CronError(f"a number from {low} to {high}" + (f" or one of {', '.join(names)}" if names else "") + f", not {text!r}")
    return int(text)


def running_fraction(start: WeeklyCron, stop: WeeklyCron) -> float:
    """Share of a week between a start and the next stop, the schedule repeating weekly.

    The week is walked minute by minute twice, so the state at the start of the
    second walk is the one the schedule settles in.
    """
    if not any(stop.fires(d, h, m) for d in stop.weekdays for h in stop.hours for m in stop.minutes):
        raise CronError("a stop schedule that fires")
    running = True
    total = 0
    for lap in range(2):
        for minute_of_week in range(MINUTES_PER_WEEK):
            weekday, rest = divmod(minute_of_week, 24 * 60)
            hour, minute = divmod(rest, 60)
            starts, stops = start.fires(weekday, hour, minute), stop.fires(weekday, hour, minute)
            if starts and stops:
                raise CronError(f"start and stop at different times (both fire on {DAY_NAMES[weekday]} {hour:02d}:{minute:02d})")
            if starts:
                running = True
            elif stops:
                running = False
            if lap == 1 and running:
                total += 1
    return total / MINUTES_PER_WEEK


# --- what the schedules send ----------------------------------------------------------------


def nodegroup_scaling_input(cluster_name: str, nodegroup_name: str, *, min_size: int, max_size: int, desired: int | None) -> str:
    """The ``UpdateNodegroupConfig`` request (SDK casing, as Scheduler's universal targets want it).

    ``desired`` None leaves the group's current size alone (every ScalingConfig member is optional).
    """
    scaling: dict[str, int] = {"MinSize": min_size, "MaxSize": max_size}
    if desired is not None:
        scaling["DesiredSize"] = desired
    return json.dumps({"ClusterName": cluster_name, "NodegroupName": nodegroup_name, "ScalingConfig": scaling}, sort_keys=True)


def db_instance_input(identifier: str) -> str:
    """The ``StopDBInstance``/``StartDBInstance`` request (Scheduler wants ``DbInstanceIdentifier``)."""
    return json.dumps({"DbInstanceIdentifier": identifier})


def scheduler_policy(
    *,
    partition: str,
    region: str,
    account_id: str,
    nodegroups: Sequence[tuple[str, str]],
    db_instances: Sequence[str],
    kms_key_arn: str,
) -> str:
    """Least privilege for the shutdown schedules: only the named node groups and DB instances,
    and ``kms:Decrypt`` on the customer-managed key their payloads are encrypted with.

    EventBridge Scheduler decrypts a schedule's target input with the schedule's execution role
    before it calls the target (AWS CDK's ``Schedule`` grants exactly this: ``key.grantDecrypt(role)``);
    the key policy's account statement delegates that to IAM, so the key policy needs no scheduler
    statement of its own.
    """
    statements = [allow(["kms:Decrypt"], kms_key_arn, Sid="DecryptSchedulePayloads")]
    if nodegroups:
        statements.append(
            allow(
                ["eks:UpdateNodegroupConfig"],
                sorted(
                    f"arn:{partition}:eks:{region}:{account_id}:nodegroup/{cluster}/{group}/*" for cluster, group in nodegroups
                ),
                Sid="ScaleNodeGroups",
            )
        )
    if db_instances:
        statements.append(
            allow(
                ["rds:StopDBInstance", "rds:StartDBInstance"],
                sorted(f"arn:{partition}:rds:{region}:{account_id}:db:{ident}" for ident in db_instances),
                Sid="StopStartDatabases",
            )
        )
    return policy_document(statements)


def budget_tag_filter(tag_key: str, tag_value: str) -> str:
    """A Budgets ``TagKeyValue`` filter value for a user-defined cost allocation tag."""
    return f"user:{tag_key}${tag_value}"


def anomaly_monitor_specification(tag_key: str, tag_value: str) -> str:
    """A custom anomaly monitor over the spend carrying one tag value (one per stack; the
    account-wide SERVICE monitor exists only once per account)."""
    return json.dumps({"Tags": {"Key": tag_key, "Values": [tag_value], "MatchOptions": ["EQUALS"]}}, sort_keys=True)


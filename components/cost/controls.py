"""CostControls: the seed's "Operational Optimization" as resources.

- An AWS Budget on the spend carrying the stack's ``Environment`` cost allocation tag,
  alerting the platform alarm topic (and optional addresses) at 80% and 100% of actual
  spend and at 100% of forecast spend.
- A Cost Anomaly Detection monitor over the same tag and an immediate subscription to the
  alarm topic above a total-impact threshold.
- The required tag keys activated as cost allocation tags (account-wide, so opt-in).
- Optionally, nights-and-weekends shutdown and business hours, one weekly model (``hours_plan``:
  the shutdown wins): EventBridge Scheduler schedules that scale EKS managed node groups to zero
  and stop RDS instances, bring them back, and raise node groups' minimums for business hours and
  lower them after, through a role that may touch only those node groups and instances.

Pure parts (cron checks, request bodies, the role's policy) live in ``cost_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, service_assume_role_policy
from .hours_plan import Moment, node_group_action, target_events
from .hours_settings import BusinessHoursSettings
from .plan import (
    EKS_UPDATE_NODEGROUP_TARGET,
    RDS_START_TARGET,
    RDS_STOP_TARGET,
    anomaly_monitor_specification,
    budget_tag_filter,
    db_instance_input,
    nodegroup_scaling_input,
    scheduler_policy,
)
from .settings import ShutdownSettings

ENVIRONMENT_TAG = "Environment"


@dataclass
class NodeGroupTarget:
    """An EKS managed node group the shutdown scales to zero and back."""

    cluster_name: pulumi.Input[str]
    nodegroup_name: pulumi.Input[str]
    min_size: int
    """Size restored in the morning (minimum)."""
    max_size: int
    """Maximum, kept at night too: EKS requires a maximum of at least 1."""
    desired_size: int
    floor: Optional[int] = None
    """Minimum during business hours (``cost.businessHours.floors.nodeGroups``); None leaves the group alone."""


@dataclass
class CostControlsArgs:
    """Inputs of :class:`CostControls`."""

    environment: str
    """Value of the ``Environment`` cost allocation tag the budget and the anomaly monitor watch."""
    budget_monthly_usd: float
    """The budget's monthly limit in USD."""
    alarm_topic_arn: pulumi.Input[str]
    """Where budget and anomaly alerts go (its policy must admit budgets and costalerts)."""
    account_id: pulumi.Input[str]
    """The account; the scheduler role trusts only it and names its node groups and databases."""
    region: str
    """The region of the node groups and databases the schedules act on."""
    partition: str = "aws"
    budget_alert_emails: tuple[str, ...] = ()
    """Addresses the budget also mails directly."""
    alert_thresholds_percent: tuple[float, ...] = (80.0, 100.0)
    """Actual-spend alerts, in percent of the limit; a forecast alert is added at 100%."""
    anomaly_threshold_usd: float = 100.0
    """An anomaly is reported from this total impact (USD)."""
    cost_allocation_tag_keys: tuple[str, ...] = ()
    """Tag keys to activate as cost allocation tags; empty leaves the account's activation alone."""
    shutdown: ShutdownSettings = field(default_factory=ShutdownSettings)
    """When to stop and start; nothing is scheduled unless ``enabled``."""
    business_hours: BusinessHoursSettings = field(default_factory=BusinessHoursSettings)
    """When node groups' floors (``NodeGroupTarget.floor``) are raised; one weekly model with ``shutdown``."""
    node_groups: Mapping[str, NodeGroupTarget] = field(default_factory=dict)
    """Node groups to scale to zero at night, by a stable key (the pool name); unused unless ``shutdown.enabled``."""
    db_instances: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """RDS instance identifiers to stop at night, by a stable key. Not read replicas, nor a primary with replicas."""
    schedule_kms_key_arn: Optional[pulumi.Input[str]] = None
    """Customer-managed key every schedule encrypts its payload with (FSBP: no AWS-owned keys for
    stored data); required whenever a schedule is created. The schedules' role may decrypt with it."""


def _check_args(args: CostControlsArgs) -> None:
    if args.budget_monthly_usd <= 0:
        raise ValueError(f"CostControls: budget_monthly_usd must be positive, got {args.budget_monthly_usd}")
    if not args.alert_thresholds_percent or any(not 0 < t <= 1000 for t in args.alert_thresholds_percent):
        raise ValueError(f"CostControls: alert thresholds must be percentages in (0, 1000], got {args.alert_thresholds_percent}")
    if args.anomaly_threshold_usd <= 0:
        raise ValueError(f"CostControls: anomaly_threshold_usd must be positive, got {args.anomaly_threshold_usd}")
    if _scheduled(args) and args.schedule_kms_key_arn is None:
        raise ValueError("CostControls: shutdown schedules need schedule_kms_key_arn (a customer-managed KMS key for their payloads)")
    if args.shutdown.enabled and args.business_hours.enabled and args.shutdown.timezone != args.business_hours.timezone:
        raise ValueError("CostControls: the shutdown and business hours are one weekly model in one time zone")
    for key, target in args.node_groups.items():
        if not 0 <= target.min_size <= target.desired_size <= target.max_size or target.max_size < 1:
            raise ValueError(
                f"CostControls: node group {key!r} needs 0 <= min <= desired <= max and max >= 1, "
                f"got {target.min_size}/{target.desired_size}/{target.max_size}"
            )
        if target.floor is not None and not target.min_size < target.floor <= target.max_size:
            raise ValueError(f"CostControls: node group {key!r}'s business-hours floor {target.floor} must be in ({target.min_size}, {target.max_size}]")


def _node_events(args: CostControlsArgs) -> dict[str, dict[str, Moment]]:
    """Each node group's schedules from the week's levels (shutdown and business hours), by event name."""
    levels = args.business_hours.levels(args.shutdown.crons)
    floors_apply = args.business_hours.enabled
    return {
        key: target_events(levels, node_group_action(base_min=g.min_size, floor=g.floor if floors_apply else None))
        for key, g in args.node_groups.items()
    }


def _scheduled(args: CostControlsArgs) -> bool:
    """Whether any schedule exists: a database stop/start, or a node group event."""
    if not (args.shutdown.enabled or args.business_hours.enabled):
        return False
    return bool(args.shutdown.enabled and args.db_instances) or any(_node_events(args).values())


class CostControls(pulumi.ComponentResource):
    """Budget, anomaly detection, cost allocation tags and the optional shutdown schedules."""

    budget_name: pulumi.Output[str]
    anomaly_monitor_arn: pulumi.Output[str]
    schedule_arns: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: CostControlsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:cost:CostControls", name, None, opts)
        tags = ComponentTags("cost")
        child = pulumi.ResourceOptions(parent=self)

        budget_name = f"{name}-monthly"
        thresholds = [("ACTUAL", t) for t in args.alert_thresholds_percent] + [("FORECASTED", 100.0)]
        self.budget = aws.budgets.Budget(
            budget_name,
            name=budget_name,
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{args.budget_monthly_usd:.2f}",
            limit_unit="USD",
            cost_filters=[
                aws.budgets.BudgetCostFilterArgs(
                    name="TagKeyValue", values=[budget_tag_filter(ENVIRONMENT_TAG, args.environment)]
                )
            ],
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    comparison_operator="GREATER_THAN",
                    notification_type=kind,
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                    subscriber_sns_topic_arns=[args.alarm_topic_arn],
                    subscriber_email_addresses=list(args.budget_alert_emails) or None,
                )
                for kind, threshold in thresholds
            ],
            tags=tags(budget_name),
            opts=child,
        )

        monitor_name = f"{name}-anomalies"
        self.anomaly_monitor = aws.costexplorer.AnomalyMonitor(
            monitor_name,
            name=monitor_name,
            monitor_type="CUSTOM",
            monitor_specification=anomaly_monitor_specification(ENVIRONMENT_TAG, args.environment),
            tags=tags(monitor_name),
            opts=child,
        )
        aws.costexplorer.AnomalySubscription(
            monitor_name,
            name=monitor_name,
            # IMMEDIATE alerts go to SNS only (email subscribers get daily or weekly digests).
            frequency="IMMEDIATE",
            monitor_arn_lists=[self.anomaly_monitor.arn],
            subscribers=[aws.costexplorer.AnomalySubscriptionSubscriberArgs(type="SNS", address=args.alarm_topic_arn)],
            threshold_expression=aws.costexplorer.AnomalySubscriptionThresholdExpressionArgs(
                dimension=aws.costexplorer.AnomalySubscriptionThresholdExpressionDimensionArgs(
                    key="ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                    match_options=["GREATER_THAN_OR_EQUAL"],
                    values=[f"{args.anomaly_threshold_usd:g}"],
                )
            ),
            tags=tags(monitor_name),
            opts=pulumi.ResourceOptions(parent=self.anomaly_monitor),
        )

        for key in args.cost_allocation_tag_keys:
            aws.costexplorer.CostAllocationTag(f"{name}-tag-{key}", tag_key=key, status="Active", opts=child)

        schedule_arns: dict[str, pulumi.Output[str]] = {}
        if _scheduled(args):
            schedule_arns = self._schedules(name, args, tags)

        self.budget_name = self.budget.name
        self.anomaly_monitor_arn = self.anomaly_monitor.arn
        self.schedule_arns = pulumi.Output.all(**schedule_arns) if schedule_arns else pulumi.Output.from_input({})
        self.register_outputs(
            {
                "budget_name": self.budget_name,
                "anomaly_monitor_arn": self.anomaly_monitor_arn,
                "schedule_arns": self.schedule_arns,
            }
        )

    def _schedules(self, name: str, args: CostControlsArgs, tags: ComponentTags) -> dict[str, pulumi.Output[str]]:
        role_name = f"{name}-scheduler"
        role = aws.iam.Role(
            role_name,
            description="EventBridge Scheduler: scales the listed node groups and stops/starts the listed databases",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: service_assume_role_policy("scheduler.amazonaws.com", source_account=account)
            ),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        node_events = _node_events(args)
        # Only the groups some schedule acts on (a business-hours-only stack touches its raised groups).
        groups = [g for key, g in args.node_groups.items() if node_events[key]]
        dbs = list(args.db_instances.values()) if args.shutdown.enabled else []
        key_arn = args.schedule_kms_key_arn
        assert key_arn is not None  # _check_args
        policy = pulumi.Output.all(
            key=key_arn,
            account=args.account_id,
            clusters=pulumi.Output.all(*[g.cluster_name for g in groups]),
            names=pulumi.Output.all(*[g.nodegroup_name for g in groups]),
            dbs=pulumi.Output.all(*dbs),
        ).apply(
            lambda v: scheduler_policy(
                partition=args.partition,
                region=args.region,
                account_id=v["account"],
                nodegroups=list(zip(v["clusters"], v["names"])),
                db_instances=list(v["dbs"]),
                kms_key_arn=v["key"],
            )
        )
        role_policy = aws.iam.RolePolicy(role_name, role=role.id, policy=policy, opts=pulumi.ResourceOptions(parent=role))

        shutdown = args.shutdown
        timezone = shutdown.timezone if shutdown.enabled else args.business_hours.timezone
        arns: dict[str, pulumi.Output[str]] = {}

        def schedule(key: str, cron: str, target_arn: str, body: pulumi.Output[str], what: str) -> None:
            schedule_name = f"{name}-{key}"
            resource = aws.scheduler.Schedule(
                schedule_name,
                description=what,
                schedule_expression=cron,
                schedule_expression_timezone=timezone,
                state="ENABLED",
                kms_key_arn=key_arn,
                flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
                target=aws.scheduler.ScheduleTargetArgs(
                    arn=target_arn,
                    role_arn=role.arn,
                    input=body,
                    # A missed stop or start is retried for an hour, not the default day.
                    retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                        maximum_event_age_in_seconds=3600, maximum_retry_attempts=3
                    ),
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
            )
            arns[key] = resource.arn

        for key, group in args.node_groups.items():
            def body(min_size: int, max_size: int, desired: int | None, g: NodeGroupTarget = group) -> pulumi.Output[str]:
                return pulumi.Output.all(g.cluster_name, g.nodegroup_name).apply(
                    lambda v: nodegroup_scaling_input(v[0], v[1], min_size=min_size, max_size=max_size, desired=desired)
                )

            for event, moment in node_events[key].items():
                kind = event.split("-")[0]
                if kind == "stop":
                    payload, what = body(0, group.max_size, 0), f"Scale node group {key} to zero"
                elif kind == "start":
                    payload = body(group.min_size, group.max_size, group.desired_size)
                    what = f"Scale node group {key} back to {group.min_size}-{group.max_size}"
                elif kind == "raise":
                    floor = group.floor or group.min_size
                    # DesiredSize must not be below the new minimum; at a window's start the group is at its minimum.
                    payload = body(floor, group.max_size, max(floor, group.desired_size))
                    what = f"Raise node group {key}'s minimum to {floor} for business hours"
                else:
                    # Lowering leaves DesiredSize alone: the autoscaler removes nodes as they empty.
                    payload = body(group.min_size, group.max_size, None)
                    what = f"Lower node group {key}'s minimum to {group.min_size} after business hours"
                schedule(f"nodes-{key}-{event}", moment.scheduler_cron(), EKS_UPDATE_NODEGROUP_TARGET, payload, what)
        for key, identifier in (args.db_instances if shutdown.enabled else {}).items():
            text = pulumi.Output.from_input(identifier).apply(db_instance_input)
            schedule(f"db-{key}-stop", shutdown.stop.expression, RDS_STOP_TARGET, text, f"Stop database {key}")
            schedule(f"db-{key}-start", shutdown.start.expression, RDS_START_TARGET, text, f"Start database {key}")
        return arns

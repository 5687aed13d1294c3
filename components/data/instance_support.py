"""What every RDS for PostgreSQL instance of the platform brings besides itself: the enhanced-monitoring
role, the account-and-Region ``RDSOSMetrics`` log group, and its exported logs' groups.

Shared by :class:`~components.data.database.PgvectorDatabase` (the primary and its replicas) and the DR
layer's cross-Region replica, so both make them the same way (same names, same parents).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, service_assume_role_policy
from .database_plan import ENHANCED_MONITORING_LOG_GROUP, ENHANCED_MONITORING_POLICY_ARN, LOG_EXPORTS, db_parameters, log_group_name


def enhanced_monitoring_role(
    name: str, *, account_id: pulumi.Input[str], tags: ComponentTags, parent: pulumi.Resource
) -> aws.iam.Role:
    """``<name>-monitoring``: the role RDS enhanced monitoring publishes OS metrics with (AWS's managed policy),
    trusted only by RDS's monitoring service acting for ``account_id`` (IAM is global: one per stack)."""
    monitoring_name = f"{name}-monitoring"
    role = aws.iam.Role(
        monitoring_name,
        description="RDS enhanced monitoring publishes OS metrics to CloudWatch Logs",
        assume_role_policy=pulumi.Output.from_input(account_id).apply(
            lambda account: service_assume_role_policy("monitoring.rds.amazonaws.com", source_account=account)
        ),
        tags=tags(monitoring_name),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.iam.RolePolicyAttachment(
        monitoring_name,
        role=role.name,
        policy_arn=ENHANCED_MONITORING_POLICY_ARN,
        opts=pulumi.ResourceOptions(parent=role),
    )
    return role


def os_metrics_log_group(
    name: str, *, retention_days: int, kms_key_arn: pulumi.Input[str], tags: ComponentTags, parent: pulumi.Resource, protect: bool
) -> aws.cloudwatch.LogGroup:
    """Enhanced monitoring writes every instance's OS metrics to one log group per account and Region;
    created first (logs key, retention) instead of by RDS (no key, 30 days). One stack per account and
    Region may own it."""
    os_metrics_name = f"{name}-os-metrics"
    return aws.cloudwatch.LogGroup(
        os_metrics_name,
        name=ENHANCED_MONITORING_LOG_GROUP,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags=tags(os_metrics_name),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )


def export_log_groups(
    identifier: str, *, retention_days: int, kms_key_arn: pulumi.Input[str], tags: ComponentTags, parent: pulumi.Resource
) -> list[pulumi.Resource]:
    """The instance's export log groups, under the logs CMK with the configured retention: created before
    the instance so RDS does not create them unencrypted and kept forever."""
    groups: list[pulumi.Resource] = []
    for export in LOG_EXPORTS:
        group_name = f"{identifier}-{export}"
        groups.append(
            aws.cloudwatch.LogGroup(
                group_name,
                name=log_group_name(identifier, export),
                retention_in_days=retention_days,
                kms_key_id=kms_key_arn,
                tags=tags(group_name),
                opts=pulumi.ResourceOptions(parent=parent),
            )
        )
    return groups


def postgres_parameter_group(
    name: str, *, family: str, slow_statement_ms: int, tags: ComponentTags, parent: pulumi.Resource
) -> aws.rds.ParameterGroup:
    """The platform's PostgreSQL parameters (TLS forced, pg_stat_statements, slow statement log) in ``family``.
    Parameter groups are regional: each Region's instances get their own."""
    return aws.rds.ParameterGroup(
        name,
        family=family,
        description=f"{name}: TLS forced, pg_stat_statements, slow statement log",
        parameters=[
            aws.rds.ParameterGroupParameterArgs(name=p.name, value=p.value, apply_method=p.apply_method)
            for p in db_parameters(slow_statement_ms=slow_statement_ms)
        ],
        tags=tags(name),
        # A new family means a new group: create it before the instance is switched over.
        opts=pulumi.ResourceOptions(parent=parent),
    )


def observability_inputs(
    *,
    insights_mode: str,
    insights_retention_days: int,
    kms_key_arn: pulumi.Input[str],
    monitoring_interval_seconds: int,
    monitoring_role_arn: pulumi.Input[str],
) -> dict[str, Any]:
    """The ``aws.rds.Instance`` inputs every instance of the platform shares for watching it: Database Insights
    (Performance Insights' successor; the mode is explicit, because RDS otherwise enables the billed Advanced
    mode; its load data under our key), enhanced monitoring and the exported logs."""
    return {
        "database_insights_mode": insights_mode,
        "performance_insights_enabled": True,
        "performance_insights_kms_key_id": kms_key_arn,
        "performance_insights_retention_period": insights_retention_days,
        "monitoring_interval": monitoring_interval_seconds,
        "monitoring_role_arn": monitoring_role_arn,
        "enabled_cloudwatch_logs_exports": list(LOG_EXPORTS),
    }

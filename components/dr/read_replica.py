"""ReadReplica: the pilot light's cross-Region read replica of the primary PostgreSQL database, and its promotion.

An RDS for PostgreSQL instance in the DR Region replicating the primary (named by ARN, read from the primary
stack's ``databaseArn`` export through a ``StackReference``), encrypted with a customer-managed key of its
own Region, in the DR VPC's DB subnet group behind its own security group, with the primary's parameters
(its own group: parameter groups are regional), enhanced monitoring, Database Insights and exported logs
like the primary, and replica-lag, CPU, memory and storage alarms. With ``promoted`` the same resource (same
URN) loses ``replicate_source_db`` and the provider promotes it to a standalone primary. Pure decisions and
what mocks cannot see live in ``read_replica_plan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..data import (
    POSTGRES_PORT,
    DatabaseAlarmSettings,
    enhanced_monitoring_role,
    export_log_groups,
    free_storage_threshold_bytes,
    observability_inputs,
    os_metrics_log_group,
    postgres_parameter_group,
    replica_alarm_specs,
)
from ..platform import ComponentTags, create_alarms, service_security_group, unique_final_snapshot
from .read_replica_plan import check_source, identifier_problem, mode_inputs
from .replica_settings import ReplicaSettings

DATABASE_ARN_OUTPUT = "databaseArn"
"""The primary stack's export naming its DB instance by ARN."""
DATABASE_NAME_OUTPUT = "databaseName"
"""The primary stack's export naming the application's database (the replica holds the same)."""
MASTER_SECRET_REPLICA_OUTPUT = "databaseMasterSecretReplicaArn"
"""The primary stack's export: its master credential's copy in the DR Region (Secrets Manager replication)."""


@dataclass
class ReadReplicaArgs:
    """Inputs of :class:`ReadReplica`. The component's resources go to the provider in ``opts`` (the DR Region's)."""

    settings: ReplicaSettings
    """Class, storage, backups, monitoring, protection and ``promoted`` (``betterprompts:pilotLight.replica``)."""
    region: str
    """The replica's Region (the DR stack's); the source must be in another."""
    source_arn: Optional[pulumi.Input[str]]
    """The primary's DB instance ARN (:func:`primary_database_arn`); required unless promoted (then unused)."""
    vpc_id: pulumi.Input[str]
    """The DR VPC; the security group belongs to it."""
    db_subnet_group_name: pulumi.Input[str]
    """The DR VPC's private DB-tier subnet group (a cross-Region replica in a VPC must name one)."""
    client_security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups admitted on 5432 (the DR cluster's nodes, application clients); never a CIDR."""
    kms_key_arn: pulumi.Input[str]
    """A customer-managed key in the replica's Region: storage and Performance Insights."""
    log_kms_key_arn: pulumi.Input[str]
    """The DR Region's logs key (its policy admits CloudWatch Logs) for the exported log groups."""
    alarm_topic_arn: pulumi.Input[str]
    """The DR Region's alarm topic."""
    account_id: pulumi.Input[str]
    """The account; the enhanced-monitoring role trusts only RDS acting for it."""
    alarms: DatabaseAlarmSettings = DatabaseAlarmSettings()
    """Thresholds of the replica's alarms (the primary's defaults)."""


class ReadReplica(pulumi.ComponentResource):
    """The cross-Region read replica (or, once promoted, the DR Region's primary)."""

    address: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    identifier: pulumi.Output[str]
    arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: ReadReplicaArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        identifier = _check_args(name, args)
        super().__init__("betterprompts:dr:ReadReplica", name, None, opts)
        s = args.settings
        tags = ComponentTags("database")
        child = pulumi.ResourceOptions(parent=self)

        self.security_group = service_security_group(
            f"{name}-postgres",
            vpc_id=args.vpc_id,
            port=POSTGRES_PORT,
            service="PostgreSQL replica",
            client_security_group_ids=list(args.client_security_group_ids),
            tags=tags,
            opts=child,
        )
        # Parameter groups are regional: the primary's settings (TLS forced, pg_stat_statements, slow log) in the
        # replica's family. A replica may carry its own group; once promoted it keeps it.
        self.parameter_group = postgres_parameter_group(
            name, family=s.parameter_group_family, slow_statement_ms=s.slow_statement_ms, tags=tags, parent=self
        )
        self.monitoring_role = enhanced_monitoring_role(name, account_id=args.account_id, tags=tags, parent=self)
        log_groups = export_log_groups(identifier, retention_days=s.log_retention_days, kms_key_arn=args.log_kms_key_arn, tags=tags, parent=self)
        if s.create_enhanced_monitoring_log_group:
            log_groups.append(
                os_metrics_log_group(
                    name, retention_days=s.log_retention_days, kms_key_arn=args.log_kms_key_arn, tags=tags, parent=self, protect=s.protect
                )
            )

        mode = mode_inputs(promoted=s.promoted, protect=s.protect)
        # Kept whether or not it is used yet, so promotion changes the instance's inputs only.
        final_snapshot = unique_final_snapshot(name, identifier, self) if s.protect else None
        self.instance = aws.rds.Instance(
            name,
            identifier=identifier,
            # Cross-Region: the source by ARN. Removing it promotes the replica: "Removing the
            # `replicate_source_db` attribute from an existing RDS Replicate database managed by the provider
            # will promote the database to a fully standalone database" (pulumi-aws 7 / terraform-provider-aws
            # aws_db_instance docs). Promotion is one-way; the source is then left alone (no reference read).
            replicate_source_db=(
                None
                if s.promoted or args.source_arn is None
                else pulumi.Output.from_input(args.source_arn).apply(lambda arn: check_source(arn, args.region))
            ),
            # No engine_version, username, password or db_name: a replica inherits them from its source (setting
            # credentials on one is an error) and a promoted replica keeps them.
            instance_class=s.instance_class,
            multi_az=s.effective_multi_az,
            port=POSTGRES_PORT,
            storage_type="gp3",
            allocated_storage=s.allocated_storage_gb,
            max_allocated_storage=s.max_allocated_storage_gb,
            storage_encrypted=True,
            # Required for a cross-Region replica of an encrypted source: a key of the replica's Region.
            kms_key_id=args.kms_key_arn,
            db_subnet_group_name=args.db_subnet_group_name,
            vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False,
            parameter_group_name=self.parameter_group.name,
            iam_database_authentication_enabled=True,
            # The primary's backup settings in both modes: PostgreSQL replicas keep automated backups, and a
            # promoted replica has point-in-time recovery from the start (AWS: complete one backup before promoting).
            backup_retention_period=s.backup_retention_days,
            backup_window=s.backup_window,
            maintenance_window=s.maintenance_window,
            # A pinned minor is the primary's choice: the replica does not run ahead of it.
            auto_minor_version_upgrade=not s.pins_minor_version,
            allow_major_version_upgrade=False,
            # Failover changes (promotion's backup settings, a larger class) must not wait for the maintenance window.
            apply_immediately=True,
            copy_tags_to_snapshot=True,
            deletion_protection=s.protect,
            delete_automated_backups=mode.delete_automated_backups,
            skip_final_snapshot=mode.skip_final_snapshot,
            final_snapshot_identifier=final_snapshot if mode.final_snapshot else None,
            **observability_inputs(
                insights_mode=s.database_insights_mode,
                insights_retention_days=s.performance_insights_retention_days,
                kms_key_arn=args.kms_key_arn,
                monitoring_interval_seconds=s.monitoring_interval_seconds,
                monitoring_role_arn=self.monitoring_role.arn,
            ),
            tags=tags(name, {"Role": "primary" if s.promoted else "read-replica"}),
            opts=pulumi.ResourceOptions(parent=self, protect=s.protect, depends_on=log_groups),
        )
        specs = replica_alarm_specs(
            args.alarms,
            free_storage_threshold=self.instance.allocated_storage.apply(
                lambda gb: free_storage_threshold_bytes(gb or s.allocated_storage_gb, args.alarms.free_storage_percent)
            ),
        )
        create_alarms(
            name,
            # A promoted instance has no lag to report (missing data would breach).
            [spec for spec in specs if not (s.promoted and spec.key == "replica-lag")],
            dimensions={"DBInstanceIdentifier": self.instance.identifier},
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self.instance,
        )

        self.address = self.instance.address
        self.endpoint = self.instance.endpoint
        self.identifier = self.instance.identifier
        self.arn = self.instance.arn
        self.security_group_id = self.security_group.id
        self.register_outputs(
            {
                "address": self.address,
                "endpoint": self.endpoint,
                "identifier": self.identifier,
                "arn": self.arn,
                "security_group_id": self.security_group_id,
            }
        )


def primary_database_arn(
    stack: "str | pulumi.StackReference", opts: Optional[pulumi.ResourceOptions] = None
) -> pulumi.Output[str]:
    """The primary's DB instance ARN, from the ``databaseArn`` export of ``stack`` (``<org>/<project>/<stack>``, or
    the stack's one StackReference when other outputs are read from it too: a second one of the name would clash).

    A StackReference reads the primary stack's state from the state backend (not from the primary Region's
    APIs); it is not needed once the replica is promoted.
    """
    reference = pulumi.StackReference(stack, opts=opts) if isinstance(stack, str) else stack
    return reference.require_output(DATABASE_ARN_OUTPUT).apply(str)


def _check_args(name: str, args: ReadReplicaArgs) -> str:
    """Reject inconsistent inputs before any child exists; the DB identifier."""
    identifier = args.settings.identifier or name
    problem = identifier_problem(identifier)
    if problem:
        raise ValueError(f"ReadReplica {name!r}: the identifier {identifier!r} is not {problem}")
    if not args.client_security_group_ids:
        raise ValueError("ReadReplica needs at least one client security group (5432 is never opened to a CIDR)")
    if not args.settings.promoted:
        if args.source_arn is None:
            raise ValueError("ReadReplica needs the primary's DB instance ARN (source_arn) unless promoted")
        if isinstance(args.source_arn, str):
            check_source(args.source_arn, args.region)
    return identifier

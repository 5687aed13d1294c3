"""PgvectorDatabase: RDS for PostgreSQL with pgvector, the seed's "2. Database Layer".

A Multi-AZ (by config) PostgreSQL instance on gp3 with storage autoscaling, encrypted
with the data CMK (storage, Performance Insights, and the master credential's secret),
IAM database authentication, a parameter group that forces TLS and loads
``pg_stat_statements``, enhanced monitoring, log exports, read replicas sized by config
(RDS for PostgreSQL has no replica auto-scaling), a security group that admits 5432 only
from the given client groups, and CloudWatch alarms on the platform topic.

The master credential is a stack-owned secret rotated by AWS's PostgreSQL rotation function
(:class:`~components.data.master_secret.MasterSecret`), not RDS-managed: RDS supports
neither read replicas nor Blue/Green deployments of an instance whose password it manages.

The pgvector extension itself is enabled in the database by
:class:`components.data.pgvector.PgvectorExtension` (from inside the VPC).
Pure calculations live in ``database_plan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..platform import (
    ComponentTags,
    create_alarms,
    unique_final_snapshot,
    service_security_group,
)
from .database_plan import (
    LOG_EXPORTS,
    POSTGRES_PORT,
    db_parameters,
    is_valid_db_identifier,
    free_storage_threshold_bytes,
    primary_alarm_specs,
    replica_alarm_specs,
    replica_keys,
)
from .database_settings import MAX_READ_REPLICAS, DatabaseSettings
from .instance_support import (
    enhanced_monitoring_role,
    export_log_groups,
    observability_inputs,
    os_metrics_log_group,
    postgres_parameter_group,
)
from .master_secret import MasterSecret, MasterSecretArgs
from .secrets import SecretReplicaTarget
from .master_secret_plan import INITIAL_PASSWORD_LENGTH, rotation_egress


@dataclass
class PgvectorDatabaseArgs:
    """Inputs of :class:`PgvectorDatabase`."""

    database: DatabaseSettings
    """Engine, class, storage, backups, windows, replicas and alarm thresholds (``betterprompts:database``)."""
    region: str
    """The stack's region (the rotation function's Secrets Manager endpoint)."""
    vpc_id: pulumi.Input[str]
    """The VPC the security group belongs to."""
    rotation_subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets with a NAT route (the app tier) where the password rotation function runs."""
    database_cidrs: Sequence[str]
    """The DB tier's subnet CIDRs: the only place the rotation function connects to on 5432."""
    db_subnet_group_name: pulumi.Input[str]
    """The VPC's private DB-tier subnet group (primary and replicas)."""
    client_security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups admitted on 5432 (EKS nodes, application clients); no CIDR is ever admitted."""
    kms_key_arn: pulumi.Input[str]
    """The data CMK: storage, Performance Insights and the master credential's secret."""
    log_kms_key_arn: pulumi.Input[str]
    """The logs CMK for the exported log groups (its policy admits CloudWatch Logs)."""
    alarm_topic_arn: pulumi.Input[str]
    """The platform alarm topic every alarm publishes to."""
    account_id: pulumi.Input[str]
    """The account; the enhanced-monitoring role trusts only RDS acting for it."""
    protect: bool = True
    """Deletion protection, a final snapshot on delete, and Pulumi ``protect``."""
    master_secret_replica: Optional[SecretReplicaTarget] = None
    """The DR Region and its data key for a read-only copy of the master credential's secret
    (the pilot light reads it there after a Region loss); None keeps the secret in this Region only."""


class PgvectorDatabase(pulumi.ComponentResource):
    """The platform's PostgreSQL database with pgvector, its replicas and alarms."""

    address: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    identifier: pulumi.Output[str]
    arn: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    master_secret_replica_arn: Optional[pulumi.Output[str]]
    security_group_id: pulumi.Output[str]
    replica_addresses: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: PgvectorDatabaseArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(name, args)
        super().__init__("betterprompts:data:PgvectorDatabase", name, None, opts)
        db = args.database
        tags = ComponentTags("database")
        child = pulumi.ResourceOptions(parent=self)

        # The password rotation function connects from its own group, which the database admits.
        rotation_name = f"{name}-rotation"
        self.rotation_security_group = aws.ec2.SecurityGroup(
            rotation_name,
            description="PostgreSQL password rotation function: the database and Secrets Manager only",
            vpc_id=args.vpc_id,
            ingress=[],
            egress=[aws.ec2.SecurityGroupEgressArgs(**rule) for rule in rotation_egress(args.database_cidrs, db_port=POSTGRES_PORT)],
            tags=tags(rotation_name),
            opts=child,
        )
        self.security_group = service_security_group(
            f"{name}-postgres",
            vpc_id=args.vpc_id,
            port=POSTGRES_PORT,
            service="PostgreSQL",
            client_security_group_ids=[*args.client_security_group_ids, self.rotation_security_group.id],
            tags=tags,
            opts=child,
        )

        self.parameter_group = postgres_parameter_group(
            name, family=db.parameter_group_family, slow_statement_ms=db.slow_statement_ms, tags=tags, parent=self
        )

        self.monitoring_role = enhanced_monitoring_role(name, account_id=args.account_id, tags=tags, parent=self)
        os_metrics: list[pulumi.Resource] = []
        if db.create_enhanced_monitoring_log_group:
            os_metrics.append(
                os_metrics_log_group(
                    name, retention_days=db.log_retention_days, kms_key_arn=args.log_kms_key_arn, tags=tags, parent=self, protect=args.protect
                )
            )

        # The first master password: generated here, a secret in state, rotated away at once.
        password = random.RandomPassword(
            f"{name}-master-password", length=INITIAL_PASSWORD_LENGTH, special=False, opts=child
        )
        master_password: pulumi.Output[str] = pulumi.Output.secret(password.result)

        # Stateful: protected from `pulumi destroy` as well as from an API delete. The identifier
        # is fixed (not auto-named) so its log groups can exist, encrypted, before RDS writes.
        log_groups = [*self._log_groups(name, args, tags), *os_metrics]
        self.instance = aws.rds.Instance(
            name,
            identifier=name,
            engine="postgres",
            engine_version=db.engine_version,
            instance_class=db.instance_class,
            multi_az=db.multi_az,
            db_name=db.database_name,
            username=db.master_username,
            # Not manage_master_user_password: RDS refuses replicas of such an instance. Switching an
            # existing instance over is one in-place ModifyDBInstance (ManageMasterUserPassword off
            # with the new MasterUserPassword); nothing that forces replacement changes.
            password=master_password,
            iam_database_authentication_enabled=True,
            port=POSTGRES_PORT,
            storage_type="gp3",
            allocated_storage=db.allocated_storage_gb,
            max_allocated_storage=db.max_allocated_storage_gb,
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            db_subnet_group_name=args.db_subnet_group_name,
            vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False,
            parameter_group_name=self.parameter_group.name,
            backup_retention_period=db.backup_retention_days,
            backup_window=db.backup_window,
            maintenance_window=db.maintenance_window,
            # On with a bare major (RDS picks and upgrades the minor, no drift); off with a pinned minor, which
            # RDS would upgrade past and the next `pulumi up` would try to take back (RDS refuses a downgrade).
            auto_minor_version_upgrade=not db.pins_minor_version,
            allow_major_version_upgrade=False,
            copy_tags_to_snapshot=True,
            delete_automated_backups=not args.protect,
            deletion_protection=args.protect,
            skip_final_snapshot=not args.protect,
            # Unique per incarnation of the stack: a second teardown cannot collide with the first's snapshot.
            final_snapshot_identifier=unique_final_snapshot(name, name, self) if args.protect else None,
            **self._observability(args),
            tags=tags(name, {"Role": "primary"}),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=log_groups),
        )

        create_alarms(
            name,
            primary_alarm_specs(db.alarms, free_storage_threshold=_free_storage_threshold(self.instance, db)),
            dimensions={"DBInstanceIdentifier": self.instance.identifier},
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self.instance,
        )

        self.replicas: dict[str, aws.rds.Instance] = {}
        for key in replica_keys(db.read_replicas):
            replica_name = f"{name}-{key}"
            replica_logs = [*self._log_groups(replica_name, args, tags), *os_metrics]
            replica = aws.rds.Instance(
                replica_name,
                identifier=replica_name,
                # With an explicit subnet group a same-region replica names its source by ARN;
                # it inherits engine, version, master user and database from the source.
                replicate_source_db=self.instance.arn,
                instance_class=db.instance_class,
                storage_type="gp3",
                max_allocated_storage=db.max_allocated_storage_gb,
                storage_encrypted=True,
                kms_key_id=args.kms_key_arn,
                db_subnet_group_name=args.db_subnet_group_name,
                vpc_security_group_ids=[self.security_group.id],
                publicly_accessible=False,
                parameter_group_name=self.parameter_group.name,
                iam_database_authentication_enabled=True,
                # As the primary's: a replica cannot run a newer minor than its source for long.
                auto_minor_version_upgrade=not db.pins_minor_version,
                copy_tags_to_snapshot=True,
                # A replica holds no data of its own and RDS refuses a final snapshot of one;
                # its protection is the flag below and the primary's backups.
                skip_final_snapshot=True,
                deletion_protection=args.protect,
                **self._observability(args),
                tags=tags(replica_name, {"Role": "read-replica"}),
                opts=pulumi.ResourceOptions(parent=self.instance, protect=args.protect, depends_on=replica_logs),
            )
            create_alarms(
                replica_name,
                replica_alarm_specs(db.alarms, free_storage_threshold=_free_storage_threshold(replica, db)),
                dimensions={"DBInstanceIdentifier": replica.identifier},
                topic_arn=args.alarm_topic_arn,
                tags=tags,
                parent=replica,
            )
            self.replicas[key] = replica

        self.address = self.instance.address
        self.endpoint = self.instance.endpoint
        self.port = self.instance.port
        self.identifier = self.instance.identifier
        # The DR Region's replica names its source by ARN (cross-Region replicas must).
        self.arn = self.instance.arn
        self.master_secret = MasterSecret(
            f"{name}-master",
            MasterSecretArgs(
                region=args.region,
                host=self.instance.address,
                port=POSTGRES_PORT,
                username=db.master_username,
                database_name=db.database_name,
                password=master_password,
                kms_key_arn=args.kms_key_arn,
                log_kms_key_arn=args.log_kms_key_arn,
                log_retention_days=db.log_retention_days,
                subnet_ids=args.rotation_subnet_ids,
                security_group_id=self.rotation_security_group.id,
                rotation_days=db.password_rotation_days,
                ready=[self.instance, self.security_group],
                protect=args.protect,
                replica=args.master_secret_replica,
            ),
            child,
        )
        self.master_secret_arn = self.master_secret.secret_arn
        self.master_secret_replica_arn = self.master_secret.replica_secret_arn
        self.security_group_id = self.security_group.id
        self.replica_addresses = {key: r.address for key, r in self.replicas.items()}
        self.register_outputs(
            {
                "address": self.address,
                "endpoint": self.endpoint,
                "port": self.port,
                "identifier": self.identifier,
                "arn": self.arn,
                "master_secret_arn": self.master_secret_arn,
                "master_secret_replica_arn": self.master_secret_replica_arn,
                "security_group_id": self.security_group_id,
                "replica_addresses": self.replica_addresses,
            }
        )


    def _observability(self, args: PgvectorDatabaseArgs) -> dict[str, Any]:
        """Database Insights, enhanced monitoring and log exports: the same on the primary and its replicas."""
        db = args.database
        return observability_inputs(
            insights_mode=db.database_insights_mode,
            insights_retention_days=db.performance_insights_retention_days,
            kms_key_arn=args.kms_key_arn,
            monitoring_interval_seconds=db.monitoring_interval_seconds,
            monitoring_role_arn=self.monitoring_role.arn,
        )

    def _log_groups(self, identifier: str, args: PgvectorDatabaseArgs, tags: ComponentTags) -> list[pulumi.Resource]:
        """The instance's export log groups, under the logs CMK with the configured retention."""
        return export_log_groups(
            identifier, retention_days=args.database.log_retention_days, kms_key_arn=args.log_kms_key_arn, tags=tags, parent=self
        )


def _free_storage_threshold(instance: aws.rds.Instance, db: DatabaseSettings) -> pulumi.Output[float]:
    """The alarm's bytes, from the instance's current allocation (autoscaled size after a refresh;
    the configured size while unknown, as for a replica before it exists)."""
    return instance.allocated_storage.apply(
        lambda gb: free_storage_threshold_bytes(gb or db.allocated_storage_gb, db.alarms.free_storage_percent)
    )


def _check_args(name: str, args: PgvectorDatabaseArgs) -> None:
    """Reject inconsistent inputs before any child exists."""
    db = args.database
    if not args.client_security_group_ids:
        raise ValueError("PgvectorDatabase needs at least one client security group (5432 is never opened to a CIDR)")
    if not 0 <= db.read_replicas <= MAX_READ_REPLICAS:
        raise ValueError(f"PgvectorDatabase supports 0 to {MAX_READ_REPLICAS} read replicas, got {db.read_replicas}")
    if db.max_allocated_storage_gb < db.allocated_storage_gb:
        raise ValueError(
            f"PgvectorDatabase max storage {db.max_allocated_storage_gb} GiB is below the allocated {db.allocated_storage_gb} GiB"
        )
    if not is_valid_db_identifier(f"{name}-replica-{MAX_READ_REPLICAS}"):
        raise ValueError(f"PgvectorDatabase name {name!r} does not make valid RDS identifiers (lower case, at most 53 characters)")
    if db.read_replicas and db.backup_retention_days < 1:
        raise ValueError("PgvectorDatabase read replicas need automated backups on the primary")
    if not args.rotation_subnet_ids or not args.database_cidrs:
        raise ValueError("PgvectorDatabase needs the rotation function's subnets and the database tier's CIDRs")

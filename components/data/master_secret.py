"""MasterSecret: the database's master credential in a stack-owned secret, rotated by AWS's function.

RDS-managed master passwords (``manage_master_user_password``) rule out read replicas and
Blue/Green deployments, so the credential is held here instead:

* the secret, under the data key, holds ``{engine, host, username, password, dbname, port}``
  (the structure AWS's rotation functions expect); its first password comes from the program
  (``pulumi-random``, a secret in state, never in config or code) and is rotated away at once;
* AWS's ``SecretsManagerRDSPostgreSQLRotationSingleUser`` application (Serverless Application
  Repository) runs the rotation function in the app subnets, with a security group the
  database admits, reaching Secrets Manager through the NAT;
* Secrets Manager rotates every ``rotation_days`` days (and once right after creation);
* with ``replica`` set, Secrets Manager keeps a read-only copy in the DR Region under that Region's
  key, so services there read the credential without calling this Region. Rotation runs here only
  and propagates to the copy; after this Region is lost, ``stop-replication-to-replica`` (run in the
  DR Region) promotes the copy to a standalone secret, whose ``host`` still names this Region's
  instance until the runbook puts the promoted database's address (docs/dr.md).

The function's log group exists first, under the logs key with the database's retention.
Pure parts live in ``master_secret_plan``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from .master_secret_plan import (
    MAX_ROTATION_DAYS,
    MIN_ROTATION_DAYS,
    ROTATION_APPLICATION_ID,
    ROTATION_APPLICATION_VERSION,
    ROTATION_CAPABILITIES,
    ROTATION_OUTPUT,
    rotation_function_name,
    rotation_log_group_name,
    rotation_parameters,
    secret_document,
)
from .secret_arns import replica_secret_arn
from .secrets import SecretReplicaTarget, encrypted_secret


@dataclass
class MasterSecretArgs:
    """Inputs of :class:`MasterSecret`."""

    region: str
    """The stack's region (the Secrets Manager endpoint the function calls)."""
    host: pulumi.Input[str]
    """The primary's address."""
    port: int
    username: str
    database_name: str
    password: pulumi.Input[str]
    """The password the instance was created with (a secret Output)."""
    kms_key_arn: pulumi.Input[str]
    """The data key: the secret, and the function's permission to decrypt it."""
    log_kms_key_arn: pulumi.Input[str]
    """The logs key for the function's log group."""
    log_retention_days: int
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets with a route to the NAT (the app tier)."""
    security_group_id: pulumi.Input[str]
    """The function's security group, which the database admits."""
    rotation_days: int = 30
    """Days between rotations."""
    ready: Sequence[pulumi.Resource] = field(default_factory=list)
    """What must exist before the first rotation (the instance, with the function's group admitted)."""
    protect: bool = True
    """Pulumi ``protect`` on the secret and the longest recovery window."""
    replica: Optional[SecretReplicaTarget] = None
    """The DR Region's read-only copy and its key there; None keeps the secret in this Region only."""


class MasterSecret(pulumi.ComponentResource):
    """The master credential's secret and its rotation."""

    secret_arn: pulumi.Output[str]
    replica_secret_arn: Optional[pulumi.Output[str]]
    """The copy's ARN in the DR Region (None without a replica)."""
    rotation_function_arn: pulumi.Output[str]

    def __init__(self, name: str, args: MasterSecretArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        function_name = rotation_function_name(name)
        super().__init__("betterprompts:data:MasterSecret", name, None, opts)
        tags = ComponentTags("database")

        self.secret = encrypted_secret(
            name,
            description=f"{name}: PostgreSQL master credential and connection details (rotated)",
            kms_key_arn=args.kms_key_arn,
            protect=args.protect,
            tags=tags,
            parent=self,
            replicas=[args.replica] if args.replica is not None else [],
        )
        document = pulumi.Output.all(host=args.host, password=args.password).apply(
            lambda v: secret_document(
                host=v["host"], port=args.port, username=args.username, password=v["password"], dbname=args.database_name
            )
        )
        secret_string: pulumi.Output[str] = pulumi.Output.secret(document.apply(json.dumps))
        version = aws.secretsmanager.SecretVersion(
            name,
            secret_id=self.secret.id,
            secret_string=secret_string,
            opts=pulumi.ResourceOptions(parent=self.secret),
        )

        log_group_name = f"{name}-rotation"
        log_group = aws.cloudwatch.LogGroup(
            log_group_name,
            name=rotation_log_group_name(function_name),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.log_kms_key_arn,
            tags=tags(log_group_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        parameters = pulumi.Output.all(args.security_group_id, args.kms_key_arn, *args.subnet_ids).apply(
            lambda v: rotation_parameters(
                region=args.region, function_name=function_name, subnet_ids=v[2:], security_group_id=v[0], kms_key_arn=v[1]
            )
        )
        self.application = aws.serverlessrepository.CloudFormationStack(
            log_group_name,
            name=function_name,
            application_id=ROTATION_APPLICATION_ID,
            semantic_version=ROTATION_APPLICATION_VERSION,
            capabilities=list(ROTATION_CAPABILITIES),
            parameters=parameters,
            tags=tags(log_group_name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group]),
        )
        self.rotation_function_arn = self.application.outputs.apply(_function_arn)
        aws.secretsmanager.SecretRotation(
            name,
            secret_id=self.secret.id,
            rotation_lambda_arn=self.rotation_function_arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(automatically_after_days=args.rotation_days),
            # The password the program chose is replaced at once: the one in Pulumi's state stops working.
            rotate_immediately=True,
            opts=pulumi.ResourceOptions(parent=self.secret, depends_on=[version, *args.ready]),
        )

        self.secret_arn = self.secret.arn
        self.replica_secret_arn = None
        if args.replica is not None:
            replica_region = args.replica.region
            self.replica_secret_arn = self.secret.arn.apply(lambda arn: replica_secret_arn(arn, replica_region))
        self.register_outputs(
            {"secret_arn": self.secret_arn, "replica_secret_arn": self.replica_secret_arn, "rotation_function_arn": self.rotation_function_arn}
        )


def _function_arn(outputs: Optional[Mapping[str, str]]) -> str:
    arn = (outputs or {}).get(ROTATION_OUTPUT)
    if not arn:
        raise ValueError(f"the rotation application reported no {ROTATION_OUTPUT} output")
    return arn


def _check_args(args: MasterSecretArgs) -> None:
    if not MIN_ROTATION_DAYS <= args.rotation_days <= MAX_ROTATION_DAYS:
        raise ValueError(f"MasterSecret rotates every {MIN_ROTATION_DAYS}-{MAX_ROTATION_DAYS} days, got {args.rotation_days}")
    if not args.subnet_ids:
        raise ValueError("MasterSecret needs the subnets its rotation function runs in")
    if args.replica is not None and args.replica.region == args.region:
        raise ValueError(f"MasterSecret's replica must be in another Region than the secret ({args.region})")

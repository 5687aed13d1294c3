"""PgvectorExtension: enables pgvector in the application database from inside the VPC.

RDS creates the database, not its extensions, and the database is reachable only from
the client security groups. So a Kubernetes Job on the application node pool runs
``CREATE EXTENSION IF NOT EXISTS vector;``:

* an init container (aws-cli) fetches the RDS-managed master secret through IRSA (a role
  allowed ``GetSecretValue`` on that one secret and ``kms:Decrypt`` through Secrets
  Manager only) into a memory-backed ``emptyDir`` readable by the pod's user alone;
* the main container (psql) turns it into a pgpass file, deletes the JSON and runs the
  statement with ``sslmode=require``.

The password is never in the program, its state, the Job spec or a log. The Job's name
hashes the statement and the target, so a changed statement is a new Job that runs again;
the statement itself is idempotent, so re-running is harmless. Pulumi waits for the Job
to complete, so a failure fails the deployment. Pure parts live in ``pgvector_plan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..eks import APPLICATION
from ..platform import ComponentTags, irsa_trust_policy
from .pgvector_plan import (
    AWS_CLI_IMAGE,
    PGVECTOR_STATEMENT,
    PSQL_IMAGE,
    RUN_AS_USER,
    SECRET_DIR,
    fetch_secret_script,
    is_idempotent,
    job_name,
    run_statement_script,
    secret_reader_policy,
)

COMPONENT_LABEL = "app.kubernetes.io/component"


@dataclass
class PgvectorExtensionArgs:
    """Inputs of :class:`PgvectorExtension`."""

    region: str
    """The stack's region (Secrets Manager endpoint, ``kms:ViaService``)."""
    db_address: pulumi.Input[str]
    """The primary's host name (``PgvectorDatabase.address``)."""
    database_name: str
    """The application database the extension is created in."""
    master_username: str
    """The RDS master user (``rds_superuser``: may create extensions)."""
    master_secret_arn: pulumi.Input[str]
    """The RDS-managed master secret (``PgvectorDatabase.master_secret_arn``)."""
    kms_key_arn: pulumi.Input[str]
    """The CMK that secret is encrypted with."""
    k8s_provider: pulumi.ProviderResource
    """The EKS cluster's Kubernetes provider; the Job runs on its application pool."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider (IRSA)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's OIDC issuer without ``https://``."""
    namespace: str = "default"
    """An existing namespace for the service account and the Job."""
    db_port: int = 5432
    statement: str = PGVECTOR_STATEMENT
    """The SQL to run; must be an idempotent ``CREATE EXTENSION IF NOT EXISTS``."""
    psql_image: str = PSQL_IMAGE
    aws_cli_image: str = AWS_CLI_IMAGE
    ttl_seconds_after_finished: int = 3600
    """How long the finished Job (and its logs) stays before Kubernetes removes it."""
    backoff_limit: int = 4
    """Retries (new pods) before the Job, and so the deployment, fails."""


class PgvectorExtension(pulumi.ComponentResource):
    """A one-shot, re-runnable Job that enables pgvector in the application database."""

    job_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: PgvectorExtensionArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:data:PgvectorExtension", name, None, opts)
        tags = ComponentTags("database")
        service_account = name

        role = aws.iam.Role(
            name,
            description="pgvector Job: reads the RDS master secret",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: irsa_trust_policy(v[0], v[1], args.namespace, service_account)
            ),
            tags=tags(name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=pulumi.Output.all(args.master_secret_arn, args.kms_key_arn).apply(
                lambda v: secret_reader_policy(secret_arn=v[0], kms_key_arn=v[1], region=args.region)
            ),
            opts=pulumi.ResourceOptions(parent=role),
        )

        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.k8s_provider)
        labels = {"app.kubernetes.io/name": "pgvector-extension", COMPONENT_LABEL: "database", "app.kubernetes.io/managed-by": "pulumi"}
        account = k8s.core.v1.ServiceAccount(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=service_account,
                namespace=args.namespace,
                labels=labels,
                annotations={"eks.amazonaws.com/role-arn": role.arn},
            ),
            # The IRSA webhook projects its own web-identity token; the Kubernetes API token is not needed.
            automount_service_account_token=False,
            opts=k8s_opts,
        )

        target = pulumi.Output.from_input(args.db_address).apply(
            lambda address: job_name(args.statement, f"{address}:{args.db_port}/{args.database_name}")
        )
        secret_volume = k8s.core.v1.VolumeMountArgs(name="secret", mount_path=SECRET_DIR)
        tmp_volume = k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")
        self.job = k8s.batch.v1.Job(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=target, namespace=args.namespace, labels=labels),
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=args.backoff_limit,
                ttl_seconds_after_finished=args.ttl_seconds_after_finished,
                active_deadline_seconds=600,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=k8s.core.v1.PodSpecArgs(
                        service_account_name=service_account,
                        automount_service_account_token=False,
                        restart_policy="Never",
                        node_selector=APPLICATION.node_selector(),
                        tolerations=[
                            k8s.core.v1.TolerationArgs(key=t["key"], operator=t["operator"], value=t["value"], effect=t["effect"])
                            for t in APPLICATION.tolerations()
                        ],
                        security_context=k8s.core.v1.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=RUN_AS_USER,
                            run_as_group=RUN_AS_USER,
                            fs_group=RUN_AS_USER,
                            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                        ),
                        init_containers=[
                            k8s.core.v1.ContainerArgs(
                                name="fetch-secret",
                                image=args.aws_cli_image,
                                command=["/bin/sh", "-c", fetch_secret_script()],
                                env=[
                                    k8s.core.v1.EnvVarArgs(name="MASTER_SECRET_ARN", value=args.master_secret_arn),
                                    k8s.core.v1.EnvVarArgs(name="AWS_REGION", value=args.region),
                                    k8s.core.v1.EnvVarArgs(name="AWS_DEFAULT_REGION", value=args.region),
                                    # The CLI caches credentials under $HOME; the root file system is read-only.
                                    k8s.core.v1.EnvVarArgs(name="HOME", value="/tmp"),
                                ],
                                volume_mounts=[secret_volume, tmp_volume],
                                security_context=_container_security(),
                                resources=_resources(),
                            )
                        ],
                        containers=[
                            k8s.core.v1.ContainerArgs(
                                name="psql",
                                image=args.psql_image,
                                command=["/bin/sh", "-c", run_statement_script()],
                                env=[
                                    k8s.core.v1.EnvVarArgs(name="PGHOST", value=args.db_address),
                                    k8s.core.v1.EnvVarArgs(name="PGPORT", value=str(args.db_port)),
                                    k8s.core.v1.EnvVarArgs(name="PGDATABASE", value=args.database_name),
                                    k8s.core.v1.EnvVarArgs(name="PGUSER", value=args.master_username),
                                    # The parameter group refuses anything but TLS anyway.
                                    k8s.core.v1.EnvVarArgs(name="PGSSLMODE", value="require"),
                                    k8s.core.v1.EnvVarArgs(name="PGCONNECT_TIMEOUT", value="15"),
                                    k8s.core.v1.EnvVarArgs(name="STATEMENT", value=args.statement),
                                ],
                                volume_mounts=[secret_volume, tmp_volume],
                                security_context=_container_security(),
                                resources=_resources(),
                            )
                        ],
                        volumes=[
                            # Memory-backed: the secret never touches a node's disk.
                            k8s.core.v1.VolumeArgs(
                                name="secret", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(medium="Memory", size_limit="1Mi")
                            ),
                            k8s.core.v1.VolumeArgs(name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(size_limit="64Mi")),
                        ],
                    ),
                ),
            ),
            # The role must be able to read the secret before the pod asks for it.
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=[account, policy]),
        )

        self.job_name = self.job.metadata.apply(lambda m: m.name or "")
        self.role_arn = role.arn
        self.register_outputs({"job_name": self.job_name, "role_arn": self.role_arn})


def _container_security() -> k8s.core.v1.SecurityContextArgs:
    return k8s.core.v1.SecurityContextArgs(
        allow_privilege_escalation=False,
        read_only_root_filesystem=True,
        capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
    )


def _resources() -> k8s.core.v1.ResourceRequirementsArgs:
    return k8s.core.v1.ResourceRequirementsArgs(
        requests={"cpu": "50m", "memory": "64Mi"},
        limits={"memory": "256Mi"},
    )


def _check_args(args: PgvectorExtensionArgs) -> None:
    """Reject a statement that could not be re-run safely, before any child exists."""
    if not is_idempotent(args.statement):
        raise ValueError(
            f"PgvectorExtension runs only one idempotent CREATE EXTENSION IF NOT EXISTS statement, got {args.statement!r}"
        )
    if args.backoff_limit < 0 or args.ttl_seconds_after_finished < 0:
        raise ValueError("PgvectorExtension backoff_limit and ttl_seconds_after_finished must not be negative")

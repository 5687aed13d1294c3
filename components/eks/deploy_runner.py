"""DeployRunner: where ``pulumi preview`` and ``pulumi up`` run, inside the VPC.

The cluster's API endpoint answers only inside the VPC, and its security group admits 443 from
named security groups only. This component is the runner that deploys: a CodeBuild project in
the app subnets whose webhook turns each queued job of the infrastructure workflow labelled
``codebuild-<project>-<run id>-<attempt>`` into an ephemeral GitHub Actions runner (AWS CodeBuild
user guide, "Self-hosted GitHub Actions runners in AWS CodeBuild"). Around it: the runner's
security group (no ingress; HTTPS out, for GitHub, AWS APIs, registries and the cluster), its
KMS-encrypted log group, a service role that can only run the runner (the workflow assumes the
deploy role itself, through GitHub's OIDC provider), and the CodeConnections connection to
GitHub, which an administrator completes once in the console (docs/deploy.md).

``EksCluster`` admits :attr:`security_group_id` to its API endpoint (``api_clients``).
Pure parts: ``deploy_plan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, service_assume_role_policy
from . import deploy_plan as plan
from .deploy_settings import DeploySettings


@dataclass
class DeployRunnerArgs:
    """Inputs of :class:`DeployRunner`."""

    prefix: str
    """The stack's name prefix (``betterprompts-<stack>``): the project is ``<prefix>-deploy``."""
    settings: DeploySettings
    region: str
    account_id: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private app subnets (NAT egress to GitHub), one per AZ."""
    logs_kms_key_arn: pulumi.Input[str]
    """Customer-managed key of the build log group (its policy admits CloudWatch Logs)."""


class DeployRunner(pulumi.ComponentResource):
    """A CodeBuild-hosted GitHub Actions runner in the VPC that deploys this stack."""

    security_group_id: pulumi.Output[str]
    project_name: str
    runner_label: str
    connection_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DeployRunnerArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not args.subnet_ids:
            raise ValueError("DeployRunner needs the private app subnets (one per AZ)")
        super().__init__("betterprompts:eks:DeployRunner", name, None, opts)
        settings = args.settings
        tags = ComponentTags("deploy-runner")
        project = plan.project_name(args.prefix)

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description=f"{project}: CodeBuild GitHub Actions runner (no ingress; HTTPS out)",
            vpc_id=args.vpc_id,
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="GitHub, AWS APIs, package and chart registries, the cluster API",
                    protocol="tcp",
                    from_port=plan.HTTPS,
                    to_port=plan.HTTPS,
                    cidr_blocks=["0.0.0.0/0"],
                )
            ],
            tags=tags(f"{name}-sg"),
            opts=pulumi.ResourceOptions(parent=self),
        )

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=plan.log_group_name(project),
            retention_in_days=settings.log_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(f"{name}-logs"),
            opts=pulumi.ResourceOptions(parent=self),
        )

        # Created PENDING: an administrator completes the handshake (installs the AWS Connector
        # for GitHub app on the repository) once, in the console.
        self.connection = aws.codeconnections.Connection(
            f"{name}-github",
            name=plan.connection_name(args.prefix),
            provider_type="GitHub",
            tags=tags(f"{name}-github"),
            opts=pulumi.ResourceOptions(parent=self),
        )

        role = aws.iam.Role(
            f"{name}-role",
            description=f"{project}: the CodeBuild runner's service role (logs, VPC interfaces, GitHub connection)",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: service_assume_role_policy(plan.CODEBUILD_SERVICE, source_account=account)
            ),
            tags=tags(f"{name}-role"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-role",
            role=role.id,
            policy=pulumi.Output.all(args.account_id, log_group.arn, self.connection.arn, *args.subnet_ids).apply(
                lambda v: plan.runner_policy(
                    region=args.region,
                    account_id=v[0],
                    log_group_arn=v[1],
                    connection_arn=v[2],
                    subnet_arns=[plan.subnet_arn(args.region, v[0], subnet) for subnet in v[3:]],
                )
            ),
            opts=pulumi.ResourceOptions(parent=role),
        )

        self.project = aws.codebuild.Project(
            f"{name}-project",
            name=project,
            description=f"GitHub Actions runner for {settings.github_repository}'s {settings.workflow_name} workflow, in the VPC",
            service_role=role.arn,
            source=aws.codebuild.ProjectSourceArgs(
                type="GITHUB",
                location=plan.repository_url(settings.github_repository),
                auth=aws.codebuild.ProjectSourceAuthArgs(type="CODECONNECTIONS", resource=self.connection.arn),
            ),
            artifacts=aws.codebuild.ProjectArtifactsArgs(type="NO_ARTIFACTS"),
            environment=aws.codebuild.ProjectEnvironmentArgs(
                type="LINUX_CONTAINER",
                compute_type=settings.compute_type,
                image=settings.image,
                image_pull_credentials_type="CODEBUILD",
                privileged_mode=False,
            ),
            vpc_config=aws.codebuild.ProjectVpcConfigArgs(
                vpc_id=args.vpc_id,
                subnets=list(args.subnet_ids),
                security_group_ids=[self.security_group.id],
            ),
            logs_config=aws.codebuild.ProjectLogsConfigArgs(
                cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(status="ENABLED", group_name=log_group.name),
                s3_logs=aws.codebuild.ProjectLogsConfigS3LogsArgs(status="DISABLED"),
            ),
            build_timeout=settings.build_timeout_minutes,
            concurrent_build_limit=settings.concurrent_builds,
            tags=tags(f"{name}-project"),
            # Its first build must find the role's policy (logs, network interfaces) in place.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        # Needs the connection AVAILABLE: on an empty account it is created after the
        # handshake (docs/deploy.md, bootstrap).
        self.webhook = aws.codebuild.Webhook(
            f"{name}-webhook",
            project_name=self.project.name,
            build_type="BUILD",
            filter_groups=[
                aws.codebuild.WebhookFilterGroupArgs(
                    filters=[
                        aws.codebuild.WebhookFilterGroupFilterArgs(type=f["type"], pattern=f["pattern"])
                        for f in plan.webhook_filters(settings.workflow_name)
                    ]
                )
            ],
            opts=pulumi.ResourceOptions(parent=self.project),
        )

        self.security_group_id = self.security_group.id
        self.project_name = project
        self.runner_label = plan.runner_label(project)
        self.connection_arn = self.connection.arn
        self.register_outputs(
            {
                "security_group_id": self.security_group_id,
                "project_name": self.project_name,
                "runner_label": self.runner_label,
                "connection_arn": self.connection_arn,
            }
        )

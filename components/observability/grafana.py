"""GrafanaWorkspace: Amazon Managed Grafana over the platform's CloudWatch metrics and logs and X-Ray traces.

- The workspace (``<prefix>-grafana``): this account only (``CURRENT_ACCOUNT``), authentication from config
  (IAM Identity Center, SAML or both), ``CUSTOMER_MANAGED`` permissions (the only type the API takes:
  ``grafana_plan``) with a role of its own allowed exactly its data sources (CloudWatch, X-Ray) and its
  notification destination (the alarm topic). The data sources are AWS APIs: no VPC configuration (that is
  for data sources inside a VPC; the in-cluster Prometheus is not exposed to it). Network access control
  (prefix lists, VPC endpoints) only where config names them.
- With SAML: the workspace's SAML configuration (IdP metadata, the assertions naming admins and editors).
- With IAM Identity Center: role associations for the configured groups (ADMIN, EDITOR, VIEWER).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, service_assume_role_policy
from .grafana_plan import (
    ACCOUNT_ACCESS,
    DATA_SOURCES,
    NOTIFICATION_DESTINATIONS,
    PROMETHEUS,
    PERMISSION_TYPE,
    SAML,
    SSO,
    data_source_policy_arns,
    data_sources,
    notification_policy,
    workspace_name,
)
from .prometheus_plan import query_policy
from .settings import GrafanaSettings


@dataclass
class GrafanaWorkspaceArgs:
    """Inputs of :class:`GrafanaWorkspace`."""

    prefix: str
    region: str
    account_id: pulumi.Input[str]
    settings: GrafanaSettings
    alarm_topic_arn: pulumi.Input[str]
    """Grafana's alert notifications go to the platform's alarm topic."""
    alarm_topic_key_arn: pulumi.Input[str]
    """The topic's KMS key (a publisher to an encrypted topic needs it through SNS)."""
    prometheus_workspace_arn: Optional[pulumi.Input[str]] = None
    """The stack's AMP workspace (``ManagedPrometheus``): the role may query it, and PROMETHEUS is a data source."""


class GrafanaWorkspace(pulumi.ComponentResource):
    """The workspace, its role and grants, and its users' mapping (SAML or Identity Center groups)."""

    workspace_id: pulumi.Output[str]
    endpoint: pulumi.Output[str]

    def __init__(self, name: str, args: GrafanaWorkspaceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:observability:GrafanaWorkspace", name, None, opts)
        settings = args.settings
        tags = ComponentTags("grafana")
        account = pulumi.Output.from_input(args.account_id)

        role_name = f"{name}-workspace"
        self.role = aws.iam.Role(
            role_name,
            description="Amazon Managed Grafana reads CloudWatch and X-Ray and notifies the alarm topic",
            assume_role_policy=account.apply(lambda a: service_assume_role_policy("grafana.amazonaws.com", source_account=a)),
            tags=tags(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        grants: list[pulumi.Resource] = []
        for source, policy_arn in data_source_policy_arns().items():
            if source in DATA_SOURCES:
                grants.append(
                    aws.iam.RolePolicyAttachment(
                        f"{role_name}-{source.lower()}",
                        role=self.role.name,
                        policy_arn=policy_arn,
                        opts=pulumi.ResourceOptions(parent=self.role),
                    )
                )
        grants.append(
            aws.iam.RolePolicy(
                f"{role_name}-sns",
                role=self.role.id,
                policy=pulumi.Output.all(args.alarm_topic_arn, args.alarm_topic_key_arn).apply(
                    lambda v: notification_policy(topic_arn=v[0], topic_key_arn=v[1], region=args.region)
                ),
                opts=pulumi.ResourceOptions(parent=self.role),
            )
        )

        if args.prometheus_workspace_arn is not None:
            grants.append(
                aws.iam.RolePolicy(
                    f"{role_name}-{PROMETHEUS.lower()}",
                    role=self.role.id,
                    policy=pulumi.Output.from_input(args.prometheus_workspace_arn).apply(query_policy),
                    opts=pulumi.ResourceOptions(parent=self.role),
                )
            )

        access = None
        if settings.allowed_prefix_list_ids or settings.allowed_vpc_endpoint_ids:
            access = aws.grafana.WorkspaceNetworkAccessControlArgs(
                prefix_list_ids=list(settings.allowed_prefix_list_ids), vpce_ids=list(settings.allowed_vpc_endpoint_ids)
            )
        workspace = workspace_name(args.prefix)
        self.workspace = aws.grafana.Workspace(
            name,
            name=workspace,
            description="BetterPrompts: CloudWatch metrics and logs, X-Ray traces (docs/observability.md)",
            account_access_type=ACCOUNT_ACCESS,
            authentication_providers=list(settings.authentication_providers),
            permission_type=PERMISSION_TYPE,
            role_arn=self.role.arn,
            data_sources=data_sources(prometheus=args.prometheus_workspace_arn is not None),
            notification_destinations=list(NOTIFICATION_DESTINATIONS),
            grafana_version=settings.grafana_version,
            network_access_control=access,
            tags=tags(workspace),
            # The role can read before the workspace first uses it.
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants),
        )
        if settings.saml is not None:
            saml = settings.saml
            aws.grafana.WorkspaceSamlConfiguration(
                f"{name}-saml",
                workspace_id=self.workspace.id,
                idp_metadata_url=saml.idp_metadata_url,
                editor_role_values=list(saml.editor_role_values),
                admin_role_values=list(saml.admin_role_values) or None,
                role_assertion=saml.role_assertion,
                login_assertion=saml.login_assertion,
                login_validity_duration=saml.login_validity_minutes,
                opts=pulumi.ResourceOptions(parent=self.workspace),
            )
        for role, groups in (("ADMIN", settings.admin_group_ids), ("EDITOR", settings.editor_group_ids), ("VIEWER", settings.viewer_group_ids)):
            if groups:
                aws.grafana.RoleAssociation(
                    f"{name}-{role.lower()}s",
                    workspace_id=self.workspace.id,
                    role=role,
                    group_ids=list(groups),
                    opts=pulumi.ResourceOptions(parent=self.workspace),
                )
        self.workspace_id = self.workspace.id
        self.endpoint = self.workspace.endpoint
        self.register_outputs({"workspace_id": self.workspace_id, "endpoint": self.endpoint})


def _check_args(args: GrafanaWorkspaceArgs) -> None:
    s = args.settings
    if (SAML in s.authentication_providers) != (s.saml is not None):
        raise ValueError("GrafanaWorkspace: a SAML configuration exactly when SAML authenticates")
    if (s.admin_group_ids or s.editor_group_ids or s.viewer_group_ids) and SSO not in s.authentication_providers:
        raise ValueError("GrafanaWorkspace: Identity Center groups need AWS_SSO authentication")

"""GrafanaDataSources: the Managed Grafana workspace's data sources as code (the Grafana provider).

AMG's API creates a workspace but not what is inside it; Grafana's own HTTP API does, and the pulumiverse
Grafana provider drives it. It authenticates with a token of a workspace service account
(``aws.grafana.WorkspaceServiceAccount``, Grafana role ADMIN: data sources need an organization admin;
``WorkspaceServiceAccountToken``, a secret). AMG caps a token's life at 30 days and has no API to extend one:
the token's name carries ``grafana.dataSources.tokenRotation``, so changing that label replaces the token on
the next ``pulumi up`` (``pulumi up --replace <token URN>`` does the same without a config change); the
provider then runs with the new token. The provider is explicit (passed through options), never the default.

- ``CloudWatch`` (uid ``cloudwatch``): the ``cloudwatch`` type, the workspace role, the stack's Region.
- ``Amazon Managed Prometheus`` (uid ``amp``, the default data source) where the stack has an AMP workspace: the
  ``prometheus`` type at the workspace's Prometheus endpoint with SigV4 through the workspace role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumiverse_grafana as grafana

from .grafana_plan import (
    SECONDS_PER_DAY,
    SERVICE_ACCOUNT_NAME,
    SERVICE_ACCOUNT_ROLE,
    cloudwatch_json_data,
    prometheus_json_data,
    token_name,
    workspace_url,
)
from .settings import GrafanaDataSourceSettings


@dataclass
class GrafanaDataSourcesArgs:
    """Inputs of :class:`GrafanaDataSources`."""

    region: str
    workspace_id: pulumi.Input[str]
    workspace_endpoint: pulumi.Input[str]
    """The workspace's host name (``aws.grafana.Workspace.endpoint``)."""
    settings: GrafanaDataSourceSettings
    prometheus_endpoint: Optional[pulumi.Input[str]] = None
    """The AMP workspace's Prometheus endpoint (``ManagedPrometheus.prometheus_endpoint``); None: no AMP data source."""


class GrafanaDataSources(pulumi.ComponentResource):
    """The service account, its token, the Grafana provider and the data sources."""

    def __init__(self, name: str, args: GrafanaDataSourcesArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("betterprompts:observability:GrafanaDataSources", name, None, opts)
        settings = args.settings
        account = aws.grafana.WorkspaceServiceAccount(
            f"{name}-account",
            name=SERVICE_ACCOUNT_NAME,
            grafana_role=SERVICE_ACCOUNT_ROLE,
            workspace_id=args.workspace_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.token = aws.grafana.WorkspaceServiceAccountToken(
            f"{name}-token",
            name=token_name(settings.token_rotation),
            seconds_to_live=settings.token_lifetime_days * SECONDS_PER_DAY,
            service_account_id=account.service_account_id,
            workspace_id=args.workspace_id,
            # The new token exists before the old one goes: the provider never runs without one.
            opts=pulumi.ResourceOptions(parent=account),
        )
        # The provider's schema marks the key secret already; kept secret here whatever a provider upgrade does.
        token_key: pulumi.Output[str] = pulumi.Output.secret(self.token.key)
        self.provider = grafana.Provider(
            f"{name}-grafana",
            url=pulumi.Output.from_input(args.workspace_endpoint).apply(workspace_url),
            auth=token_key,
            opts=pulumi.ResourceOptions(parent=self),
        )
        inside = pulumi.ResourceOptions(parent=self, provider=self.provider)
        self.cloudwatch = grafana.oss.DataSource(
            f"{name}-cloudwatch",
            type="cloudwatch",
            name="CloudWatch",
            uid="cloudwatch",
            json_data_encoded=json.dumps(cloudwatch_json_data(args.region), sort_keys=True),
            opts=inside,
        )
        self.prometheus: Optional[grafana.oss.DataSource] = None
        if args.prometheus_endpoint is not None:
            self.prometheus = grafana.oss.DataSource(
                f"{name}-prometheus",
                type="prometheus",
                name="Amazon Managed Prometheus",
                uid="amp",
                url=args.prometheus_endpoint,
                is_default=True,
                json_data_encoded=json.dumps(prometheus_json_data(args.region), sort_keys=True),
                opts=inside,
            )
        self.register_outputs({"token_expires_at": self.token.expires_at})

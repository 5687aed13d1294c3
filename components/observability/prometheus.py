"""ManagedPrometheus: the Amazon Managed Service for Prometheus workspace the in-cluster Prometheus
remote-writes to and Managed Grafana queries (why: ``prometheus_plan``).

- A customer managed key of its own (``<name>-key``): AMP takes the key at creation only, so the workspace's
  key is never a key shared with other purposes that might be rotated out or re-scoped; its policy is AMP's
  documented one (``prometheus_plan.key_policy``).
- The vended log group (``/aws/vendedlogs/prometheus/<prefix>``) under the stack's logs key, retention from
  config, and the workspace's logging configuration pointing at it.
- The workspace (alias ``<prefix>-metrics``), protected with the stack's stateful resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, component_key
from .prometheus_plan import key_policy, log_group_name, logging_destination, remote_write_url, workspace_alias
from .settings import ManagedPrometheusSettings


@dataclass
class ManagedPrometheusArgs:
    """Inputs of :class:`ManagedPrometheus`."""

    prefix: str
    region: str
    account_id: pulumi.Input[str]
    settings: ManagedPrometheusSettings
    logs_kms_key_arn: pulumi.Input[str]
    """The stack's logs key (``baseline.keys["logs"]``), whose policy admits CloudWatch Logs."""
    kms_deletion_window_days: int
    protect: bool = True


class ManagedPrometheus(pulumi.ComponentResource):
    """The AMP workspace, its key and its log group."""

    workspace_id: pulumi.Output[str]
    workspace_arn: pulumi.Output[str]
    prometheus_endpoint: pulumi.Output[str]
    remote_write_url: pulumi.Output[str]
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ManagedPrometheusArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not args.settings.enabled:
            raise ValueError("ManagedPrometheus: the workspace is disabled in its settings")
        super().__init__("betterprompts:observability:ManagedPrometheus", name, None, opts)
        tags = ComponentTags("managed-prometheus")
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)

        key_name = f"{name}-key"
        self.key = component_key(
            key_name,
            description=f"{key_name}: Amazon Managed Service for Prometheus workspace {workspace_alias(args.prefix)}",
            policy=pulumi.Output.from_input(args.account_id).apply(lambda a: key_policy(account_id=a, region=args.region)),
            tags=tags(key_name, {"KeyPurpose": "metrics"}),
            deletion_window_days=args.kms_deletion_window_days,
            protect=args.protect,
            parent=self,
        )

        group_name = f"{name}-logs"
        self.log_group = aws.cloudwatch.LogGroup(
            group_name,
            name=log_group_name(args.prefix),
            retention_in_days=args.settings.log_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(group_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        alias = workspace_alias(args.prefix)
        self.workspace = aws.amp.Workspace(
            name,
            alias=alias,
            kms_key_arn=self.key.arn,
            logging_configuration=aws.amp.WorkspaceLoggingConfigurationArgs(
                log_group_arn=self.log_group.arn.apply(logging_destination)
            ),
            tags=tags(name),
            opts=stateful,
        )
        self.workspace_id = self.workspace.id
        self.workspace_arn = self.workspace.arn
        self.prometheus_endpoint = self.workspace.prometheus_endpoint
        self.remote_write_url = self.workspace.prometheus_endpoint.apply(remote_write_url)
        self.key_arn = self.key.arn
        self.register_outputs(
            {
                "workspace_id": self.workspace_id,
                "workspace_arn": self.workspace_arn,
                "prometheus_endpoint": self.prometheus_endpoint,
                "remote_write_url": self.remote_write_url,
            }
        )

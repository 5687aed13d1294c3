"""Pure calculations for the Amazon Managed Service for Prometheus (AMP) workspace: names, its key's policy,
the remote-write URL, what Grafana may ask of it.

Why AMP at all: Amazon Managed Grafana reaches a Prometheus only over the internet or through a VPC
configuration of its own, and the in-cluster Prometheus (``MetricsPipeline``) has neither a public nor an
internal load-balanced endpoint. So the in-cluster Prometheus keeps scraping (prometheus-adapter, and so
the HPAs, still read it) and also remote-writes every sample to an AMP workspace, an AWS API Grafana queries
with SigV4 like CloudWatch.

Facts (Amazon Managed Service for Prometheus User Guide):
- "Encryption at rest": a workspace is encrypted with a customer managed key only when the key is given at
  creation: "Workspaces created with customer managed keys can't be converted to use AWS owned keys later (and
  vice versa)" (the provider replaces the workspace when ``kmsKeyArn`` changes). The key policy must let the
  service create its three grants: the documented statement admits any principal of this account through
  ``aps.<region>.amazonaws.com`` (``kms:ViaService`` and ``kms:CallerAccount``) for ``kms:DescribeKey``,
  ``kms:CreateGrant``, ``kms:GenerateDataKey`` and ``kms:Decrypt``; that statement also serves the remote
  writer and Grafana, whose calls reach the key through AMP. Workspaces with a customer managed key cannot
  use AWS managed collectors (this platform remote-writes; it has none).
- Logging: ``loggingConfiguration.logGroupArn`` must be the group's ARN with ``:*`` (the API's pattern); the
  group exists first. AMP logs are vended logs: the ``/aws/vendedlogs/`` prefix keeps CloudWatch Logs'
  resource policy for their delivery short (CloudWatch Logs User Guide, "Enabling logging from AWS services").
- Remote write: ``<prometheus endpoint>api/v1/remote_write`` signed with SigV4 for ``aps`` in the workspace's
  Region; the writer needs ``aps:RemoteWrite`` on the workspace ("Set up ingestion from a new Prometheus server
  using Helm"). Query: ``aps:QueryMetrics``, ``GetSeries``, ``GetLabels``, ``GetMetricMetadata`` (what AMG's
  service-managed permissions grant for an AMP data source).
"""

from __future__ import annotations

import re
from typing import Any

from ..platform import account_key_policy, policy_document

QUERY_ACTIONS = ("aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata")
REMOTE_WRITE_PATH = "api/v1/remote_write"

_ALIAS = re.compile(r"^[0-9A-Za-z][-.0-9A-Z_a-z]{0,99}$")


def workspace_alias(prefix: str) -> str:
    """``<prefix>-metrics``: AMP aliases are 1-100 characters (not unique; the id is)."""
    alias = f"{prefix}-metrics"
    if not _ALIAS.match(alias):
        raise ValueError(f"AMP workspace alias {alias!r}: 1-100 letters, digits, '-', '.' or '_'")
    return alias


def log_group_name(prefix: str) -> str:
    """The workspace's vended log group (rule evaluation and ingestion errors)."""
    return f"/aws/vendedlogs/prometheus/{prefix}"


def logging_destination(log_group_arn: str) -> str:
    """What ``loggingConfiguration.logGroupArn`` takes: the group's ARN with ``:*``."""
    return log_group_arn if log_group_arn.endswith(":*") else f"{log_group_arn}:*"


def remote_write_url(prometheus_endpoint: str) -> str:
    """``https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-.../api/v1/remote_write``."""
    return prometheus_endpoint.rstrip("/") + "/" + REMOTE_WRITE_PATH


def key_policy(*, account_id: str, region: str, partition: str = "aws") -> str:
    """The workspace key: the account administers; AMP uses it for callers of this account (its documented statement)."""
    statement: dict[str, Any] = {
        "Sid": "AmpUsesTheKeyForThisAccount",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": f"aps.{region}.amazonaws.com", "kms:CallerAccount": account_id}},
    }
    return account_key_policy(account_id=account_id, statements=[statement], partition=partition)


def query_policy(workspace_arn: str) -> str:
    """Grafana reads this one workspace (no other AMP workspace, no writes)."""
    return policy_document([{"Sid": "QueryTheWorkspace", "Effect": "Allow", "Action": list(QUERY_ACTIONS), "Resource": workspace_arn}])

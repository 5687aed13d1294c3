"""Pure calculations for the Amazon Managed Grafana workspace: names, data sources, the workspace role's grants.

Facts (Amazon Managed Grafana User Guide and API reference):
- ``permissionType``: "The ability for Amazon Managed Grafana to create and update IAM roles on behalf of
  the user is supported only in the Amazon Managed Grafana console, where this value may be set to
  SERVICE_MANAGED. Use only the CUSTOMER_MANAGED permission type when creating a workspace with the API,
  CLI or AWS CloudFormation" (CreateWorkspace). Pulumi calls the API: the stack makes the workspace role.
- What AMG's service-managed mode would attach, per data source ("Amazon Managed Grafana permissions and
  policies for AWS data sources"): CloudWatch -> the AWS managed ``AmazonGrafanaCloudWatchAccess``,
  X-Ray -> ``AWSXrayReadOnlyAccess``; Amazon Managed Service for Prometheus -> aps query actions (here:
  on the stack's one AMP workspace, ``prometheus_plan.query_policy``, when it has one). SNS as the
  notification destination -> ``sns:Publish`` (here: on the alarm topic only, which is KMS-encrypted, so
  the publisher also needs the topic key through SNS).
- The role is assumed by ``grafana.amazonaws.com``.
- Authentication: ``AWS_SSO`` needs IAM Identity Center enabled (an organization's management account or
  its delegated administrator, in a Region AMG supports); ``SAML`` needs a SAML configuration (the IdP's
  metadata and which assertion values make admins and editors).
"""

from __future__ import annotations

import re

from ..platform import policy_document

SSO = "AWS_SSO"
SAML = "SAML"
AUTHENTICATION_PROVIDERS = (SSO, SAML)
GRAFANA_VERSIONS = ("9.4", "10.4", "12.4", "13.2")
"""The versions the provider accepts for ``grafanaVersion`` (pulumi-aws 7.51)."""
ACCOUNT_ACCESS = "CURRENT_ACCOUNT"
PERMISSION_TYPE = "CUSTOMER_MANAGED"
DATA_SOURCES = ("CLOUDWATCH", "XRAY")
"""What the platform always has to show: CloudWatch metrics and logs, X-Ray traces."""
PROMETHEUS = "PROMETHEUS"
"""Added when the stack has an AMP workspace (``observability.managedPrometheus``)."""


def data_sources(*, prometheus: bool) -> list[str]:
    """The workspace's ``dataSources``: what its role is allowed to read."""
    return [*DATA_SOURCES, *([PROMETHEUS] if prometheus else [])]
NOTIFICATION_DESTINATIONS = ("SNS",)
ROLES = ("ADMIN", "EDITOR", "VIEWER")

_NAME = re.compile(r"^[a-zA-Z0-9\-._~]{1,255}$")


def workspace_name(prefix: str) -> str:
    """``<prefix>-grafana``: AMG names are 1-255 of letters, digits and ``-._~``."""
    name = f"{prefix}-grafana"
    if not _NAME.match(name):
        raise ValueError(f"Grafana workspace name {name!r}: 1-255 letters, digits, '-', '.', '_' or '~'")
    return name


def data_source_policy_arns(partition: str = "aws") -> dict[str, str]:
    """Data source -> the AWS managed policy AMG's service-managed mode attaches for it."""
    return {
        "CLOUDWATCH": f"arn:{partition}:iam::aws:policy/service-role/AmazonGrafanaCloudWatchAccess",
        "XRAY": f"arn:{partition}:iam::aws:policy/AWSXrayReadOnlyAccess",
    }


def notification_policy(*, topic_arn: str, topic_key_arn: str, region: str) -> str:
    """Grafana's alerts to the alarm topic: publish to it, and use its key only through SNS."""
    return policy_document(
        [
            {"Sid": "PublishAlerts", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
            {
                "Sid": "UseTheTopicKeyThroughSns",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                "Resource": topic_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}},
            },
        ]
    )


# --- the data sources inside the workspace (GrafanaDataSources) ---------------------------------
# AMG signs AWS requests with the workspace role when a data source's auth type is "ec2_iam_role" (the console's
# "Workspace IAM role"). The AMP data source is Grafana's core ``prometheus`` type with SigV4 (available in every
# version AMG offers, 9.4 to 13.2), not the ``grafana-amazonprometheus-datasource`` plugin, which a workspace
# has only once an admin installs it (plugin management), so a fresh workspace would refuse the data source.
WORKSPACE_ROLE_AUTH = "ec2_iam_role"
SERVICE_ACCOUNT_NAME = "pulumi"
SERVICE_ACCOUNT_ROLE = "ADMIN"
"""Creating data sources needs the Admin role in Grafana's organization (EDITOR cannot)."""
SECONDS_PER_DAY = 86_400


def cloudwatch_json_data(region: str) -> dict[str, str]:
    return {"authType": WORKSPACE_ROLE_AUTH, "defaultRegion": region}


def prometheus_json_data(region: str) -> dict[str, object]:
    """SigV4 for ``aps`` in the workspace's Region; POST (long PromQL queries do not fit a URL)."""
    return {"httpMethod": "POST", "sigV4Auth": True, "sigV4AuthType": WORKSPACE_ROLE_AUTH, "sigV4Region": region}


def token_name(rotation: str) -> str:
    """The token's name carries the rotation label: a new label is a new token (every token input forces replacement)."""
    return f"{SERVICE_ACCOUNT_NAME}-{rotation}"


def workspace_url(endpoint: str) -> str:
    """The workspace's ``endpoint`` is a host name (``g-....grafana-workspace.<region>.amazonaws.com``)."""
    return endpoint if endpoint.startswith("https://") else f"https://{endpoint}"

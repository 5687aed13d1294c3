"""The Managed Grafana workspace's data sources as code: a workspace service account (ADMIN) and its token (at
most 30 days, renewed by a new rotation label), an explicit Grafana provider with the token as a secret,
CloudWatch and the AMP workspace (SigV4 through the workspace role); staging has none; bad config names its key."""

from __future__ import annotations

import json
import re

import pytest

from components.observability.grafana_plan import cloudwatch_json_data, prometheus_json_data, token_name, workspace_url
from components.platform import ConfigError
from preflight.harness import Plan, Resource
from tests.stack_config import config_of, load, with_value

DATA_SOURCE = "grafana:oss/dataSource:DataSource"
TOKEN = "aws:grafana/workspaceServiceAccountToken:WorkspaceServiceAccountToken"
ACCOUNT = "aws:grafana/workspaceServiceAccount:WorkspaceServiceAccount"


def _source(plan: Plan, uid: str) -> Resource:
    [found] = [r for r in plan.of_type(DATA_SOURCE) if r.inputs["uid"] == uid]
    return found


def test_a_service_account_with_a_token_of_at_most_30_days(production: Plan) -> None:
    [workspace] = production.of_type("aws:grafana/workspace:Workspace")
    [account] = production.of_type(ACCOUNT)
    assert account.inputs == {"workspaceId": workspace.id, "grafanaRole": "ADMIN", "name": "pulumi"}
    [token] = production.of_type(TOKEN)
    assert token.inputs["name"] == "pulumi-2026-11"
    assert token.inputs["secondsToLive"] == 30 * 86_400 == 2_592_000
    assert token.inputs["workspaceId"] == workspace.id and token.parent == account.urn
    assert production.outputs["grafanaTokenExpiresAt"] == "2026-12-26T00:00:00Z"


def test_the_provider_is_explicit_and_its_token_secret(production: Plan) -> None:
    [provider] = production.of_type("pulumi:providers:grafana")
    assert provider.inputs["url"] == f"https://{production.outputs['grafanaWorkspaceEndpoint']}"
    assert re.fullmatch(r"https://g-[0-9a-f]{10}\.grafana-workspace\.us-east-1\.amazonaws\.com", provider.inputs["url"])
    # The token never reaches the plan in clear text.
    assert provider.inputs["auth"] == "[secret]"
    [token] = production.of_type(TOKEN)
    assert token.urn in provider.dependencies
    for source in production.of_type(DATA_SOURCE):
        assert source.provider.startswith(provider.urn + "::"), source.name


def test_cloudwatch_and_amp_through_the_workspace_role(production: Plan) -> None:
    cloudwatch = _source(production, "cloudwatch")
    assert cloudwatch.inputs["type"] == "cloudwatch" and cloudwatch.inputs["name"] == "CloudWatch"
    assert json.loads(cloudwatch.inputs["jsonDataEncoded"]) == {"authType": "ec2_iam_role", "defaultRegion": "us-east-1"}
    amp = _source(production, "amp")
    assert amp.inputs["type"] == "prometheus" and amp.inputs["isDefault"] is True
    assert amp.inputs["url"] == production.outputs["prometheusWorkspaceEndpoint"]
    assert re.fullmatch(r"https://aps-workspaces\.us-east-1\.amazonaws\.com/workspaces/ws-[0-9a-f-]{36}/", amp.inputs["url"])
    assert json.loads(amp.inputs["jsonDataEncoded"]) == {
        "httpMethod": "POST",
        "sigV4Auth": True,
        "sigV4AuthType": "ec2_iam_role",
        "sigV4Region": "us-east-1",
    }


def test_staging_has_none(staging: Plan) -> None:
    assert staging.of_type(DATA_SOURCE) == [] and staging.of_type(TOKEN) == [] and staging.of_type("pulumi:providers:grafana") == []


def test_pure_helpers() -> None:
    assert token_name("2027-01") == "pulumi-2027-01"
    assert workspace_url("g-1.grafana-workspace.eu-west-1.amazonaws.com") == "https://g-1.grafana-workspace.eu-west-1.amazonaws.com"
    assert workspace_url("https://g-1.example") == "https://g-1.example"
    assert cloudwatch_json_data("eu-west-1")["defaultRegion"] == "eu-west-1"
    assert prometheus_json_data("eu-west-1")["sigV4Region"] == "eu-west-1"


def test_config_per_stack_and_off_by_default() -> None:
    production = load(config_of("production")).observability.grafana.data_sources
    assert production is not None and (production.token_rotation, production.token_lifetime_days) == ("2026-11", 30)
    config = config_of("production")
    config["betterprompts:observability"]["grafana"].pop("dataSources")
    assert load(config).observability.grafana.data_sources is None


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("grafana.dataSources.tokenLifetimeDays", 31, "from 1 to 30"),
        ("grafana.dataSources.tokenRotation", "2026/11", "1-20 letters, digits or '-'"),
        ("grafana.dataSources.tokenRotation", "", "a non-empty string"),
        ("grafana.dataSources.enabled", "on", "true or false"),
        ("grafana.dataSources.token", "x", "no such key"),
    ],
)
def test_bad_values_are_refused_with_their_key(key: str, value: object, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("observability", key, value))
    assert error.value.key.startswith("betterprompts:observability.grafana.dataSources")
    assert allowed in str(error.value)

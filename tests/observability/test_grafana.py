"""Amazon Managed Grafana: production's workspace (Identity Center, CUSTOMER_MANAGED, this account, CloudWatch and
X-Ray only, alerts to the alarm topic) with a role allowed exactly those; staging has none; SAML as the
alternative with its configuration; bad config names its key; editors and viewers priced from usage."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.observability import GrafanaSettings, GrafanaWorkspace, GrafanaWorkspaceArgs, SamlSettings, grafana_workspace_name
from components.platform import ConfigError
from policies.cost_model import Assumptions, CostResource, Usage, estimate
from preflight.harness import Plan
from preflight.monitor import run_function
from tests.stack_config import config_of, load

WORKSPACE = "aws:grafana/workspace:Workspace"
COMPONENT = "betterprompts:observability:GrafanaWorkspace"
ACCOUNT = "123456789012"


def test_production_workspace_is_this_accounts_with_identity_center_and_its_own_role(production: Plan) -> None:
    [workspace] = production.of_type(WORKSPACE)
    inputs = workspace.inputs
    assert inputs["name"] == "betterprompts-production-grafana"
    assert inputs["accountAccessType"] == "CURRENT_ACCOUNT"
    assert inputs["authenticationProviders"] == ["AWS_SSO"]
    # The API takes only CUSTOMER_MANAGED (SERVICE_MANAGED is the console's): the stack's role.
    assert inputs["permissionType"] == "CUSTOMER_MANAGED"
    # PROMETHEUS: the stack's AMP workspace (tests/observability/test_prometheus.py).
    assert inputs["dataSources"] == ["CLOUDWATCH", "XRAY", "PROMETHEUS"] and inputs["notificationDestinations"] == ["SNS"]
    assert inputs["grafanaVersion"] == "10.4"
    # AWS APIs only: no VPC configuration; no network access control unless config names prefix lists.
    assert "vpcConfiguration" not in inputs and "networkAccessControl" not in inputs
    [role] = [r for r in production.of_type("aws:iam/role:Role") if r.name == "betterprompts-production-grafana-workspace"]
    assert workspace.property_dependencies["roleArn"] == [role.urn]
    grants = [r for r in production.resources if r.parent == role.urn]
    assert {g.urn for g in grants} <= set(workspace.dependencies) and len(grants) == 4


def test_the_role_is_grafanas_and_reaches_exactly_cloudwatch_xray_and_the_alarm_topic(production: Plan) -> None:
    [role] = [r for r in production.of_type("aws:iam/role:Role") if r.name == "betterprompts-production-grafana-workspace"]
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "grafana.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    attached = {a.inputs["policyArn"] for a in production.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a.parent == role.urn}
    assert attached == {
        "arn:aws:iam::aws:policy/service-role/AmazonGrafanaCloudWatchAccess",
        "arn:aws:iam::aws:policy/AWSXrayReadOnlyAccess",
    }
    [inline] = [p for p in production.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.urn and p.name.endswith("-sns")]
    publish, key = json.loads(inline.inputs["policy"])["Statement"]
    [topic] = [t for t in production.of_type("aws:sns/topic:Topic") if t.name.endswith("-alarms")]
    assert publish["Action"] == "sns:Publish" and publish["Resource"] == f"arn:aws:sns:us-east-1:{ACCOUNT}:{topic.id}"
    assert key["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"] and key["Resource"].startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/")
    assert key["Condition"] == {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}


def test_staging_has_no_workspace(staging: Plan) -> None:
    assert not staging.of_type(WORKSPACE) and not staging.of_type(COMPONENT)
    assert load(config_of("staging"), "staging").observability.grafana.enabled is False


def _with_grafana(grafana: dict[str, Any]) -> dict[str, Any]:
    config = config_of("production")
    config["betterprompts:observability"]["grafana"] = {"enabled": True, **grafana}
    return config


def _workspace_alone(settings: GrafanaSettings) -> list[Any]:
    """The component alone under the mock runtime (its registered resources)."""

    def program() -> None:
        GrafanaWorkspace(
            "g",
            GrafanaWorkspaceArgs(
                prefix="betterprompts-test",
                region="us-east-1",
                account_id=ACCOUNT,
                settings=settings,
                alarm_topic_arn=f"arn:aws:sns:us-east-1:{ACCOUNT}:alarms",
                alarm_topic_key_arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k",
            ),
        )

    resources, _ = run_function(program)
    return resources


SAML_CONFIG = {
    "authenticationProviders": ["SAML"],
    "saml": {"idpMetadataUrl": "https://idp.example.com/metadata", "editorRoleValues": ["grafana-editors"], "adminRoleValues": ["grafana-admins"]},
}


def test_saml_is_the_alternative_with_its_idp() -> None:
    grafana = load(_with_grafana(SAML_CONFIG)).observability.grafana
    assert grafana.authentication_providers == ("SAML",)
    assert grafana.saml == SamlSettings(
        idp_metadata_url="https://idp.example.com/metadata", editor_role_values=("grafana-editors",), admin_role_values=("grafana-admins",)
    )
    resources = _workspace_alone(grafana)
    [workspace] = [r for r in resources if r.type == WORKSPACE]
    assert workspace.inputs["authenticationProviders"] == ["SAML"]
    [saml] = [r for r in resources if r.type == "aws:grafana/workspaceSamlConfiguration:WorkspaceSamlConfiguration"]
    assert saml.inputs["idpMetadataUrl"] == "https://idp.example.com/metadata"
    assert saml.inputs["editorRoleValues"] == ["grafana-editors"] and saml.inputs["adminRoleValues"] == ["grafana-admins"]
    assert not [r for r in resources if r.type == "aws:grafana/roleAssociation:RoleAssociation"]


def test_identity_center_groups_and_network_access_control_from_config() -> None:
    group = "9067729b3d-0123abcd-4567-89ab-cdef-0123456789ab"
    settings = load(
        _with_grafana({"sso": {"adminGroupIds": [group]}, "allowedPrefixListIds": ["pl-0123456789abcdef0"]})
    ).observability.grafana
    resources = _workspace_alone(settings)
    [association] = [r for r in resources if r.type == "aws:grafana/roleAssociation:RoleAssociation"]
    assert association.inputs["role"] == "ADMIN" and association.inputs["groupIds"] == [group]
    [workspace] = [r for r in resources if r.type == WORKSPACE]
    assert workspace.inputs["networkAccessControl"] == {"prefixListIds": ["pl-0123456789abcdef0"], "vpceIds": []}


@pytest.mark.parametrize(
    ("grafana", "key", "allowed"),
    [
        ({"authenticationProviders": ["SAML"]}, "saml.idpMetadataUrl", "metadata URL"),
        ({"authenticationProviders": ["LDAP"]}, "authenticationProviders[0]", "one of AWS_SSO, SAML"),
        ({"authenticationProviders": []}, "authenticationProviders", "AWS_SSO, SAML or both"),
        ({"authenticationProviders": ["AWS_SSO", "AWS_SSO"]}, "authenticationProviders", "each once"),
        ({"grafanaVersion": "8.4"}, "grafanaVersion", "one of 9.4, 10.4, 12.4, 13.2"),
        ({"saml": SAML_CONFIG["saml"]}, "saml", "only with SAML"),
        ({**SAML_CONFIG, "sso": {"editorGroupIds": ["9067729b3d-0123abcd-4567-89ab-cdef-0123456789ab"]}}, "sso", "only with AWS_SSO"),
        ({"sso": {"viewerGroupIds": ["everyone"]}}, "sso.viewerGroupIds[0]", "IAM Identity Center group ID"),
        ({"allowedPrefixListIds": ["10.0.0.0/8"]}, "allowedPrefixListIds[0]", "managed prefix list ID"),
        (
            {**SAML_CONFIG, "saml": {"idpMetadataUrl": "http://idp.example.com/m", "editorRoleValues": ["e"]}},
            "saml.idpMetadataUrl",
            "https://",
        ),
    ],
)
def test_bad_grafana_values_name_their_key(grafana: dict[str, Any], key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load(_with_grafana(grafana))
    assert error.value.key == f"betterprompts:observability.grafana.{key}"
    assert allowed in error.value.allowed


def test_editors_and_viewers_are_priced_with_at_least_one_editor() -> None:
    workspace = CostResource("urn:g", WORKSPACE, "g", {"name": "w"})
    def priced(usage: Usage) -> float:
        return sum(i.baseline for i in estimate([workspace], "us-east-1", Assumptions(usage=usage)).items if i.urn == "urn:g")

    assert priced(Usage(grafana_editors=3, grafana_viewers=10)) == pytest.approx(3 * 9 + 10 * 5)
    assert priced(Usage(grafana_editors=0, grafana_viewers=0)) == pytest.approx(9)  # every workspace bills one editor


def test_defaults_and_name() -> None:
    assert GrafanaSettings().enabled is False and GrafanaSettings().authentication_providers == ("AWS_SSO",)
    assert grafana_workspace_name("betterprompts-production") == "betterprompts-production-grafana"
    with pytest.raises(ValueError):
        grafana_workspace_name("bad name")

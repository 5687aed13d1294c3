"""The application repository's GitHub deploy role: the OIDC provider (owned or referenced), a trust
pinned to one repository and environment, push rights on the four repositories only, and an EKS
access entry scoped to the workloads' namespaces; the pack refuses a trust with a wildcard subject."""

from __future__ import annotations

import json
from typing import Any

import pulumi_aws as aws
import pytest

from components.apps.delivery import DeliveryAccess, DeliveryAccessArgs
from components.apps.delivery_plan import (
    EDIT_POLICY_ARN,
    GITHUB_OIDC_HOST,
    deploy_policy,
    oidc_provider_arn,
    subject,
    trust_policy,
)
from components.apps.delivery_settings import DeliverySettings
from components.apps.images_plan import IMAGES
from components.platform import wildcard_grants
from components.platform.config import Section
from components.settings import ConfigError
from policies.oidc_trust import trust_problems
from preflight.harness import Plan
from preflight.monitor import run_function
from preflight.spec_translate import translate_resource
from tests.policy_plans import violations
from tests.stack_config import load, with_value

ACCOUNT = "123456789012"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{GITHUB_OIDC_HOST}"
POLICY = "iam-oidc-trust-pins-subject"
KEY = "betterprompts:delivery"
REPOS = {i: f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/bp/{i}" for i in IMAGES}


# --- plan ------------------------------------------------------------------------------------


def test_subject_is_the_repository_and_environment_or_branch() -> None:
    assert subject("acme/app", environment="production") == "repo:acme/app:environment:production"
    assert subject("acme/app", branch="main") == "repo:acme/app:ref:refs/heads/main"
    with pytest.raises(ValueError):
        subject("acme/app")
    with pytest.raises(ValueError):
        subject("acme/app", environment="production", branch="main")


def test_trust_pins_audience_and_exact_subject() -> None:
    statement = json.loads(trust_policy(PROVIDER, "repo:acme/app:environment:production"))["Statement"][0]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {f"{GITHUB_OIDC_HOST}:aud": "sts.amazonaws.com", f"{GITHUB_OIDC_HOST}:sub": "repo:acme/app:environment:production"}
    }
    with pytest.raises(ValueError):
        trust_policy(PROVIDER, "repo:acme/*:environment:production")


def test_deploy_policy_scopes_every_grant_but_the_registry_login() -> None:
    cluster = f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/bp"
    statements = {s["Sid"]: s for s in json.loads(deploy_policy(repository_arns=list(REPOS.values()), cluster=cluster))["Statement"]}
    # GetAuthorizationToken has no resource-level permissions: "*" is its only resource.
    assert statements["RegistryLogin"] == {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*", "Sid": "RegistryLogin"}
    assert statements["PushReleaseImages"]["Resource"] == sorted(REPOS.values())
    assert "ecr:PutImage" in statements["PushReleaseImages"]["Action"]
    assert not any(a.endswith("*") for s in statements.values() for a in s["Action"])
    assert statements["FindTheCluster"] == {"Effect": "Allow", "Action": ["eks:DescribeCluster"], "Resource": cluster, "Sid": "FindTheCluster"}
    # The wildcard check passes the one unscoped action and still catches a whole service on "*".
    assert wildcard_grants(deploy_policy(repository_arns=list(REPOS.values()), cluster=cluster)) == []
    broad = {"Statement": [{"Effect": "Allow", "Action": ["ecr:*"], "Resource": "*"}]}
    assert len(wildcard_grants(broad)) == 1


# --- both stacks -----------------------------------------------------------------------------


def test_each_stack_trusts_its_environment_and_pushes_to_its_repositories(plan: Plan) -> None:
    # Both stacks reference the account's existing provider (createGithubOidcProvider: false).
    assert plan.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    (role,) = [r for r in plan.of_type("aws:iam/role:Role") if r.name == f"betterprompts-{plan.stack}-delivery-deploy"]
    statement = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert statement["Principal"] == {"Federated": PROVIDER}
    assert statement["Condition"]["StringEquals"][f"{GITHUB_OIDC_HOST}:sub"] == f"repo:betterprompts/betterprompts:environment:{plan.stack}"
    assert role.inputs["maxSessionDuration"] == 3600
    assert trust_problems(role.inputs["assumeRolePolicy"]) == []
    grants = {
        s["Sid"]: s
        for r in plan.of_type("aws:iam/rolePolicy:RolePolicy")
        if r.parent == role.urn
        for s in json.loads(r.inputs["policy"])["Statement"]
    }
    repositories = sorted(r for r in grants["PushReleaseImages"]["Resource"])
    assert repositories == sorted(f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/betterprompts-{plan.stack}/{i}" for i in IMAGES)
    assert grants["FindTheCluster"]["Resource"] == f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/betterprompts-{plan.stack}"
    assert plan.outputs["deliveryRoleArn"].startswith(f"arn:aws:iam::{ACCOUNT}:role/")


def test_the_access_entry_is_standard_and_edit_only_in_the_workloads_namespaces(plan: Plan) -> None:
    (entry,) = plan.of_type("aws:eks/accessEntry:AccessEntry")
    assert entry.inputs["type"] == "STANDARD"
    assert entry.inputs["clusterName"] == f"betterprompts-{plan.stack}"
    assert "kubernetesGroups" not in entry.inputs
    (association,) = plan.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert association.parent == entry.urn
    assert association.inputs["policyArn"] == EDIT_POLICY_ARN
    assert association.inputs["accessScope"] == {"type": "namespace", "namespaces": ["betterprompts", "ml-inference"]}


ARGS: dict[str, Any] = dict(
    github_repository="acme/app",
    subject="repo:acme/app:environment:production",
    account_id=ACCOUNT,
    region="us-east-1",
    cluster_name="bp-eks",
    repository_arns=REPOS,
    namespaces=("apps",),
)


def test_a_fresh_account_creates_the_provider_and_trusts_it() -> None:
    args = DeliveryAccessArgs(**ARGS, create_oidc_provider=True)
    resources, _ = run_function(lambda: DeliveryAccess("bp-delivery", args))
    (provider,) = [r for r in resources if r.type == "aws:iam/openIdConnectProvider:OpenIdConnectProvider"]
    assert provider.inputs["url"] == f"https://{GITHUB_OIDC_HOST}"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert "thumbprintLists" not in provider.inputs
    (role,) = [r for r in resources if r.type == "aws:iam/role:Role"]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]["Federated"] == PROVIDER
    # cfn-lint sees the provider as AWS::IAM::OIDCProvider (the spec stage's translation).
    translated = translate_resource(provider.to_json(), "R1")
    assert translated is not None and translated.cfn_type == "AWS::IAM::OIDCProvider"
    assert translated.properties == {"Url": f"https://{GITHUB_OIDC_HOST}", "ClientIdList": ["sts.amazonaws.com"]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"namespaces": ()}, "distinct workload namespaces"),
        ({"namespaces": ("apps", "kube-system")}, "never kube-system"),
        ({"repository_arns": {}}, "image repositories"),
        ({"subject": "repo:acme/*"}, "exact"),
    ],
)
def test_conflicting_args_register_nothing(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        run_function(lambda: DeliveryAccess("bp-delivery", DeliveryAccessArgs(**{**ARGS, **change})))
    assert [r for r in error.value.registered if r.custom] == []  # type: ignore[attr-defined]


# --- settings --------------------------------------------------------------------------------


def parse(raw: dict[str, Any], images: bool = True) -> DeliverySettings | None:
    return DeliverySettings.read(Section(raw, KEY), images_configured=images)


def test_settings_read_and_absent_section() -> None:
    assert parse({}) is None
    assert parse({"githubRepository": "acme/app", "branch": "main"}) == DeliverySettings(github_repository="acme/app", branch="main")
    settings = load(with_value("delivery", "createGithubOidcProvider", True))
    assert settings.delivery is not None and settings.delivery.create_oidc_provider is True


@pytest.mark.parametrize(
    ("raw", "bad_key"),
    [
        ({"githubRepository": "acme/*", "environment": "production"}, "githubRepository"),
        ({"githubRepository": "acme", "environment": "production"}, "githubRepository"),
        ({"githubRepository": "acme/app"}, "environment"),
        ({"githubRepository": "acme/app", "environment": "production", "branch": "main"}, "environment"),
        ({"githubRepository": "acme/app", "environment": "prod*"}, "environment"),
        ({"githubRepository": "acme/app", "branch": "release/*"}, "branch"),
        ({"githubRepository": "acme/app", "branch": "main", "createGithubOidcProvider": "yes"}, "createGithubOidcProvider"),
        ({"githubRepository": "acme/app", "branch": "main", "subject": "repo:acme/app:*"}, "subject"),
    ],
)
def test_bad_values_are_refused(raw: dict[str, Any], bad_key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse(raw)
    assert error.value.key == f"{KEY}.{bad_key}"


def test_delivery_needs_the_image_repositories() -> None:
    with pytest.raises(ConfigError) as error:
        parse({"githubRepository": "acme/app", "branch": "main"}, images=False)
    assert error.value.key == KEY


# --- the pack, on roles registered through the SDK -------------------------------------------


def _roles_plan(**trusts: str) -> dict[str, Any]:
    def program() -> None:
        for name, document in trusts.items():
            aws.iam.Role(name, assume_role_policy=document)

    resources, outputs = run_function(program, stack="production")
    return Plan(project="betterprompts", stack="production", resources=resources, outputs=outputs).to_json()


def _github_trust(operator: str, sub: str, *, aud: bool = True) -> str:
    condition: dict[str, Any] = {operator: {f"{GITHUB_OIDC_HOST}:sub": sub}}
    if aud:
        condition.setdefault("StringEquals", {})[f"{GITHUB_OIDC_HOST}:aud"] = "sts.amazonaws.com"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}
            ],
        }
    )


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        (_github_trust("StringLike", "repo:*"), "pattern(s) ['repo:*']"),
        (_github_trust("StringLike", "repo:betterprompts/*:environment:production"), "other repositories or branches"),
        (_github_trust("StringEquals", "repo:acme/app:environment:production", aud=False), "does not pin token.actions.githubusercontent.com:aud"),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"}],
                }
            ),
            "without a condition on token.actions.githubusercontent.com:sub",
        ),
    ],
)
def test_the_pack_refuses_a_trust_that_does_not_pin_the_subject(document: str, fragment: str) -> None:
    found = violations(_roles_plan(bad=document), POLICY)
    assert len(found) >= 1
    assert any(fragment in v.message and "Fix:" in v.message for v in found), [v.message for v in found]


def test_the_pack_accepts_pinned_trusts_and_ignores_service_trusts() -> None:
    document = _roles_plan(
        github=trust_policy(PROVIDER, "repo:acme/app:environment:production"),
        service=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        ),
    )
    assert violations(document, POLICY) == []


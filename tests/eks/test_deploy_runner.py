"""The deploy path: a CodeBuild-hosted GitHub Actions runner in the VPC, and the cluster's API
endpoint admitting exactly that runner on 443."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.eks import DeployRunner, DeployRunnerArgs, DeploySettings
from components.eks.deploy_plan import runner_label, webhook_filters
from components.platform.iam import wildcard_grants
from components.settings import ConfigError
from preflight.harness import Plan, Resource
from preflight.monitor import run_function
from tests.stack_config import config_of, load, with_value

PROJECT = "aws:codebuild/project:Project"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def only(plan: Plan, token: str, name_part: str = "") -> Resource:
    (found,) = [r for r in plan.of_type(token) if name_part in r.name]
    return found


def runner_sg(plan: Plan) -> Resource:
    return only(plan, "aws:ec2/securityGroup:SecurityGroup", "deploy-runner")


def sg_id(plan: Plan, group: Resource) -> str:
    """The mock id of a security group (sg-0 + digest), as the plan's references hold it."""
    return str(group.id)


def test_one_runner_project_in_the_app_subnets(plan: Plan) -> None:
    project = only(plan, PROJECT).inputs
    assert project["name"] == f"betterprompts-{plan.stack}-deploy" == plan.outputs["deployRunnerProject"]
    assert project["vpcConfig"]["subnets"] == plan.outputs["subnetIds"]["app"]
    assert project["vpcConfig"]["securityGroupIds"] == [sg_id(plan, runner_sg(plan))]
    assert project["environment"]["type"] == "LINUX_CONTAINER"
    assert project["environment"]["image"] == "aws/codebuild/standard:7.0"
    assert project["environment"]["privilegedMode"] is False
    assert project["artifacts"] == {"type": "NO_ARTIFACTS"}
    assert project["source"]["type"] == "GITHUB"
    assert project["source"]["location"] == "https://github.com/betterprompts/infrastructure.git"
    assert project["source"]["auth"] == {"type": "CODECONNECTIONS", "resource": plan.outputs["githubConnectionArn"]}
    assert project["buildTimeout"] == 120


def test_the_webhook_takes_only_queued_jobs_of_the_infrastructure_workflow(plan: Plan) -> None:
    webhook = only(plan, "aws:codebuild/webhook:Webhook").inputs
    assert webhook["projectName"] == f"betterprompts-{plan.stack}-deploy"
    assert webhook["filterGroups"] == [
        {"filters": [{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}, {"type": "WORKFLOW_NAME", "pattern": "^infrastructure$"}]}
    ]
    assert plan.outputs["deployRunnerLabel"] == f"codebuild-betterprompts-{plan.stack}-deploy-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"


def test_the_runner_has_no_ingress_and_only_https_out(plan: Plan) -> None:
    group = runner_sg(plan).inputs
    assert "ingress" not in group or group["ingress"] in ([], None)
    assert [(e["protocol"], e["fromPort"], e["toPort"]) for e in group["egress"]] == [("tcp", 443, 443)]


def test_the_cluster_api_admits_exactly_the_runner_on_443(plan: Plan) -> None:
    rules = [r for r in plan.of_type(RULE) if r.inputs.get("securityGroupId") == plan.outputs["clusterSecurityGroupId"]]
    assert len(rules) == 1
    rule = rules[0].inputs
    assert rule["referencedSecurityGroupId"] == sg_id(plan, runner_sg(plan))
    assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 443, 443)
    assert "cidrIpv4" not in rule and "cidrIpv6" not in rule


def test_the_runner_role_runs_the_runner_and_nothing_else(plan: Plan) -> None:
    role = only(plan, "aws:iam/role:Role", "deploy-runner")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    (policy,) = [r for r in plan.children(role.urn) if r.type == "aws:iam/rolePolicy:RolePolicy"]
    document = policy.inputs["policy"]
    assert wildcard_grants(document) == []
    statements = {s["Sid"]: s for s in json.loads(document)["Statement"]}
    assert set(statements) == {"WriteBuildLogs", "RunInTheVpc", "AttachOnlyInOurSubnets", "RegisterWithGitHub"}
    attach = statements["AttachOnlyInOurSubnets"]["Condition"]
    assert attach["StringEquals"] == {"ec2:AuthorizedService": "codebuild.amazonaws.com"}
    assert attach["ArnEquals"]["ec2:Subnet"] == sorted(
        f"arn:aws:ec2:us-east-1:123456789012:subnet/{s}" for s in plan.outputs["subnetIds"]["app"]
    )
    assert statements["RegisterWithGitHub"]["Resource"] == plan.outputs["githubConnectionArn"]
    # The project waits for the policy: its first build writes logs and attaches interfaces.
    assert policy.urn in only(plan, PROJECT).dependencies
    # Deploying is the OIDC deploy role's job, not this one's.
    assert not any(a.startswith(("eks:", "iam:Pass", "sts:")) for s in statements.values() for a in s["Action"])


def test_build_logs_are_encrypted_and_kept_per_stack(plan: Plan) -> None:
    group = only(plan, "aws:cloudwatch/logGroup:LogGroup", "deploy-runner").inputs
    assert group["name"] == f"/aws/codebuild/betterprompts-{plan.stack}-deploy"
    assert group["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
    assert group["retentionInDays"] == {"production": 365, "staging": 30}[plan.stack]
    assert only(plan, PROJECT).inputs["logsConfig"]["cloudwatchLogs"] == {"status": "ENABLED", "groupName": group["name"]}


def test_the_github_connection_fits_its_name_limit(plan: Plan) -> None:
    connection = only(plan, "aws:codeconnections/connection:Connection").inputs
    assert connection == {**connection, "providerType": "GitHub", "name": f"betterprompts-{plan.stack}-github"}
    assert len(connection["name"]) <= 32


def test_pure_parts() -> None:
    assert runner_label("p") == "codebuild-p-${{ github.run_id }}-${{ github.run_attempt }}"
    assert webhook_filters("ci (main)")[1]["pattern"] == r"^ci \(main\)$"


# --- settings --------------------------------------------------------------------------------


def test_deploy_settings_of_both_stacks() -> None:
    for stack in ("production", "staging"):
        deploy = load(config_of(stack), stack).deploy
        assert deploy == DeploySettings(
            github_repository="betterprompts/infrastructure",
            compute_type="BUILD_GENERAL1_MEDIUM",
            build_timeout_minutes=120,
            log_retention_days={"production": 365, "staging": 30}[stack],
        )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("githubRepository", "infrastructure"),
        ("githubRepository", "https://github.com/betterprompts/infrastructure"),
        ("computeType", "BUILD_GENERAL2_SMALL"),
        ("image", "ubuntu:22.04"),
        ("buildTimeoutMinutes", 600),
        ("concurrentBuilds", 0),
        ("logRetentionDays", 100),
        ("runnerCount", 2),
    ],
)
def test_bad_deploy_values_are_refused(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("deploy", key, value))
    assert error.value.key == f"betterprompts:deploy.{key}"


def test_the_deploy_section_is_required() -> None:
    config = config_of("production")
    del config["betterprompts:deploy"]
    with pytest.raises(ConfigError) as error:
        load(config)
    assert error.value.key == "betterprompts:deploy.githubRepository"


def test_a_runner_needs_subnets_before_anything_exists() -> None:
    args = DeployRunnerArgs(
        prefix="p", settings=DeploySettings("o/r"), region="us-east-1", account_id="123456789012",
        vpc_id="vpc-1", subnet_ids=[], logs_kms_key_arn="arn:k",
    )
    with pytest.raises(ValueError, match="subnets"):
        run_function(lambda: DeployRunner("r", args))

"""The master credential: a stack-owned secret rotated by AWS's PostgreSQL function; RDSOSMetrics pre-created."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from components.data.master_secret import MasterSecret, MasterSecretArgs
from components.data.master_secret_plan import (
    ROTATION_APPLICATION_ID,
    rotation_egress,
    rotation_function_name,
    rotation_parameters,
    secret_document,
)
from components.settings import ConfigError
from preflight.harness import SECRET_PLACEHOLDER, Plan, Resource
from preflight.monitor import run_function
from preflight.policy_stage import evaluate
from tests.stack_config import load, with_value

ACCOUNT = "123456789012"
STACK_APP = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"


def one(plan: Plan, token: str, name: str) -> Resource:
    (found,) = [r for r in plan.of_type(token) if r.name == name]
    return found


def test_the_secret_is_stack_owned_under_the_data_key_and_protected_like_the_data(production: Plan, staging: Plan) -> None:
    for plan, protected, window in [(production, True, 30), (staging, False, 7)]:
        secret = one(plan, "aws:secretsmanager/secret:Secret", f"betterprompts-{plan.stack}-database-master")
        assert secret.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["data"]
        assert secret.protect is protected
        assert secret.inputs["recoveryWindowInDays"] == window
        version = one(plan, "aws:secretsmanager/secretVersion:SecretVersion", f"betterprompts-{plan.stack}-database-master")
        assert version.inputs["secretString"] == SECRET_PLACEHOLDER
        assert plan.outputs["databaseMasterSecretArn"].startswith(
            f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:betterprompts-{plan.stack}-database-master-"
        )


def test_no_password_in_any_plain_input_or_output(plan: Plan) -> None:
    # The mock's generated passwords start with "MockPw": only behind a secret marker.
    for resource in plan.resources:
        assert "MockPw" not in json.dumps(resource.inputs), resource.name
    assert "MockPw" not in json.dumps(plan.outputs)
    password = one(plan, "random:index/randomPassword:RandomPassword", f"betterprompts-{plan.stack}-database-master-password")
    assert (password.inputs["length"], password.inputs["special"]) == (40, False)


def test_aws_rotation_function_runs_in_the_app_tier(plan: Plan) -> None:
    name = f"betterprompts-{plan.stack}-database-master-rotation"
    app = one(plan, STACK_APP, name)
    assert app.inputs["applicationId"] == ROTATION_APPLICATION_ID
    assert app.inputs["semanticVersion"] == "1.1.671"
    assert app.inputs["capabilities"] == ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]
    assert app.inputs["name"] == name
    group = one(plan, "aws:ec2/securityGroup:SecurityGroup", f"betterprompts-{plan.stack}-database-rotation")
    assert app.inputs["parameters"] == {
        "endpoint": "https://secretsmanager.us-east-1.amazonaws.com",
        "functionName": name,
        "vpcSubnetIds": ",".join(plan.outputs["subnetIds"]["app"]),
        "vpcSecurityGroupIds": group.id,
        "kmsKeyArn": plan.outputs["kmsKeyArns"]["data"],
    }
    # Its log group exists first, under the logs key.
    logs = one(plan, "aws:cloudwatch/logGroup:LogGroup", name)
    assert logs.inputs["name"] == f"/aws/lambda/{name}"
    assert logs.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
    assert logs.inputs["retentionInDays"] == {"production": 365, "staging": 30}[plan.stack]
    assert logs.urn in app.dependencies


def test_the_function_reaches_only_the_database_tier_and_https(plan: Plan) -> None:
    group = one(plan, "aws:ec2/securityGroup:SecurityGroup", f"betterprompts-{plan.stack}-database-rotation")
    db_tier = {"production": ["10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"], "staging": ["10.1.21.0/24", "10.1.22.0/24", "10.1.23.0/24"]}
    assert group.inputs["ingress"] == []
    assert [(e["fromPort"], e["toPort"], e["cidrBlocks"]) for e in group.inputs["egress"]] == [
        (5432, 5432, db_tier[plan.stack]),
        (443, 443, ["0.0.0.0/0"]),
    ]


def test_rotation_every_configured_days_starting_at_once(plan: Plan) -> None:
    rotation = one(plan, "aws:secretsmanager/secretRotation:SecretRotation", f"betterprompts-{plan.stack}-database-master")
    assert rotation.inputs["rotationRules"] == {"automaticallyAfterDays": 30}
    assert rotation.inputs["rotateImmediately"] is True
    name = f"betterprompts-{plan.stack}-database-master-rotation"
    assert rotation.inputs["rotationLambdaArn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
    primary = one(plan, "aws:rds/instance:Instance", f"betterprompts-{plan.stack}-database")
    version = one(plan, "aws:secretsmanager/secretVersion:SecretVersion", f"betterprompts-{plan.stack}-database-master")
    assert {primary.urn, version.urn} <= set(rotation.dependencies)


def test_the_pgvector_job_reads_the_new_secret(plan: Plan) -> None:
    role_policy = one(plan, "aws:iam/rolePolicy:RolePolicy", f"betterprompts-{plan.stack}-pgvector")
    statements = {s["Sid"]: s for s in json.loads(role_policy.inputs["policy"])["Statement"]}
    assert statements["ReadMasterSecret"]["Resource"] == [plan.outputs["databaseMasterSecretArn"]]


def test_production_owns_the_enhanced_monitoring_log_group(production: Plan, staging: Plan) -> None:
    group = one(production, "aws:cloudwatch/logGroup:LogGroup", "betterprompts-production-database-os-metrics")
    assert group.inputs["name"] == "RDSOSMetrics"
    assert group.inputs["kmsKeyId"] == production.outputs["kmsKeyArns"]["logs"]
    assert group.inputs["retentionInDays"] == 365
    assert group.protect is True
    for instance in production.of_type("aws:rds/instance:Instance"):
        assert group.urn in instance.dependencies, instance.name
    # One group per account and region: staging (possibly the same account) leaves it to production.
    assert not [g for g in staging.of_type("aws:cloudwatch/logGroup:LogGroup") if g.inputs.get("name") == "RDSOSMetrics"]


def test_the_pack_refuses_a_managed_password_back_on_the_primary(production: Plan) -> None:
    document = copy.deepcopy(production.to_json())
    primary = next(
        r for r in document["resources"] if r["type"] == "aws:rds/instance:Instance" and r["name"] == "betterprompts-production-database"
    )
    primary["inputs"]["manageMasterUserPassword"] = True
    found = [v for v in evaluate(document) if v.policy == "rds-managed-password-compatible"]
    assert [v.urn.rsplit("::", 1)[-1] for v in found] == ["betterprompts-production-database-replica-1"]


# --- pure parts and bad input ------------------------------------------------------------


def test_secret_document_is_the_structure_the_function_expects() -> None:
    assert secret_document(host="h", port=5432, username="u", password="p", dbname="d") == {
        "engine": "postgres",
        "host": "h",
        "username": "u",
        "password": "p",
        "dbname": "d",
        "port": 5432,
    }


def test_names_and_parameters_are_checked() -> None:
    assert rotation_function_name("betterprompts-production-database-master") == "betterprompts-production-database-master-rotation"
    with pytest.raises(ValueError, match="not a valid Lambda function name"):
        rotation_function_name("x" * 56)
    with pytest.raises(ValueError, match="at least one subnet"):
        rotation_parameters(region="us-east-1", function_name="f", subnet_ids=[], security_group_id="sg", kms_key_arn="k")
    with pytest.raises(ValueError, match="CIDRs"):
        rotation_egress([], db_port=5432)


@pytest.mark.parametrize("days", [0, 1001, "thirty"])
def test_rotation_days_outside_what_secrets_manager_takes_are_refused(days: object) -> None:
    with pytest.raises(ConfigError) as error:
        load(with_value("database", "credentialRotationDays", days))
    assert error.value.key == "betterprompts:database.credentialRotationDays"


def test_settings_default_to_thirty_days_and_owning_the_log_group() -> None:
    config = with_value("database", "credentialRotationDays", 7)
    del config["betterprompts:database"]["createEnhancedMonitoringLogGroup"]
    database = load(config).database
    assert (database.password_rotation_days, database.create_enhanced_monitoring_log_group) == (7, True)


def _secret_args() -> MasterSecretArgs:
    return MasterSecretArgs(
        region="us-east-1",
        host="db.example",
        port=5432,
        username="bp_admin",
        database_name="betterprompts",
        password="pw",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/data",
        log_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/logs",
        log_retention_days=30,
        subnet_ids=["subnet-1"],
        security_group_id="sg-1",
    )


def test_the_component_refuses_bad_rotation_input_before_any_child() -> None:
    with pytest.raises(ValueError, match="1-1000 days"):
        run_function(lambda: MasterSecret("m", replace(_secret_args(), rotation_days=0)))
    with pytest.raises(ValueError, match="subnets"):
        run_function(lambda: MasterSecret("m", replace(_secret_args(), subnet_ids=[])))
    resources, _ = run_function(lambda: MasterSecret("m", _secret_args()))
    assert sorted(r.type for r in resources if r.type.startswith("aws:")) == [
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:secretsmanager/secret:Secret",
        "aws:secretsmanager/secretRotation:SecretRotation",
        "aws:secretsmanager/secretVersion:SecretVersion",
        STACK_APP,
    ]

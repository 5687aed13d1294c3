"""Names within AWS's limits: preflight names resources as Pulumi does and fails on any name AWS
would refuse, naming the resource and the limit; both stacks' plans pass; renames carry aliases."""

from __future__ import annotations

import io
from pathlib import Path

import pulumi_aws as aws
import pytest

from policies.aws_names import AUTO_NAME_RANDOM, NAME_RULES, PREFIX_RANDOM, auto_name, name_problem
from preflight.cli import main
from preflight.harness import Plan, run_stack
from preflight.mocks import NameLimitError
from preflight.monitor import run_function
from tests.stack_config import config_of
from tests.eks.test_cluster import _karpenter_config

ROLE = "aws:iam/role:Role"
HEX = "0123456789abcdef"


# --- the rules -------------------------------------------------------------------------------


def test_auto_name_is_the_logical_name_a_hyphen_and_seven_random_characters() -> None:
    assert AUTO_NAME_RANDOM == 7
    assert auto_name(NAME_RULES[ROLE], "my-role", HEX) == "my-role-0123456"
    # S3, RDS and ElastiCache names are lower case; KMS aliases carry their prefix.
    assert auto_name(NAME_RULES["aws:s3/bucket:Bucket"], "Models", HEX) == "models-0123456"
    assert auto_name(NAME_RULES["aws:kms/alias:Alias"], "logs", HEX).startswith("alias/logs-")


@pytest.mark.parametrize(
    ("token", "limit"),
    [
        (ROLE, 64),
        ("aws:iam/policy:Policy", 128),
        ("aws:rds/instance:Instance", 63),
        ("aws:elasticache/replicationGroup:ReplicationGroup", 40),
        ("aws:lb/loadBalancer:LoadBalancer", 32),
        ("aws:lb/targetGroup:TargetGroup", 32),
        ("aws:s3/bucket:Bucket", 63),
        ("aws:sqs/queue:Queue", 80),
        ("aws:lambda/function:Function", 64),
        ("aws:cloudwatch/logGroup:LogGroup", 512),
        ("aws:kms/alias:Alias", 256),
        ("aws:eks/nodeGroup:NodeGroup", 63),
    ],
)
def test_auto_names_are_held_to_each_types_limit(token: str, limit: int) -> None:
    rule = NAME_RULES[token]
    assert rule.limit == limit
    room = limit - len(rule.auto_prefix) - 1 - AUTO_NAME_RANDOM
    assert name_problem(token, "a" * room, {}, HEX) == (auto_name(rule, "a" * room, HEX), None)
    physical, problem = name_problem(token, "a" * (room + 1), {}, HEX)
    assert physical is not None and len(physical) == limit + 1
    assert problem is not None and f"{token} '{'a' * (room + 1)}'" in problem and f"at most {limit}" in problem


def test_given_names_and_prefixes_are_held_to_the_limit_too() -> None:
    assert name_problem(ROLE, "r", {"name": "x" * 64}, HEX) == ("x" * 64, None)
    _, problem = name_problem(ROLE, "r", {"name": "x" * 65}, HEX)
    assert problem is not None and "65 characters" in problem and "IAM role names allow at most 64" in problem
    assert name_problem(ROLE, "r", {"namePrefix": "p" * (64 - PREFIX_RANDOM)}, HEX) == (None, None)
    _, problem = name_problem(ROLE, "r", {"namePrefix": "p" * (65 - PREFIX_RANDOM)}, HEX)
    assert problem is not None and "prefix" in problem
    # An RDS identifier the provider would accept (it caps at 255) but AWS refuses.
    _, problem = name_problem("aws:rds/instance:Instance", "db", {"identifier": "d" * 64}, HEX)
    assert problem is not None and "at most 63" in problem


def test_unknown_types_and_unknown_names_are_not_judged() -> None:
    assert name_problem("aws:ec2/vpc:Vpc", "v" * 300, {}, HEX) == (None, None)
    assert name_problem(ROLE, "r", {"name": None}, HEX) == (None, None)


# --- the mocks -------------------------------------------------------------------------------


def test_the_mocks_fail_the_run_listing_every_name_and_its_limit() -> None:
    def program() -> None:
        aws.iam.Role("r" * 57, assume_role_policy="{}")
        aws.sqs.Queue("q" * 80)
        aws.iam.Role("fine", assume_role_policy="{}")

    with pytest.raises(NameLimitError) as error:
        run_function(program)
    assert len(error.value.problems) == 2
    role, queue = sorted(error.value.problems)
    assert role.startswith(f"{ROLE} '{'r' * 57}'") and "65 characters" in role and "at most 64" in role
    assert "SQS queue names allow at most 80" in queue


def test_the_mocks_answer_the_auto_name_as_the_provider_does() -> None:
    names: dict[str, str] = {}

    def program() -> None:
        role = aws.iam.Role("reader", assume_role_policy="{}")
        bucket = aws.s3.Bucket("Models")
        role.name.apply(lambda n: names.__setitem__("role", n))
        bucket.bucket.apply(lambda n: names.__setitem__("bucket", n))

    run_function(program)
    assert names["role"].startswith("reader-") and len(names["role"]) == len("reader") + 1 + AUTO_NAME_RANDOM
    assert names["bucket"].startswith("models-") and names["bucket"] == names["bucket"].lower()
    # Deterministic offline: the same program names the same way.
    first = dict(names)
    run_function(program)
    assert names == first


def test_the_cli_reports_each_name_and_exits_non_zero(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: naming\nruntime: python\n")
    (tmp_path / "Pulumi.demo.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "aws.iam.Role('betterprompts-production-eks-aws-load-balancer-controller', assume_role_policy='{}')\n"
    )
    out = io.StringIO()
    import preflight.cli

    original = preflight.cli.PROJECT_DIR
    preflight.cli.PROJECT_DIR = tmp_path
    try:
        code = main(["demo"], out=out)
    finally:
        preflight.cli.PROJECT_DIR = original
    text = out.getvalue()
    assert code == 1
    assert "names resources AWS would refuse" in text
    assert "aws:iam/role:Role 'betterprompts-production-eks-aws-load-balancer-controller'" in text
    assert "is 65 characters; IAM role names allow at most 64" in text


# --- both stacks --------------------------------------------------------------------------------


def test_every_name_in_the_stack_is_within_aws_limits(plan: Plan) -> None:
    # run_stack would have raised already; this re-checks the recorded plan, given names included.
    checked = 0
    for r in plan.resources:
        if r.type in NAME_RULES:
            _, problem = name_problem(r.type, r.name, r.inputs, "f" * AUTO_NAME_RANDOM)
            assert problem is None, problem
            checked += 1
    assert checked > 50


def test_production_with_karpenter_is_within_limits_too() -> None:
    # EventBridge allows 64: "...-eks-karpenter-spot-interruption" plus 8 was 65 in production.
    # Karpenter's node groups are smaller and it has no minimums: business hours keep only the HPA and SageMaker floors.
    cost = config_of("production")["betterprompts:cost"]
    del cost["businessHours"]["floors"]["nodeGroups"]
    plan = run_stack("production", overrides={"betterprompts:eks": _karpenter_config(), "betterprompts:cost": cost})
    assert any(r.name == "betterprompts-production-eks-karpenter-spot-interrupt" for r in plan.resources)


# --- renames keep their resources -----------------------------------------------------------


def _old_urn(stack: str, types: str, name: str) -> str:
    return f"urn:pulumi:{stack}::betterprompts::{types}::{name}"


def test_the_load_balancer_controller_role_keeps_its_identity(plan: Plan) -> None:
    prefix = f"betterprompts-{plan.stack}-eks"
    (role,) = [r for r in plan.of_type(ROLE) if r.name == f"{prefix}-lb-controller"]
    # The URNs main's plans had before the rename (preflight --json of both stacks).
    assert role.aliases == [_old_urn(plan.stack, "betterprompts:eks:EksCluster$aws:iam/role:Role", f"{prefix}-aws-load-balancer-controller")]
    (policy,) = [r for r in plan.children(role.urn) if r.type == "aws:iam/rolePolicy:RolePolicy"]
    assert policy.aliases == [
        _old_urn(plan.stack, "aws:iam/role:Role$aws:iam/rolePolicy:RolePolicy", f"{prefix}-aws-load-balancer-controller")
    ]
    assert len(f"{prefix}-lb-controller") + 1 + AUTO_NAME_RANDOM <= 64


def test_the_karpenter_spot_rule_keeps_its_identity() -> None:
    plan = run_stack("staging", overrides={"betterprompts:eks": _karpenter_config()})
    prefix = "betterprompts-staging-eks-karpenter"
    (rule,) = [r for r in plan.of_type("aws:cloudwatch/eventRule:EventRule") if r.name == f"{prefix}-spot-interrupt"]
    assert rule.aliases == [_old_urn("staging", "aws:sqs/queue:Queue$aws:cloudwatch/eventRule:EventRule", f"{prefix}-spot-interruption")]
    (target,) = plan.children(rule.urn)
    assert target.aliases == [
        _old_urn("staging", "aws:cloudwatch/eventRule:EventRule$aws:cloudwatch/eventTarget:EventTarget", f"{prefix}-spot-interruption")
    ]

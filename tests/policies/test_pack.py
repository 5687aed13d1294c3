"""The pack as a whole: both stacks pass it, preflight reports it, --check-plan, configs, and the real policy server."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.policy_plans import KEY, plan, resource, violations
from pulumi_policy import StackValidationArgs, StackValidationPolicy

from preflight import policy_stage
from preflight.cli import main
from preflight.harness import Plan
from preflight.stages import registered_stages
from policies.exposure import public_subnets
from policies.pack import ALL_POLICIES
from policies.stack_config import PolicyConfigError, config_path, normalize, read_stack_config

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = ROOT / "policies"
NAMES = [p.name for p in ALL_POLICIES]
TAGGING_AND_ENCRYPTION = [
    "required-cost-allocation-tags",
    "rds-encrypted-with-cmk",
    "elasticache-encrypted-at-rest",
    "s3-bucket-encrypted-with-cmk",
    "ebs-encrypted-with-cmk",
    "efs-encrypted-with-cmk",
    "eks-secrets-encrypted",
    "sagemaker-endpoint-encrypted",
    "log-group-encrypted-with-cmk",
    "sqs-queue-encrypted-with-cmk",
    "sns-topic-encrypted-with-cmk",
    "secret-encrypted-with-cmk",
    "kms-key-rotation-enabled",
    "elasticache-encrypted-in-transit",
    "rds-parameter-group-forces-ssl",
    "load-balancer-listeners-https-tls13",
    "cloudfront-https-tls12",
    "load-balancer-hardened",
]


@pytest.mark.parametrize("stack", ["dr", "production", "staging"])
def test_every_stack_passes_the_pack(stack: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(stack)
    result = policy_stage.run(plan.to_json())
    assert result.data == []
    assert not result.failed
    assert result.lines == [f"no violations: {len(ALL_POLICIES)} policies over {len(plan.resources)} resources"]


def test_the_policy_stage_is_registered() -> None:
    assert [s.key for s in registered_stages()] == ["cost", "quotas", "violations", "spec"]


def test_policy_names_are_unique_and_described() -> None:
    assert len(NAMES) == len(set(NAMES))
    for policy in ALL_POLICIES:
        assert policy.description and policy.severity is not None and policy.remediation_steps


# --- stack configuration files ----------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dr", "production", "staging"])
def test_tagging_and_encryption_are_mandatory(stack: str) -> None:
    config = normalize(read_stack_config(stack), NAMES)
    assert set(config) == set(NAMES)
    for name in TAGGING_AND_ENCRYPTION:
        assert config[name]["enforcementLevel"] == "mandatory", name


def test_every_stack_has_a_policy_config() -> None:
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))
    assert stacks == ["dr", "production", "staging"]
    for stack in stacks:
        assert config_path(stack).exists()


def test_production_enforces_everything_and_staging_skips_deletion_protection() -> None:
    production = normalize(read_stack_config("production"), NAMES)
    staging = normalize(read_stack_config("staging"), NAMES)
    # Everything is enforced in production except the 90-day warning, which is advice by design.
    assert {name for name, entry in production.items() if entry["enforcementLevel"] != "mandatory"} == {"eks-standard-support-ending"}
    assert staging["production-deletion-protection"] == {"enforcementLevel": "disabled"}


def test_the_pilot_light_enforces_what_production_does_but_never_blocks_a_failover_on_the_budget() -> None:
    production = normalize(read_stack_config("production"), NAMES)
    dr = normalize(read_stack_config("dr"), NAMES)
    # A failover raises the node groups to production's sizes: a mandatory budget would refuse that `pulumi up`.
    assert dr["baseline-under-budget"] == {"enforcementLevel": "advisory", "budgetMonthlyUsd": 900}
    # The policies that hold a stack to production's data safety name the pilot light in its config: after a
    # failover it holds production's data, so its standby already passes them (production is their default).
    scoped = {"production-deletion-protection", "production-backup-plan-covers-stateful", "load-balancer-hardened"}
    assert {name: dr[name] for name in scoped} == {name: {"enforcementLevel": "mandatory", "stacks": ["dr"]} for name in scoped}
    assert all(production[name] == {"enforcementLevel": "mandatory"} for name in scoped)
    assert dr["production-resilience"] == {"enforcementLevel": "mandatory"}
    different = {name for name in NAMES if dr[name] != production[name]}
    assert different == scoped | {"baseline-under-budget"}


UNENCRYPTED_QUEUE = resource("aws:sqs/queue:Queue", "jobs", {})


def test_the_config_sets_the_reported_level() -> None:
    document = plan(UNENCRYPTED_QUEUE)
    assert [v.enforcement for v in policy_stage.evaluate(document)] == ["mandatory"]
    advisory = policy_stage.evaluate(
        document,
        # The budget policy needs its budget in config; this case is about levels only.
        config={"sqs-queue-encrypted-with-cmk": {"enforcementLevel": "advisory"}, "baseline-under-budget": "disabled"},
    )
    assert [(v.policy, v.enforcement) for v in advisory] == [("sqs-queue-encrypted-with-cmk", "advisory")]
    assert policy_stage.evaluate(document, config={"all": "disabled"}) == []
    result = policy_stage.run(dict(document, stack="nostack"))  # no config file: the policies' own levels
    assert result.failed


def test_a_bad_config_is_rejected() -> None:
    with pytest.raises(PolicyConfigError, match="unknown policy 'no-such-policy'"):
        normalize({"no-such-policy": "mandatory"}, NAMES)
    with pytest.raises(PolicyConfigError, match="enforcementLevel 'blocking' is not one of"):
        normalize({"all": "blocking"}, NAMES)


# --- preflight --check-plan --------------------------------------------------------------------


def run_cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_check_plan_fails_on_a_mandatory_violation(tmp_path: Path) -> None:
    document = plan(UNENCRYPTED_QUEUE)
    for key in ("provider", "parent", "dependencies", "propertyDependencies"):
        del document["resources"][1][key]
    source, target = tmp_path / "plan.json", tmp_path / "out.json"
    source.write_text(json.dumps(document))
    code, text = run_cli("--check-plan", str(source), "--json", str(target))
    assert code == 1
    urn = UNENCRYPTED_QUEUE["urn"]
    assert "  sqs-queue-encrypted-with-cmk [mandatory]: 1 violation(s)\n" f"    {urn}\n" "      aws:sqs/queue:Queue 'jobs': kmsMasterKeyId is not set" in text
    # Without its provider the queue has none of the default tags either.
    assert "  required-cost-allocation-tags [mandatory]: 1 violation(s)\n" in text
    written = json.loads(target.read_text())
    assert {v["policy"] for v in written["violations"]} == {"sqs-queue-encrypted-with-cmk", "required-cost-allocation-tags"}
    assert set(written["violations"][0]) == {"policy", "enforcement", "urn", "message"}


def test_check_plan_passes_a_clean_plan(tmp_path: Path) -> None:
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(plan(resource("aws:sqs/queue:Queue", "jobs", {"kmsMasterKeyId": KEY}))))
    code, text = run_cli("--check-plan", str(source))
    assert code == 0
    assert f"no violations: {len(ALL_POLICIES)} policies over 2 resources" in text


def test_check_plan_reads_the_stack_config(tmp_path: Path) -> None:
    database = resource(
        "aws:rds/instance:Instance",
        "db",
        {
            "storageEncrypted": True, "kmsKeyId": KEY, "engine": "postgres", "instanceClass": "db.t4g.medium", "allocatedStorage": 20,
            # What rds-hardened asks of every instance (FSBP RDS.6, 9-11, 17, 18, 25).
            "enabledCloudwatchLogsExports": ["postgresql"], "iamDatabaseAuthenticationEnabled": True, "copyTagsToSnapshot": True,
            "monitoringInterval": 60, "dbSubnetGroupName": "db", "backupRetentionPeriod": 7, "username": "bp_admin",
        },
        stack="staging",
    )
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(plan(database, stack="staging")))
    assert run_cli("--check-plan", str(source))[0] == 0
    source.write_text(json.dumps(dict(plan(database, stack="staging"), stack="production")))
    # The same resources named as production: deletion protection now applies (Environment tag mismatches too).
    code, text = run_cli("--check-plan", str(source))
    assert code == 1 and "production-deletion-protection [mandatory]" in text


# --- the real plans through the pack's graph helpers -------------------------------------------


def test_the_vpc_public_subnets_are_recognised_by_their_internet_route(plan: Plan) -> None:
    seen: list[set[str]] = []

    def capture(args: StackValidationArgs, report: Any) -> None:
        seen.append(public_subnets(args.resources))

    probe = StackValidationPolicy(name="probe", description="records public subnets", validate=capture)
    policy_stage.evaluate(plan.to_json(), policies=[probe], config={})
    expected = {r.urn for r in plan.of_type("aws:ec2/subnet:Subnet") if r.inputs["tags"]["Tier"] == "public"}
    assert len(expected) == 3
    assert seen == [expected]


# --- the pack as Pulumi runs it -----------------------------------------------------------------


def test_the_pack_metadata_is_what_pulumi_expects() -> None:
    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    assert manifest["version"]
    requirements = (PACK_DIR / "requirements.txt").read_text()
    assert "pulumi-policy==1.21.0" in requirements and "pulumi-aws==7.51.1" in requirements


def test_preflight_never_loads_the_pack_entry_point() -> None:
    # Loading policies/__main__.py constructs the PolicyPack, which starts a server and blocks.
    policy_stage.evaluate(plan(UNENCRYPTED_QUEUE))
    assert "policies.__main__" not in sys.modules


@pytest.fixture
def policy_server() -> Iterator[str]:
    """The pack started the way the Pulumi CLI starts a Python pack: ``python -m pulumi.policy <engine> <pack dir>``."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=PACK_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else port
        yield f"127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(timeout=10)


def test_the_real_policy_server_serves_the_same_pack(policy_server: str) -> None:
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime import proto
    from pulumi.runtime.proto import analyzer_pb2_grpc

    with grpc.insecure_channel(policy_server) as channel:
        grpc.channel_ready_future(channel).result(timeout=20)
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=20)
        assert info.name == "betterprompts"
        assert [p.name for p in info.policies] == NAMES
        levels = {p.name: p.enforcementLevel for p in info.policies}
        assert levels["required-cost-allocation-tags"] == proto.MANDATORY

        request = policy_stage._analyze_request(policy_stage._resource(UNENCRYPTED_QUEUE), {})
        started = time.monotonic()
        served = stub.Analyze(request, timeout=20)
        assert time.monotonic() - started < 20
    offline = violations({"project": "betterprompts", "stack": "production", "resources": [UNENCRYPTED_QUEUE], "outputs": {}})
    assert len(offline) == 2
    assert sorted((d.policyName, d.message.split("\n", 1)[1]) for d in served.diagnostics) == sorted(
        (v.policy, v.message) for v in offline
    )


def test_config_properties_reach_the_validator_like_the_cli_passes_them() -> None:
    from pulumi_policy import PolicyConfigSchema

    seen: list[dict[str, Any]] = []

    def capture(args: StackValidationArgs, report: Any) -> None:
        seen.append(dict(args.get_config()))
        report("over budget", None)

    probe = StackValidationPolicy(
        name="probe",
        description="reads its config",
        validate=capture,
        config_schema=PolicyConfigSchema(properties={"monthlyLimitUsd": {"type": "number"}}),
    )
    found = policy_stage.evaluate(
        plan(), policies=[probe], config={"probe": {"enforcementLevel": "advisory", "monthlyLimitUsd": 1500}}
    )
    assert seen == [{"monthlyLimitUsd": 1500}]
    assert [(v.policy, v.enforcement, v.urn, v.message) for v in found] == [("probe", "advisory", "", "over budget")]

"""The spec stage: planned resources checked against AWS's published specifications (cfn-lint).

The lint itself runs once per plan here (a worker process, a few seconds), on a plan that
holds one of each mistake AWS would reject or silently ignore; the translation and the
suppressions are tested without it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from preflight import spec_stage
from preflight.cli import main
from preflight.spec_translate import translate, translate_resource
from tests.policy_plans import plan, resource

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
DB = "aws:rds/instance:Instance"
LAMBDA = "aws:lambda/function:Function"


def _policy(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


def _db(**changes: Any) -> dict[str, Any]:
    inputs = {
        "identifier": "db",
        "engine": "postgres",
        "engineVersion": "16.13",
        "instanceClass": "db.r6g.xlarge",
        "allocatedStorage": 100.0,
        "storageType": "gp3",
        "storageEncrypted": True,
        "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1",
        "username": "bp_admin",
        "manageMasterUserPassword": True,
        "databaseInsightsMode": "standard",
    }
    inputs.update(changes)
    return inputs


BAD_PLAN = plan(
    resource(ROLE_POLICY, "misspelt", {"role": "app", "policy": _policy("s3:GetObject", "s3:GetObjekt")}),
    resource(DB, "no-such-class", _db(identifier="no-such-class", instanceClass="db.r6g.huge")),
    resource(DB, "retired-version", _db(identifier="retired-version", engineVersion="11.1")),
    resource(LAMBDA, "old-runtime", {"runtime": "python3.7", "handler": "app.handler", "role": "arn:aws:iam::123456789012:role/fn"}),
    resource(DB, "good", _db()),
)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, dict[str, Any]]:
    """``preflight --check-plan`` on the bad plan, with its JSON: the stage runs as CI runs it."""
    folder = tmp_path_factory.mktemp("spec")
    source, written = folder / "plan.json", folder / "checked.json"
    source.write_text(json.dumps(BAD_PLAN))
    out = io.StringIO()
    code = main(["--check-plan", str(source), "--json", str(written)], out=out)
    return code, out.getvalue(), json.loads(written.read_text())


def _finding(document: dict[str, Any], name: str, rule: str) -> dict[str, str]:
    found = [f for f in document["spec"] if f["urn"].endswith(f"::{name}") and f["rule"] == rule]
    assert len(found) == 1, document["spec"]
    return found[0]


def test_what_aws_would_reject_fails_preflight(checked: tuple[int, str, dict[str, Any]]) -> None:
    code, report, _ = checked
    assert code == 1
    assert "AWS specifications (cfn-lint):" in report
    # The class is refused twice (region's classes, the engine's classes); each mistake at least once.
    assert "5 error(s)" in report


def test_a_misspelt_iam_action_is_reported_at_its_statement(checked: tuple[int, str, dict[str, Any]]) -> None:
    finding = _finding(checked[2], "misspelt", "W3037")
    assert finding["level"] == "error"
    assert finding["input"] == "policy.Statement[0].Action"
    assert finding["message"].startswith("'getobjekt' is not one of")
    assert finding["urn"] == f"urn:pulumi:production::betterprompts::{ROLE_POLICY}::misspelt"


def test_an_instance_class_that_does_not_exist(checked: tuple[int, str, dict[str, Any]]) -> None:
    finding = _finding(checked[2], "no-such-class", "E3025")
    assert (finding["level"], finding["input"]) == ("error", "instanceClass")
    assert finding["message"].startswith("'db.r6g.huge' is not one of")


def test_a_retired_engine_version(checked: tuple[int, str, dict[str, Any]]) -> None:
    finding = _finding(checked[2], "retired-version", "W3691")
    assert (finding["level"], finding["input"]) == ("error", "engineVersion")
    assert "Engine version '11.1' for engine 'postgres' is deprecated" in finding["message"]


def test_a_deprecated_lambda_runtime(checked: tuple[int, str, dict[str, Any]]) -> None:
    finding = _finding(checked[2], "old-runtime", "E2531")
    assert (finding["level"], finding["input"]) == ("error", "runtime")
    assert "Runtime 'python3.7' was deprecated" in finding["message"]


def test_a_correct_resource_has_no_finding(checked: tuple[int, str, dict[str, Any]]) -> None:
    assert not [f for f in checked[2]["spec"] if f["urn"].endswith("::good")]
    assert set(checked[2]["spec"][0]) == {"urn", "input", "rule", "message", "level"}


# --- translation -------------------------------------------------------------------------


def test_security_group_rules_become_one_entry_per_source() -> None:
    sg = resource(
        "aws:ec2/securityGroup:SecurityGroup",
        "sg",
        {"description": "d", "vpcId": "vpc-1", "ingress": [{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["10.0.0.0/16", "10.1.0.0/16"]}]},
    )
    translated = translate_resource(sg, "R1")
    assert translated is not None and translated.cfn_type == "AWS::EC2::SecurityGroup"
    assert translated.properties["SecurityGroupIngress"] == [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/16"},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.1.0.0/16"},
    ]
    assert translated.input_path(["SecurityGroupIngress", 1, "CidrIp"]) == "ingress[0].cidrBlocks[1]"
    assert translated.input_path(["SecurityGroupIngress", 1, "FromPort"]) == "ingress[0].fromPort"


def test_launch_template_data_and_lifecycle_rules_keep_their_input_paths() -> None:
    lt = resource(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50.0, "volumeType": "gp3", "encrypted": "true"}}], "tags": {"a": "b"}},
    )
    translated = translate_resource(lt, "R1")
    assert translated is not None
    assert translated.properties == {
        "LaunchTemplateData": {"BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 50, "VolumeType": "gp3", "Encrypted": "true"}}]}
    }
    assert translated.input_path(["LaunchTemplateData", "BlockDeviceMappings", 0, "Ebs", "VolumeSize"]) == "blockDeviceMappings[0].ebs.volumeSize"
    rules = resource(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "lc",
        {"bucket": "b", "rules": [{"id": "r", "status": "Enabled", "filter": {"prefix": "logs/"}, "expiration": {"days": 30.0}}]},
    )
    translated = translate_resource(rules, "R2")
    assert translated is not None and translated.cfn_type == "AWS::S3::Bucket"
    assert translated.properties["LifecycleConfiguration"]["Rules"] == [{"Id": "r", "Status": "Enabled", "Prefix": "logs/", "ExpirationInDays": 30}]
    assert translated.input_path(["LifecycleConfiguration", "Rules", 0, "ExpirationInDays"]) == "rules[0].expiration.days"


def test_secrets_unknowns_and_uncovered_types_are_left_out() -> None:
    cache = resource(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "cache",
        {"description": "c", "authToken": "[secret]", "kmsKeyId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "engine": "valkey"},
    )
    translated = translate_resource(cache, "R1")
    assert translated is not None and translated.properties == {"ReplicationGroupDescription": "c", "Engine": "valkey"}
    assert translate([resource("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})]) == []


def test_both_stacks_translate_every_covered_type(plan: Any) -> None:
    translated = translate(plan.to_json()["resources"])
    types = {r.cfn_type for r in translated}
    assert {
        "AWS::IAM::Role", "AWS::IAM::RolePolicy", "AWS::KMS::Key", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy",
        "AWS::RDS::DBInstance", "AWS::RDS::DBParameterGroup", "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::ParameterGroup", "AWS::EC2::LaunchTemplate", "AWS::SageMaker::Model",
        "AWS::SageMaker::EndpointConfig", "AWS::S3::Bucket", "AWS::CloudWatch::Alarm", "AWS::EC2::SecurityGroup",
        "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::EKS::AccessEntry",
    } <= types


def test_the_https_listener_and_target_groups_reach_cfn_lint_as_aws_types_them(production: Any) -> None:
    resources = production.to_json()["resources"]
    translated = {r.cfn_type: r for r in translate(resources) if r.cfn_type.startswith("AWS::ElasticLoadBalancingV2::")}
    listener = translated["AWS::ElasticLoadBalancingV2::Listener"].properties
    assert (listener["Protocol"], listener["Port"], listener["SslPolicy"]) == ("HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert listener["Certificates"][0]["CertificateArn"].startswith("arn:aws:acm:us-east-1:")
    assert listener["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "403"
    group = translated["AWS::ElasticLoadBalancingV2::TargetGroup"].properties
    assert (group["TargetType"], group["Protocol"], group["HealthCheckPath"]) == ("ip", "HTTP", "/health")


# --- suppressions ------------------------------------------------------------------------


def test_every_suppression_names_a_rule_a_resource_and_a_reason() -> None:
    suppressions = spec_stage.load_suppressions()
    assert suppressions
    for suppression in suppressions:
        assert len(suppression.reason) > 40, suppression


def test_a_suppression_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("- rule: W3691\n  resource: '*'\n")
    with pytest.raises(ValueError, match="missing reason"):
        spec_stage.load_suppressions(path)


def test_the_major_only_version_is_suppressed_but_a_retired_minor_is_not() -> None:
    suppressions = spec_stage.load_suppressions()
    urn = "urn:pulumi:production::betterprompts::betterprompts:data:PgvectorDatabase$aws:rds/instance:Instance::db"

    def finding(version: str) -> spec_stage.Finding:
        message = f"Engine version '{version}' for engine 'postgres' is deprecated and cannot be used to create new RDS DB instances"
        return spec_stage.Finding(urn, "engineVersion", "W3691", message, "error")

    assert any(s.covers(finding("16")) for s in suppressions)
    assert not any(s.covers(finding("16.6")) for s in suppressions)
    assert not any(s.covers(finding("11.1")) for s in suppressions)


def test_levels() -> None:
    assert [spec_stage.level(r) for r in ("E3025", "W3037", "W3691", "W1020", "I3042")] == ["error", "error", "error", "warning", "informational"]


def _worker(resources: dict[str, Any], cache: str) -> dict[str, Any]:
    """One run of the cfn-lint worker over ``resources``, as the stage drives it."""
    import os
    import subprocess
    import sys

    from preflight.spec_worker import CACHE_ENV

    messages = [{"regions": ["us-east-1"]}, {"resources": resources}, {"end": True}]
    done = subprocess.run(
        [sys.executable, "-m", "preflight.spec_worker"],
        input="".join(json.dumps(m) + "\n" for m in messages),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, CACHE_ENV: cache},
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_findings_are_cached_by_content_and_answered_under_any_logical_id(tmp_path: Path) -> None:
    misspelt = {"Type": "AWS::IAM::RolePolicy", "Properties": {"RoleName": "app", "PolicyName": "p", "PolicyDocument": json.loads(_policy("s3:GetObjekt"))}}
    first = _worker({"R0001": misspelt}, str(tmp_path))
    assert (first["calls"], first["cached"]) == (1, 0)
    assert list(tmp_path.iterdir()) == [tmp_path / f"cfn-lint-{first['version']}.json"]

    # Logical ids are per run (registration order): the same resource under another id is a hit,
    # and its findings come back at the new id's path.
    second = _worker({"R0042": misspelt}, str(tmp_path))
    assert (second["calls"], second["cached"], second["setupSeconds"]) == (0, 1, 0.0)  # cfn-lint never loaded
    assert [f["rule"] for f in second["findings"]] == [f["rule"] for f in first["findings"]] == ["W3037"]
    assert second["findings"][0]["path"] == ["Resources", "R0042", *first["findings"][0]["path"][2:]]
    assert "R0001" not in json.dumps(second["findings"])

    # A changed resource is linted again.
    fixed = {**misspelt, "Properties": {**misspelt["Properties"], "PolicyDocument": json.loads(_policy("s3:GetObject"))}}
    third = _worker({"R0001": fixed}, str(tmp_path))
    assert (third["calls"], third["cached"], third["findings"]) == (1, 0, [])


def test_the_findings_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    answer = _worker({"R0001": {"Type": "AWS::SNS::Topic", "Properties": {}}}, "off")
    assert (answer["calls"], answer["cached"]) == (1, 0)
    assert list(tmp_path.iterdir()) == []

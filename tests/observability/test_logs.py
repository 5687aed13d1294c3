"""Log shipping: Fluent Bit (pinned chart) to a KMS log group with the configured retention and, through an
encrypted, compressing, date-partitioning Firehose stream, to the logs bucket; both roles scoped to exactly
their destinations; the pack's firehose-encrypted policy on a violating and a compliant stream."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.observability.logs_plan import FLUENT_BIT, S3_ERROR_PREFIX, S3_PREFIX, SERVICE_ACCOUNT, fluent_bit_policy
from components.platform import wildcard_grants
from preflight.harness import Plan
from tests.policy_plans import KEY, messages
from tests.policy_plans import plan as policy_plan
from tests.policy_plans import resource

STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
RELEASE = "kubernetes:helm.sh/v3:Release"


def _one(plan: Plan, type_: str, suffix: str) -> Any:
    [found] = [r for r in plan.of_type(type_) if r.name.endswith(suffix)]
    return found


def _keys(plan: Plan) -> dict[str, str]:
    """Purpose -> the baseline key's ARN (the mock's id of each key is its key id)."""
    return {r.name.rsplit("-", 1)[-1]: r.id for r in plan.of_type("aws:kms/key:Key") if r.inputs.get("tags", {}).get("KeyPurpose")}


def test_the_container_log_group_has_the_logs_key_and_the_configured_retention(plan: Plan) -> None:
    group = _one(plan, "aws:cloudwatch/logGroup:LogGroup", "-logs-containers")
    assert group.inputs["name"] == f"/aws/eks/{plan.project}-{plan.stack}/containers"
    assert group.inputs["retentionInDays"] == {"production": 90, "staging": 14}[plan.stack]
    assert group.inputs["kmsKeyId"]
    assert group.protect is (plan.stack == "production")


def test_the_stream_is_encrypted_compressed_and_partitioned_by_date(plan: Plan) -> None:
    stream = _one(plan, STREAM, "-logs-stream")
    inputs = stream.inputs
    assert inputs["name"] == f"{plan.project}-{plan.stack}-containers"
    assert inputs["destination"] == "extended_s3"
    sse = inputs["serverSideEncryption"]
    assert sse["enabled"] is True and sse["keyType"] == "CUSTOMER_MANAGED_CMK" and sse["keyArn"]
    s3 = inputs["extendedS3Configuration"]
    assert s3["compressionFormat"] == "GZIP"
    assert s3["prefix"] == S3_PREFIX == "containers/!{timestamp:yyyy/MM/dd}/"
    assert s3["errorOutputPrefix"] == S3_ERROR_PREFIX
    assert s3["kmsKeyArn"] == sse["keyArn"]  # the storage key, at rest in the stream and in the bucket
    assert s3["bucketArn"].startswith("arn:aws:s3:::") and "-logs-" in s3["bucketArn"]
    assert s3["cloudwatchLoggingOptions"]["enabled"] is True
    assert 1 <= s3["bufferingSize"] <= 128 and 0 <= s3["bufferingInterval"] <= 900


def test_the_firehose_role_writes_only_its_prefix_with_its_key(plan: Plan) -> None:
    role = _one(plan, "aws:iam/role:Role", "-logs-firehose")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "123456789012"}}
    policy = json.loads(_one(plan, "aws:iam/rolePolicy:RolePolicy", "-logs-firehose").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["WriteObjects"]["Resource"].endswith("/containers*")
    assert statements["EncryptObjects"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    assert wildcard_grants(policy) == []


def test_fluent_bit_role_reaches_only_its_group_and_stream(plan: Plan) -> None:
    role = _one(plan, "aws:iam/role:Role", "-logs-fluent-bit")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert f"system:serviceaccount:logging:{SERVICE_ACCOUNT}" in trust["Statement"][0]["Condition"]["StringEquals"].values()
    policy = json.loads(_one(plan, "aws:iam/rolePolicy:RolePolicy", "-logs-fluent-bit").inputs["policy"])
    actions = sorted(a for s in policy["Statement"] for a in s["Action"])
    assert actions == ["firehose:PutRecordBatch", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert all("*" != r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"]))


def test_fluent_bit_release_sends_to_both(plan: Plan) -> None:
    [fluent] = [r for r in plan.of_type(RELEASE) if r.inputs["chart"] == FLUENT_BIT.chart]
    assert fluent.inputs["version"] == FLUENT_BIT.version and fluent.inputs["namespace"] == "logging"
    values = fluent.inputs["values"]
    cwl = values["cloudWatchLogs"]
    assert cwl["enabled"] is True and cwl["autoCreateGroup"] is False and cwl["region"] == "us-east-1"
    assert cwl["logGroupName"] == f"/aws/eks/{plan.project}-{plan.stack}/containers"
    assert values["firehose"] == {"enabled": False}
    assert "Name            kinesis_firehose" in values["additionalOutputs"]
    assert f"delivery_stream {plan.project}-{plan.stack}-containers" in values["additionalOutputs"]
    assert values["tolerations"] == [{"operator": "Exists"}]
    [namespace] = [n for n in plan.of_type("kubernetes:core/v1:Namespace") if n.inputs["metadata"]["name"] == "logging"]
    assert namespace.inputs["metadata"]["labels"] == {"pod-security.kubernetes.io/enforce": "privileged"}


def test_fluent_bit_policy_function() -> None:
    document = json.loads(fluent_bit_policy(log_group_arn="arn:aws:logs:us-east-1:1:log-group:/g:*", stream_arn="arn:s"))
    assert document["Statement"][0]["Resource"] == ["arn:aws:logs:us-east-1:1:log-group:/g", "arn:aws:logs:us-east-1:1:log-group:/g:log-stream:*"]


# --- the pack: firehose-encrypted ----------------------------------------------------------

COMPLIANT = {
    "destination": "extended_s3",
    "serverSideEncryption": {"enabled": True, "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": KEY},
    "extendedS3Configuration": {"bucketArn": "arn:aws:s3:::logs", "roleArn": "arn:aws:iam::1:role/r", "kmsKeyArn": KEY},
}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"serverSideEncryption": None}, "serverSideEncryption is not enabled"),
        ({"serverSideEncryption": {"enabled": True, "keyType": "AWS_OWNED_CMK"}}, "keyType is AWS_OWNED_CMK"),
        ({"serverSideEncryption": {"enabled": False, "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": KEY}}, "serverSideEncryption is not enabled"),
        (
            {"extendedS3Configuration": {"bucketArn": "arn:aws:s3:::logs", "roleArn": "r"}},
            "extendedS3Configuration.kmsKeyArn is not set",
        ),
    ],
)
def test_firehose_encrypted_violations(change: dict[str, Any], fragment: str) -> None:
    inputs = {**COMPLIANT, **{k: v for k, v in change.items() if v is not None}}
    for key in [k for k, v in change.items() if v is None]:
        inputs.pop(key)
    [message] = messages(policy_plan(resource(STREAM, "s", inputs)), "firehose-encrypted")
    assert fragment in message and "Fix:" in message


def test_firehose_encrypted_compliant_and_kinesis_sourced() -> None:
    assert messages(policy_plan(resource(STREAM, "s", COMPLIANT)), "firehose-encrypted") == []
    # A stream reading a Kinesis data stream takes that stream's encryption (Firehose refuses SSE on it).
    sourced = {k: v for k, v in COMPLIANT.items() if k != "serverSideEncryption"}
    sourced["kinesisSourceConfiguration"] = {"kinesisStreamArn": "arn:aws:kinesis:us-east-1:1:stream/s", "roleArn": "r"}
    assert messages(policy_plan(resource(STREAM, "s", sourced)), "firehose-encrypted") == []

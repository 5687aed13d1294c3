"""The three functions in both stacks: runtime, sizes from config, keys, roles, triggers, failures,
alarms; and the packaging: the same source gives the same archive."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from components.platform import wildcard_grants
from components.serverless.function_plan import RUNTIME, function_name
from components.serverless.packaging import ZIP_EPOCH, archive_hash, build_archive, fetch_wheel, zip_bytes
from components.serverless.workers import FUNCTIONS_DIR, PILLOW
from preflight.harness import Plan, Resource
from tests.stack_config import load, with_value

FUNCTION = "aws:lambda/function:Function"
KEYS = {"image-optimizer": "imageOptimizer", "webhook": "webhook", "scheduled-tasks": "scheduledTasks"}


def _functions(plan: Plan) -> dict[str, Resource]:
    """The seed's three: the edge layer's Lambda@Edge router is tested in tests/edge, the bulk-transform
    workflow's task functions in tests/serverless/test_workflow.py."""
    return {
        r.inputs["name"]: r
        for r in plan.of_type(FUNCTION)
        if "LambdaEdge" not in r.inputs.get("tags", {}) and r.inputs.get("tags", {}).get("InvokedBy") != "step-functions"
    }


def _settings(plan: Plan):  # type: ignore[no-untyped-def]
    return load(with_value("serverless", "intentQueue.maxReceiveCount", 5, plan.stack), plan.stack).serverless.functions


def test_three_functions_on_the_newest_python_on_arm64_sized_from_config(plan: Plan) -> None:
    prefix = f"betterprompts-{plan.stack}"
    functions = _functions(plan)
    assert set(functions) == {function_name(prefix, key) for key in KEYS}
    settings = _settings(plan)
    data_key = plan.outputs["kmsKeyArns"]["data"]
    for key, attr in (("image-optimizer", "image_optimizer"), ("webhook", "webhook"), ("scheduled-tasks", "scheduled_tasks")):
        inputs = functions[function_name(prefix, key)].inputs
        configured = getattr(settings, attr).function
        assert (inputs["runtime"], inputs["architectures"], inputs["handler"]) == (RUNTIME, ["arm64"], "handler.handler")
        assert RUNTIME == "python3.14"
        assert (inputs["memorySize"], inputs["timeout"], inputs["reservedConcurrentExecutions"]) == (
            configured.memory_mb,
            configured.timeout_seconds,
            configured.reserved_concurrency,
        )
        assert inputs["kmsKeyArn"] == data_key
        assert inputs["tracingConfig"] == {"mode": "Active"}
        assert inputs["loggingConfig"]["logGroup"] == f"/aws/lambda/{inputs['name']}"
    assert settings.webhook.function.timeout_seconds <= 29
    if plan.stack == "staging":
        production = _settings_of("production")
        for attr in ("image_optimizer", "webhook"):
            assert getattr(settings, attr).function.reserved_concurrency < getattr(production, attr).function.reserved_concurrency
            assert getattr(settings, attr).function.memory_mb < getattr(production, attr).function.memory_mb


def _settings_of(stack: str):  # type: ignore[no-untyped-def]
    return load(with_value("serverless", "intentQueue.maxReceiveCount", 5, stack), stack).serverless.functions


def test_log_groups_exist_first_with_the_logs_key_and_retention(plan: Plan) -> None:
    groups = {r.inputs.get("name"): r.inputs for r in plan.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for name, function in _functions(plan).items():
        group = groups[f"/aws/lambda/{name}"]
        assert group["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
        assert group["retentionInDays"] in (30, 365)
        assert any(d.endswith(f"LogGroup::{function.name}") for d in function.dependencies)


def test_failed_async_events_are_retried_then_kept_in_an_encrypted_queue(plan: Plan) -> None:
    queues = {r.inputs["name"]: r.inputs for r in plan.of_type("aws:sqs/queue:Queue")}
    configs = {r.inputs["functionName"]: r.inputs for r in plan.of_type("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")}
    for name in _functions(plan):
        config = configs[name]
        assert config["maximumRetryAttempts"] == 2
        destination = config["destinationConfig"]["onFailure"]["destination"]
        assert destination == f"arn:aws:sqs:us-east-1:123456789012:{name}-failures"
        assert queues[f"{name}-failures"]["kmsMasterKeyId"] == plan.outputs["kmsKeyArns"]["data"]


def test_roles_are_least_privilege(plan: Plan) -> None:
    prefix = f"betterprompts-{plan.stack}"
    policies = {r.name: json.loads(r.inputs["policy"]) for r in plan.of_type("aws:iam/rolePolicy:RolePolicy") if "-serverless-" in r.name}
    for name, document in policies.items():
        assert wildcard_grants(document) == [], name
    images = policies[f"{prefix}-serverless-images"]["Statement"]
    s3 = {tuple(s["Action"]): s["Resource"] for s in images if s["Action"][0].startswith("s3:")}
    bucket = json.dumps(list(s3.values()))
    assert "/uploads/*" in bucket and "/variants/*" in bucket
    assert s3[("s3:PutObject",)][0].endswith("/variants/*")
    webhook = policies[f"{prefix}-serverless-webhook"]["Statement"]
    assert {a for s in webhook for a in s["Action"]} >= {"secretsmanager:GetSecretValue", "sqs:SendMessage"}
    [send] = [s for s in webhook if s["Action"] == ["sqs:SendMessage"] and s.get("Sid", "").startswith("Grant")]
    assert send["Resource"] == [f"arn:aws:sqs:us-east-1:123456789012:{prefix}-intent-classification"]
    own_env = [s for s in webhook if s.get("Sid") == "DecryptOwnEnvironment"][0]
    assert own_env["Condition"] == {"StringEquals": {"kms:EncryptionContext:LambdaFunctionName": f"{prefix}-webhook"}}


def test_s3_invokes_the_image_function_for_uploads_only(plan: Plan) -> None:
    [notification] = plan.of_type("aws:s3/bucketNotification:BucketNotification")
    [target] = notification.inputs["lambdaFunctions"]
    assert target["filterPrefix"] == "uploads/"
    assert target["events"] == ["s3:ObjectCreated:*"]
    assert notification.inputs["bucket"] == plan.outputs["bucketNames"]["assets"]
    # S3's permission (API Gateway's for the webhook is in test_api.py).
    [permission] = [p for p in plan.of_type("aws:lambda/permission:Permission") if p.inputs["principal"] == "s3.amazonaws.com"]
    assert permission.inputs["sourceArn"] == plan.outputs["bucketArns"]["assets"]
    assert permission.inputs["sourceAccount"] == "123456789012"


def test_the_cleanup_schedule_retries_then_dead_letters_under_the_data_key(plan: Plan) -> None:
    [schedule] = [r for r in plan.of_type("aws:scheduler/schedule:Schedule") if "-serverless-" in r.name]
    prefix = f"betterprompts-{plan.stack}"
    inputs = schedule.inputs
    assert inputs["kmsKeyArn"] == plan.outputs["kmsKeyArns"]["data"]
    assert inputs["scheduleExpression"] == "cron(15 3 * * ? *)"
    target = inputs["target"]
    assert target["arn"].endswith(f":function:{prefix}-scheduled-tasks")
    assert json.loads(target["input"]) == {"task": "cleanup-expired-uploads"}
    assert target["retryPolicy"] == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600}
    assert target["deadLetterConfig"]["arn"] == f"arn:aws:sqs:us-east-1:123456789012:{prefix}-scheduled-tasks-failures"
    [role] = [r for r in plan.of_type("aws:iam/role:Role") if r.name.endswith("-serverless-scheduler")]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_alarms_on_errors_throttles_duration_and_failures(plan: Plan) -> None:
    alarms = [r.inputs for r in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-serverless-" in r.name]
    for name in _functions(plan):
        mine = {a["metricName"] for a in alarms if a["dimensions"] in ({"FunctionName": name}, {"QueueName": f"{name}-failures"})}
        assert mine == {"Errors", "Throttles", "Duration", "ApproximateNumberOfMessagesVisible"}, name


def test_the_signing_secret_is_generated_and_under_the_data_key(plan: Plan) -> None:
    [secret] = [r for r in plan.of_type("aws:secretsmanager/secret:Secret") if "webhook" in r.name]
    assert secret.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["data"]
    assert secret.protect is (plan.stack == "production")


# --- packaging -----------------------------------------------------------------------------------


def test_the_same_source_gives_the_same_archive(tmp_path: Path) -> None:
    first, first_hash = build_archive(FUNCTIONS_DIR / "webhook", out_dir=tmp_path / "a")
    copy = tmp_path / "copy" / "webhook"
    shutil.copytree(FUNCTIONS_DIR / "webhook", copy)
    os.utime(copy / "handler.py", (1_000_000_000, 1_000_000_000))  # another checkout, another mtime
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"bytecode")
    second, second_hash = build_archive(copy, out_dir=tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    assert first_hash == second_hash == base64.b64encode(hashlib.sha256(first.read_bytes()).digest()).decode()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["handler.py"]
        assert {info.date_time for info in archive.infolist()} == {ZIP_EPOCH}
    (copy / "handler.py").write_text((copy / "handler.py").read_text() + "\n# changed\n")
    assert build_archive(copy, out_dir=tmp_path / "c")[1] != first_hash


def test_zip_order_and_metadata_do_not_depend_on_input_order() -> None:
    assert zip_bytes({"b.py": b"2", "a.py": b"1"}) == zip_bytes({"a.py": b"1", "b.py": b"2"})


def test_the_image_function_bundles_pillow_for_lambda_arm64(production: Plan) -> None:
    wheel = fetch_wheel(PILLOW)
    assert "manylinux" in wheel.name and "aarch64" in wheel.name and "cp314" in wheel.name
    archive, code_hash = build_archive(FUNCTIONS_DIR / "image_optimizer", (wheel,))
    with zipfile.ZipFile(archive) as bundle:
        names = set(bundle.namelist())
    assert {"handler.py", "PIL/__init__.py", "PIL/Image.py"} <= names
    assert any(n.startswith("PIL/_imaging.cpython-314-aarch64-linux-gnu") for n in names)
    assert "requirements.txt" not in names
    [function] = [f for f in production.of_type(FUNCTION) if f.inputs["name"].endswith("-image-optimizer")]
    assert function.inputs["sourceCodeHash"] == code_hash == archive_hash(archive.read_bytes())


def test_a_tampered_wheel_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "wheels"
    cache.mkdir()
    (cache / f"pillow-{PILLOW.version}-cp314-cp314-manylinux_2_28_aarch64.whl").write_bytes(b"not the wheel")
    # The cached file does not match the pinned hash: it is not used (a fresh download is).
    fake = type(PILLOW)(PILLOW.project, PILLOW.version, "0" * 64, PILLOW.platforms, PILLOW.python_version)
    with pytest.raises(RuntimeError, match="could not fetch pillow"):
        fetch_wheel(fake, cache)

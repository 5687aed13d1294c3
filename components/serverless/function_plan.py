"""The functions as data: names, runtime, IAM documents, alarms and the limits Lambda enforces.

Lambda facts the mocks cannot see (Lambda Developer Guide, "Lambda quotas", "Configuring
reserved concurrency", "Asynchronous invocation", "Lambda runtimes"; API Gateway "quotas"):

- function names: 1-64 characters of letters, digits, '-' and '_';
- memory 128-10,240 MB; timeout 1-900 s; asynchronous retries 0-2; maximum event age 60-21,600 s;
- reserved concurrency is taken out of the account's regional concurrency (1,000 by default,
  Service Quotas L-B99A9384), and Lambda keeps at least 100 of it unreserved: a stack that
  reserves more fails on the function that crosses the line (checked in config);
- the newest Python runtime is python3.14 (cfn-lint's runtime calendar names it the successor of
  every earlier Python runtime); arm64 (Graviton) is priced 20% below x86_64 per GB-second;
- API Gateway's REST integrations time out after 29 s by default, so a function behind it must
  finish sooner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..platform import GREATER, AlarmSpec, allow

RUNTIME = "python3.14"
ARCHITECTURE = "arm64"
HANDLER = "handler.handler"
FUNCTION_NAME_LIMIT = 64
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

MEMORY_MB = (128, 10_240)
TIMEOUT_SECONDS = (1, 900)
ASYNC_RETRIES = (0, 2)
MAX_EVENT_AGE_SECONDS = (60, 21_600)
UNRESERVED_MINIMUM = 100
DEFAULT_ACCOUNT_CONCURRENCY = 1_000
API_GATEWAY_TIMEOUT_SECONDS = 29

# X-Ray's write actions take no resource (Service Authorization Reference).
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
# What Lambda needs to attach a function to a VPC (the actions of AWS's
# AWSLambdaVPCAccessExecutionRole; the Describe actions take no resource).
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


def function_name(prefix: str, key: str) -> str:
    name = f"{prefix}-{key}"
    if not _FUNCTION_NAME.match(name):
        raise ValueError(f"Lambda function name {name!r}: letters, digits, '-' and '_', at most {FUNCTION_NAME_LIMIT} characters")
    return name


def log_group_name(name: str) -> str:
    """The log group Lambda writes to by default; created first so it has the key and retention."""
    return f"/aws/lambda/{name}"


def function_arn(name: str, *, region: str, account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:lambda:{region}:{account_id}:function:{name}"


def log_group_arn(name: str, *, region: str, account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{log_group_name(name)}"


def execution_policy(
    *,
    name: str,
    region: str,
    account_id: str,
    failure_queue_arn: str,
    data_key_arn: str,
    grants: Sequence[Mapping[str, Any]],
    in_vpc: bool,
    partition: str = "aws",
) -> list[dict[str, Any]]:
    """The function's least-privilege statements: its log group, X-Ray, its failure queue (under the
    data key, through SQS only), its environment's key (for this function only), then its own
    ``grants`` (statements without Sid: what it reads and writes)."""
    group = log_group_arn(name, region=region, account_id=account_id, partition=partition)
    statements: list[dict[str, Any]] = [
        allow(["logs:CreateLogStream", "logs:PutLogEvents"], [f"{group}:*"], Sid="WriteOwnLogs"),
        allow(XRAY_ACTIONS, "*", Sid="WriteTraces"),
        allow(["sqs:SendMessage"], [failure_queue_arn], Sid="SendFailures"),
        allow(
            ["kms:GenerateDataKey", "kms:Decrypt"],
            [data_key_arn],
            Sid="EncryptFailuresThroughSqs",
            Condition={"StringEquals": {"kms:ViaService": f"sqs.{region}.amazonaws.com"}},
        ),
        allow(
            ["kms:Decrypt"],
            [data_key_arn],
            Sid="DecryptOwnEnvironment",
            Condition={"StringEquals": {"kms:EncryptionContext:LambdaFunctionName": name}},
        ),
    ]
    if in_vpc:
        statements.append(allow(VPC_ACTIONS, "*", Sid="AttachToVpc"))
    for index, statement in enumerate(grants):
        statements.append({"Sid": f"Grant{index}", **statement})
    return statements


@dataclass(frozen=True)
class FunctionAlarmSettings:
    errors: int = 1
    """Alarm when a period has more errors than this."""
    throttles: int = 0
    duration_p95_ms: int = 10_000
    period_seconds: int = 300
    evaluation_periods: int = 1


def function_alarms(name: str, failure_queue: str, alarms: FunctionAlarmSettings) -> list[AlarmSpec]:
    """Errors, throttles and p95 duration of the function, and anything in its failure queue."""
    common: dict[str, Any] = {
        "namespace": "AWS/Lambda",
        "comparison": GREATER,
        "period_seconds": alarms.period_seconds,
        "evaluation_periods": alarms.evaluation_periods,
        # An idle function publishes nothing: not a breach.
        "treat_missing_data": "notBreaching",
        "dimensions": {"FunctionName": name},
    }
    return [
        AlarmSpec(key="errors", metric="Errors", statistic="Sum", threshold=alarms.errors,
                  description=f"{name}: more than {alarms.errors} failed invocation(s) per period", **common),
        AlarmSpec(key="throttles", metric="Throttles", statistic="Sum", threshold=alarms.throttles,
                  description=f"{name}: invocations throttled (reserved concurrency reached)", **common),
        AlarmSpec(key="duration-p95", metric="Duration", statistic=None, extended_statistic="p95",
                  threshold=alarms.duration_p95_ms, description=f"{name}: p95 duration over {alarms.duration_p95_ms} ms", **common),
        AlarmSpec(
            key="failures",
            namespace="AWS/SQS",
            metric="ApproximateNumberOfMessagesVisible",
            comparison=GREATER,
            threshold=0,
            statistic="Maximum",
            description=f"{failure_queue}: an event failed every retry",
            period_seconds=alarms.period_seconds,
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            dimensions={"QueueName": failure_queue},
        ),
    ]  # fmt: skip

"""ServerlessFunction: one Lambda function with everything the platform asks of it.

Code from its folder under ``functions/`` (packaged deterministically, ``packaging``), python3.14 on
arm64; its own role with exactly its grants; its log group created first (logs key, retention);
environment encrypted with the data key; active X-Ray tracing; reserved concurrency, memory and
timeout from config; asynchronous failures (after the configured retries) sent to its own
encrypted SQS queue; alarms on errors, throttles, p95 duration and that queue; optionally in the
app subnets with the app-clients security group (for functions that reach the data layer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, create_alarms, policy_document, service_assume_role_policy
from .function_plan import ARCHITECTURE, HANDLER, RUNTIME, execution_policy, function_alarms, log_group_name
from .packaging import build_archive
from .queue_plan import KMS_DATA_KEY_REUSE_SECONDS, RETENTION_MAX_SECONDS, check_queue_name, tls_only_queue_policy
from .function_settings import FunctionSettings


@dataclass
class FunctionVpc:
    """Where a function that reaches the data layer runs."""

    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_ids: Sequence[pulumi.Input[str]]


@dataclass
class ServerlessFunctionArgs:
    """Inputs of :class:`ServerlessFunction`."""

    function_name: str
    """The function's physical name (``function_plan.function_name``): its log group is named after it."""
    source_dir: Path
    """The function's folder (``handler.py`` at its root)."""
    description: str
    settings: FunctionSettings
    region: str
    account_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    """Encrypts the environment and the failure queue (``baseline.keys["data"]``)."""
    logs_key_arn: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str]
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    grants: pulumi.Input[Sequence[Mapping[str, Any]]] = field(default_factory=list)
    """IAM statements (without Sid) for what the function itself reads and writes."""
    wheels: tuple[Path, ...] = ()
    """Third-party wheels built for Lambda's platform, unpacked into the archive."""
    vpc: Optional[FunctionVpc] = None
    extra_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the function itself beyond the component's (``InvokedBy``: the cost stage prices a state
    machine's tasks with it)."""


class ServerlessFunction(pulumi.ComponentResource):
    """A Lambda function, its role, log group, failure queue and alarms."""

    function_arn: pulumi.Output[str]
    function_name: pulumi.Output[str]
    physical_name: str
    """The function's name, known before it exists."""
    invoke_arn: pulumi.Output[str]
    """What API Gateway integrations call."""
    role_arn: pulumi.Output[str]
    failure_queue_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ServerlessFunctionArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        failure_queue_name = check_queue_name(f"{args.function_name}-failures")
        # Packaged before any child exists: a missing handler or wheel fails the preview here.
        archive, code_hash = build_archive(args.source_dir, args.wheels)
        super().__init__("betterprompts:serverless:ServerlessFunction", name, None, opts)
        settings = args.settings
        tags = ComponentTags("serverless-function")
        child = pulumi.ResourceOptions(parent=self)

        self.failure_queue = aws.sqs.Queue(
            f"{name}-failures",
            name=failure_queue_name,
            message_retention_seconds=RETENTION_MAX_SECONDS,
            kms_master_key_id=args.data_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            tags=tags(f"{name}-failures", {"QueueRole": "dead-letter"}),
            opts=child,
        )
        aws.sqs.QueuePolicy(
            f"{name}-failures-tls",
            queue_url=self.failure_queue.url,
            policy=self.failure_queue.arn.apply(tls_only_queue_policy),
            opts=pulumi.ResourceOptions(parent=self.failure_queue),
        )
        group_name = log_group_name(args.function_name)
        log_group = aws.cloudwatch.LogGroup(
            name,
            name=group_name,
            kms_key_id=args.logs_key_arn,
            retention_in_days=settings.log_retention_days,
            tags=tags(name),
            opts=child,
        )
        self.role = aws.iam.Role(
            name,
            description=f"{args.function_name}: its own logs, traces, failure queue and grants",
            assume_role_policy=service_assume_role_policy("lambda.amazonaws.com"),
            tags=tags(name),
            opts=child,
        )
        in_vpc = args.vpc is not None
        role_policy = aws.iam.RolePolicy(
            name,
            role=self.role.id,
            policy=pulumi.Output.all(
                args.account_id, self.failure_queue.arn, args.data_key_arn, pulumi.Output.from_input(args.grants)
            ).apply(
                lambda v: policy_document(
                    execution_policy(
                        name=args.function_name,
                        region=args.region,
                        account_id=v[0],
                        failure_queue_arn=v[1],
                        data_key_arn=v[2],
                        grants=v[3],
                        in_vpc=in_vpc,
                    )
                )
            ),
            opts=pulumi.ResourceOptions(parent=self.role),
        )
        self.function = aws.lambda_.Function(
            name,
            name=args.function_name,
            description=args.description,
            role=self.role.arn,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=HANDLER,
            code=pulumi.FileArchive(str(archive)),
            source_code_hash=code_hash,
            memory_size=settings.memory_mb,
            timeout=settings.timeout_seconds,
            reserved_concurrent_executions=settings.reserved_concurrency,
            kms_key_arn=args.data_key_arn,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment)) if args.environment else None,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="Text", log_group=log_group.name),
            vpc_config=(
                aws.lambda_.FunctionVpcConfigArgs(
                    subnet_ids=args.vpc.subnet_ids, security_group_ids=list(args.vpc.security_group_ids)
                )
                if args.vpc is not None
                else None
            ),
            tags=tags(name, dict(args.extra_tags)),
            # The log group exists (with its key and retention) before Lambda would create its own;
            # the role can write it before the first invocation.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, role_policy]),
        )
        # Asynchronous invocations (S3, EventBridge Scheduler): retried, then kept in the failure queue.
        aws.lambda_.FunctionEventInvokeConfig(
            name,
            function_name=self.function.name,
            maximum_retry_attempts=settings.retries,
            maximum_event_age_in_seconds=settings.max_event_age_seconds,
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(destination=self.failure_queue.arn)
            ),
            opts=pulumi.ResourceOptions(parent=self.function, depends_on=[role_policy]),
        )
        create_alarms(
            name,
            function_alarms(args.function_name, failure_queue_name, settings.alarms),
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self,
        )
        self.function_arn = self.function.arn
        self.function_name = self.function.name
        self.physical_name = args.function_name
        self.invoke_arn = self.function.invoke_arn
        self.role_arn = self.role.arn
        self.failure_queue_arn = self.failure_queue.arn
        self.register_outputs(
            {
                "function_arn": self.function_arn,
                "function_name": self.function_name,
                "role_arn": self.role_arn,
                "failure_queue_arn": self.failure_queue_arn,
            }
        )

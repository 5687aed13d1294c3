"""Serverless guardrails: Lambda functions hardened, no public function URL, failures kept encrypted,
state machines logged, encrypted and traced.

Spec: "5. Serverless Components" with the platform's "Security Architecture" (everything encrypted
with the stack's keys, least privilege, nothing reachable without authentication).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

from .common import UNKNOWN, cmk_problem, get, label, resource_policy, stack_policy

FUNCTION = "aws:lambda/function:Function"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
PERMISSION = "aws:lambda/permission:Permission"
EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
QUEUE = "aws:sqs/queue:Queue"
EDGE_TAG = "LambdaEdge"
"""A function replicated by Lambda@Edge carries this tag ("true"). CloudFront refuses to associate a function
with X-Ray tracing or a dead-letter queue ("Restrictions on Lambda@Edge"), and invokes it synchronously (no
asynchronous failures to keep), so those two checks do not apply to it; its environment is empty anyway."""


def _at_edge(props: Any) -> bool:
    return get(props, "tags", EDGE_TAG) == "true"
TOPIC = "aws:sns/topic:Topic"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _function(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    variables = get(props, "environment", "variables")
    if variables and variables is not UNKNOWN:
        problem = cmk_problem(get(props, "kmsKeyArn"))
        if problem:
            yield (
                f"{where}: kmsKeyArn {problem}; its environment variables are encrypted with Lambda's AWS-managed key. "
                "Fix: set kms_key_arn to the stack's data key"
            )
    mode = get(props, "tracingConfig", "mode")
    if mode is not UNKNOWN and mode != "Active" and not _at_edge(props):
        yield f"{where}: tracingConfig.mode is {mode!r}, must be 'Active'. Fix: tracing_config=FunctionTracingConfigArgs(mode='Active')"


LAMBDA_HARDENED = resource_policy(
    name="lambda-function-hardened",
    description="Lambda functions encrypt their environment with a customer-managed key and trace with X-Ray.",
    severity=Severity.HIGH,
    types=(FUNCTION,),
    check=_function,
    remediation="kms_key_arn = the stack's data key; tracing_config mode Active.",
)


def _function_url(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == FUNCTION_URL:
        auth = get(props, "authorizationType")
        if auth is not UNKNOWN and auth != "AWS_IAM":
            yield (
                f"{where}: authorizationType is {auth!r}: anyone on the internet can invoke the function. "
                "Fix: authorization_type='AWS_IAM' (or front it with API Gateway)"
            )
    elif get(props, "action") == "lambda:InvokeFunctionUrl" and get(props, "functionUrlAuthType") == "NONE":
        yield (
            f"{where}: grants lambda:InvokeFunctionUrl with functionUrlAuthType NONE to {get(props, 'principal')!r}. "
            "Fix: function_url_auth_type='AWS_IAM'"
        )


NO_PUBLIC_FUNCTION_URL = resource_policy(
    name="lambda-no-function-url-without-auth",
    description="No Lambda function URL (or permission for one) is open without IAM authentication.",
    severity=Severity.CRITICAL,
    types=(FUNCTION_URL, PERMISSION),
    check=_function_url,
    remediation="authorization_type='AWS_IAM' on function URLs; public entry points go through API Gateway with WAF.",
)


def _name_of(arn: Any) -> Optional[str]:
    """The queue or topic name at the end of an SQS/SNS ARN."""
    if not isinstance(arn, str) or ":" not in arn:
        return None
    return arn.rsplit(":", 1)[-1]


def _failures(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    queues = {get(r.props, "name"): r for r in args.resources if r.resource_type in (QUEUE, TOPIC)}
    destinations: dict[str, Any] = {}
    for resource in args.resources:
        if resource.resource_type == EVENT_INVOKE_CONFIG:
            destinations[str(get(resource.props, "functionName"))] = get(resource.props, "destinationConfig", "onFailure", "destination")
    for resource in args.resources:
        if resource.resource_type != FUNCTION or _at_edge(resource.props):
            continue
        name = get(resource.props, "name")
        where = label(resource.resource_type, resource.name)
        target = get(resource.props, "deadLetterConfig", "targetArn") or destinations.get(str(name))
        if target is UNKNOWN:
            continue
        if not target:
            yield (
                f"{where}: neither a dead-letter queue nor an on-failure destination: a failed asynchronous event is lost "
                "after its retries. Fix: a FunctionEventInvokeConfig with destination_config.on_failure = an encrypted queue",
                resource.urn,
            )
            continue
        queue = queues.get(_name_of(target))
        if queue is None:
            continue  # a destination outside this stack: its encryption is not visible here
        problem = cmk_problem(get(queue.props, "kmsMasterKeyId"))
        if problem:
            yield (
                f"{where}: its failures go to {_name_of(target)!r}, whose kmsMasterKeyId {problem}. Fix: encrypt that queue with the data key",
                resource.urn,
            )


FAILURES_ENCRYPTED = stack_policy(
    name="lambda-failures-kept-encrypted",
    description=(
        "Every Lambda function keeps failed asynchronous events in a dead-letter queue or on-failure destination "
        "encrypted with a customer-managed key."
    ),
    severity=Severity.MEDIUM,
    check=_failures,
    remediation="FunctionEventInvokeConfig on_failure (or dead_letter_config) = an SQS queue under the data key.",
)

def _log_group_name(destination: Any) -> Optional[str]:
    """The log group of ``arn:aws:logs:<region>:<account>:log-group:<name>:*`` (Step Functions' destination form)."""
    if not isinstance(destination, str) or ":log-group:" not in destination:
        return None
    return destination.split(":log-group:", 1)[1].removesuffix(":*")


def _state_machines(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    groups = {get(r.props, "name"): r for r in args.resources if r.resource_type == LOG_GROUP}
    for resource in args.resources:
        if resource.resource_type != STATE_MACHINE:
            continue
        where, props = label(resource.resource_type, resource.name), resource.props
        level = get(props, "loggingConfiguration", "level")
        if level is not UNKNOWN and level != "ALL":
            yield (
                f"{where}: loggingConfiguration.level is {level or 'not set'}: the execution's events are not all logged. "
                "Fix: logging_configuration level='ALL' into a KMS-encrypted log group",
                resource.urn,
            )
        destination = get(props, "loggingConfiguration", "logDestination")
        if destination is not UNKNOWN:
            group = groups.get(_log_group_name(destination))
            if not destination:
                yield f"{where}: loggingConfiguration has no logDestination. Fix: the ARN of a KMS-encrypted log group + ':*'", resource.urn
            elif group is not None and cmk_problem(get(group.props, "kmsKeyId")):
                yield (
                    f"{where}: logs to {_log_group_name(destination)!r}, whose kmsKeyId {cmk_problem(get(group.props, 'kmsKeyId'))}. "
                    "Fix: kms_key_id = the stack's logs key on that log group",
                    resource.urn,
                )
        kind = get(props, "encryptionConfiguration", "type")
        if kind is not UNKNOWN and kind != "CUSTOMER_MANAGED_KMS_KEY":
            yield (
                f"{where}: encryptionConfiguration.type is {kind or 'not set (AWS_OWNED_KEY)'}: execution history and definition "
                "are encrypted with an AWS-owned key. Fix: type='CUSTOMER_MANAGED_KMS_KEY' with kms_key_id",
                resource.urn,
            )
        elif kind == "CUSTOMER_MANAGED_KMS_KEY":
            problem = cmk_problem(get(props, "encryptionConfiguration", "kmsKeyId"))
            if problem:
                yield f"{where}: encryptionConfiguration.kmsKeyId {problem}. Fix: a customer-managed key's ARN", resource.urn
        traced = get(props, "tracingConfiguration", "enabled")
        if traced is not UNKNOWN and traced is not True:
            yield f"{where}: tracingConfiguration.enabled is {traced!r}, must be true. Fix: tracing_configuration enabled=True", resource.urn


STATE_MACHINES_LOGGED_ENCRYPTED = stack_policy(
    name="stepfunctions-logged-encrypted-traced",
    description=(
        "Step Functions state machines log every event (level ALL) to a log group encrypted with a customer-managed key, "
        "encrypt their history and definition with a customer-managed key, and trace with X-Ray."
    ),
    severity=Severity.HIGH,
    check=_state_machines,
    remediation="logging_configuration level ALL into a KMS log group; encryption_configuration CUSTOMER_MANAGED_KMS_KEY; tracing enabled.",
)

POLICIES = [LAMBDA_HARDENED, NO_PUBLIC_FUNCTION_URL, FAILURES_ENCRYPTED, STATE_MACHINES_LOGGED_ENCRYPTED]

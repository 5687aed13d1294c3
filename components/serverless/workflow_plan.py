"""The bulk-transform workflow as data: names, the Amazon States Language definition, IAM documents,
the key policy and the limits the services enforce.

AWS facts the mocks cannot see:

- Step Functions ("Quotas"): state machine names 1-80 characters of letters, digits, '-' and '_'.
  A STANDARD workflow's executions are unique by name for 90 days.
- SageMaker CreateTransformJob: TransformJobName matches ``^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`` and is
  unique in the account and Region (its payload and client limits are checked in ``workflow_settings``).
  Instance types with local NVMe storage refuse a VolumeKmsKeyId, so the job gives none (its scratch
  volume holds nothing the S3 objects under the storage key do not).
- The ``.sync`` integration ("IAM policies for Amazon SageMaker"): Create/Describe/StopTransformJob on
  the job's ARN, ListTags, iam:PassRole of the model's role with iam:PassedToService, and EventBridge
  PutTargets/PutRule/DescribeRule on the managed rule ``StepFunctionsGetEventsForSageMakerTransformJobsRule``
  (Step Functions learns the job's end from it).
- Encryption with a customer-managed key ("Data at rest encryption in Step Functions"): Step Functions
  calls KMS with the execution role's credentials and the encryption context
  ``aws:states:stateMachineArn``; with logging on, the role also generates data keys for CloudWatch Logs'
  delivery (encryption context ``SourceArn`` = ``arn:aws:logs:<region>:<account>:*``) and the key policy
  lets ``delivery.logs.amazonaws.com`` decrypt them.
- Logging ("Logging using CloudWatch Logs"): the role needs the vended-log delivery actions, which have no
  resource type ("*"); a log group under ``/aws/vendedlogs/`` keeps the account's CloudWatch Logs
  resource policy, which Step Functions maintains itself, within its size limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..platform import allow
from .workflow_settings import BulkTransformSettings, RetryPolicy

STATE_MACHINE_NAME_LIMIT = 80
_STATE_MACHINE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
TRANSFORM_JOB_NAME_LIMIT = 63
_TRANSFORM_JOB_NAME = re.compile(r"^[a-z0-9](-*[a-z0-9]){0,62}$")
HASH_LENGTH = 32
"""Characters of the MD5 (hex) of the execution name a job name ends with."""
TRANSFORM_RULE = "StepFunctionsGetEventsForSageMakerTransformJobsRule"
EVENT_SOURCE = "betterprompts.bulk-transform"
SUCCESS_DETAIL_TYPE = "Bulk transform succeeded"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
TRANSFORM_SYNC = "arn:aws:states:::sagemaker:createTransformJob.sync"
SNS_PUBLISH = "arn:aws:states:::sns:publish"
EVENTS_PUT = "arn:aws:states:::events:putEvents"
# Lambda's transient errors (Step Functions "Handling errors": retry these on every Lambda task).
LAMBDA_TRANSIENT = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
# Errors the task functions raise on bad input or incomplete output: never retried.
MANIFEST_INVALID = "ManifestInvalid"
OUTPUT_INCOMPLETE = "OutputIncomplete"
LAMBDA_TASK_MARGIN_SECONDS = 30
"""A Lambda task's timeout beyond its function's: Step Functions gives up only after Lambda would have."""
EXECUTION_MARGIN_SECONDS = 3600
"""The whole execution's timeout beyond the transform's: the tasks around it and their retries."""
LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
]
XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]


def state_machine_name(prefix: str) -> str:
    name = f"{prefix}-bulk-transform"
    if not _STATE_MACHINE_NAME.match(name):
        raise ValueError(f"state machine name {name!r}: letters, digits, '-' and '_', at most {STATE_MACHINE_NAME_LIMIT} characters")
    return name


def state_machine_arn(name: str, *, region: str, account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:states:{region}:{account_id}:stateMachine:{name}"


def log_group_name(machine_name: str) -> str:
    """Under /aws/vendedlogs/: Step Functions' delivery adds one resource-policy entry for the whole prefix."""
    return f"/aws/vendedlogs/states/{machine_name}"


def job_name_prefix(prefix: str) -> str:
    """Every job this workflow starts is named ``<this>-<md5 of the execution name>``: 63 characters at most,
    and the role may touch exactly the jobs with this prefix."""
    job_prefix = f"{prefix}-bulk".lower()
    longest = f"{job_prefix}-{'0' * HASH_LENGTH}"
    if len(longest) > TRANSFORM_JOB_NAME_LIMIT or not _TRANSFORM_JOB_NAME.match(longest):
        raise ValueError(
            f"transform job names {job_prefix}-<{HASH_LENGTH} hex>: letters, digits and hyphens, at most "
            f"{TRANSFORM_JOB_NAME_LIMIT} characters (a stack prefix of at most {TRANSFORM_JOB_NAME_LIMIT - HASH_LENGTH - 6})"
        )
    return job_prefix


def transform_job_arn_pattern(job_prefix: str, *, region: str, account_id: str, partition: str = "aws") -> str:
    # SageMaker ARNs carry the job name in lower case; the names here are lower case already.
    return f"arn:{partition}:sagemaker:{region}:{account_id}:transform-job/{job_prefix}-*"


@dataclass(frozen=True)
class WorkflowTargets:
    """What the definition names besides its settings: the stack's resources, resolved."""

    model_name: str
    bucket_name: str
    validator_arn: str
    post_processor_arn: str
    failure_handler_arn: str
    topic_arn: str
    tags: Mapping[str, str]
    """The cost-allocation tags each job carries (SageMaker jobs get no provider default tags)."""


def _lambda_task(arn: str, timeout: int, payload: Mapping[str, Any], retry: RetryPolicy, **rest: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": arn, "Payload": dict(payload)},
        "ResultSelector": {"result.$": "$.Payload"},
        "TimeoutSeconds": timeout + LAMBDA_TASK_MARGIN_SECONDS,
        # The functions are idempotent (they read, or overwrite their one record): a lost answer is rerun.
        "Retry": [retry.retrier([*LAMBDA_TRANSIENT, "States.Timeout"])],
        **rest,
    }


def _catch(next_state: str) -> list[dict[str, Any]]:
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": next_state}]


def definition(job_prefix: str, settings: BulkTransformSettings, targets: WorkflowTargets) -> dict[str, Any]:
    """The state machine: name the job, validate the manifest, transform, post-process, announce; any
    failure goes to the failure handler and the alarm topic, then fails the execution.

    Execution input: ``{"manifestKey": "<inputPrefix>.../manifest.json"}`` (a SageMaker manifest file).
    """
    spec, retry = settings, settings.retry
    output = f"s3://{targets.bucket_name}/{spec.output_prefix}"
    transform: dict[str, Any] = {
        "Type": "Task",
        "Resource": TRANSFORM_SYNC,
        "Parameters": {
            "TransformJobName.$": "$.job.name",
            "ModelName": targets.model_name,
            "MaxPayloadInMB": spec.max_payload_mb,
            "MaxConcurrentTransforms": spec.max_concurrent_transforms,
            "BatchStrategy": spec.batch_strategy,
            "ModelClientConfig": {
                "InvocationsTimeoutInSeconds": spec.invocation_timeout_seconds,
                "InvocationsMaxRetries": spec.invocation_retries,
            },
            "TransformInput": {
                "DataSource": {"S3DataSource": {"S3DataType": "ManifestFile", "S3Uri.$": "$.manifest.result.manifestUri"}},
                "ContentType": spec.content_type,
                "SplitType": spec.split_type,
            },
            # The bucket's default encryption (SSE-KMS, the storage key) applies to what the job writes.
            "TransformOutput": {
                "S3OutputPath.$": f"States.Format('{output}{{}}/', $.job.name)",
                "AssembleWith": "Line" if spec.split_type == "Line" else "None",
            },
            "TransformResources": {"InstanceType": spec.instance_type, "InstanceCount": spec.instance_count},
            "Tags": [{"Key": k, "Value": v} for k, v in sorted(targets.tags.items())],
        },
        "ResultSelector": {
            "arn.$": "$.TransformJobArn",
            "status.$": "$.TransformJobStatus",
            "outputUri.$": "$.TransformOutput.S3OutputPath",
        },
        "ResultPath": "$.transform",
        "TimeoutSeconds": spec.job_timeout_minutes * 60,
        # Throttling and service errors only: a failed or timed-out job is not rerun (the name is the
        # execution's, so a retry after a partial create is refused rather than starting a second job).
        "Retry": [retry.retrier(["SageMaker.AmazonSageMakerException"], interval_seconds=max(retry.interval_seconds, 5))],
        "Catch": _catch("HandleFailure"),
        "Next": "PostProcess",
    }
    states: dict[str, Any] = {
        "NameJob": {
            "Type": "Pass",
            "Comment": "One job name per execution (63 characters at most, the role's ARN prefix), reused by every retry",
            "Parameters": {"name.$": f"States.Format('{job_prefix}-{{}}', States.Hash($$.Execution.Name, 'MD5'))"},
            "ResultPath": "$.job",
            "Next": "ValidateManifest",
        },
        "ValidateManifest": _lambda_task(
            targets.validator_arn,
            spec.validator.timeout_seconds,
            {"input.$": "$$.Execution.Input", "jobName.$": "$.job.name"},
            retry,
            ResultPath="$.manifest",
            Catch=_catch("HandleFailure"),
            Next="Transform",
        ),
        "Transform": transform,
        "PostProcess": _lambda_task(
            targets.post_processor_arn,
            spec.post_processor.timeout_seconds,
            {
                "jobName.$": "$.job.name",
                "manifestKey.$": "$.manifest.result.manifestKey",
                "outputUri.$": "$.transform.outputUri",
            },
            retry,
            ResultPath="$.summary",
            Catch=_catch("HandleFailure"),
            Next="AnnounceSuccess",
        ),
        "AnnounceSuccess": {
            "Type": "Task",
            "Comment": "Consumers subscribe to the event; success pages nobody (the alarm topic is for failures)",
            "Resource": EVENTS_PUT,
            "Parameters": {
                "Entries": [
                    {
                        "Source": EVENT_SOURCE,
                        "DetailType": SUCCESS_DETAIL_TYPE,
                        "EventBusName": "default",
                        "Detail": {
                            "execution.$": "$$.Execution.Id",
                            "jobName.$": "$.job.name",
                            "jobArn.$": "$.transform.arn",
                            "outputUri.$": "$.transform.outputUri",
                            "summary.$": "$.summary.result",
                        },
                    }
                ]
            },
            "ResultPath": None,
            "Retry": [retry.retrier(["States.ALL"])],
            "Catch": _catch("HandleFailure"),
            "Next": "Succeeded",
        },
        "Succeeded": {"Type": "Succeed"},
        "HandleFailure": _lambda_task(
            targets.failure_handler_arn,
            spec.failure_handler.timeout_seconds,
            {"execution.$": "$$.Execution.Id", "jobName.$": "$.job.name", "error.$": "$.error"},
            retry,
            ResultPath="$.notice",
            # The topic hears of the failure even when its handler fails.
            Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.handlerError", "Next": "NotifyUnhandledFailure"}],
            Next="NotifyFailure",
        ),
        "NotifyFailure": {
            "Type": "Task",
            "Resource": SNS_PUBLISH,
            "Parameters": {
                "TopicArn": targets.topic_arn,
                "Subject.$": "$.notice.result.subject",
                "Message.$": "$.notice.result.message",
            },
            "ResultPath": None,
            "Retry": [retry.retrier(["States.ALL"])],
            "Next": "Failed",
        },
        "NotifyUnhandledFailure": {
            "Type": "Task",
            "Resource": SNS_PUBLISH,
            "Parameters": {
                "TopicArn": targets.topic_arn,
                "Subject": "Bulk transform failed (failure handler failed too)",
                "Message.$": "States.Format('Execution {} failed: {}', $$.Execution.Id, States.JsonToString($.error))",
            },
            "ResultPath": None,
            "Retry": [retry.retrier(["States.ALL"])],
            "Next": "Failed",
        },
        "Failed": {"Type": "Fail", "Error": "BulkTransformFailed", "Cause": "See the alarm topic's message and the execution's history"},
    }
    return {
        "Comment": "Bulk processing: SageMaker batch transform of a manifest's objects (docs/serverless.md, 'Bulk transform')",
        "StartAt": "NameJob",
        # A timed-out execution skips every Catch: its own alarm (ExecutionsTimedOut) reports it.
        "TimeoutSeconds": spec.job_timeout_minutes * 60 + EXECUTION_MARGIN_SECONDS,
        "States": states,
    }


@dataclass(frozen=True)
class RoleScope:
    """What the state machine's role may touch, as resolved strings."""

    region: str
    account_id: str
    machine_arn: str
    job_prefix: str
    function_arns: Sequence[str]
    model_role_arn: str
    topic_arn: str
    alarms_key_arn: str
    workflow_key_arn: str
    partition: str = "aws"


def state_machine_policy(scope: RoleScope) -> list[dict[str, Any]]:
    """The execution role's statements (Step Functions' documented policies for each integration, scoped)."""
    p, region, account = scope.partition, scope.region, scope.account_id
    return [
        allow(["lambda:InvokeFunction"], sorted([*scope.function_arns, *(f"{arn}:*" for arn in scope.function_arns)]), Sid="InvokeTasks"),
        allow(
            ["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob", "sagemaker:AddTags"],
            [transform_job_arn_pattern(scope.job_prefix, region=region, account_id=account, partition=p)],
            Sid="RunTransformJobs",
        ),
        # As AWS's generated .sync policy has it: Step Functions reads the job's tags while it waits.
        allow(["sagemaker:ListTags"], "*", Sid="ReadJobTags"),
        allow(
            ["iam:PassRole"],
            [scope.model_role_arn],
            Sid="PassModelRole",
            Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        ),
        allow(
            ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            [f"arn:{p}:events:{region}:{account}:rule/{TRANSFORM_RULE}"],
            Sid="FollowTransformJobs",
        ),
        allow(["events:PutEvents"], [f"arn:{p}:events:{region}:{account}:event-bus/default"], Sid="AnnounceSuccess"),
        allow(["sns:Publish"], [scope.topic_arn], Sid="NotifyFailures"),
        allow(
            ["kms:GenerateDataKey*", "kms:Decrypt"],
            [scope.alarms_key_arn],
            Sid="EncryptFailureNotices",
            Condition={
                "StringEquals": {
                    "kms:ViaService": f"sns.{region}.amazonaws.com",
                    "kms:EncryptionContext:aws:sns:topicArn": scope.topic_arn,
                }
            },
        ),
        allow(
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [scope.workflow_key_arn],
            Sid="EncryptExecutions",
            Condition={"StringEquals": {"kms:EncryptionContext:aws:states:stateMachineArn": scope.machine_arn}},
        ),
        allow(
            ["kms:GenerateDataKey"],
            [scope.workflow_key_arn],
            Sid="EncryptLogDeliveries",
            Condition={"StringEquals": {"kms:EncryptionContext:SourceArn": f"arn:{p}:logs:{region}:{account}:*"}},
        ),
        # The vended-log delivery actions have no resource type: "*" is the only Resource they take.
        allow(LOG_DELIVERY_ACTIONS, "*", Sid="DeliverLogs"),
        allow(XRAY_ACTIONS, "*", Sid="WriteTraces"),
    ]


def workflow_key_statements() -> list[dict[str, Any]]:
    """What the workflow key admits beyond the account's IAM policies: CloudWatch Logs' delivery service
    decrypts the log records Step Functions encrypted with it ("Data at rest encryption in Step Functions")."""
    return [
        {
            "Sid": "LogDeliveryDecrypts",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "kms:Decrypt",
            "Resource": "*",
        }
    ]


def state_machine_trust(machine_arn: str, account_id: str) -> list[dict[str, Any]]:
    """Step Functions assumes the role for this state machine only (confused deputy)."""
    return [
        {
            "Effect": "Allow",
            "Principal": {"Service": "states.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}, "ArnLike": {"aws:SourceArn": machine_arn}},
        }
    ]


def model_data_grants(bucket_arn: str, storage_key_arn: str, input_prefix: str, output_prefix: str, region: str) -> list[dict[str, Any]]:
    """The model's execution role runs the job: it reads the manifest's objects and writes the results."""
    return [
        allow(["s3:GetObject"], [f"{bucket_arn}/{input_prefix}*"], Sid="ReadBatchInputs"),
        allow(
            ["s3:ListBucket"],
            [bucket_arn],
            Sid="ListBatchPrefixes",
            Condition={"StringLike": {"s3:prefix": [f"{input_prefix}*", f"{output_prefix}*"]}},
        ),
        allow(["s3:PutObject", "s3:AbortMultipartUpload"], [f"{bucket_arn}/{output_prefix}*"], Sid="WriteBatchOutputs"),
        allow(
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [storage_key_arn],
            Sid="BatchDataThroughS3",
            Condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        ),
    ]


def validator_grants(bucket_arn: str, storage_key_arn: str, input_prefix: str, region: str) -> list[dict[str, Any]]:
    """Read the manifest and check the objects it lists exist (HEAD), under the input prefix only."""
    return [
        allow(["s3:GetObject"], [f"{bucket_arn}/{input_prefix}*"]),
        # Without ListBucket a missing object answers 403, not 404.
        allow(["s3:ListBucket"], [bucket_arn], Condition={"StringLike": {"s3:prefix": [f"{input_prefix}*"]}}),
        allow(["kms:Decrypt"], [storage_key_arn], Condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}),
    ]


def post_processor_grants(bucket_arn: str, storage_key_arn: str, input_prefix: str, output_prefix: str, region: str) -> list[dict[str, Any]]:
    """Read the manifest, list the job's results, write its summary."""
    return [
        allow(["s3:GetObject"], [f"{bucket_arn}/{input_prefix}*"]),
        allow(["s3:ListBucket"], [bucket_arn], Condition={"StringLike": {"s3:prefix": [f"{output_prefix}*"]}}),
        allow(["s3:PutObject"], [f"{bucket_arn}/{output_prefix}*"]),
        allow(
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [storage_key_arn],
            Condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
        ),
    ]


def failure_handler_grants(bucket_arn: str, storage_key_arn: str, output_prefix: str, region: str) -> list[dict[str, Any]]:
    """Write the failure record next to where the results would have been."""
    return [
        allow(["s3:PutObject"], [f"{bucket_arn}/{output_prefix}*"]),
        allow(["kms:GenerateDataKey"], [storage_key_arn], Condition={"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}),
    ]

"""BulkTransform: the seed's "Batch transform for bulk processing" orchestrated by Step Functions
("Complex workflow orchestration, error handling and retries, visual workflow monitoring").

A STANDARD state machine validates a SageMaker manifest under the model bucket's input prefix (a task
function), runs a batch transform job of the ML layer's model through the ``.sync`` integration,
post-processes the results (a task function writing the job's summary), announces success as an
EventBridge event and sends failures, through a failure-handler function, to the platform's alarm
topic. Retries with backoff on transient errors; every failure is caught.

Its execution history and definition are encrypted with a key of its own (the log-delivery service may
decrypt what it delivers, nothing else outside IAM); it logs every event, without execution data (inputs
and outputs stay in the encrypted history), to a log group under the logs key; it traces with X-Ray.
The plan (names, definition, IAM documents) lives in ``workflow_plan``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from ..platform import GREATER, AlarmSpec, ComponentTags, ConfigError, account_key_policy, component_key, create_alarms, policy_document
from .function import ServerlessFunction, ServerlessFunctionArgs
from .function_plan import function_name
from .workers import FUNCTIONS_DIR
from .workflow_plan import (
    RoleScope,
    WorkflowTargets,
    definition,
    failure_handler_grants,
    job_name_prefix,
    log_group_name,
    model_data_grants,
    post_processor_grants,
    state_machine_arn,
    state_machine_name,
    state_machine_policy,
    state_machine_trust,
    validator_grants,
    workflow_key_statements,
)
from .workflow_settings import BulkTransformSettings


@dataclass
class BulkTransformArgs:
    """Inputs of :class:`BulkTransform`."""

    prefix: str
    settings: BulkTransformSettings
    region: str
    account_id: pulumi.Input[str]
    model_name: pulumi.Input[str]
    """The SageMaker model the jobs run (``InferenceEndpoint.batch_model_name``: a single-model container)."""
    model_role_arn: pulumi.Input[str]
    model_role_name: pulumi.Input[str]
    """The model's execution role: it reads the inputs and writes the results, so it gains those grants here."""
    model_prefix: str
    """The model bucket's model prefix: the input and output prefixes stay apart from it."""
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    storage_key_arn: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    alarms_key_arn: pulumi.Input[str]
    """The alarm topic's key: publishing to an encrypted topic needs it."""
    alarm_topic_arn: pulumi.Input[str]
    tags: dict[str, str]
    """The cost-allocation tags each transform job carries (SageMaker jobs get no provider default tags)."""
    kms_deletion_window_days: int = 30
    protect: bool = True


class BulkTransform(pulumi.ComponentResource):
    """The bulk-processing state machine, its key, role, log group, task functions and alarm."""

    state_machine_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    functions: dict[str, ServerlessFunction]

    def __init__(self, name: str, args: BulkTransformArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        settings = args.settings
        _check_args(args)
        machine_name = state_machine_name(args.prefix)
        job_prefix = job_name_prefix(args.prefix)
        super().__init__("betterprompts:serverless:BulkTransform", name, None, opts)
        tags = ComponentTags("bulk-transform")
        child = pulumi.ResourceOptions(parent=self)
        account = pulumi.Output.from_input(args.account_id)
        machine_arn = account.apply(lambda a: state_machine_arn(machine_name, region=args.region, account_id=a))

        # --- the task functions -------------------------------------------------------------
        common: dict[str, Any] = {
            "region": args.region,
            "account_id": args.account_id,
            "data_key_arn": args.data_key_arn,
            "logs_key_arn": args.logs_key_arn,
            "alarm_topic_arn": args.alarm_topic_arn,
            # Invoked only by the state machine: priced per execution with it.
            "extra_tags": {"InvokedBy": "step-functions"},
        }
        environment = {"BUCKET": args.bucket_name, "INPUT_PREFIX": settings.input_prefix, "OUTPUT_PREFIX": settings.output_prefix}
        data = pulumi.Output.all(args.bucket_arn, args.storage_key_arn)
        inputs, outputs, region = settings.input_prefix, settings.output_prefix, args.region
        tasks = {
            # key: (function name suffix, folder, description, settings, extra environment, grants)
            "validator": (
                "bulk-validate-manifest", "manifest_validator", "Bulk transform: check the manifest and the objects it lists",
                settings.validator, {"MAX_OBJECTS": str(settings.max_manifest_objects)},
                data.apply(lambda v: validator_grants(v[0], v[1], inputs, region)),
            ),
            "post-processor": (
                "bulk-post-process", "transform_post_processor", "Bulk transform: check every input has its result, write the job's summary",
                settings.post_processor, {},
                data.apply(lambda v: post_processor_grants(v[0], v[1], inputs, outputs, region)),
            ),
            "failure-handler": (
                "bulk-failure-handler", "workflow_failure_handler", "Bulk transform: record a failed execution and word its alarm",
                settings.failure_handler, {"WORKFLOW": machine_name},
                data.apply(lambda v: failure_handler_grants(v[0], v[1], outputs, region)),
            ),
        }  # fmt: skip
        self.functions = {
            key: ServerlessFunction(
                f"{name}-{key}",
                ServerlessFunctionArgs(
                    function_name=function_name(args.prefix, suffix),
                    source_dir=FUNCTIONS_DIR / folder,
                    description=description,
                    settings=function_settings,
                    environment={**environment, **extra},
                    grants=grants,
                    **common,
                ),
                child,
            )
            for key, (suffix, folder, description, function_settings, extra, grants) in tasks.items()
        }
        validator, post_processor, failure_handler = (self.functions[k] for k in tasks)

        # --- the model's role reads the inputs and writes the results -------------------------
        aws.iam.RolePolicy(
            f"{name}-model-data",
            role=args.model_role_name,
            policy=data.apply(
                lambda v: policy_document(
                    model_data_grants(v[0], v[1], settings.input_prefix, settings.output_prefix, args.region)
                )
            ),
            opts=child,
        )

        # --- the workflow's key, log group, role ---------------------------------------------
        key_name = f"{name}-key"
        self.key = component_key(
            key_name,
            description=f"{key_name}: execution history and definition of {machine_name}",
            policy=account.apply(lambda a: account_key_policy(account_id=a, statements=workflow_key_statements())),
            tags=tags(key_name, {"KeyPurpose": "workflow"}),
            deletion_window_days=args.kms_deletion_window_days,
            protect=args.protect,
            parent=self,
            alias=f"{args.prefix}-bulk-transform",
        )
        log_group = aws.cloudwatch.LogGroup(
            name,
            name=log_group_name(machine_name),
            kms_key_id=args.logs_key_arn,
            retention_in_days=settings.log_retention_days,
            tags=tags(name),
            opts=child,
        )
        self.role = aws.iam.Role(
            name,
            description=f"{machine_name}: its tasks, the transform jobs, its key, logs and traces",
            assume_role_policy=pulumi.Output.all(machine_arn, account).apply(lambda v: policy_document(state_machine_trust(v[0], v[1]))),
            tags=tags(name),
            opts=child,
        )
        scope = pulumi.Output.all(
            account,
            machine_arn,
            validator.function_arn,
            post_processor.function_arn,
            failure_handler.function_arn,
            args.model_role_arn,
            args.alarm_topic_arn,
            args.alarms_key_arn,
            self.key.arn,
        ).apply(
            lambda v: RoleScope(
                region=args.region,
                account_id=v[0],
                machine_arn=v[1],
                job_prefix=job_prefix,
                function_arns=[v[2], v[3], v[4]],
                model_role_arn=v[5],
                topic_arn=v[6],
                alarms_key_arn=v[7],
                workflow_key_arn=v[8],
            )
        )
        role_policy = aws.iam.RolePolicy(
            name,
            role=self.role.id,
            policy=scope.apply(lambda s: policy_document(state_machine_policy(s))),
            opts=pulumi.ResourceOptions(parent=self.role),
        )

        # --- the state machine ---------------------------------------------------------------
        document = pulumi.Output.all(
            args.model_name,
            args.bucket_name,
            validator.function_arn,
            post_processor.function_arn,
            failure_handler.function_arn,
            args.alarm_topic_arn,
        ).apply(
            lambda v: json.dumps(
                definition(
                    job_prefix,
                    settings,
                    WorkflowTargets(
                        model_name=v[0],
                        bucket_name=v[1],
                        validator_arn=v[2],
                        post_processor_arn=v[3],
                        failure_handler_arn=v[4],
                        topic_arn=v[5],
                        tags={**args.tags, "Component": "bulk-transform"},
                    ),
                ),
                indent=2,
                sort_keys=True,
            )
        )
        self.state_machine = aws.sfn.StateMachine(
            name,
            name=machine_name,
            type="STANDARD",
            role_arn=self.role.arn,
            definition=document,
            logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(
                level="ALL",
                # Execution inputs and outputs name customers' objects and carry error causes: they stay in the
                # execution history (encrypted with the workflow key, readable only through IAM), not in logs.
                include_execution_data=False,
                log_destination=log_group.arn.apply(lambda arn: f"{arn}:*"),
            ),
            tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=True),
            encryption_configuration=aws.sfn.StateMachineEncryptionConfigurationArgs(
                type="CUSTOMER_MANAGED_KMS_KEY",
                kms_key_id=self.key.arn,
                kms_data_key_reuse_period_seconds=settings.kms_data_key_reuse_seconds,
            ),
            tags=tags(name),
            # Step Functions checks the role (its key and log-delivery grants) when the machine is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy, log_group]),
        )
        create_alarms(
            name,
            [
                AlarmSpec(
                    key="timed-out",
                    namespace="AWS/States",
                    metric="ExecutionsTimedOut",
                    comparison=GREATER,
                    threshold=0,
                    statistic="Sum",
                    description=f"{machine_name}: an execution timed out (a timeout skips the workflow's own failure notice)",
                    period_seconds=300,
                    evaluation_periods=1,
                    treat_missing_data="notBreaching",
                )
            ],
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self.state_machine,
            dimensions={"StateMachineArn": self.state_machine.arn},
        )
        self.state_machine_arn = self.state_machine.arn
        self.key_arn = self.key.arn
        self.register_outputs(
            {
                "state_machine_arn": self.state_machine_arn,
                "key_arn": self.key_arn,
                "function_arns": {k: f.function_arn for k, f in self.functions.items()},
            }
        )


def _check_args(args: BulkTransformArgs) -> None:
    """Inputs that conflict, rejected before any child exists."""
    s = args.settings
    model = args.model_prefix
    for key, value in (("inputPrefix", s.input_prefix), ("outputPrefix", s.output_prefix)):
        if value.startswith(model) or model.startswith(value):
            raise ConfigError(
                f"betterprompts:serverless.bulkTransform.{key}",
                value,
                f"a prefix apart from betterprompts:inference.modelPrefix ({model}): the multi-model endpoint would load "
                "batch data as models",
            )

"""The seed's three functions (``functions/``), wired to what invokes them and what they touch.

- image optimization: S3 invokes it for new objects under the assets bucket's uploads prefix; it
  reads there and writes WebP variants under the variants prefix (both under the storage key);
- webhook processing: verifies senders with a signing secret in Secrets Manager (generated, under
  the data key) and enqueues on the intent classifier's work queue (API Gateway fronts it);
- scheduled tasks: EventBridge Scheduler runs the expired-uploads cleanup on its schedule, with a
  retry policy and the function's failure queue as its dead-letter queue; the schedule is encrypted
  with the data key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from ..data import encrypted_secret
from ..platform import ComponentTags, policy_document
from .function import ServerlessFunction, ServerlessFunctionArgs
from .function_plan import function_name
from .function_settings import FunctionsSettings
from .packaging import FunctionWheel, fetch_wheel
from .workers_plan import (
    CLEANUP_TASK,
    image_grants,
    scheduler_policy,
    scheduler_trust,
    tasks_grants,
    webhook_grants,
)

FUNCTIONS_DIR = Path(__file__).resolve().parent / "functions"
# Pillow for the image function: the manylinux aarch64 wheel for CPython 3.14 (Lambda's python3.14
# on arm64 runs Amazon Linux 2023, glibc 2.34 >= manylinux_2_28), pinned by its PyPI hash.
PILLOW = FunctionWheel(
    project="pillow",
    version="13.0.0",
    sha256="5933fcea5a5ba64c686f55c886a115cbfd92f2900460784a1e79909fdbafd7b6",
    platforms=("manylinux_2_28_aarch64", "manylinux2014_aarch64"),
    python_version="3.14",
)
SIGNING_SECRET_LENGTH = 48


@dataclass
class ServerlessWorkersArgs:
    """Inputs of :class:`ServerlessWorkers`."""

    prefix: str
    settings: FunctionsSettings
    region: str
    account_id: pulumi.Input[str]
    assets_bucket_name: pulumi.Input[str]
    assets_bucket_arn: pulumi.Input[str]
    storage_key_arn: pulumi.Input[str]
    """The assets bucket's key (S3 reads and writes need it)."""
    data_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str]
    intent_queue_url: pulumi.Input[str]
    intent_queue_arn: pulumi.Input[str]
    protect: bool = True
    """Protect the signing secret (and keep it 30 days after deletion)."""


class ServerlessWorkers(pulumi.ComponentResource):
    """Image optimization, webhook processing and scheduled tasks."""

    functions: dict[str, ServerlessFunction]
    webhook_secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ServerlessWorkersArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        settings = args.settings
        # The wheel is fetched (or found in the cache) before any child exists.
        pillow = fetch_wheel(PILLOW)
        super().__init__("betterprompts:serverless:ServerlessWorkers", name, None, opts)
        tags = ComponentTags("serverless")
        common: dict[str, Any] = {
            "region": args.region,
            "account_id": args.account_id,
            "data_key_arn": args.data_key_arn,
            "logs_key_arn": args.logs_key_arn,
            "alarm_topic_arn": args.alarm_topic_arn,
        }
        child = pulumi.ResourceOptions(parent=self)

        # --- image optimization -------------------------------------------------------------
        images = settings.image_optimizer
        image_function = ServerlessFunction(
            f"{name}-images",
            ServerlessFunctionArgs(
                function_name=function_name(args.prefix, "image-optimizer"),
                source_dir=FUNCTIONS_DIR / "image_optimizer",
                description="New uploads in the assets bucket -> resized WebP variants",
                settings=images.function,
                wheels=(pillow,),
                environment={
                    "UPLOADS_PREFIX": images.uploads_prefix,
                    "VARIANTS_PREFIX": images.variants_prefix,
                    "VARIANT_WIDTHS": ",".join(str(w) for w in images.variant_widths),
                    "WEBP_QUALITY": str(images.webp_quality),
                    "MAX_SOURCE_BYTES": str(images.max_source_mb * 2**20),
                    "MAX_SOURCE_PIXELS": str(images.max_source_megapixels * 1_000_000),
                },
                grants=pulumi.Output.all(args.assets_bucket_arn, args.storage_key_arn).apply(
                    lambda v: image_grants(v[0], v[1], images.uploads_prefix, images.variants_prefix, args.region)
                ),
                **common,
            ),
            child,
        )
        invoke = aws.lambda_.Permission(
            f"{name}-images-from-s3",
            action="lambda:InvokeFunction",
            function=image_function.function_name,
            principal="s3.amazonaws.com",
            source_arn=args.assets_bucket_arn,
            source_account=args.account_id,
            opts=pulumi.ResourceOptions(parent=image_function),
        )
        # The bucket's one notification configuration: S3 checks the permission when it is set.
        aws.s3.BucketNotification(
            f"{name}-assets-uploads",
            bucket=args.assets_bucket_name,
            lambda_functions=[
                aws.s3.BucketNotificationLambdaFunctionArgs(
                    lambda_function_arn=image_function.function_arn,
                    events=["s3:ObjectCreated:*"],
                    filter_prefix=images.uploads_prefix,
                )
            ],
            opts=pulumi.ResourceOptions(parent=image_function, depends_on=[invoke]),
        )

        # --- webhook processing -------------------------------------------------------------
        hook = settings.webhook
        secret_name = f"{name}-webhook-signing"
        password = random.RandomPassword(secret_name, length=SIGNING_SECRET_LENGTH, special=False, opts=child)
        secret = encrypted_secret(
            secret_name,
            description="Webhook senders sign their requests with this (HMAC-SHA256); give it to them out of band",
            kms_key_arn=args.data_key_arn,
            protect=args.protect,
            tags=tags,
            parent=self,
            # Senders hold a copy: it changes only together with them (docs/serverless.md).
            extra_tags={"Rotation": "coordinated-with-senders"},
        )
        signing_key: pulumi.Output[str] = pulumi.Output.secret(password.result)
        aws.secretsmanager.SecretVersion(
            secret_name,
            secret_id=secret.id,
            secret_string=signing_key,
            opts=pulumi.ResourceOptions(parent=secret),
        )
        webhook_function = ServerlessFunction(
            f"{name}-webhook",
            ServerlessFunctionArgs(
                function_name=function_name(args.prefix, "webhook"),
                source_dir=FUNCTIONS_DIR / "webhook",
                description="Signed webhooks -> the intent classifier's work queue",
                settings=hook.function,
                environment={
                    "SECRET_ARN": secret.arn,
                    "QUEUE_URL": args.intent_queue_url,
                    "MAX_BODY_BYTES": str(hook.max_body_bytes),
                    "TIMESTAMP_TOLERANCE_SECONDS": str(hook.timestamp_tolerance_seconds),
                },
                grants=pulumi.Output.all(secret.arn, args.intent_queue_arn, args.data_key_arn).apply(
                    lambda v: webhook_grants(v[0], v[1], v[2], args.region)
                ),
                **common,
            ),
            child,
        )

        # --- scheduled tasks ----------------------------------------------------------------
        tasks = settings.scheduled_tasks
        tasks_function = ServerlessFunction(
            f"{name}-tasks",
            ServerlessFunctionArgs(
                function_name=function_name(args.prefix, "scheduled-tasks"),
                source_dir=FUNCTIONS_DIR / "scheduled_tasks",
                description="Scheduled maintenance: expired uploads",
                settings=tasks.function,
                environment={
                    "BUCKET": args.assets_bucket_name,
                    "UPLOADS_PREFIX": images.uploads_prefix,
                    "UPLOAD_EXPIRY_DAYS": str(tasks.cleanup.upload_expiry_days),
                },
                grants=pulumi.Output.from_input(args.assets_bucket_arn).apply(lambda arn: tasks_grants(arn, images.uploads_prefix)),
                **common,
            ),
            child,
        )
        role_name = f"{name}-scheduler"
        scheduler_role = aws.iam.Role(
            role_name,
            description="EventBridge Scheduler: run the scheduled-tasks function, keep failed runs in its failure queue",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(scheduler_trust),
            tags=tags(role_name),
            opts=child,
        )
        scheduler_grant = aws.iam.RolePolicy(
            role_name,
            role=scheduler_role.id,
            policy=pulumi.Output.all(tasks_function.function_arn, tasks_function.failure_queue_arn, args.data_key_arn).apply(
                lambda v: policy_document(scheduler_policy(v[0], v[1], v[2], args.region))
            ),
            opts=pulumi.ResourceOptions(parent=scheduler_role),
        )
        aws.scheduler.Schedule(
            f"{name}-cleanup-uploads",
            description="Delete uploads older than the configured expiry",
            schedule_expression=tasks.cleanup.expression,
            schedule_expression_timezone=tasks.cleanup.timezone,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            # The schedule's payload is encrypted with the data key, not an AWS-owned key.
            kms_key_arn=args.data_key_arn,
            target=aws.scheduler.ScheduleTargetArgs(
                arn=tasks_function.function_arn,
                role_arn=scheduler_role.arn,
                input=json.dumps({"task": CLEANUP_TASK}),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=tasks.scheduler_retries,
                    maximum_event_age_in_seconds=tasks.scheduler_max_event_age_seconds,
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=tasks_function.failure_queue_arn),
            ),
            opts=pulumi.ResourceOptions(parent=tasks_function, depends_on=[scheduler_grant]),
        )

        self.functions = {"image-optimizer": image_function, "webhook": webhook_function, "scheduled-tasks": tasks_function}
        self.webhook_function = webhook_function
        self.webhook_secret_arn = secret.arn
        self.register_outputs(
            {
                "function_arns": {key: f.function_arn for key, f in self.functions.items()},
                "webhook_secret_arn": self.webhook_secret_arn,
            }
        )

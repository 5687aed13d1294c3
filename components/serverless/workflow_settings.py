"""``betterprompts:serverless.bulkTransform``: the bulk-processing workflow (Step Functions around a
SageMaker batch transform), checked against SageMaker's and Step Functions' limits before anything is
created.

SageMaker CreateTransformJob: MaxPayloadInMB 0-100 and MaxConcurrentTransforms x MaxPayloadInMB at most
100; ModelClientConfig's InvocationsTimeoutInSeconds 1-3600 and InvocationsMaxRetries 0-3. Step
Functions EncryptionConfiguration: KmsDataKeyReusePeriodSeconds 60-900.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..platform import (
    ConfigError,
    Section,
    by_size,
    check_log_retention,
    check_offered,
    check_priced,
    priced_sagemaker_instance_types,
    sagemaker_transform_instance_types,
)
from .function_settings import FunctionSettings, read_function, read_prefix

MAX_PAYLOAD_MB = (1, 100)
INVOCATION_TIMEOUT_SECONDS = (1, 3600)
INVOCATION_RETRIES = (0, 3)
KMS_DATA_KEY_REUSE_SECONDS = (60, 900)
BATCH_STRATEGIES = ("MultiRecord", "SingleRecord")
SPLIT_TYPES = ("Line", "RecordIO", "TFRecord", "None")

# SageMaker instance types are ml.<family>.<size>; the cost stage prices the type from its price list.
_INSTANCE_TYPE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9-]+$")
_CONTENT_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
JOB_TIMEOUT_MINUTES = (5, 7 * 24 * 60)
"""The transform task's timeout: a job running longer than a week is a stuck job."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff (with full jitter) for a task's transient errors."""

    max_attempts: int = 3
    interval_seconds: int = 2
    backoff_rate: float = 2.0
    max_delay_seconds: int = 60

    def retrier(self, errors: Sequence[str], *, interval_seconds: int | None = None) -> dict[str, Any]:
        interval = interval_seconds or self.interval_seconds
        return {
            "ErrorEquals": list(errors),
            "IntervalSeconds": interval,
            "MaxAttempts": self.max_attempts,
            "BackoffRate": self.backoff_rate,
            "MaxDelaySeconds": max(self.max_delay_seconds, interval),
            "JitterStrategy": "FULL",
        }


@dataclass(frozen=True)
class BulkTransformSettings:
    input_prefix: str
    """Where manifests and the objects they list live (the model bucket); the validator reads nothing else."""
    output_prefix: str
    """Where each job writes ``<outputPrefix><job name>/``; apart from the input and model prefixes."""
    instance_type: str
    instance_count: int
    max_payload_mb: int
    max_concurrent_transforms: int
    batch_strategy: str
    content_type: str
    split_type: str
    invocation_timeout_seconds: int
    invocation_retries: int
    job_timeout_minutes: int
    max_manifest_objects: int
    log_retention_days: int
    kms_data_key_reuse_seconds: int
    retry: RetryPolicy
    validator: FunctionSettings
    post_processor: FunctionSettings
    failure_handler: FunctionSettings

    @property
    def functions(self) -> tuple[FunctionSettings, ...]:
        return (self.validator, self.post_processor, self.failure_handler)

    @staticmethod
    def read(section: Section, region: str) -> "BulkTransformSettings":
        input_prefix = read_prefix(section, "inputPrefix", "batch-transform/input/")
        output_prefix = read_prefix(section, "outputPrefix", "batch-transform/output/")
        # Examples: a survey's stand-ins for missing values, valid so that it reads on to every key.
        apart = not (input_prefix.startswith(output_prefix) or output_prefix.startswith(input_prefix))
        if not apart and not section.stand_in("inputPrefix", "outputPrefix"):
            raise ConfigError(
                section.key("outputPrefix"),
                output_prefix,
                f"a prefix apart from inputPrefix ({input_prefix}): a job's results would become inputs of the next",
            )
        instance_type = section.string("instanceType", example="ml.m5.large")
        if not _INSTANCE_TYPE.match(instance_type):
            raise ConfigError(section.key("instanceType"), instance_type, "a SageMaker instance type such as ml.m5.large")
        _check_transform_instance_type(section.key("instanceType"), instance_type, region)
        payload = section.integer("maxPayloadMb", 6, minimum=MAX_PAYLOAD_MB[0], maximum=MAX_PAYLOAD_MB[1])
        concurrent = section.integer("maxConcurrentTransforms", 1, minimum=1, maximum=MAX_PAYLOAD_MB[1])
        if payload * concurrent > MAX_PAYLOAD_MB[1]:
            # CreateTransformJob: MaxConcurrentTransforms x MaxPayloadInMB may not exceed 100 MB.
            raise ConfigError(
                section.key("maxConcurrentTransforms"),
                concurrent,
                f"at most {MAX_PAYLOAD_MB[1] // payload}: SageMaker refuses maxConcurrentTransforms x maxPayloadMb "
                f"({concurrent} x {payload}) above {MAX_PAYLOAD_MB[1]} MB",
            )
        content_type = section.string("contentType", "application/jsonlines")
        if not _CONTENT_TYPE.match(content_type):
            raise ConfigError(section.key("contentType"), content_type, "a MIME type such as application/jsonlines")
        retry = section.child("retry", {})
        retry_policy = RetryPolicy(
            max_attempts=retry.integer("maxAttempts", 3, minimum=1, maximum=10),
            interval_seconds=retry.integer("intervalSeconds", 2, minimum=1, maximum=300),
            backoff_rate=retry.number("backoffRate", 2.0, minimum=1.0),
            max_delay_seconds=retry.integer("maxDelaySeconds", 60, minimum=1, maximum=3600),
        )
        retry.finish()
        if retry_policy.max_delay_seconds < retry_policy.interval_seconds:
            raise ConfigError(
                retry.key("maxDelaySeconds"),
                retry_policy.max_delay_seconds,
                f"at least {retry.key('intervalSeconds')} ({retry_policy.interval_seconds})",
            )
        settings = BulkTransformSettings(
            input_prefix=input_prefix,
            output_prefix=output_prefix,
            instance_type=instance_type,
            instance_count=section.integer("instanceCount", 1, minimum=1, maximum=100),
            max_payload_mb=payload,
            max_concurrent_transforms=concurrent,
            batch_strategy=section.string("batchStrategy", "MultiRecord", choices=BATCH_STRATEGIES),
            content_type=content_type,
            split_type=section.string("splitType", "Line", choices=SPLIT_TYPES),
            invocation_timeout_seconds=section.integer(
                "invocationTimeoutSeconds", 600, minimum=INVOCATION_TIMEOUT_SECONDS[0], maximum=INVOCATION_TIMEOUT_SECONDS[1]
            ),
            invocation_retries=section.integer("invocationRetries", 1, minimum=INVOCATION_RETRIES[0], maximum=INVOCATION_RETRIES[1]),
            job_timeout_minutes=section.integer("jobTimeoutMinutes", minimum=JOB_TIMEOUT_MINUTES[0], maximum=JOB_TIMEOUT_MINUTES[1]),
            max_manifest_objects=section.integer("maxManifestObjects", minimum=1, maximum=1_000_000),
            log_retention_days=check_log_retention(section.key("logRetentionDays"), section.integer("logRetentionDays")),
            kms_data_key_reuse_seconds=section.integer(
                "kmsDataKeyReusePeriodSeconds", 300, minimum=KMS_DATA_KEY_REUSE_SECONDS[0], maximum=KMS_DATA_KEY_REUSE_SECONDS[1]
            ),
            retry=retry_policy,
            validator=read_function(section.child("validator")),
            post_processor=read_function(section.child("postProcessor")),
            failure_handler=read_function(section.child("failureHandler")),
        )
        section.finish()
        return settings


def transform_instance_types(region: str) -> tuple[str, ...]:
    """The types ``instanceType`` accepts in ``region``: offered for batch transform there and priced."""
    return by_size(sagemaker_transform_instance_types(region) & priced_sagemaker_instance_types(region))


def _check_transform_instance_type(key: str, instance_type: str, region: str) -> None:
    """A type SageMaker batch transform offers in ``region`` (cfn-lint's copy of AWS's list; hosting's list is
    another) with a price there: preflight prices each job's instance-hours at it (policies/cost_model.py)."""
    check_offered(
        key,
        instance_type,
        sagemaker_transform_instance_types(region),
        f"an instance type SageMaker batch transform offers in {region} (AWS's published list)",
    )
    check_priced(
        key, instance_type, transform_instance_types(region),
        region=region, what="an instance type", variants="per instance-hour, as real-time inference",
        offered_by="SageMaker batch transform",
    )

"""LogShipping: every container's log to CloudWatch Logs and, through Kinesis Data Firehose, to the logs
bucket (seed "8. Monitoring & Observability": CloudWatch Logs, centralized logging; log aggregation to S3).

- The container log group ``/aws/eks/<cluster>/containers`` under the stack's logs key, kept ``retentionDays``.
- A Firehose stream (DirectPut) encrypted at rest with the stack's storage key, writing GZIP objects into the
  logs bucket under ``containers/<yyyy>/<MM>/<dd>/`` with that key too, its delivery errors logged to a
  log group of its own; its role may write only there.
- Fluent Bit (the aws-for-fluent-bit chart, pinned) as a DaemonSet on every node in a namespace of its own
  (it mounts the node's ``/var/log``: privileged Pod Security Standard), with an IRSA role that may only
  put events in its log group and records into its stream.
Documents and values: ``logs_plan``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..platform import ComponentTags, release, service_account_role
from .logs_plan import (
    FLUENT_BIT,
    RELEASE_TIMEOUT_SECONDS,
    S3_ERROR_PREFIX,
    S3_PREFIX,
    SERVICE_ACCOUNT,
    container_log_group_name,
    delivery_log_group_name,
    firehose_role_policy,
    firehose_trust_policy,
    fluent_bit_policy,
    fluent_bit_values,
    stream_name,
)
from .settings import LogsSettings


@dataclass
class LogShippingArgs:
    """Inputs of :class:`LogShipping`."""

    settings: LogsSettings
    region: str
    account_id: pulumi.Input[str]
    cluster_name: str
    """The cluster's name (the container log group is named after it)."""
    logs_kms_key_arn: pulumi.Input[str]
    """The stack's logs key (``baseline.keys["logs"]``): both log groups."""
    storage_kms_key_arn: pulumi.Input[str]
    """The stack's storage key (``baseline.keys["storage"]``): the stream at rest and the objects it writes."""
    bucket_arn: pulumi.Input[str]
    """The storage layer's logs bucket."""
    k8s_provider: k8s.Provider
    oidc_provider_arn: pulumi.Input[str]
    oidc_provider_url: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What the DaemonSet waits for: the cluster's nodes, CNI, kube-proxy and CoreDNS."""
    protect: bool = True
    """Keep the container log group on ``pulumi destroy`` (production)."""


class LogShipping(pulumi.ComponentResource):
    """Fluent Bit to a KMS log group and, through an encrypted Firehose stream, to the logs bucket."""

    log_group_name: pulumi.Output[str]
    stream_name: pulumi.Output[str]

    def __init__(self, name: str, args: LogShippingArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not args.settings.enabled:
            raise ValueError("LogShipping: log shipping is disabled in its settings")
        super().__init__("betterprompts:observability:LogShipping", name, None, opts)
        settings = args.settings
        tags = ComponentTags("log-shipping")
        child = pulumi.ResourceOptions(parent=self)

        group_name = f"{name}-containers"
        self.log_group = aws.cloudwatch.LogGroup(
            group_name,
            name=container_log_group_name(args.cluster_name),
            retention_in_days=settings.retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(group_name),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

        # --- Firehose: the stream, its error log, its role ------------------------------------
        stream = stream_name(args.cluster_name)
        errors_name = f"{name}-delivery-errors"
        errors = aws.cloudwatch.LogGroup(
            errors_name,
            name=delivery_log_group_name(stream),
            retention_in_days=settings.retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(errors_name),
            opts=child,
        )
        errors_stream = aws.cloudwatch.LogStream(
            errors_name, name="DestinationDelivery", log_group_name=errors.name, opts=pulumi.ResourceOptions(parent=errors)
        )
        role_name = f"{name}-firehose"
        account = pulumi.Output.from_input(args.account_id)
        role = aws.iam.Role(
            role_name,
            description="Firehose delivers container logs into the logs bucket",
            assume_role_policy=account.apply(firehose_trust_policy),
            tags=tags(role_name),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            role_name,
            role=role.id,
            policy=pulumi.Output.all(args.bucket_arn, args.storage_kms_key_arn, errors_stream.arn).apply(
                lambda v: firehose_role_policy(bucket_arn=v[0], kms_key_arn=v[1], region=args.region, error_log_stream_arn=v[2])
            ),
            opts=pulumi.ResourceOptions(parent=role),
        )
        self.stream = aws.kinesis.FirehoseDeliveryStream(
            f"{name}-stream",
            name=stream,
            destination="extended_s3",
            server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(
                enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=args.storage_kms_key_arn
            ),
            extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
                role_arn=role.arn,
                bucket_arn=args.bucket_arn,
                prefix=S3_PREFIX,
                error_output_prefix=S3_ERROR_PREFIX,
                compression_format="GZIP",
                kms_key_arn=args.storage_kms_key_arn,
                buffering_size=settings.firehose_buffer_mb,
                buffering_interval=settings.firehose_buffer_seconds,
                cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptionsArgs(
                    enabled=True, log_group_name=errors.name, log_stream_name=errors_stream.name
                ),
            ),
            tags=tags(f"{name}-stream"),
            # Firehose checks the role when it creates the stream.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )

        # --- Fluent Bit ----------------------------------------------------------------------
        role_key = f"{name}-fluent-bit"
        fluent_role, fluent_policy = service_account_role(
            role_key,
            description="Fluent Bit: container logs to their log group and Firehose stream (IRSA)",
            oidc_provider_arn=args.oidc_provider_arn,
            oidc_provider_url=args.oidc_provider_url,
            namespace=settings.namespace,
            service_account=SERVICE_ACCOUNT,
            policy=pulumi.Output.all(self.log_group.arn, self.stream.arn).apply(
                lambda v: fluent_bit_policy(log_group_arn=v[0], stream_arn=v[1])
            ),
            tags=tags(role_key),
            parent=self,
        )
        cluster_ready = list(args.depends_on)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings.namespace,
                # Fluent Bit mounts the node's /var/log (hostPath): only the privileged standard allows it.
                labels={"pod-security.kubernetes.io/enforce": "privileged"},
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider, depends_on=cluster_ready),
        )
        self.release = release(
            f"{name}-fluent-bit",
            FLUENT_BIT,
            namespace=namespace.metadata.name,
            timeout_seconds=RELEASE_TIMEOUT_SECONDS,
            values=fluent_bit_values(
                region=args.region, role_arn=fluent_role.arn, log_group_name=container_log_group_name(args.cluster_name), stream_name=stream
            ),
            release_name="fluent-bit",
            parent=self,
            provider=args.k8s_provider,
            create_namespace=False,
            depends_on=[namespace, fluent_role, fluent_policy, self.log_group, self.stream, *cluster_ready],
        )
        self.log_group_name = self.log_group.name
        self.stream_name = self.stream.name
        self.register_outputs({"log_group_name": self.log_group_name, "stream_name": self.stream_name})

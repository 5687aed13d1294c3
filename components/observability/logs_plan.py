"""Log shipping as data: Fluent Bit's pinned chart and values, the container log group's name, the Firehose
stream's S3 layout, and the IAM documents of Fluent Bit (IRSA) and of Firehose (seed "8. Monitoring &
Observability": CloudWatch Logs, centralized logging; "Fluentd: log aggregation to S3").

Fluent Bit (the aws-for-fluent-bit chart) tails every container's log on every node and sends each record
twice: to a CloudWatch log group under the stack's logs key (searchable, kept ``retentionDays``), and to a
Kinesis Data Firehose stream that writes them, GZIP-compressed, into the storage layer's logs bucket under
``containers/<yyyy>/<MM>/<dd>/`` (kept by the bucket's lifecycle, cheap to keep for a year).

Sources: aws/eks-charts ``stable/aws-for-fluent-bit`` at 5239609 (chart 0.2.0, AWS for Fluent Bit 3.2.1;
values.yaml vendored); Fluent Bit's ``cloudwatch_logs`` and ``kinesis_firehose`` output manuals (the
permissions each calls); Amazon Data Firehose developer guide: "Grant Firehose access to an Amazon S3
destination" (role policy and trust with ``sts:ExternalId``), "Use custom prefixes" (``!{timestamp:...}``
needs no dynamic partitioning; an error prefix is then required), "Data protection" (SSE with a
customer-managed key: Firehose creates a grant on it, as the caller of CreateDeliveryStream).
"""

from __future__ import annotations

from typing import Any

from ..platform import ChartRef, policy_document, s3_key_statement

EKS_CHARTS = "https://aws.github.io/eks-charts"
# aws/eks-charts stable/aws-for-fluent-bit at 2942cdc (2026-02-03, "Upgrade aws-for-fluent-bit chart to v0.2.0
# (AWS for Fluent Bit 3.2.1)"), the newest version of the chart.
FLUENT_BIT = ChartRef("aws-for-fluent-bit", EKS_CHARTS, "0.2.0")
SERVICE_ACCOUNT = "fluent-bit"
RELEASE_TIMEOUT_SECONDS = 600
"""A DaemonSet: one pod on every node that exists (GPU and spot pools may be empty): 10 minutes."""

S3_PREFIX = "containers/!{timestamp:yyyy/MM/dd}/"
"""Firehose's object prefix: one folder a day (UTC), no dynamic partitioning needed."""
S3_ERROR_PREFIX = "containers-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
"""Where records Firehose could not deliver go (required once the prefix has expressions)."""
STREAM_NAME_LIMIT = 64
"""CreateDeliveryStream: 1-64 characters of letters, digits, '_', '-' and '.'."""
OBJECT_PREFIX = "containers"
"""The key prefix both prefixes start with (the role writes nothing else)."""


def container_log_group_name(cluster_name: str) -> str:
    return f"/aws/eks/{cluster_name}/containers"


def stream_name(cluster_name: str) -> str:
    """The Firehose stream's name (known before it exists: Fluent Bit's configuration names it)."""
    name = f"{cluster_name}-containers"
    if len(name) > STREAM_NAME_LIMIT:
        raise ValueError(f"Firehose stream name {name!r} is longer than {STREAM_NAME_LIMIT} characters")
    return name


def delivery_log_group_name(stream_name: str) -> str:
    return f"/aws/kinesisfirehose/{stream_name}"


def fluent_bit_values(*, region: str, role_arn: Any, log_group_name: str, stream_name: str) -> dict[str, Any]:
    """Tail every container log, add Kubernetes metadata, send to the log group and the Firehose stream."""
    return {
        "serviceAccount": {
            "create": True,
            "name": SERVICE_ACCOUNT,
            "annotations": {"eks.amazonaws.com/role-arn": role_arn},
        },
        "cloudWatchLogs": {
            "enabled": True,
            "region": region,
            "logGroupName": log_group_name,
            "logStreamPrefix": "node-",
            # The stack creates the group (logs key, retention): Fluent Bit must not create an unencrypted one.
            "autoCreateGroup": False,
        },
        # The chart's `firehose` output is the older Go plugin; the C plugin `kinesis_firehose` is the
        # maintained one. Records go uncompressed: Firehose compresses the objects it writes.
        "firehose": {"enabled": False},
        "additionalOutputs": (
            "[OUTPUT]\n"
            "    Name            kinesis_firehose\n"
            "    Match           kube.*\n"
            f"    region          {region}\n"
            f"    delivery_stream {stream_name}\n"
            "    time_key        time\n"
        ),
        # Every node, whatever its taint (system, GPU, spot, training).
        "tolerations": [{"operator": "Exists"}],
        "priorityClassName": "system-node-critical",
        # containerd writes under /var/log/pods (linked from /var/log/containers); no Docker directory on AL2023.
        "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}}],
        "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"}],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
    }


def fluent_bit_policy(*, log_group_arn: str, stream_arn: str) -> str:
    """Fluent Bit's role: put events in its one log group, records in its one stream."""
    group = log_group_arn.removesuffix(":*")
    return policy_document(
        [
            {
                "Sid": "ContainerLogGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                "Resource": [group, f"{group}:log-stream:*"],
            },
            {"Sid": "DeliveryStream", "Effect": "Allow", "Action": ["firehose:PutRecordBatch"], "Resource": stream_arn},
        ]
    )


def firehose_trust_policy(account_id: str) -> str:
    """Firehose assumes the delivery role for this account's streams only (the guide's sts:ExternalId)."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "firehose.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": account_id}},
            }
        ]
    )


def firehose_role_policy(*, bucket_arn: str, kms_key_arn: str, region: str, error_log_stream_arn: str) -> str:
    """Firehose's delivery role: write under ``containers*`` of the logs bucket with its key, log its errors."""
    return policy_document(
        [
            {
                "Sid": "BucketLocation",
                "Effect": "Allow",
                "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                "Resource": bucket_arn,
            },
            {
                "Sid": "WriteObjects",
                "Effect": "Allow",
                "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                "Resource": f"{bucket_arn}/{OBJECT_PREFIX}*",
            },
            s3_key_statement(
                "EncryptObjects",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                kms_key_arn,
                region=region,
                arns=[bucket_arn, f"{bucket_arn}/{OBJECT_PREFIX}*"],
            ),
            {"Sid": "DeliveryErrors", "Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": error_log_stream_arn},
        ]
    )

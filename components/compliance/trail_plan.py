"""The audit trail's documents, computed locally: names, ARNs, the trail key's policy, the logs
bucket's grants, the CloudWatch Logs role and the CIS metric filters with their alarms.

Sources (AWS CloudTrail User Guide):
- "Configure AWS KMS key policies for CloudTrail": encrypt (``kms:GenerateDataKey*`` with
  ``aws:SourceArn`` = the trail and ``kms:EncryptionContext:aws:cloudtrail:arn``), describe
  (``kms:DescribeKey``), and ``kms:Decrypt``, which creating or updating a trail needs when the
  bucket uses an S3 Bucket Key (the logs bucket does).
- "Amazon S3 bucket policy for CloudTrail": ``s3:GetBucketAcl`` on the bucket and ``s3:PutObject``
  under ``AWSLogs/<account>/`` with ``s3:x-amz-acl = bucket-owner-full-control``, both with
  ``aws:SourceArn`` = the trail (confused-deputy protection). CreateTrail fails without them.
- "Sending events to CloudWatch Logs": the role CloudTrail assumes may create log streams and put
  events in the one log group, streams named ``<account>_CloudTrail_<region>*``.
- CIS AWS Foundations Benchmark (3.0, section 4 "Monitoring"): the metric filter patterns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policies.kms_deliveries import partition_of

from ..platform import AlarmSpec, policy_document

CLOUDTRAIL = "cloudtrail.amazonaws.com"
# CloudTrail trail names: 3-128 characters, letters, digits, '.', '_' and '-', starting with a letter or digit.
TRAIL_NAME_LIMIT = 128
METRIC_NAMESPACE = "BetterPrompts/CloudTrail"


def trail_name(prefix: str) -> str:
    """The trail's fixed name: its ARN must be known before it exists (key and bucket policies name it)."""
    name = f"{prefix}-audit"
    if len(name) > TRAIL_NAME_LIMIT:
        raise ValueError(f"trail name {name!r} is longer than CloudTrail's {TRAIL_NAME_LIMIT} characters")
    return name


def trail_arn(name: str, *, region: str, account_id: str) -> str:
    return f"arn:{partition_of(region)}:cloudtrail:{region}:{account_id}:trail/{name}"


def trail_key_policy(*, account_id: str, region: str, trail: str) -> str:
    """The trail key: the account administers (IAM delegates readers), CloudTrail encrypts for this trail only."""
    partition = partition_of(region)
    source = {"aws:SourceArn": trail}
    return policy_document(
        [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudTrailEncryptsLogs",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": source,
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribesKey",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": source},
            },
            {
                # CreateTrail/UpdateTrail need it when the destination bucket uses an S3 Bucket Key.
                "Sid": "CloudTrailDecryptsWithBucketKey",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": source},
            },
        ]
    )


def trail_bucket_statements(bucket_arn: str, *, account_id: str, trail: str) -> list[dict[str, Any]]:
    """The logs bucket's grants to CloudTrail: this trail only, under ``AWSLogs/<account>/``."""
    return [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}},
        },
    ]


def trail_logs_role_policy(log_group_arn: str, *, account_id: str, region: str) -> str:
    """CloudTrail's role: create streams and put events in the trail's log group, nothing else."""
    return policy_document(
        [
            {
                "Sid": "CloudTrailWritesItsLogGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn}:log-stream:{account_id}_CloudTrail_{region}*",
            }
        ]
    )


def log_group_delivery_arn(log_group_arn: str) -> str:
    """The trail's ``cloud_watch_logs_group_arn``: CloudTrail wants the group ARN with ``:*``."""
    return log_group_arn if log_group_arn.endswith(":*") else f"{log_group_arn}:*"


def object_prefixes(bucket_arns: list[str]) -> list[str]:
    """The S3 data-event resources for these buckets: every object (``<bucket ARN>/``). Never pass the
    trail's own bucket: CloudTrail's writes there would be recorded again, a loop the guide warns about."""
    return [f"{arn}/" for arn in sorted(bucket_arns)]


@dataclass(frozen=True)
class MetricFilter:
    """A CIS metric filter on the trail's log group, with the alarm on its metric."""

    key: str
    metric: str
    pattern: str
    description: str

    def alarm(self) -> AlarmSpec:
        return AlarmSpec(
            key=self.key,
            namespace=METRIC_NAMESPACE,
            metric=self.metric,
            comparison="GreaterThanOrEqualToThreshold",
            threshold=1,
            statistic="Sum",
            period_seconds=300,
            evaluation_periods=1,
            # No matching event is the normal state.
            treat_missing_data="notBreaching",
            description=self.description,
        )


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {name})" for name in names)


CIS_FILTERS: tuple[MetricFilter, ...] = (
    MetricFilter(
        "root-use",
        "RootAccountUsage",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        "CIS 4.3: the account's root user was used",
    ),
    MetricFilter(
        "iam-policy-changes",
        "IamPolicyChanges",
        "{ ($.eventSource = iam.amazonaws.com) && ("
        + _any_event(
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "SetDefaultPolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        )
        + ") }",
        "CIS 4.4: an IAM policy was created, changed, attached or detached",
    ),
    MetricFilter(
        "console-no-mfa",
        "ConsoleSignInWithoutMfa",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        "CIS 4.2: a console sign-in succeeded without MFA",
    ),
    MetricFilter(
        "kms-key-deletion",
        "KmsKeyDisabledOrScheduledForDeletion",
        "{ ($.eventSource = kms.amazonaws.com) && (" + _any_event("DisableKey", "ScheduleKeyDeletion") + ") }",
        "CIS 4.7: a customer-managed KMS key was disabled or scheduled for deletion",
    ),
    MetricFilter(
        "security-group-changes",
        "SecurityGroupChanges",
        "{ "
        + _any_event(
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        )
        + " }",
        "CIS 4.10: a security group was created, changed or deleted",
    ),
)


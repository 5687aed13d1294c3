"""Audit and log hygiene: CloudTrail trails encrypted with a customer-managed key and validated, log
groups that expire, log delivery streams (Firehose) encrypted with customer-managed keys, Amazon Managed
Service for Prometheus workspaces encrypted with a customer-managed key and logging.

Spec: "Security Architecture: Compliance" (CloudTrail audit logging) and the CIS AWS Foundations
Benchmark's 3.2 (log file validation) and 3.5 (trails encrypted with KMS CMKs); "log groups with keys
and retention" (issue 15): a group without ``retentionInDays`` keeps every event forever, and bills it.
Property names are pulumi-aws 7 inputs as the engine passes them (camelCase).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pulumi_policy import ResourceValidationArgs, Severity

from .common import UNKNOWN, get, is_true, label, resource_policy
from .common import require_cmk as _key
from .common import require_true as _flag

TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
AMP_WORKSPACE = "aws:amp/workspace:Workspace"


def _trail(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    yield from _key(where, "kmsKeyId", get(props, "kmsKeyId"), "set kms_key_id to a customer-managed key whose policy admits CloudTrail")
    yield from _flag(where, "enableLogFileValidation", get(props, "enableLogFileValidation"), "set enable_log_file_validation=True")


def _retention(args: ResourceValidationArgs) -> Iterator[str]:
    days = get(args.props, "retentionInDays")
    if days is UNKNOWN:
        return
    # The engine passes numbers as floats (365.0).
    if not isinstance(days, (int, float)) or isinstance(days, bool) or days <= 0:
        shown = "not set" if days is None else repr(days)
        yield (
            f"{label(args.resource_type, args.name)}: retentionInDays is {shown}, so its events are kept (and billed) "
            "forever. Fix: set retention_in_days from the stack config (a CloudWatch Logs retention value)"
        )


def _firehose(args: ResourceValidationArgs) -> Iterator[str]:
    """Records at rest in the stream under a customer-managed key (SSE), and the S3 objects it writes too.

    A stream that reads a Kinesis data stream keeps that stream's encryption: Firehose refuses SSE of its
    own there, so only Direct PUT streams are held to ``serverSideEncryption``.
    """
    where, props = label(args.resource_type, args.name), args.props
    fix = "server_side_encryption=enabled, key_type CUSTOMER_MANAGED_CMK, key_arn = the stack's key"
    if get(props, "kinesisSourceConfiguration") is None:
        sse = get(props, "serverSideEncryption")
        if sse is UNKNOWN:
            pass
        elif not isinstance(sse, Mapping) or not is_true(sse.get("enabled")):
            yield f"{where}: serverSideEncryption is not enabled, so buffered records rest under no key of the stack's. Fix: {fix}"
        elif sse.get("keyType") != "CUSTOMER_MANAGED_CMK":
            yield f"{where}: serverSideEncryption.keyType is {sse.get('keyType') or 'AWS_OWNED_CMK'}, not CUSTOMER_MANAGED_CMK. Fix: {fix}"
        else:
            yield from _key(where, "serverSideEncryption.keyArn", sse.get("keyArn"), fix)
    s3 = get(props, "extendedS3Configuration")
    if isinstance(s3, Mapping):
        yield from _key(where, "extendedS3Configuration.kmsKeyArn", s3.get("kmsKeyArn"), "set kms_key_arn to the bucket's customer-managed key")


def _amp_workspace(args: ResourceValidationArgs) -> Iterator[str]:
    """The key is set at creation only (AMP cannot move a workspace between an AWS-owned and a customer-managed
    key), so a workspace created without one stays without; its logs are the only record of rule and
    ingestion errors (remote writes AMP rejected)."""
    where, props = label(args.resource_type, args.name), args.props
    yield from _key(where, "kmsKeyArn", get(props, "kmsKeyArn"), "set kms_key_arn to a customer-managed key whose policy admits AMP (at creation)")
    logging = get(props, "loggingConfiguration")
    if logging is UNKNOWN:
        return
    group = logging.get("logGroupArn") if isinstance(logging, Mapping) else None
    if group is UNKNOWN:
        return
    if not isinstance(group, str) or not group:
        yield (
            f"{where}: loggingConfiguration.logGroupArn is not set, so rejected samples and rule errors are recorded nowhere. "
            "Fix: logging_configuration with log_group_arn = '<KMS-encrypted log group ARN>:*'"
        )


TRAIL_ENCRYPTED_AND_VALIDATED = resource_policy(
    name="cloudtrail-encrypted-and-validated",
    description="CloudTrail trails encrypt their files with a customer-managed KMS key and have log file validation on.",
    severity=Severity.HIGH,
    types=(TRAIL,),
    check=_trail,
    remediation="kms_key_id = the trail's key; enable_log_file_validation = True.",
)

LOG_GROUP_RETENTION = resource_policy(
    name="log-group-retention-set",
    description="CloudWatch log groups expire their events after a configured retention period.",
    severity=Severity.MEDIUM,
    types=(LOG_GROUP,),
    check=_retention,
    remediation="retention_in_days = a CloudWatch Logs retention value from the stack config.",
)

FIREHOSE_ENCRYPTED = resource_policy(
    name="firehose-encrypted",
    description="Firehose streams keep buffered records and write S3 objects under customer-managed KMS keys.",
    severity=Severity.HIGH,
    types=(FIREHOSE,),
    check=_firehose,
    remediation="server_side_encryption with key_type CUSTOMER_MANAGED_CMK and key_arn; extended_s3_configuration.kms_key_arn.",
)

AMP_ENCRYPTED_AND_LOGGED = resource_policy(
    name="amp-workspace-encrypted-and-logged",
    description="Amazon Managed Service for Prometheus workspaces use a customer-managed KMS key and log to CloudWatch Logs.",
    severity=Severity.HIGH,
    types=(AMP_WORKSPACE,),
    check=_amp_workspace,
    remediation="kms_key_arn = the workspace's key (set at creation); logging_configuration.log_group_arn = a KMS-encrypted log group's ARN + ':*'.",
)

POLICIES = [TRAIL_ENCRYPTED_AND_VALIDATED, LOG_GROUP_RETENTION, FIREHOSE_ENCRYPTED, AMP_ENCRYPTED_AND_LOGGED]

"""S3 server access logging: every bucket records its requests (spec: "Security Architecture", audit).

A bucket logs through a logging configuration resource naming it (pulumi-aws 7 keeps it
apart from the bucket), into a bucket other than itself. The one bucket that does not
log is a server access log destination (``log_delivery``): logging it would loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from pulumi_policy import Severity, StackValidationArgs

from .common import get, label, stack_policy
from .encryption import S3_BUCKETS, S3_SSE_CONFIGS
from .log_delivery import BUCKET_LOGGING_TYPES, access_log_destination_problem, names_bucket


def _access_logging(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    loggings = [r for r in args.resources if r.resource_type in BUCKET_LOGGING_TYPES]
    for bucket in (r for r in args.resources if r.resource_type in S3_BUCKETS):
        where = label(bucket.resource_type, bucket.name)
        mine = [r for r in loggings if names_bucket(r, "bucket", bucket)]
        if not mine:
            if access_log_destination_problem(bucket, args.resources, S3_SSE_CONFIGS) is None:
                continue  # the destination itself
            yield (
                f"{where}: no server access logging configuration names this bucket. Fix: pass "
                "access_logs=AccessLogTarget(<the stack's access-log destination>, '<purpose>/') to SecureBucket "
                "(aws.s3.BucketLogging(bucket=<bucket>.id, target_bucket=..., target_prefix=...))",
                bucket.urn,
            )
            continue
        for logging in mine:
            if names_bucket(logging, "targetBucket", bucket):
                yield f"{where}: '{logging.name}' delivers its access logs into itself, an endless loop. Fix: target the access-log destination", bucket.urn
            prefix = get(logging.props, "targetPrefix")
            if prefix == "":
                yield f"{where}: '{logging.name}' has an empty targetPrefix, so its logs mix with other buckets'. Fix: target_prefix='<purpose>/'", bucket.urn


S3_ACCESS_LOGGING = stack_policy(
    name="s3-bucket-access-logging",
    description="Every S3 bucket but the server access log destination logs its requests into another bucket under its own prefix.",
    severity=Severity.MEDIUM,
    check=_access_logging,
    remediation="SecureBucket(access_logs=AccessLogTarget(...)), i.e. one aws.s3.BucketLogging per bucket with a target prefix.",
)

POLICIES = [S3_ACCESS_LOGGING]

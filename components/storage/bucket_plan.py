"""Pure rules for :class:`~components.storage.bucket.SecureBucket`: lifecycle rules and the bucket policy.

Nothing here touches Pulumi. The lifecycle checks mirror the ones S3 applies when it
accepts a ``PutBucketLifecycleConfiguration`` call, so a bad rule fails at preview
instead of half-way through ``pulumi up``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from policies.log_delivery import elb_log_principal

from ..platform import policy_document

# The service principal S3 server access logging writes with (AWS: "Permissions for log delivery").
S3_LOG_DELIVERY_PRINCIPAL = "logging.s3.amazonaws.com"

# S3's transition "waterfall": an object may only move down this list, never back up.
STORAGE_CLASS_ORDER = (
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ONEZONE_IA",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
)
# S3 refuses a transition to the infrequent-access classes earlier than 30 days after creation.
IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
IA_MINIMUM_DAYS = 30
# Objects must stay 30 days in an IA class before a later transition in the same rule.
IA_MINIMUM_STAY_DAYS = 30
# The two Glacier classes a lifecycle may end in: Flexible Retrieval (GLACIER: cheapest, minutes
# to hours to restore, 90-day minimum) and Instant Retrieval (GLACIER_IR: milliseconds, 90-day minimum).
GLACIER_CLASSES = ("GLACIER", "GLACIER_IR")


@dataclass(frozen=True)
class Transition:
    days: int
    """Days after creation (current versions) when objects move to ``storage_class``."""
    storage_class: str
    """One of :data:`STORAGE_CLASS_ORDER`."""


@dataclass(frozen=True)
class LifecycleRule:
    """One S3 lifecycle rule, as the bucket's lifecycle configuration takes it."""

    id: str
    """Unique within the bucket (S3 limits it to 255 characters)."""
    prefix: str = ""
    """Objects the rule applies to; empty for the whole bucket."""
    transitions: tuple[Transition, ...] = ()
    """Storage-class transitions of current versions, in increasing days."""
    expiration_days: int | None = None
    """Delete current versions this many days after creation (never by default)."""
    noncurrent_version_expiration_days: int | None = None
    """Delete a version this many days after a newer one replaced it."""
    abort_incomplete_multipart_upload_days: int | None = None
    """Drop the parts of uploads that never completed (they are billed, and invisible)."""


@dataclass(frozen=True)
class LifecyclePolicy:
    """The cost levers of one bucket, as stack config states them (days; None = off)."""

    infrequent_access_after_days: int | None = 30
    intelligent_tiering_after_days: int | None = None
    glacier_after_days: int | None = None
    glacier_storage_class: str = "GLACIER"
    """``GLACIER`` (Flexible Retrieval) or ``GLACIER_IR`` (Instant Retrieval)."""
    noncurrent_version_expiration_days: int | None = 90
    abort_incomplete_multipart_upload_days: int | None = 7
    expiration_days: int | None = None
    prefix: str = ""
    rule_id: str = "cost-tiering"
    extra_rules: tuple[LifecycleRule, ...] = field(default_factory=tuple)


def lifecycle_rules(policy: LifecyclePolicy) -> list[LifecycleRule]:
    """The rule list for a policy; raises ``ValueError`` naming the first problem."""
    steps = [
        (policy.infrequent_access_after_days, "STANDARD_IA"),
        (policy.intelligent_tiering_after_days, "INTELLIGENT_TIERING"),
        (policy.glacier_after_days, policy.glacier_storage_class),
    ]
    if policy.glacier_storage_class not in GLACIER_CLASSES:
        raise ValueError(f"glacier storage class {policy.glacier_storage_class!r} is not one of {', '.join(GLACIER_CLASSES)}")
    transitions = tuple(Transition(days, cls) for days, cls in steps if days is not None)
    rule = LifecycleRule(
        id=policy.rule_id,
        prefix=policy.prefix,
        transitions=transitions,
        expiration_days=policy.expiration_days,
        noncurrent_version_expiration_days=policy.noncurrent_version_expiration_days,
        abort_incomplete_multipart_upload_days=policy.abort_incomplete_multipart_upload_days,
    )
    rules = [rule, *policy.extra_rules]
    problem = find_lifecycle_problem(rules)
    if problem:
        raise ValueError(problem)
    return rules


def find_lifecycle_problem(rules: Sequence[LifecycleRule]) -> str | None:
    """The first reason S3 would reject these rules, or None."""
    seen: set[str] = set()
    for rule in rules:
        if not rule.id or len(rule.id) > 255:
            return f"rule id {rule.id!r} must be 1-255 characters"
        if rule.id in seen:
            return f"rule id {rule.id!r} is used twice"
        seen.add(rule.id)
        if not (
            rule.transitions
            or rule.expiration_days
            or rule.noncurrent_version_expiration_days
            or rule.abort_incomplete_multipart_upload_days
        ):
            return f"rule {rule.id!r} has no action"
        for name, value in (
            ("expiration_days", rule.expiration_days),
            ("noncurrent_version_expiration_days", rule.noncurrent_version_expiration_days),
            ("abort_incomplete_multipart_upload_days", rule.abort_incomplete_multipart_upload_days),
        ):
            if value is not None and value < 1:
                return f"rule {rule.id!r}: {name} must be at least 1 day"
        previous: Transition | None = None
        for step in rule.transitions:
            if step.storage_class not in STORAGE_CLASS_ORDER:
                return f"rule {rule.id!r}: unknown storage class {step.storage_class!r}"
            if step.days < 0:
                return f"rule {rule.id!r}: transition to {step.storage_class} needs days >= 0"
            if step.storage_class in IA_CLASSES and step.days < IA_MINIMUM_DAYS:
                return f"rule {rule.id!r}: S3 moves objects to {step.storage_class} no sooner than {IA_MINIMUM_DAYS} days"
            if previous is not None:
                if STORAGE_CLASS_ORDER.index(step.storage_class) <= STORAGE_CLASS_ORDER.index(previous.storage_class):
                    return (
                        f"rule {rule.id!r}: {previous.storage_class} -> {step.storage_class} goes against "
                        "S3's transition order " + " -> ".join(STORAGE_CLASS_ORDER)
                    )
                gap = IA_MINIMUM_STAY_DAYS if previous.storage_class in IA_CLASSES else 1
                if step.days < previous.days + gap:
                    return (
                        f"rule {rule.id!r}: {step.storage_class} after {step.days} days must come at least "
                        f"{gap} days after {previous.storage_class} ({previous.days} days)"
                    )
            previous = step
        if rule.expiration_days is not None and rule.transitions and rule.expiration_days <= rule.transitions[-1].days:
            return f"rule {rule.id!r}: expiration must come after the last transition"
    return None


def deny_insecure_transport_statement(bucket_arn: str) -> dict[str, object]:
    """No request over plain HTTP, from anyone."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def deny_insecure_transport_policy(bucket_arn: str) -> str:
    """The bucket policy every bucket carries: no request over plain HTTP, from anyone."""
    return policy_document([deny_insecure_transport_statement(bucket_arn)])


def bucket_arn(bucket_name: str, partition: str = "aws") -> str:
    """An S3 bucket's ARN, computed from its name (S3 ARNs carry no account or region)."""
    return f"arn:{partition}:s3:::{bucket_name}"


def server_access_log_statements(
    target_arn: str, sources: dict[str, str], account_id: str
) -> list[dict[str, object]]:
    """Bucket-policy statements that let S3 server access logging write into ``target_arn``.

    ``sources`` maps each source bucket's ARN to its key prefix in the target. Exactly
    what AWS documents ("Permissions for log delivery"): the logging service principal
    ``logging.s3.amazonaws.com`` may ``s3:PutObject`` under the source's prefix, only on
    behalf of that source bucket (``aws:SourceArn``) in this account (``aws:SourceAccount``).
    """
    statements: list[dict[str, object]] = []
    for source_arn, prefix in sorted(sources.items(), key=lambda item: item[1]):
        sid = "ServerAccessLogs" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", prefix) if part)
        statements.append(
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": S3_LOG_DELIVERY_PRINCIPAL},
                "Action": "s3:PutObject",
                "Resource": f"{target_arn}/{prefix}*",
                "Condition": {
                    "ArnLike": {"aws:SourceArn": source_arn},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            }
        )
    return statements


def load_balancer_log_statements(target_arn: str, prefix: str, account_id: str, region: str) -> list[dict[str, object]]:
    """The statement that lets Elastic Load Balancing write access logs under ``<prefix>/``.

    AWS ("Enable access logs for your Application Load Balancer"): ELB writes
    ``<prefix>/AWSLogs/<account>/...`` as the Region's ELB account (Regions before August 2022) or
    the ``logdelivery.elasticloadbalancing.amazonaws.com`` service principal (newer Regions);
    only ``s3:PutObject``, only under this account's key prefix.
    """
    return [
        {
            "Sid": "LoadBalancerAccessLogs",
            "Effect": "Allow",
            "Principal": elb_log_principal(region),
            "Action": "s3:PutObject",
            "Resource": f"{target_arn}/{prefix}/AWSLogs/{account_id}/*",
        }
    ]


def cloudfront_read_statements(bucket_arn: str, distribution_arns: Sequence[str]) -> list[dict[str, object]]:
    """CloudFront reads objects through Origin Access Control, for these distributions only.

    AWS, "Restrict access to an Amazon S3 origin": ``s3:GetObject`` on the objects for the
    ``cloudfront.amazonaws.com`` service principal, conditioned on ``AWS:SourceArn`` being the
    distribution. Without ``s3:ListBucket`` a missing key answers 403, not 404.
    """
    if not distribution_arns:
        return []
    return [
        {
            "Sid": "CloudFrontReadsThroughOac",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": f"{bucket_arn}/*",
            "Condition": {"StringEquals": {"AWS:SourceArn": sorted(distribution_arns)}},
        }
    ]


def bucket_policy(bucket_arn: str, extra_statements: Sequence[dict[str, object]] = ()) -> str:
    """The TLS-only statement every bucket carries, then the bucket's own grants."""
    return policy_document([deny_insecure_transport_statement(bucket_arn), *extra_statements])

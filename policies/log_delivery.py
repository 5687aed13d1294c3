"""AWS log producers that cannot write into an SSE-KMS bucket, and how to recognize their destination.

The policy pack must stand alone, so these facts live here and the components import them.

S3 server access logging (AWS, "Enabling Amazon S3 server access logging"): "You can use
default bucket encryption on the target bucket only if you use server-side encryption
with Amazon S3 managed keys (SSE-S3) ... Default server-side encryption with AWS KMS keys
(SSE-KMS) is not supported." Its writer is the service principal below. A bucket is that
producer's destination, and so exempt from the customer-key rule, only when all of these
hold: some bucket's logging configuration targets it, its default encryption is exactly
SSE-S3, it does not log into another bucket itself, and its bucket policy grants nothing
to anyone but these producers' principals (no application data lands there).

Elastic Load Balancing access logs have the same rule ("The only server-side encryption
option that's supported is Amazon S3-managed keys (SSE-S3)"), so their writer joins them
and the load balancer logs into the same destination under its own prefix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Optional

from pulumi_policy import PolicyResource

from .common import UNKNOWN, get, items

S3_SERVER_ACCESS_LOGGING = "logging.s3.amazonaws.com"

ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
"""The ELB access-log writer in Regions opened since August 2022 (AWS, "Enable access logs for your
Application Load Balancer", step 2)."""

ELB_LOG_ACCOUNTS: dict[str, str] = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}
"""Elastic Load Balancing's account per Region opened before August 2022: there the bucket policy
names ``arn:aws:iam::<account>:root`` (same page; pulumi-aws's ``elb.getServiceAccount``)."""


def elb_log_principal(region: str) -> dict[str, str]:
    """The principal a bucket policy grants ELB access-log delivery to in ``region``."""
    account = ELB_LOG_ACCOUNTS.get(region)
    return {"AWS": f"arn:aws:iam::{account}:root"} if account else {"Service": ELB_LOG_DELIVERY}


_ELB_WHY = "Elastic Load Balancing access logs support only SSE-S3 on their bucket"

SSE_S3_ONLY_LOG_PRINCIPALS: dict[str, str] = {
    S3_SERVER_ACCESS_LOGGING: "S3 server access logging supports only SSE-S3 default encryption on its target bucket",
    ELB_LOG_DELIVERY: _ELB_WHY,
    **{f"arn:aws:iam::{account}:root": _ELB_WHY for account in ELB_LOG_ACCOUNTS.values()},
}
"""Principal -> why its destination may use SSE-S3 instead of a customer key."""

SSE_S3 = "AES256"

BUCKET_LOGGING_TYPES = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
LOAD_BALANCER_TYPES = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
BUCKET_POLICY_TYPES = ("aws:s3/bucketPolicy:BucketPolicy",)


def allowed_principals(policy: Any) -> set[str] | None:
    """Every principal an Allow statement of this bucket policy names (None when not readable)."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return None
    if not isinstance(policy, dict):
        return None
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    found: set[str] = set()
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if isinstance(principal, str):
            found.add(principal)
        elif isinstance(principal, dict):
            for value in principal.values():
                found.update([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)])
        else:
            found.add("*")
    return found


def only_log_producers(principals: Iterable[str]) -> bool:
    """True when every principal is an SSE-S3-only log producer."""
    return all(p in SSE_S3_ONLY_LOG_PRINCIPALS for p in principals)


def names_bucket(resource: PolicyResource, prop: str, bucket: PolicyResource) -> bool:
    """Whether ``resource``'s ``prop`` refers to ``bucket``: by dependency on it, or by its explicit name."""
    if any(dep.urn == bucket.urn for dep in resource.property_dependencies.get(prop, [])):
        return True
    value = get(resource.props, prop)
    return isinstance(value, str) and value != "" and value == get(bucket.props, "bucket")


def sse_algorithms(bucket: PolicyResource, resources: Sequence[PolicyResource], config_types: Sequence[str]) -> list[Any]:
    """The default-encryption algorithms of every encryption configuration naming ``bucket``."""
    found: list[Any] = []
    for config in resources:
        if config.resource_type in config_types and names_bucket(config, "bucket", bucket):
            for rule in items(get(config.props, "rules")):
                found.append(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"))
    return found


def access_log_destination_problem(
    bucket: PolicyResource, resources: Sequence[PolicyResource], config_types: Sequence[str]
) -> Optional[str]:
    """None when ``bucket`` is exactly the documented SSE-S3 exception; else why it is not.

    Only meaningful for a bucket whose default encryption is not a customer key.
    """
    if not any(r.resource_type in BUCKET_LOGGING_TYPES and names_bucket(r, "targetBucket", bucket) for r in resources) and not any(
        r.resource_type in LOAD_BALANCER_TYPES and _load_balancer_logs_into(r, bucket) for r in resources
    ):
        return "no bucket's server access logging or load balancer's access logs target it, so it is no log destination"
    if any(r.resource_type in BUCKET_LOGGING_TYPES and names_bucket(r, "bucket", bucket) for r in resources):
        return "it logs into another bucket itself, which a log destination must not"
    algorithms = sse_algorithms(bucket, resources, config_types)
    if not algorithms or any(a not in (SSE_S3, UNKNOWN) for a in algorithms):
        return f"its default encryption is {algorithms!r}, and only SSE-S3 ({SSE_S3}) is the documented exception"
    policies = [r for r in resources if r.resource_type in BUCKET_POLICY_TYPES and names_bucket(r, "bucket", bucket)]
    for policy in policies:
        principals = allowed_principals(get(policy.props, "policy"))
        if principals is None:
            continue  # not known during this preview
        if not principals:
            return "its bucket policy admits no log producer"
        if not only_log_producers(principals):
            others = sorted(p for p in principals if p not in SSE_S3_ONLY_LOG_PRINCIPALS)
            return f"its bucket policy also admits {', '.join(others)}, so it holds more than SSE-S3-only logs"
    if not policies:
        return "it has no bucket policy admitting a log producer"
    return None


def _load_balancer_logs_into(load_balancer: PolicyResource, bucket: PolicyResource) -> bool:
    """Whether the load balancer's enabled access logs go to ``bucket`` (a destination of ELB's alone, such as a
    pilot light's, where no bucket's server access logging targets it)."""
    if get(load_balancer.props, "accessLogs", "enabled") is not True:
        return False
    if any(dep.urn == bucket.urn for dep in load_balancer.property_dependencies.get("accessLogs", [])):
        return True
    name = get(load_balancer.props, "accessLogs", "bucket")
    return isinstance(name, str) and name != "" and name == get(bucket.props, "bucket")

"""CloudFront origins are private and the distribution is logged (spec: "Security Architecture"; the
seed's S3 static assets behind CloudFront).

- An S3 origin is reached through Origin Access Control: the bucket stays private (no public
  bucket policy, no website endpoint) and SSE-KMS objects can be served. An origin on an S3
  website endpoint (``*.s3-website*``) is a public bucket and is refused; an S3 REST origin with
  only a legacy origin access identity (OAI cannot read SSE-KMS objects) or with nothing is refused.
- A custom origin (the load balancer) is reached over HTTPS only, with TLS 1.2 only.
- An origin group (origin failover) has two members, each an origin of the distribution (so each is held
  to the rules above: a replica bucket through OAC too), fails over only on status codes CloudFront
  accepts, and is the target of behaviours that allow only GET, HEAD and OPTIONS (CloudFront fails over
  those methods only and refuses a group on a behaviour that allows POST, PUT, PATCH or DELETE); every
  behaviour targets an origin or an origin group of the distribution.
- Every distribution writes access logs: legacy standard logging (``loggingConfig.bucket``) or
  standard logging v2, a ``LogDeliverySource`` of type ACCESS_LOGS naming the distribution with a
  ``LogDelivery`` from that source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Optional

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from .common import UNKNOWN, get, items, label, stack_policy

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
DELIVERY = "aws:cloudwatch/logDelivery:LogDelivery"

_S3_WEBSITE = re.compile(r"\.s3-website[.-]")
_S3_REST = re.compile(r"\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$")
ORIGIN_TLS = ("TLSv1.2",)
FAILOVER_STATUS_CODES = frozenset({400, 403, 404, 416, 500, 502, 503, 504})
"""The status codes CloudFront accepts as an origin group's failover criteria (API ``OriginGroupFailoverCriteria``)."""
ORIGIN_GROUP_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""The methods an origin group serves; CloudFront refuses others on a behaviour that targets one."""
ORIGIN_GROUP_MEMBERS = 2


def _depends_on(resource: PolicyResource, prop: str, target: PolicyResource) -> bool:
    return any(dep.urn == target.urn for dep in resource.property_dependencies.get(prop, []))


def _origin_problems(where: str, origin: Any) -> Iterator[str]:
    domain = get(origin, "domainName")
    origin_id = get(origin, "originId")
    if not isinstance(domain, str):
        return
    if _S3_WEBSITE.search(domain):
        yield (
            f"{where}: origin {origin_id!r} is an S3 website endpoint ({domain}), a public bucket. "
            "Fix: the bucket's REST endpoint (bucket_regional_domain_name) with an origin access control"
        )
        return
    if _S3_REST.search(domain):
        oac = get(origin, "originAccessControlId")
        if oac is not UNKNOWN and not oac:
            yield (
                f"{where}: S3 origin {origin_id!r} has no origin access control (originAccessControlId). "
                "Fix: aws.cloudfront.OriginAccessControl(origin_access_control_origin_type='s3', signing_behavior='always') "
                "and a bucket policy admitting cloudfront.amazonaws.com for this distribution's ARN"
            )
        return
    custom = get(origin, "customOriginConfig")
    if custom is None or custom is UNKNOWN:
        return
    policy = get(custom, "originProtocolPolicy")
    if policy is not UNKNOWN and policy != "https-only":
        yield f"{where}: origin {origin_id!r} uses originProtocolPolicy {policy!r}. Fix: 'https-only'"
    protocols = [p for p in items(get(custom, "originSslProtocols")) if p is not UNKNOWN]
    weak = sorted(set(protocols) - set(ORIGIN_TLS))
    if weak:
        yield f"{where}: origin {origin_id!r} allows {', '.join(weak)}. Fix: origin_ssl_protocols=['TLSv1.2']"


def _known_ids(values: Any, key: str) -> set[str] | None:
    """The ids in a list prop, or None when the list (or an id in it) is not known (secret or computed)."""
    if values is None:
        return set()
    if values is UNKNOWN or isinstance(values, (str, Mapping)) or not isinstance(values, Sequence):
        return None
    ids = {get(value, key) for value in items(values)}
    return None if any(not isinstance(i, str) for i in ids) else {str(i) for i in ids}


def _origin_group_problems(where: str, props: Any) -> Iterator[str]:
    origins = _known_ids(get(props, "origins"), "originId")
    groups: set[str] = set()
    for group in items(get(props, "originGroups")):
        group_id = get(group, "originId")
        groups.add(str(group_id))
        members = [get(m, "originId") for m in items(get(group, "members"))]
        if len(members) != ORIGIN_GROUP_MEMBERS:
            yield f"{where}: origin group {group_id!r} has {len(members)} members. Fix: a primary and a secondary origin"
        missing = sorted(str(m) for m in members if isinstance(m, str) and origins is not None and m not in origins)
        if missing:
            yield f"{where}: origin group {group_id!r} names {missing}, not origins of the distribution. Fix: members among its origins"
        codes = [c for c in items(get(group, "failoverCriteria", "statusCodes")) if isinstance(c, (int, float))]
        refused = sorted({int(c) for c in codes} - FAILOVER_STATUS_CODES)
        if not codes and get(group, "failoverCriteria", "statusCodes") is not UNKNOWN:
            yield f"{where}: origin group {group_id!r} has no failover status codes. Fix: the primary's server errors (500, 502, 503, 504)"
        elif refused:
            yield (
                f"{where}: origin group {group_id!r} fails over on {refused}, which CloudFront does not accept. "
                f"Fix: codes among {sorted(FAILOVER_STATUS_CODES)}"
            )
    behaviours = [("defaultCacheBehavior", get(props, "defaultCacheBehavior"))] + [
        (f"orderedCacheBehaviors[{i}]", b) for i, b in enumerate(items(get(props, "orderedCacheBehaviors")))
    ]
    for prop, behaviour in behaviours:
        if behaviour is None or behaviour is UNKNOWN:
            continue
        target = get(behaviour, "targetOriginId")
        if not isinstance(target, str):
            continue
        if target in groups:
            methods = {m for m in items(get(behaviour, "allowedMethods")) if isinstance(m, str)}
            extra = sorted(methods - ORIGIN_GROUP_METHODS)
            if extra:
                yield (
                    f"{where}: {prop} targets origin group {target!r} but allows {extra} (CloudFront refuses them with an "
                    "origin group, which fails over GET, HEAD and OPTIONS only). Fix: allowed_methods=['GET', 'HEAD', 'OPTIONS'] "
                    "or the primary origin itself"
                )
        elif origins is not None and target not in origins:
            yield f"{where}: {prop} targets {target!r}, neither an origin nor an origin group of the distribution"


def _logged(distribution: PolicyResource, sources: list[PolicyResource], deliveries: list[PolicyResource]) -> bool:
    if get(distribution.props, "loggingConfig", "bucket"):
        return True
    for source in sources:
        if get(source.props, "logType") != "ACCESS_LOGS" or not _depends_on(source, "resourceArn", distribution):
            continue
        if any(_depends_on(delivery, "deliverySourceName", source) for delivery in deliveries):
            return True
    return False


def _check(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    sources = [r for r in args.resources if r.resource_type == DELIVERY_SOURCE]
    deliveries = [r for r in args.resources if r.resource_type == DELIVERY]
    for distribution in args.resources:
        if distribution.resource_type != DISTRIBUTION:
            continue
        where = label(distribution.resource_type, distribution.name)
        for origin in items(get(distribution.props, "origins")):
            for message in _origin_problems(where, origin):
                yield message, distribution.urn
        for message in _origin_group_problems(where, distribution.props):
            yield message, distribution.urn
        if not _logged(distribution, sources, deliveries):
            yield (
                f"{where}: no access logs. Fix: standard logging v2 (aws.cloudwatch.LogDeliverySource log_type='ACCESS_LOGS' "
                "resource_arn=<distribution>.arn, a LogDeliveryDestination and a LogDelivery)",
                distribution.urn,
            )


CLOUDFRONT_ORIGINS = stack_policy(
    name="cloudfront-origins-private-and-logged",
    description=(
        "CloudFront reaches S3 through Origin Access Control (no website endpoints, no OAI-only origins), custom "
        "origins over HTTPS with TLS 1.2 only, origin groups of two of its origins on read-only behaviours with "
        "failover codes CloudFront accepts, and every distribution writes access logs."
    ),
    severity=Severity.HIGH,
    check=_check,
    remediation=(
        "origin_access_control_id on S3 REST origins; custom_origin_config with origin_protocol_policy='https-only' and "
        "origin_ssl_protocols=['TLSv1.2']; origin groups of two origins, status codes among 400/403/404/416/500/502/503/504, "
        "behaviours on them GET/HEAD/OPTIONS only; a LogDeliverySource/LogDelivery (or logging_config) for the distribution."
    ),
)

POLICIES = [CLOUDFRONT_ORIGINS]

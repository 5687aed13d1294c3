"""Encryption in transit: caches, databases, load balancers and CloudFront (spec: "Security Architecture")."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from .common import UNKNOWN, get, items, label, require_true, resource_policy
from .encryption import CACHE_REPLICATION_GROUP

RDS_PARAMETER_GROUPS = ("aws:rds/parameterGroup:ParameterGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup")
LB_LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
CLOUDFRONT_DISTRIBUTION = "aws:cloudfront/distribution:Distribution"

TLS13_POLICY_PREFIX = "ELBSecurityPolicy-TLS13-"
"""The ELB security policies that negotiate TLS 1.3 (``ELBSecurityPolicy-TLS13-1-2-2021-06`` and kin)."""
SECURE_VIEWER_POLICIES = ("redirect-to-https", "https-only")
TLS12_MINIMUMS = ("TLSv1.2_", "TLSv1.3")


def _cache_transit(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    yield from require_true(where, "transitEncryptionEnabled", get(props, "transitEncryptionEnabled"), "set transit_encryption_enabled=True")
    mode = get(props, "transitEncryptionMode")
    if mode == "preferred":
        yield f"{where}: transitEncryptionMode is 'preferred', which still accepts plaintext clients. Fix: set transit_encryption_mode='required'"


CACHE_IN_TRANSIT = resource_policy(
    name="elasticache-encrypted-in-transit",
    description="ElastiCache replication groups require TLS from every client.",
    severity=Severity.HIGH,
    types=(CACHE_REPLICATION_GROUP,),
    check=_cache_transit,
    remediation="transit_encryption_enabled=True (and transit_encryption_mode 'required' when set).",
)


def ssl_parameter(family: str) -> tuple[str, tuple[str, ...]] | None:
    """The parameter that forces TLS for an engine family, and the values that turn it on."""
    if "postgres" in family:
        return "rds.force_ssl", ("1",)
    if "mysql" in family or "mariadb" in family:
        return "require_secure_transport", ("1", "ON")
    return None


def _force_ssl(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    family = get(props, "family")
    if not isinstance(family, str):
        return
    wanted = ssl_parameter(family)
    if wanted is None:
        return
    name, on_values = wanted
    values = [get(p, "value") for p in items(get(props, "parameters")) if get(p, "name") == name]
    if any(v is UNKNOWN for v in values):
        return
    if not any(str(v).upper() in on_values for v in values):
        shown = f"is {values[-1]!r}" if values else "is not set"
        yield f"{where}: parameter {name} {shown} for family {family!r}, so clients may connect without TLS. Fix: add parameters=[{{'name': '{name}', 'value': '{on_values[0]}'}}]"


RDS_FORCE_SSL = resource_policy(
    name="rds-parameter-group-forces-ssl",
    description="RDS parameter groups for PostgreSQL and MySQL engines reject unencrypted connections.",
    severity=Severity.HIGH,
    types=RDS_PARAMETER_GROUPS,
    check=_force_ssl,
    remediation="rds.force_ssl=1 (PostgreSQL) or require_secure_transport=1 (MySQL/MariaDB).",
)


def _is_https_redirect(action: object) -> bool:
    return get(action, "type") == "redirect" and str(get(action, "redirect", "protocol", default="")).upper() == "HTTPS"


def _listener(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    protocol = get(props, "protocol")
    if protocol is UNKNOWN:
        return
    protocol = str(protocol or "HTTP").upper()
    if protocol == "HTTP":
        actions = list(items(get(props, "defaultActions")))
        if UNKNOWN in actions:
            return
        if not actions or not all(_is_https_redirect(a) for a in actions):
            yield f"{where}: protocol HTTP serves traffic in plaintext. Fix: make it a redirect (default_actions=[{{'type': 'redirect', 'redirect': {{'protocol': 'HTTPS', 'port': '443', 'status_code': 'HTTP_301'}}}}]) or use protocol HTTPS"
    elif protocol in ("HTTPS", "TLS"):
        policy = get(props, "sslPolicy")
        if policy is not UNKNOWN and not (isinstance(policy, str) and policy.startswith(TLS13_POLICY_PREFIX)):
            shown = f"{policy!r}" if policy else "not set (AWS defaults to ELBSecurityPolicy-2016-08, TLS 1.0+)"
            yield f"{where}: sslPolicy is {shown}. Fix: ssl_policy='ELBSecurityPolicy-TLS13-1-2-2021-06' (or another {TLS13_POLICY_PREFIX}* policy)"


LISTENERS_TLS = resource_policy(
    name="load-balancer-listeners-https-tls13",
    description="Load-balancer listeners serve HTTPS/TLS with a TLS 1.3 security policy; plain HTTP only redirects to HTTPS.",
    severity=Severity.HIGH,
    types=LB_LISTENERS,
    check=_listener,
    remediation="protocol HTTPS with ssl_policy ELBSecurityPolicy-TLS13-*, and HTTP listeners whose only action redirects to HTTPS.",
)


def _cloudfront(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    behaviors = [("defaultCacheBehavior", get(props, "defaultCacheBehavior"))]
    behaviors += [(f"orderedCacheBehaviors[{i}]", b) for i, b in enumerate(items(get(props, "orderedCacheBehaviors")))]
    for prop, behavior in behaviors:
        policy = get(behavior, "viewerProtocolPolicy")
        if behavior is not None and policy is not UNKNOWN and policy not in SECURE_VIEWER_POLICIES:
            yield f"{where}: {prop}.viewerProtocolPolicy is {policy!r}. Fix: set viewer_protocol_policy='redirect-to-https' (or 'https-only')"
    certificate = get(props, "viewerCertificate", default={})
    if certificate is UNKNOWN:
        return
    if get(certificate, "cloudfrontDefaultCertificate") is True:
        yield f"{where}: viewerCertificate.cloudfrontDefaultCertificate is true, which allows TLS 1.0. Fix: use an ACM certificate with minimum_protocol_version='TLSv1.2_2021'"
        return
    minimum = get(certificate, "minimumProtocolVersion")
    if minimum is not UNKNOWN and not (isinstance(minimum, str) and minimum.startswith(TLS12_MINIMUMS)):
        yield f"{where}: viewerCertificate.minimumProtocolVersion is {minimum!r}. Fix: minimum_protocol_version='TLSv1.2_2021'"


CLOUDFRONT_TLS = resource_policy(
    name="cloudfront-https-tls12",
    description="CloudFront distributions redirect viewers to HTTPS (or serve HTTPS only) with TLS 1.2 or newer.",
    severity=Severity.HIGH,
    types=(CLOUDFRONT_DISTRIBUTION,),
    check=_cloudfront,
    remediation="viewer_protocol_policy redirect-to-https on every behavior; an ACM certificate with minimum_protocol_version TLSv1.2_2021.",
)

POLICIES = [CACHE_IN_TRANSIT, RDS_FORCE_SSL, LISTENERS_TLS, CLOUDFRONT_TLS]

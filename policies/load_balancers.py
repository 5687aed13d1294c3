"""Application Load Balancers: hardened, logged and, in production, deletion-protected
(spec: "Network Security", "Data Security"; issue 13).

- ``dropInvalidHeaderFields``: headers that are not valid HTTP field names are removed before the
  request reaches a target (request smuggling through malformed headers).
- Access logs on, into a bucket: the record of every request at the entry point.
- Production: ``enableDeletionProtection``, so neither a console click nor a replacement removes the
  entry point (and its DNS name) by accident.
Network and gateway load balancers have no HTTP layer; only application ones are judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from .common import PRODUCTION_STACKS_SCHEMA, UNKNOWN, get, judged_as_production, is_true, label, require_true, resource_policy

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")


def _load_balancer(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    kind = get(props, "loadBalancerType")
    if kind is UNKNOWN or (kind or "application") != "application":
        return
    yield from require_true(
        where, "dropInvalidHeaderFields", get(props, "dropInvalidHeaderFields"), "set drop_invalid_header_fields=True"
    )
    logs = get(props, "accessLogs")
    if logs is not UNKNOWN:
        enabled, bucket = get(logs, "enabled", default=False), get(logs, "bucket")
        if enabled is not UNKNOWN and bucket is not UNKNOWN and (not is_true(enabled) or not bucket):
            yield (
                f"{where}: access logs are off, so no request at this entry point is recorded. Fix: "
                "access_logs=LoadBalancerAccessLogsArgs(bucket=<the storage layer's access-log destination>, prefix='alb', enabled=True)"
            )
    if judged_as_production(args):
        yield from require_true(
            where,
            "enableDeletionProtection",
            get(props, "enableDeletionProtection"),
            "set enable_deletion_protection=True (protect_stateful)",
        )


LOAD_BALANCER_HARDENED = resource_policy(
    name="load-balancer-hardened",
    description="Application load balancers drop invalid header fields, write access logs and, in production, are deletion-protected.",
    severity=Severity.HIGH,
    types=LOAD_BALANCERS,
    check=_load_balancer,
    remediation="drop_invalid_header_fields=True, access_logs enabled into the access-log destination, enable_deletion_protection in production.",
    # The stacks whose load balancers must be deletion-protected (production's entry, and the pilot light's).
    config_schema=PRODUCTION_STACKS_SCHEMA,
)

POLICIES = [LOAD_BALANCER_HARDENED]

"""Exposure and data safety: nothing stateful reachable from the internet, nothing lost by accident."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from .common import PRODUCTION_STACKS_SCHEMA, UNKNOWN, judged_as_production, get, is_true, items, label, require_true, resource_policy, stack_policy
from .encryption import (
    CACHE_REPLICATION_GROUP,
    CACHE_SERVERLESS,
    EFS_FILE_SYSTEM,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    S3_BUCKETS,
    depends_on,
)

DYNAMODB_TABLE = "aws:dynamodb/table:Table"
OPEN_CIDRS = ("0.0.0.0/0", "::/0")
WEB_PORTS = (80, 443)
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
SUBNET_GROUPS = ("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup")
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"


# --- databases and caches --------------------------------------------------------------


def _public_database(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == CACHE_REPLICATION_GROUP:
        if get(props, "subnetGroupName") is None:
            yield f"{where}: subnetGroupName is not set, so the cache lands in the default VPC's public subnets. Fix: subnet_group_name = the VPC's cache subnet group"
        return
    if is_true(get(props, "publiclyAccessible")):
        yield f"{where}: publiclyAccessible is true, so the database gets a public endpoint. Fix: set publicly_accessible=False"


NO_PUBLIC_DATABASES = resource_policy(
    name="no-public-databases",
    description="RDS databases are not publicly accessible and caches run in the VPC's private subnet group.",
    severity=Severity.CRITICAL,
    types=(RDS_INSTANCE, RDS_CLUSTER, RDS_CLUSTER_INSTANCE, CACHE_REPLICATION_GROUP),
    check=_public_database,
    remediation="publicly_accessible=False; subnet_group_name = the private DB/cache subnet group.",
)


def _deps(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    return list(resource.property_dependencies.get(prop, []))


def public_subnets(resources: list[PolicyResource]) -> set[str]:
    """URNs of subnets that auto-assign public IPs or route to an internet gateway."""
    gateways = {r.urn for r in resources if r.resource_type == INTERNET_GATEWAY}
    routed_tables: set[str] = set()
    for r in resources:
        if r.resource_type == ROUTE and any(d.urn in gateways for d in _deps(r, "gatewayId")):
            routed_tables.update(d.urn for d in _deps(r, "routeTableId"))
        if r.resource_type == ROUTE_TABLE and any(d.urn in gateways for d in _deps(r, "routes")):
            routed_tables.add(r.urn)
    public = {r.urn for r in resources if r.resource_type == SUBNET and is_true(get(r.props, "mapPublicIpOnLaunch"))}
    for r in resources:
        if r.resource_type == ROUTE_TABLE_ASSOCIATION and any(d.urn in routed_tables for d in _deps(r, "routeTableId")):
            public.update(d.urn for d in _deps(r, "subnetId"))
    return public


def _private_subnet_groups(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    public = public_subnets(args.resources)
    for group in (r for r in args.resources if r.resource_type in SUBNET_GROUPS):
        exposed = sorted(d.name for d in _deps(group, "subnetIds") if d.urn in public)
        if exposed:
            yield (
                f"{label(group.resource_type, group.name)}: subnetIds include public subnets {', '.join(exposed)} "
                "(routed to an internet gateway or auto-assigning public IPs). Fix: use the VPC's db/cache tier subnets only",
                group.urn,
            )


DATABASES_IN_PRIVATE_SUBNETS = stack_policy(
    name="databases-in-private-subnets",
    description="RDS and ElastiCache subnet groups contain only private subnets (no route to an internet gateway).",
    severity=Severity.CRITICAL,
    check=_private_subnet_groups,
    remediation="Build DB and cache subnet groups from ProductionVpc's db tier.",
)


# --- security groups -------------------------------------------------------------------


def _port(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _open_rule_problem(protocol: Any, from_port: Any, to_port: Any, cidrs: list[Any]) -> Optional[str]:
    """Why an ingress rule open to ``cidrs`` is not allowed (None when it is web-only or not open)."""
    open_cidrs = [c for c in cidrs if c in OPEN_CIDRS]
    if not open_cidrs or protocol is UNKNOWN:
        return None
    protocol_name = str(protocol).lower()
    low, high = _port(from_port), _port(to_port)
    if protocol_name in ("tcp", "6") and low is not None and low == high and low in WEB_PORTS:
        return None
    ports = "all ports" if protocol_name in ("-1", "all") else f"{protocol_name} {low}-{high}"
    return f"opens {ports} to {', '.join(open_cidrs)}"


def _security_group(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    fix = "Fix: allow 0.0.0.0/0 and ::/0 only on tcp 80/443; reach everything else from the VPC or a security group"
    rules: list[tuple[str, Any, Any, Any, list[Any]]] = []
    if args.resource_type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        for index, rule in enumerate(items(get(props, "ingress"))):
            cidrs = list(items(get(rule, "cidrBlocks"))) + list(items(get(rule, "ipv6CidrBlocks")))
            rules.append((f"ingress[{index}]", get(rule, "protocol"), get(rule, "fromPort"), get(rule, "toPort"), cidrs))
    elif args.resource_type == SECURITY_GROUP_RULE:
        if get(props, "type") == "ingress":
            cidrs = list(items(get(props, "cidrBlocks"))) + list(items(get(props, "ipv6CidrBlocks")))
            rules.append(("rule", get(props, "protocol"), get(props, "fromPort"), get(props, "toPort"), cidrs))
    elif args.resource_type == SECURITY_GROUP_INGRESS_RULE:
        cidrs = [get(props, "cidrIpv4"), get(props, "cidrIpv6")]
        rules.append(("rule", get(props, "ipProtocol"), get(props, "fromPort"), get(props, "toPort"), cidrs))
    for prop, protocol, low, high, cidrs in rules:
        problem = _open_rule_problem(protocol, low, high, cidrs)
        if problem:
            yield f"{where}: {prop} {problem}. {fix}"


SECURITY_GROUP_WEB_ONLY = resource_policy(
    name="security-group-public-ingress-web-only",
    description="Security-group ingress from 0.0.0.0/0 or ::/0 is allowed only on TCP 80 and 443.",
    severity=Severity.CRITICAL,
    types=(SECURITY_GROUP, DEFAULT_SECURITY_GROUP, SECURITY_GROUP_RULE, SECURITY_GROUP_INGRESS_RULE),
    check=_security_group,
    remediation="Open only tcp/80 and tcp/443 to the internet (the load balancer's group).",
)


# --- S3 public access ------------------------------------------------------------------


def _s3_public(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    blocks = [r for r in args.resources if r.resource_type == S3_PUBLIC_ACCESS_BLOCK]
    fix = "Fix: add aws.s3.BucketPublicAccessBlock(bucket=<bucket>.id) with all four flags True"
    for bucket in (r for r in args.resources if r.resource_type in S3_BUCKETS):
        where = label(bucket.resource_type, bucket.name)
        mine = [b for b in blocks if depends_on(b, "bucket", bucket)]
        if not mine:
            yield f"{where}: no public access block names this bucket. {fix}", bucket.urn
        for block in mine:
            off = [flag for flag in PUBLIC_ACCESS_FLAGS if not is_true(get(block.props, flag)) and get(block.props, flag) is not UNKNOWN]
            if off:
                yield f"{where}: its public access block '{block.name}' leaves {', '.join(off)} off. {fix}", bucket.urn


S3_PUBLIC_ACCESS_BLOCKED = stack_policy(
    name="s3-public-access-blocked",
    description="Every S3 bucket has a public access block with all four settings on.",
    severity=Severity.CRITICAL,
    check=_s3_public,
    remediation="aws.s3.BucketPublicAccessBlock per bucket: block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets all True.",
)


# --- production data safety ------------------------------------------------------------


def _deletion_protection(args: ResourceValidationArgs) -> Iterator[str]:
    if not judged_as_production(args):
        return
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type in (RDS_INSTANCE, RDS_CLUSTER):
        yield from require_true(where, "deletionProtection", get(props, "deletionProtection"), "set deletion_protection=True (protect_stateful)")
        # RDS takes no final snapshot of a read replica; its data lives on in the primary.
        is_replica = get(props, "replicateSourceDb") not in (None, "")
        if is_true(get(props, "skipFinalSnapshot")) and not is_replica:
            yield f"{where}: skipFinalSnapshot is true, so deleting it loses the data. Fix: skip_final_snapshot=False with a final_snapshot_identifier"
    if args.resource_type == DYNAMODB_TABLE:
        yield from require_true(where, "deletionProtectionEnabled", get(props, "deletionProtectionEnabled"), "set deletion_protection_enabled=True (DynamoDB.6)")
    if not args.opts.protect:
        yield f"{where}: the resource option protect is off, so `pulumi destroy` or a replacement can delete it. Fix: opts=ResourceOptions(protect=<protect_stateful>)"


PRODUCTION_DELETION_PROTECTION = resource_policy(
    name="production-deletion-protection",
    description="In production, databases, caches, tables and file systems are deletion-protected, Pulumi-protected and keep a final snapshot.",
    severity=Severity.HIGH,
    types=(RDS_INSTANCE, RDS_CLUSTER, CACHE_REPLICATION_GROUP, CACHE_SERVERLESS, EFS_FILE_SYSTEM, DYNAMODB_TABLE),
    check=_deletion_protection,
    remediation="deletion_protection=True, skip_final_snapshot=False and protect=True from settings.platform.protect_stateful.",
    # Which stacks hold production's data: production by default, the pilot light in its own config.
    config_schema=PRODUCTION_STACKS_SCHEMA,
)

POLICIES = [
    NO_PUBLIC_DATABASES,
    DATABASES_IN_PRIVATE_SUBNETS,
    SECURITY_GROUP_WEB_ONLY,
    S3_PUBLIC_ACCESS_BLOCKED,
    PRODUCTION_DELETION_PROTECTION,
]

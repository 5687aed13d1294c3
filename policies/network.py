"""EC2/VPC, EKS and ECR settings Security Hub's FSBP checks after deployment, decided from the plan.

- ``ec2-imdsv2-required`` (EC2.8, EC2.170, AutoScaling.3): instances, launch templates and launch
  configurations require session tokens for the instance metadata service.
- ``ec2-instances-not-exposed`` (EC2.9, EC2.15, EC2.25, EC2.180, AutoScaling.5): no public address on
  instances, launch templates, launch configurations or by a subnet's auto-assign; source/destination
  checks on. The one exception is a NAT instance (staging's): an instance some route sends
  ``0.0.0.0/0`` through may turn its source/destination check off and hold an Elastic IP.
- ``vpc-flow-logs-enabled`` (EC2.6), ``vpc-default-security-group-closed`` (EC2.2),
  ``network-acl-no-admin-ports-from-internet`` (EC2.21).
- ``eks-endpoint-private-audit-logged`` (EKS.1, EKS.8), ``ecr-repository-lifecycle-policy`` (ECR.3),
  ``autoscaling-group-uses-launch-template`` (AutoScaling.9).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from .common import UNKNOWN, get, is_false, is_true, items, label, resource_policy, stack_policy
from .encryption import EC2_INSTANCE, ECR_REPOSITORY, EKS_CLUSTER, EKS_COMPONENT, LAUNCH_TEMPLATE

LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
SUBNET = "aws:ec2/subnet:Subnet"
NETWORK_INTERFACE = "aws:ec2/networkInterface:NetworkInterface"
EIP = "aws:ec2/eip:Eip"
EIP_ASSOCIATION = "aws:ec2/eipAssociation:EipAssociation"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
NETWORK_ACLS = ("aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl")
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
ECR_LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
ANYWHERE = ("0.0.0.0/0", "::/0")
ADMIN_PORTS = (22, 3389)
DEFAULT_ROUTE = ("0.0.0.0/0", "::/0")


def _deps(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    return list(resource.property_dependencies.get(prop, []))


def _names(resource: PolicyResource, prop: str, target: PolicyResource) -> bool:
    return any(d.urn == target.urn for d in _deps(resource, prop))


# --- IMDSv2 -------------------------------------------------------------------------------------


def _imds(args: ResourceValidationArgs) -> Iterator[str]:
    where = label(args.resource_type, args.name)
    options = get(args.props, "metadataOptions")
    if options is UNKNOWN:
        return
    tokens, endpoint = get(options, "httpTokens"), get(options, "httpEndpoint")
    if tokens is UNKNOWN or endpoint == "disabled":
        return
    if tokens != "required":
        shown = "not set (IMDSv1 allowed)" if tokens is None else repr(tokens)
        yield f"{where}: metadataOptions.httpTokens is {shown}. Fix: metadata_options http_tokens='required' (IMDSv2)"
    if args.resource_type == LAUNCH_CONFIGURATION:
        hops = get(options, "httpPutResponseHopLimit")
        if isinstance(hops, (int, float)) and hops > 1:
            yield f"{where}: metadataOptions.httpPutResponseHopLimit is {hops:g}, over 1 (AutoScaling.4). Fix: http_put_response_hop_limit=1"


EC2_IMDSV2 = resource_policy(
    name="ec2-imdsv2-required",
    description="Instances, launch templates and launch configurations require IMDSv2 (EC2.8, EC2.170, AutoScaling.3/4).",
    severity=Severity.HIGH,
    types=(EC2_INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION),
    check=_imds,
    remediation="metadata_options: http_tokens 'required', http_endpoint 'enabled' (hop limit 1 on launch configurations).",
)


# --- public addresses, source/destination checks ------------------------------------------------


def nat_instances(resources: list[PolicyResource]) -> set[str]:
    """URNs of instances (or their network interfaces) that a default route sends traffic through."""
    found: set[str] = set()
    for r in resources:
        if r.resource_type == ROUTE and get(r.props, "destinationCidrBlock") in DEFAULT_ROUTE:
            for prop in ("networkInterfaceId", "instanceId"):
                found.update(d.urn for d in _deps(r, prop))
        if r.resource_type == ROUTE_TABLE:
            for route in items(get(r.props, "routes")):
                if get(route, "cidrBlock") in DEFAULT_ROUTE and get(route, "networkInterfaceId") is not None:
                    found.update(d.urn for d in _deps(r, "routes"))
    return found


def _exposure(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    nat = nat_instances(args.resources)
    for r in args.resources:
        where, props = label(r.resource_type, r.name), r.props
        if r.resource_type in (EC2_INSTANCE, LAUNCH_CONFIGURATION) and is_true(get(props, "associatePublicIpAddress")):
            yield f"{where}: associatePublicIpAddress is true (EC2.9). Fix: private subnets; reach it through SSM or a load balancer", r.urn
        if r.resource_type == LAUNCH_TEMPLATE:
            for index, interface in enumerate(items(get(props, "networkInterfaces"))):
                if is_true(get(interface, "associatePublicIpAddress")):
                    yield (
                        f"{where}: networkInterfaces[{index}].associatePublicIpAddress is true (EC2.25). Fix: associate_public_ip_address='false'",
                        r.urn,
                    )
        if r.resource_type == SUBNET and is_true(get(props, "mapPublicIpOnLaunch")):
            yield f"{where}: mapPublicIpOnLaunch is true (EC2.15). Fix: map_public_ip_on_launch=False; give public addresses explicitly", r.urn
        if r.resource_type in (EC2_INSTANCE, NETWORK_INTERFACE):
            check = get(props, "sourceDestCheck")
            if check is not None and is_false(check) and r.urn not in nat:
                yield (
                    f"{where}: sourceDestCheck is false, but no default route sends traffic through it (only a NAT instance may). "
                    "Fix: source_dest_check=True",
                    r.urn,
                )
        if r.resource_type in (EIP, EIP_ASSOCIATION):
            for target in _deps(r, "instance") + _deps(r, "instanceId") + _deps(r, "networkInterface") + _deps(r, "networkInterfaceId"):
                if target.resource_type in (EC2_INSTANCE, NETWORK_INTERFACE) and target.urn not in nat:
                    yield (
                        f"{where}: gives {target.name} a public address (EC2.9), but it is no NAT instance. "
                        "Fix: keep instances private; public entry points are load balancers",
                        r.urn,
                    )


EC2_NOT_EXPOSED = stack_policy(
    name="ec2-instances-not-exposed",
    description=(
        "No public addresses on instances, launch templates, launch configurations or by subnet auto-assign, and source/destination"
        " checks on (EC2.9, EC2.15, EC2.25, EC2.180, AutoScaling.5); a NAT instance (a default route's target) is the exception."
    ),
    severity=Severity.HIGH,
    check=_exposure,
    remediation="Private subnets without auto-assigned public IPs; Elastic IPs and disabled source/destination checks only on NAT instances.",
)


# --- VPC: flow logs, default security group, network ACLs --------------------------------------


def _flow_logs(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    logs = [r for r in args.resources if r.resource_type == FLOW_LOG]
    for vpc in (r for r in args.resources if r.resource_type == VPC):
        if not any(_names(log, "vpcId", vpc) for log in logs):
            yield f"{label(vpc.resource_type, vpc.name)}: no flow log names this VPC (EC2.6). Fix: aws.ec2.FlowLog(vpc_id=<vpc>.id, traffic_type='ALL')", vpc.urn


VPC_FLOW_LOGS = stack_policy(
    name="vpc-flow-logs-enabled",
    description="Every VPC has a flow log (EC2.6).",
    severity=Severity.MEDIUM,
    check=_flow_logs,
    remediation="One aws.ec2.FlowLog per VPC into the logs key's log group (ProductionVpc does this).",
)


def _default_group(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    groups = [r for r in args.resources if r.resource_type == DEFAULT_SECURITY_GROUP]
    for group in groups:
        for direction in ("ingress", "egress"):
            rules = get(group.props, direction)
            if rules is not UNKNOWN and list(items(rules)):
                yield (
                    f"{label(group.resource_type, group.name)}: {direction} has rules, so anything left in the default group is reachable (EC2.2). "
                    f"Fix: {direction}=[]",
                    group.urn,
                )
    for vpc in (r for r in args.resources if r.resource_type == VPC):
        if not any(_names(g, "vpcId", vpc) for g in groups):
            yield (
                f"{label(vpc.resource_type, vpc.name)}: its default security group is not managed, so it keeps AWS's allow-all-within-group rules (EC2.2). "
                "Fix: aws.ec2.DefaultSecurityGroup(vpc_id=<vpc>.id, ingress=[], egress=[])",
                vpc.urn,
            )


VPC_DEFAULT_GROUP_CLOSED = stack_policy(
    name="vpc-default-security-group-closed",
    description="Every VPC's default security group is managed and has no rules (EC2.2).",
    severity=Severity.HIGH,
    check=_default_group,
    remediation="aws.ec2.DefaultSecurityGroup with ingress=[] and egress=[] per VPC.",
)


def _port(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _acl_entry_problem(protocol: Any, low: Any, high: Any, cidrs: list[Any]) -> Optional[str]:
    open_to = [c for c in cidrs if c in ANYWHERE]
    if not open_to or protocol is UNKNOWN:
        return None
    name = str(protocol).lower()
    if name in ("-1", "all"):
        return f"allows all traffic from {', '.join(open_to)}"
    if name not in ("tcp", "6"):
        return None
    first, last = _port(low), _port(high)
    if first is None or last is None:
        return None
    hit = [p for p in ADMIN_PORTS if first <= p <= last]
    return f"allows tcp {first}-{last} (admin port {hit}) from {', '.join(open_to)}" if hit else None


def _network_acls(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    fix = "Fix: admit 22/3389 only from inside the VPC (security groups do the rest)"
    if args.resource_type in NETWORK_ACLS:
        for index, entry in enumerate(items(get(props, "ingress"))):
            if get(entry, "action") != "allow":
                continue
            cidrs = [get(entry, "cidrBlock"), get(entry, "ipv6CidrBlock")]
            problem = _acl_entry_problem(get(entry, "protocol"), get(entry, "fromPort"), get(entry, "toPort"), cidrs)
            if problem:
                yield f"{where}: ingress[{index}] {problem} (EC2.21). {fix}"
    elif args.resource_type == NETWORK_ACL_RULE and not is_true(get(props, "egress")) and get(props, "ruleAction") == "allow":
        cidrs = [get(props, "cidrBlock"), get(props, "ipv6CidrBlock")]
        problem = _acl_entry_problem(get(props, "protocol"), get(props, "fromPort"), get(props, "toPort"), cidrs)
        if problem:
            yield f"{where}: {problem} (EC2.21). {fix}"


NETWORK_ACL_ADMIN_PORTS = resource_policy(
    name="network-acl-no-admin-ports-from-internet",
    description="No network ACL admits 0.0.0.0/0 or ::/0 to port 22 or 3389 (EC2.21), in inline entries or rule resources.",
    severity=Severity.HIGH,
    types=(*NETWORK_ACLS, NETWORK_ACL_RULE),
    check=_network_acls,
    remediation="Allow SSH/RDP only from VPC ranges, or not at all (SSM Session Manager).",
)


# --- EKS, ECR, Auto Scaling ----------------------------------------------------------------------


def _eks(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == EKS_COMPONENT:
        public = get(props, "endpointPublicAccess")
        logs = get(props, "enabledClusterLogTypes")
    else:
        public = get(props, "vpcConfig", "endpointPublicAccess")
        logs = get(props, "enabledClusterLogTypes")
    # Both default to a public endpoint when unset.
    if public is not UNKNOWN and (public is None or is_true(public)):
        shown = "not set (public by default)" if public is None else repr(public)
        yield f"{where}: endpointPublicAccess is {shown} (EKS.1). Fix: endpoint_public_access=False, endpoint_private_access=True"
    if logs is not UNKNOWN and "audit" not in [v for v in items(logs)]:
        yield f"{where}: enabledClusterLogTypes lacks 'audit' (EKS.8). Fix: enabled_cluster_log_types including 'audit'"


EKS_PRIVATE_AUDITED = resource_policy(
    name="eks-endpoint-private-audit-logged",
    description="EKS clusters have no public API endpoint and send audit logs to CloudWatch (EKS.1, EKS.8).",
    severity=Severity.HIGH,
    types=(EKS_COMPONENT, EKS_CLUSTER),
    check=_eks,
    remediation="endpoint_public_access=False, endpoint_private_access=True, enabled_cluster_log_types incl. 'audit'.",
)


def _ecr_lifecycle(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    policies = [r for r in args.resources if r.resource_type == ECR_LIFECYCLE]
    for repository in (r for r in args.resources if r.resource_type == ECR_REPOSITORY):
        if not any(_names(p, "repository", repository) for p in policies):
            yield (
                f"{label(repository.resource_type, repository.name)}: no lifecycle policy names this repository (ECR.3). "
                "Fix: aws.ecr.LifecyclePolicy(repository=<repo>.name, ...)",
                repository.urn,
            )


ECR_LIFECYCLE_POLICY = stack_policy(
    name="ecr-repository-lifecycle-policy",
    description="Every ECR repository has a lifecycle policy (ECR.3).",
    severity=Severity.MEDIUM,
    check=_ecr_lifecycle,
    remediation="One aws.ecr.LifecyclePolicy per repository (expire untagged images, keep the last N releases).",
)


def _asg(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    if get(props, "launchConfiguration") not in (None, ""):
        yield f"{label(args.resource_type, args.name)}: uses a launch configuration (AutoScaling.9). Fix: launch_template (or mixed_instances_policy)"


AUTOSCALING_LAUNCH_TEMPLATE = resource_policy(
    name="autoscaling-group-uses-launch-template",
    description="Auto Scaling groups launch from launch templates, not launch configurations (AutoScaling.9).",
    severity=Severity.MEDIUM,
    types=(AUTOSCALING_GROUP,),
    check=_asg,
    remediation="launch_template={id, version} or a mixed_instances_policy.",
)

POLICIES = [
    EC2_IMDSV2,
    EC2_NOT_EXPOSED,
    VPC_FLOW_LOGS,
    VPC_DEFAULT_GROUP_CLOSED,
    NETWORK_ACL_ADMIN_PORTS,
    EKS_PRIVATE_AUDITED,
    ECR_LIFECYCLE_POLICY,
    AUTOSCALING_LAUNCH_TEMPLATE,
]

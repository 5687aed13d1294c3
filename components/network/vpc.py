"""ProductionVpc: the seed's four-tier VPC ("7. Networking").

Public, private app, private DB and private ML subnets in each AZ; NAT by mode
(a gateway per AZ, one gateway, or one NAT instance); S3 and DynamoDB gateway
endpoints on every private route table; flow logs to a KMS-encrypted log group;
the default security group emptied; a DB-tier NACL that admits only the app and ML
tiers; subnet tags for EKS, the AWS Load Balancer Controller and Karpenter; and the
RDS and ElastiCache subnet groups the data layer uses.

Pure calculations (CIDRs, NACL rules) live in ``network_plan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags, allow, policy_document, service_assume_role_policy
from .plan import Tier, db_tier_nacl_rules
from .settings import INTERFACE_ENDPOINT_SERVICES, FlowLogSettings, NatInstanceSettings, NatMode

POSTGRES_PORT = 5432
REDIS_PORT = 6379
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")


@dataclass
class ProductionVpcArgs:
    """Inputs of :class:`ProductionVpc`."""

    region: str
    """AWS region; names the gateway endpoint services."""
    cidr_block: str
    """The VPC's IPv4 range, such as ``10.0.0.0/16``."""
    availability_zones: tuple[str, ...]
    """Two or three AZ names; subnets are created in this order."""
    subnets: dict[Tier, tuple[str, ...]]
    """Per tier, one CIDR per AZ (same order as ``availability_zones``)."""
    flow_log_kms_key_arn: pulumi.Input[str]
    """Customer-managed key for the flow-log group (its policy must admit CloudWatch Logs)."""
    account_id: pulumi.Input[str]
    """Account that owns the VPC; the flow-log role trusts only this account's deliveries."""
    cluster_name: str
    """EKS cluster name the subnets are tagged for (``kubernetes.io/cluster/...``, Karpenter)."""
    nat_mode: NatMode = NatMode.GATEWAY_PER_AZ
    """How private subnets reach the internet; the default survives an AZ outage."""
    nat_instance: NatInstanceSettings = NatInstanceSettings()
    """Type and image of the NAT instance when ``nat_mode`` is ``instance``."""
    nat_instance_kms_key_arn: Optional[pulumi.Input[str]] = None
    """Key for the NAT instance's root volume; the account's default EBS key when None."""
    flow_logs: FlowLogSettings = FlowLogSettings()
    """Retention, traffic type and aggregation of the VPC flow logs."""
    interface_endpoints: tuple[str, ...] = ()
    """Interface endpoints (``ecr.api``, ``ecr.dkr``, ``sts``, ...) in the app subnets, private DNS on,
    behind one security group that admits HTTPS from the VPC range only."""


class ProductionVpc(pulumi.ComponentResource):
    """The platform's VPC with its four subnet tiers."""

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    subnet_ids: dict[Tier, list[pulumi.Output[str]]]
    public_route_table_id: pulumi.Output[str]
    private_route_table_ids: dict[str, pulumi.Output[str]]
    db_subnet_group_name: pulumi.Output[str]
    cache_subnet_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: ProductionVpcArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:network:ProductionVpc", name, None, opts)
        tags = ComponentTags("network")
        child = pulumi.ResourceOptions(parent=self)

        self.vpc = aws.ec2.Vpc(
            name,
            cidr_block=args.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tags(name),
            opts=child,
        )
        vpc_child = pulumi.ResourceOptions(parent=self.vpc)

        # Emptying the default security group means nothing lands in it by accident with open rules.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=tags(f"{name}-default-locked"),
            opts=vpc_child,
        )

        self.subnets: dict[Tier, dict[str, aws.ec2.Subnet]] = {tier: {} for tier in Tier}
        for tier in Tier:
            for az, cidr in zip(args.availability_zones, args.subnets[tier]):
                subnet_name = f"{name}-{tier.value}-{az}"
                self.subnets[tier][az] = aws.ec2.Subnet(
                    subnet_name,
                    vpc_id=self.vpc.id,
                    cidr_block=cidr,
                    availability_zone=az,
                    # Nothing gets a public address by default, not even in public subnets:
                    # the ALB and NAT get theirs explicitly.
                    map_public_ip_on_launch=False,
                    tags=tags(subnet_name, subnet_discovery_tags(tier, args.cluster_name)),
                    opts=vpc_child,
                )

        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=tags(f"{name}-igw"), opts=vpc_child)
        public_rt = aws.ec2.RouteTable(f"{name}-public", vpc_id=self.vpc.id, tags=tags(f"{name}-public"), opts=vpc_child)
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=pulumi.ResourceOptions(parent=public_rt),
        )
        for az, subnet in self.subnets[Tier.PUBLIC].items():
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{az}",
                route_table_id=public_rt.id,
                subnet_id=subnet.id,
                opts=pulumi.ResourceOptions(parent=subnet),
            )

        # One private route table per AZ, shared by that AZ's app, DB and ML subnets.
        private_rts: dict[str, aws.ec2.RouteTable] = {}
        for az in args.availability_zones:
            rt_name = f"{name}-private-{az}"
            private_rts[az] = aws.ec2.RouteTable(rt_name, vpc_id=self.vpc.id, tags=tags(rt_name), opts=vpc_child)
            for tier in (Tier.APP, Tier.DB, Tier.ML):
                aws.ec2.RouteTableAssociation(
                    f"{name}-{tier.value}-{az}",
                    route_table_id=private_rts[az].id,
                    subnet_id=self.subnets[tier][az].id,
                    opts=pulumi.ResourceOptions(parent=self.subnets[tier][az]),
                )

        self.nat_gateways: dict[str, aws.ec2.NatGateway] = {}
        self.nat_instance: Optional[aws.ec2.Instance] = None
        if args.nat_mode is NatMode.INSTANCE:
            self._nat_instance(name, args, tags, private_rts)
        else:
            self._nat_gateways(name, args, tags, private_rts)

        for service in GATEWAY_ENDPOINT_SERVICES:
            aws.ec2.VpcEndpoint(
                f"{name}-{service}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[rt.id for rt in private_rts.values()],
                tags=tags(f"{name}-{service}"),
                opts=vpc_child,
            )

        if args.interface_endpoints:
            self._interface_endpoints(name, args, tags)
        self._flow_logs(name, args, tags)
        self._db_tier_acl(name, args, tags)

        db_subnet_ids = [s.id for s in self.subnets[Tier.DB].values()]
        self.db_subnet_group = aws.rds.SubnetGroup(
            f"{name}-db",
            description=f"{name}: private DB tier",
            subnet_ids=db_subnet_ids,
            tags=tags(f"{name}-db"),
            opts=vpc_child,
        )
        self.cache_subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-cache",
            description=f"{name}: private DB tier",
            subnet_ids=db_subnet_ids,
            tags=tags(f"{name}-cache"),
            opts=vpc_child,
        )

        self.vpc_id = self.vpc.id
        self.vpc_cidr = self.vpc.cidr_block
        self.subnet_ids = {tier: [s.id for s in by_az.values()] for tier, by_az in self.subnets.items()}
        self.public_route_table_id = public_rt.id
        self.private_route_table_ids = {az: rt.id for az, rt in private_rts.items()}
        self.db_subnet_group_name = self.db_subnet_group.name
        self.cache_subnet_group_name = self.cache_subnet_group.name
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "vpc_cidr": self.vpc_cidr,
                "subnet_ids": {tier.value: ids for tier, ids in self.subnet_ids.items()},
                "public_route_table_id": self.public_route_table_id,
                "private_route_table_ids": self.private_route_table_ids,
                "db_subnet_group_name": self.db_subnet_group_name,
                "cache_subnet_group_name": self.cache_subnet_group_name,
            }
        )

    def _nat_gateways(
        self, name: str, args: ProductionVpcArgs, tags: ComponentTags, private_rts: dict[str, aws.ec2.RouteTable]
    ) -> None:
        per_az = args.nat_mode is NatMode.GATEWAY_PER_AZ
        gateway_azs = args.availability_zones if per_az else args.availability_zones[:1]
        for az in gateway_azs:
            public_subnet = self.subnets[Tier.PUBLIC][az]
            eip = aws.ec2.Eip(f"{name}-nat-{az}", domain="vpc", tags=tags(f"{name}-nat-{az}"), opts=pulumi.ResourceOptions(parent=public_subnet))
            self.nat_gateways[az] = aws.ec2.NatGateway(
                f"{name}-nat-{az}",
                allocation_id=eip.allocation_id,
                subnet_id=public_subnet.id,
                connectivity_type="public",
                tags=tags(f"{name}-nat-{az}"),
                opts=pulumi.ResourceOptions(parent=public_subnet),
            )
        for az, rt in private_rts.items():
            nat = self.nat_gateways[az if per_az else gateway_azs[0]]
            aws.ec2.Route(
                f"{name}-private-{az}-internet",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=pulumi.ResourceOptions(parent=rt),
            )

    def _nat_instance(
        self, name: str, args: ProductionVpcArgs, tags: ComponentTags, private_rts: dict[str, aws.ec2.RouteTable]
    ) -> None:
        az = args.availability_zones[0]
        public_subnet = self.subnets[Tier.PUBLIC][az]
        nat_name = f"{name}-nat-{az}"
        sg = aws.ec2.SecurityGroup(
            nat_name,
            description="NAT instance: forwards traffic from inside the VPC only",
            vpc_id=self.vpc.id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="everything from inside the VPC",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=[args.cidr_block],
                )
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="forwarded traffic to the internet",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    cidr_blocks=["0.0.0.0/0"],
                )
            ],
            tags=tags(nat_name),
            opts=pulumi.ResourceOptions(parent=self.vpc),
        )
        ami = aws.ec2.get_ami_output(
            owners=[args.nat_instance.ami_owner],
            most_recent=True,
            filters=[
                aws.ec2.GetAmiFilterArgs(name="name", values=[args.nat_instance.ami_name_pattern]),
                aws.ec2.GetAmiFilterArgs(name="architecture", values=["arm64"]),
            ],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.nat_instance = aws.ec2.Instance(
            nat_name,
            ami=ami.id,
            instance_type=args.nat_instance.instance_type,
            subnet_id=public_subnet.id,
            vpc_security_group_ids=[sg.id],
            # A NAT forwards packets that are neither from nor to itself.
            source_dest_check=False,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                encrypted=True, kms_key_id=args.nat_instance_kms_key_arn, volume_type="gp3"
            ),
            tags=tags(nat_name),
            opts=pulumi.ResourceOptions(parent=public_subnet),
        )
        aws.ec2.Eip(
            nat_name,
            domain="vpc",
            instance=self.nat_instance.id,
            tags=tags(nat_name),
            opts=pulumi.ResourceOptions(parent=self.nat_instance),
        )
        for rt_az, rt in private_rts.items():
            aws.ec2.Route(
                f"{name}-private-{rt_az}-internet",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                network_interface_id=self.nat_instance.primary_network_interface_id,
                opts=pulumi.ResourceOptions(parent=rt),
            )

    def _interface_endpoints(self, name: str, args: ProductionVpcArgs, tags: ComponentTags) -> None:
        """Private paths to AWS APIs: image pulls and STS without the NAT's per-GB charge or the internet."""
        sg_name = f"{name}-endpoints"
        sg = aws.ec2.SecurityGroup(
            sg_name,
            description=f"{name}: interface endpoints; HTTPS from the VPC range only",
            vpc_id=self.vpc.id,
            tags=tags(sg_name),
            opts=pulumi.ResourceOptions(parent=self.vpc),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{sg_name}-https",
            security_group_id=sg.id,
            description="HTTPS from inside the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=args.cidr_block,
            tags=tags(f"{sg_name}-https"),
            opts=pulumi.ResourceOptions(parent=sg),
        )
        app_subnets = [self.subnets[Tier.APP][az].id for az in args.availability_zones]
        self.interface_endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for service in args.interface_endpoints:
            endpoint_name = f"{name}-{service.replace('.', '-')}"
            self.interface_endpoints[service] = aws.ec2.VpcEndpoint(
                endpoint_name,
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                # One ENI per AZ; private DNS makes the service's public name resolve to them VPC-wide.
                subnet_ids=app_subnets,
                security_group_ids=[sg.id],
                private_dns_enabled=True,
                tags=tags(endpoint_name),
                opts=pulumi.ResourceOptions(parent=self.vpc),
            )

    def _flow_logs(self, name: str, args: ProductionVpcArgs, tags: ComponentTags) -> None:
        log_name = f"{name}-flow-logs"
        group = aws.cloudwatch.LogGroup(
            log_name,
            retention_in_days=args.flow_logs.retention_days,
            kms_key_id=args.flow_log_kms_key_arn,
            tags=tags(log_name),
            opts=pulumi.ResourceOptions(parent=self.vpc),
        )
        role = aws.iam.Role(
            log_name,
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: service_assume_role_policy("vpc-flow-logs.amazonaws.com", source_account=account)
            ),
            tags=tags(log_name),
            opts=pulumi.ResourceOptions(parent=group),
        )
        aws.iam.RolePolicy(
            log_name,
            role=role.id,
            policy=group.arn.apply(
                lambda arn: policy_document(
                    [
                        allow(
                            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            [arn, f"{arn}:*"],
                        )
                    ]
                )
            ),
            opts=pulumi.ResourceOptions(parent=role),
        )
        aws.ec2.FlowLog(
            log_name,
            vpc_id=self.vpc.id,
            traffic_type=args.flow_logs.traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=args.flow_logs.aggregation_interval_seconds,
            tags=tags(log_name),
            opts=pulumi.ResourceOptions(parent=self.vpc),
        )

    def _db_tier_acl(self, name: str, args: ProductionVpcArgs, tags: ComponentTags) -> None:
        rules = db_tier_nacl_rules(
            client_cidrs=list(args.subnets[Tier.APP]) + list(args.subnets[Tier.ML]),
            db_cidrs=list(args.subnets[Tier.DB]),
            service_ports=[POSTGRES_PORT, REDIS_PORT],
        )

        acl_name = f"{name}-db"
        aws.ec2.NetworkAcl(
            acl_name,
            vpc_id=self.vpc.id,
            subnet_ids=[s.id for s in self.subnets[Tier.DB].values()],
            ingress=[
                aws.ec2.NetworkAclIngressArgs(
                    rule_no=r.rule_number, protocol=r.protocol, action=r.action,
                    cidr_block=r.cidr_block, from_port=r.from_port, to_port=r.to_port,
                )
                for r in rules
                if not r.egress
            ],
            egress=[
                aws.ec2.NetworkAclEgressArgs(
                    rule_no=r.rule_number, protocol=r.protocol, action=r.action,
                    cidr_block=r.cidr_block, from_port=r.from_port, to_port=r.to_port,
                )
                for r in rules
                if r.egress
            ],
            tags=tags(acl_name),
            opts=pulumi.ResourceOptions(parent=self.vpc),
        )


def subnet_discovery_tags(tier: Tier, cluster_name: str) -> dict[str, str]:
    """Tags that EKS, the AWS Load Balancer Controller and Karpenter select subnets by.

    App subnets carry ``karpenter.sh/discovery=<cluster>`` and ML subnets
    ``<cluster>-gpu`` so that general and GPU node classes pick different tiers.
    """
    tags = {"Tier": tier.value}
    if tier is Tier.PUBLIC:
        tags["kubernetes.io/role/elb"] = "1"
    if tier in (Tier.PUBLIC, Tier.APP, Tier.ML):
        tags[f"kubernetes.io/cluster/{cluster_name}"] = "shared"
    if tier is Tier.APP:
        tags["kubernetes.io/role/internal-elb"] = "1"
        tags["karpenter.sh/discovery"] = cluster_name
    if tier is Tier.ML:
        tags["karpenter.sh/discovery"] = f"{cluster_name}-gpu"
    return tags


def _check_args(args: ProductionVpcArgs) -> None:
    """Reject inconsistent inputs before any child exists."""
    unknown = sorted(set(args.interface_endpoints) - set(INTERFACE_ENDPOINT_SERVICES))
    if unknown:
        raise ValueError(f"ProductionVpc: no interface endpoint service {unknown}; known: {INTERFACE_ENDPOINT_SERVICES}")
    count = len(args.availability_zones)
    if count not in (2, 3):
        raise ValueError(f"ProductionVpc needs 2 or 3 availability zones, got {count}")
    for tier in Tier:
        if len(args.subnets.get(tier, ())) != count:
            raise ValueError(f"ProductionVpc needs one {tier.value} subnet per AZ ({count}), got {args.subnets.get(tier)}")

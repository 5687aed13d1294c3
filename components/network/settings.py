"""``betterprompts:network``: the VPC, its subnet tiers, NAT and flow logs."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import Enum

from ..platform import (
    ConfigError,
    Section,
    availability_zones,
    by_size,
    check_log_retention,
    check_offered,
    check_priced,
    check_string,
    ec2_instance_types,
    ec2_unpriced,
    known_shape,
    parse_cidr,
    priced_ec2_instance_types,
)
from .plan import Tier, default_subnet_cidrs, find_subnet_plan_error

class NatMode(str, Enum):
    """How private subnets reach the internet."""

    GATEWAY_PER_AZ = "gateway_per_az"
    """One managed NAT gateway per AZ; an AZ outage strands no other AZ (production)."""
    SINGLE_GATEWAY = "single_gateway"
    """One managed NAT gateway for every AZ."""
    INSTANCE = "instance"
    """One small NAT instance (the seed's $45-vs-$135 saving for staging)."""


# An availability zone ID (use1-az1, usw2-az4), as opposed to a zone name (us-east-1a).
_ZONE_ID = re.compile(r"^[a-z]{2,5}\d-az\d+$")

# CreateSubnet takes IPv4 blocks from /16 to /28; an Application Load Balancer's subnets must be
# a /27 or larger with 8 free addresses (ELB user guide, "Subnets for your load balancer").
AWS_SUBNET_PREFIXES = (16, 28)
MIN_SUBNET_PREFIX = {Tier.PUBLIC: 27}


@dataclass(frozen=True)
class FlowLogSettings:
    retention_days: int = 365
    """Days CloudWatch Logs keeps the VPC flow logs (a CloudWatch Logs retention value)."""
    traffic_type: str = "ALL"
    """ACCEPT, REJECT or ALL (the spec asks for all traffic)."""
    aggregation_interval_seconds: int = 600
    """60 or 600: finer records cost more log volume."""


@dataclass(frozen=True)
class NatInstanceSettings:
    instance_type: str = "t4g.nano"
    """An ARM (Graviton) type: the fck-nat image is built for arm64."""
    ami_name_pattern: str = "fck-nat-al2023-*-arm64-ebs"
    ami_owner: str = "568608671756"
    """The AWS account that publishes the fck-nat images."""


# Interface endpoints the private subnets can use instead of the NAT path (AWS service names
# after com.amazonaws.<region>.): image pulls (ecr.api + ecr.dkr, with the S3 gateway endpoint
# for layers), IRSA token exchange (sts), and the APIs the cluster's controllers call.
INTERFACE_ENDPOINT_SERVICES = (
    "ecr.api", "ecr.dkr", "sts", "logs", "ec2", "elasticloadbalancing", "autoscaling", "sqs", "eks",
    "eks-auth", "ssm", "ssmmessages", "ec2messages", "secretsmanager", "kms", "sagemaker.runtime",
)


@dataclass(frozen=True)
class NetworkSettings:
    vpc_cidr: str
    availability_zones: tuple[str, ...]
    subnets: dict[Tier, tuple[str, ...]]
    """Subnet CIDRs per tier, in the order of ``availability_zones``."""
    nat_mode: NatMode
    nat_instance: NatInstanceSettings
    flow_logs: FlowLogSettings
    interface_endpoints: tuple[str, ...] = ()
    """Interface VPC endpoints in the app subnets (``ecr.api``, ``ecr.dkr``, ``sts``, ...)."""

    def subnet(self, tier: Tier, az: str) -> str:
        return self.subnets[tier][self.availability_zones.index(az)]

    @staticmethod
    def read(section: Section, region: str) -> "NetworkSettings":
        vpc = section.cidr("vpcCidr")
        if not 16 <= vpc.prefixlen <= 20:
            raise ConfigError(section.key("vpcCidr"), str(vpc), "a prefix length from /16 to /20")

        def az_name(key: str, value: object) -> str:
            zones = availability_zones(region)
            name = check_string(key, value)
            if _ZONE_ID.match(name):
                # Zone IDs (use1-az1) name one physical zone in every account; zone names map to a
                # different physical zone per account. Subnets, prices and the zone list here use names.
                raise ConfigError(
                    key,
                    value,
                    f"an availability zone name of {region} (" + ", ".join(zones) + "), not a zone ID: find the name "
                    f"of {name} in this account with `aws ec2 describe-availability-zones --zone-ids {name}`",
                )
            if name not in zones:
                raise ConfigError(key, value, f"an availability zone of {region}: " + ", ".join(zones))
            return name

        # The region's first three zones: a survey's stand-in for a missing list, so that it reads on.
        azs = section.strings("availabilityZones", item=az_name, example=availability_zones(region)[:3])
        if len(azs) not in (2, 3):
            raise ConfigError(section.key("availabilityZones"), list(azs), "2 or 3 availability zones")
        if len(set(azs)) != len(azs):
            raise ConfigError(section.key("availabilityZones"), list(azs), "distinct zones")

        subnets = _read_subnets(section, vpc, len(azs))

        nat_mode_key = section.string("natMode", NatMode.GATEWAY_PER_AZ.value, choices=[m.value for m in NatMode])
        nat_section = section.child("natInstance", {})
        nat_instance = NatInstanceSettings(
            instance_type=nat_section.string("instanceType", NatInstanceSettings.instance_type),
            ami_name_pattern=nat_section.string("amiNamePattern", NatInstanceSettings.ami_name_pattern),
            ami_owner=nat_section.string("amiOwner", NatInstanceSettings.ami_owner),
        )
        _check_nat_instance_type(nat_section.key("instanceType"), nat_instance, region)
        if nat_mode_key == NatMode.INSTANCE.value:
            # preflight prices the NAT instance's hours: a type without a price fails its cost stage.
            check_priced(
                nat_section.key("instanceType"), nat_instance.instance_type, _nat_instance_types(nat_instance, region),
                region=region, what="an instance type", variants="on-demand, of the image's architecture", offered_by="EC2",
                why=ec2_unpriced(nat_instance.instance_type, region),
            )
        nat_section.finish()

        logs = section.child("flowLogs", {})
        retention = check_log_retention(logs.key("retentionDays"), logs.integer("retentionDays", FlowLogSettings.retention_days))
        flow_logs = FlowLogSettings(
            retention_days=retention,
            traffic_type=logs.string("trafficType", "ALL", choices=("ALL", "ACCEPT", "REJECT")),
            aggregation_interval_seconds=logs.integer("aggregationIntervalSeconds", 600),
        )
        if flow_logs.aggregation_interval_seconds not in (60, 600):
            raise ConfigError(
                logs.key("aggregationIntervalSeconds"), flow_logs.aggregation_interval_seconds, "60 or 600"
            )
        logs.finish()

        def endpoint_service(key: str, value: object) -> str:
            if value not in INTERFACE_ENDPOINT_SERVICES:
                raise ConfigError(key, value, "one of " + ", ".join(INTERFACE_ENDPOINT_SERVICES))
            return str(value)

        endpoints = section.strings("interfaceEndpoints", (), item=endpoint_service)
        if len(set(endpoints)) != len(endpoints):
            raise ConfigError(section.key("interfaceEndpoints"), list(endpoints), "each service once")
        if ("ecr.api" in endpoints) != ("ecr.dkr" in endpoints):
            raise ConfigError(section.key("interfaceEndpoints"), list(endpoints), "ecr.api and ecr.dkr together (an image pull needs both)")
        section.finish()
        return NetworkSettings(
            vpc_cidr=str(vpc),
            availability_zones=azs,
            subnets=subnets,
            nat_mode=NatMode(nat_mode_key),
            nat_instance=nat_instance,
            flow_logs=flow_logs,
            interface_endpoints=endpoints,
        )


# The image architectures fck-nat publishes, as they appear in its AMI names, in the EC2 shape table's terms.
_AMI_ARCHITECTURES = {"arm64": "arm64", "x86_64": "amd64"}


def _nat_instance_types(nat: NatInstanceSettings, region: str) -> tuple[str, ...]:
    """The priced EC2 types ``nat``'s image runs on in ``region``."""

    def usable(instance_type: str) -> bool:
        try:
            _check_nat_instance_type("", NatInstanceSettings(instance_type, nat.ami_name_pattern, nat.ami_owner), region)
        except ConfigError:
            return False
        return True

    return tuple(t for t in by_size(priced_ec2_instance_types(region)) if usable(t))


def _check_nat_instance_type(key: str, nat: NatInstanceSettings, region: str) -> None:
    """A type the region offers, of the architecture the NAT image is built for (EC2 refuses a mismatch)."""
    check_offered(key, nat.instance_type, ec2_instance_types(region), f"an EC2 instance type offered in {region} (AWS's published list)")
    image_arch = next((arch for word, arch in _AMI_ARCHITECTURES.items() if word in nat.ami_name_pattern), None)
    # A type without an architecture fact is refused, not assumed to match the image (EC2 refuses a mismatch at launch).
    shape = known_shape(key, nat.instance_type, f"an instance type of the image's architecture ({image_arch or 'per amiNamePattern'})")
    if image_arch is not None and shape.architecture != image_arch:
        raise ConfigError(
            key,
            nat.instance_type,
            f"an instance type of the image's architecture ({image_arch}: {key.rsplit('.', 1)[0]}.amiNamePattern {nat.ami_name_pattern!r}), "
            f"not {shape.architecture}",
        )


def _read_subnets(section: Section, vpc: ipaddress.IPv4Network, az_count: int) -> dict[Tier, tuple[str, ...]]:
    """Explicit CIDRs per tier, or the seed's layout for this VPC when a tier is left out."""
    defaults = default_subnet_cidrs(str(vpc), az_count) if vpc.prefixlen <= 18 else None
    tiers = section.child("subnets", {})
    parsed: dict[Tier, tuple[ipaddress.IPv4Network, ...]] = {}
    for tier in Tier:
        if not tiers.has(tier.value) and defaults is None:
            raise tiers.absent(tier.value, f"{az_count} CIDR blocks (the VPC is too small for the default layout)")
        default = list(defaults[tier]) if defaults else None
        blocks = tiers.strings(
            tier.value,
            default,
            item=parse_cidr,
        )
        if len(blocks) != az_count:
            raise ConfigError(tiers.key(tier.value), [str(b) for b in blocks], f"exactly {az_count} CIDR blocks, one per availability zone")
        parsed[tier] = blocks
    tiers.finish()
    for tier, blocks in parsed.items():
        smallest = MIN_SUBNET_PREFIX.get(tier, AWS_SUBNET_PREFIXES[1])
        for index, block in enumerate(blocks):
            if not AWS_SUBNET_PREFIXES[0] <= block.prefixlen <= smallest:
                raise ConfigError(
                    f"{tiers.key(tier.value)}[{index}]",
                    str(block),
                    f"a block from /{AWS_SUBNET_PREFIXES[0]} to /{smallest}"
                    + (" (load balancers need a /27 or larger)" if tier in MIN_SUBNET_PREFIX else " (AWS's subnet sizes)"),
                )
    problem = find_subnet_plan_error(vpc, parsed)
    if problem and not section.stand_in("vpcCidr"):  # a survey's stand-in VPC says nothing of the subnets
        tier, index, allowed = problem
        # Name the other key of the pair too: the VPC range, or the subnet this one overlaps.
        if allowed.startswith("a block inside the VPC range"):
            allowed += f" ({section.key('vpcCidr')})"
        for other in Tier:
            allowed = allowed.replace(f"overlap {other.value}[", f"overlap {tiers.key(other.value)}[")
        raise ConfigError(f"{tiers.key(tier.value)}[{index}]", str(parsed[tier][index]), allowed)
    return {tier: tuple(str(block) for block in blocks) for tier, blocks in parsed.items()}


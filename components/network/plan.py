"""Pure calculations for the VPC: subnet CIDR plans and the DB-tier NACL rules.

Nothing here touches Pulumi, so every function is unit-tested directly.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import Enum


class Tier(str, Enum):
    """The four subnet tiers of the seed's VPC design, in layout order."""

    PUBLIC = "public"
    APP = "app"
    DB = "db"
    ML = "ml"

    @property
    def is_private(self) -> bool:
        return self is not Tier.PUBLIC


# The seed numbers tier subnets 10.0.1-3 (public), .11-13 (app), .21-23 (db), .31-33 (ml):
# the tier's tens digit plus the AZ's position (1-based), each a /24 of the /16.
SEED_TIER_BASE: dict[Tier, int] = {Tier.PUBLIC: 0, Tier.APP: 10, Tier.DB: 20, Tier.ML: 30}
SEED_SUBNET_PREFIX = 24


def default_subnet_cidrs(vpc_cidr: str, az_count: int) -> dict[Tier, tuple[str, ...]]:
    """The seed's layout for any VPC: tier base + AZ position, as /24 blocks.

    For 10.0.0.0/16 and 3 AZs this is exactly the seed's twelve subnets.
    """
    vpc = ipaddress.IPv4Network(vpc_cidr)
    if vpc.prefixlen > 18:
        raise ValueError(f"VPC {vpc_cidr} is too small for the seed layout (needs /18 or larger)")
    blocks = list(vpc.subnets(new_prefix=SEED_SUBNET_PREFIX))
    return {
        tier: tuple(str(blocks[base + position + 1]) for position in range(az_count))
        for tier, base in SEED_TIER_BASE.items()
    }


def find_subnet_plan_error(
    vpc_cidr: ipaddress.IPv4Network, subnets: dict[Tier, tuple[ipaddress.IPv4Network, ...]]
) -> tuple[Tier, int, str] | None:
    """The first problem in a subnet plan as (tier, index, reason), or None.

    Checks that each subnet lies inside the VPC and that no two subnets overlap.
    """
    placed: list[tuple[Tier, int, ipaddress.IPv4Network]] = []
    for tier, cidrs in subnets.items():
        for index, cidr in enumerate(cidrs):
            if not cidr.subnet_of(vpc_cidr):
                return tier, index, f"a block inside the VPC range {vpc_cidr}"
            for other_tier, other_index, other in placed:
                if cidr.overlaps(other):
                    return (
                        tier,
                        index,
                        f"a block that does not overlap {other_tier.value}[{other_index}] ({other})",
                    )
            placed.append((tier, index, cidr))
    return None


@dataclass(frozen=True)
class NaclRule:
    """One network ACL entry, as the EC2 API takes it."""

    rule_number: int
    egress: bool
    protocol: str
    cidr_block: str
    from_port: int
    to_port: int
    action: str = "allow"


EPHEMERAL_PORTS = (1024, 65535)


def db_tier_nacl_rules(
    client_cidrs: list[str], db_cidrs: list[str], service_ports: list[int]
) -> list[NaclRule]:
    """Rules that admit the DB tier's clients and nothing else.

    Inbound: each service port from each client subnet; everything from the DB
    subnets themselves (replication between ElastiCache shards and replicas runs on
    6379 and the 16379 cluster bus, across DB subnets); ephemeral return traffic from
    the clients. Outbound mirrors that. Anything unmatched hits the NACL's implicit deny.
    Rule numbers go up in steps of 10 so a rule can be slotted in later.
    """
    rules: list[NaclRule] = []
    for egress in (False, True):
        number = 100
        entries: list[tuple[str, str, int, int]] = []
        if not egress:
            for port in service_ports:
                entries += [("tcp", cidr, port, port) for cidr in client_cidrs]
        entries += [("-1", cidr, 0, 0) for cidr in db_cidrs]
        entries += [("tcp", cidr, *EPHEMERAL_PORTS) for cidr in client_cidrs]
        for protocol, cidr, low, high in entries:
            rules.append(NaclRule(number, egress, protocol, cidr, low, high))
            number += 10
    return rules

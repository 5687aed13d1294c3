"""The pure network calculations: the seed's subnet layout and the DB-tier NACL rules."""

import ipaddress

from components.network.plan import Tier, db_tier_nacl_rules, default_subnet_cidrs, find_subnet_plan_error

SEED = {
    Tier.PUBLIC: ("10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"),
    Tier.APP: ("10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"),
    Tier.DB: ("10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"),
    Tier.ML: ("10.0.31.0/24", "10.0.32.0/24", "10.0.33.0/24"),
}


def nets(plan: dict[Tier, tuple[str, ...]]) -> dict[Tier, tuple[ipaddress.IPv4Network, ...]]:
    return {tier: tuple(ipaddress.IPv4Network(c) for c in cidrs) for tier, cidrs in plan.items()}


def test_default_layout_is_the_seeds_for_its_vpc() -> None:
    assert default_subnet_cidrs("10.0.0.0/16", 3) == SEED


def test_default_layout_for_two_azs_and_another_range() -> None:
    assert default_subnet_cidrs("10.1.0.0/16", 2) == {
        Tier.PUBLIC: ("10.1.1.0/24", "10.1.2.0/24"),
        Tier.APP: ("10.1.11.0/24", "10.1.12.0/24"),
        Tier.DB: ("10.1.21.0/24", "10.1.22.0/24"),
        Tier.ML: ("10.1.31.0/24", "10.1.32.0/24"),
    }


def test_seed_plan_has_no_error() -> None:
    assert find_subnet_plan_error(ipaddress.IPv4Network("10.0.0.0/16"), nets(SEED)) is None


def test_subnet_outside_the_vpc_is_found() -> None:
    plan = dict(SEED)
    plan[Tier.ML] = ("10.0.31.0/24", "10.0.32.0/24", "10.9.33.0/24")
    assert find_subnet_plan_error(ipaddress.IPv4Network("10.0.0.0/16"), nets(plan)) == (
        Tier.ML,
        2,
        "a block inside the VPC range 10.0.0.0/16",
    )


def test_overlapping_subnets_are_found() -> None:
    plan = dict(SEED)
    plan[Tier.DB] = ("10.0.21.0/24", "10.0.11.128/25", "10.0.23.0/24")
    tier, index, reason = find_subnet_plan_error(ipaddress.IPv4Network("10.0.0.0/16"), nets(plan)) or (None, None, "")
    assert (tier, index) == (Tier.DB, 1)
    assert "app[0] (10.0.11.0/24)" in reason


def test_db_nacl_admits_only_clients_on_service_ports() -> None:
    rules = db_tier_nacl_rules(["10.0.11.0/24", "10.0.31.0/24"], ["10.0.21.0/24"], [5432, 6379])
    inbound = [(r.rule_number, r.protocol, r.cidr_block, r.from_port, r.to_port) for r in rules if not r.egress]
    outbound = [(r.rule_number, r.protocol, r.cidr_block, r.from_port, r.to_port) for r in rules if r.egress]
    assert inbound == [
        (100, "tcp", "10.0.11.0/24", 5432, 5432),
        (110, "tcp", "10.0.31.0/24", 5432, 5432),
        (120, "tcp", "10.0.11.0/24", 6379, 6379),
        (130, "tcp", "10.0.31.0/24", 6379, 6379),
        (140, "-1", "10.0.21.0/24", 0, 0),
        (150, "tcp", "10.0.11.0/24", 1024, 65535),
        (160, "tcp", "10.0.31.0/24", 1024, 65535),
    ]
    assert outbound == [
        (100, "-1", "10.0.21.0/24", 0, 0),
        (110, "tcp", "10.0.11.0/24", 1024, 65535),
        (120, "tcp", "10.0.31.0/24", 1024, 65535),
    ]
    assert all(r.action == "allow" and r.cidr_block != "0.0.0.0/0" for r in rules)

"""Stack config -> typed settings: the good path for both stacks, and every kind of bad value.

A bad value must fail before any resource is registered, with one message naming the
config key, the value and what is allowed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.network.plan import Tier
from components.platform.config import Section
from components.settings import ConfigError, NatMode, load_settings
from preflight.harness import read_stack_config, run_stack


def config(stack: str) -> dict[str, Any]:
    return read_stack_config(stack)[0]


def with_network(stack: str, **changes: Any) -> dict[str, Any]:
    cfg = copy.deepcopy(config(stack))
    cfg["betterprompts:network"].update(changes)
    return cfg


def test_production_settings_are_the_seeds() -> None:
    s = load_settings(config("production"), project="betterprompts", stack="production")
    assert s.region == "us-east-1"
    assert s.network.vpc_cidr == "10.0.0.0/16"
    assert s.network.availability_zones == ("us-east-1a", "us-east-1b", "us-east-1c")
    assert s.network.subnets[Tier.DB] == ("10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24")
    assert s.network.nat_mode is NatMode.GATEWAY_PER_AZ
    assert s.network.flow_logs.retention_days == 365
    assert s.platform.protect_stateful is True


def test_staging_settings_save_on_nat_and_protection() -> None:
    s = load_settings(config("staging"), project="betterprompts", stack="staging")
    assert s.network.vpc_cidr == "10.1.0.0/16"
    assert s.network.nat_mode is NatMode.INSTANCE
    assert s.network.nat_instance.instance_type == "t4g.nano"
    assert s.platform.protect_stateful is False


def test_structured_values_may_arrive_as_json_text() -> None:
    import json

    cfg = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config("production").items()}
    assert load_settings(cfg, project="betterprompts", stack="production").network.vpc_cidr == "10.0.0.0/16"


def test_subnets_default_to_the_seed_layout_for_the_vpc() -> None:
    cfg = with_network("staging")
    del cfg["betterprompts:network"]["subnets"]
    s = load_settings(cfg, project="betterprompts", stack="staging")
    assert s.network.subnets[Tier.ML] == ("10.1.31.0/24", "10.1.32.0/24", "10.1.33.0/24")


BAD: list[tuple[str, dict[str, Any], str, Any, str]] = [
    # (case, network changes, key in message, value in message, allowed text in message)
    ("unknown NAT mode", {"natMode": "nat_gateway"}, "betterprompts:network.natMode", "nat_gateway",
     "one of gateway_per_az, single_gateway, instance"),
    ("CIDR that does not parse", {"vpcCidr": "10.0.0.0/33"}, "betterprompts:network.vpcCidr", "10.0.0.0/33",
     "an IPv4 CIDR block"),
    ("CIDR with host bits", {"vpcCidr": "10.0.0.1/16"}, "betterprompts:network.vpcCidr", "10.0.0.1/16",
     "host bits zero"),
    ("one AZ", {"availabilityZones": ["us-east-1a"]}, "betterprompts:network.availabilityZones", ["us-east-1a"],
     "2 or 3 availability zones"),
    ("four AZs", {"availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]},
     "betterprompts:network.availabilityZones", ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"],
     "2 or 3 availability zones"),
    ("AZ of another region", {"availabilityZones": ["us-east-1a", "us-west-2b", "us-east-1c"]},
     "betterprompts:network.availabilityZones[1]", "us-west-2b", "an availability zone of us-east-1"),
    ("subnet outside the VPC", {"subnets": {"public": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
                                             "app": ["10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"],
                                             "db": ["10.0.21.0/24", "10.0.22.0/24", "192.168.23.0/24"],
                                             "ml": ["10.0.31.0/24", "10.0.32.0/24", "10.0.33.0/24"]}},
     "betterprompts:network.subnets.db[2]", "192.168.23.0/24", "a block inside the VPC range 10.0.0.0/16"),
    ("overlapping subnets", {"subnets": {"public": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
                                          "app": ["10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"],
                                          "db": ["10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"],
                                          "ml": ["10.0.31.0/24", "10.0.0.0/22", "10.0.33.0/24"]}},
     "betterprompts:network.subnets.ml[1]", "10.0.0.0/22", "does not overlap betterprompts:network.subnets.public[0] (10.0.1.0/24)"),
    ("too few subnets for the AZs", {"subnets": {"public": ["10.0.1.0/24", "10.0.2.0/24"]}},
     "betterprompts:network.subnets.public", ["10.0.1.0/24", "10.0.2.0/24"], "exactly 3 CIDR blocks"),
    ("unknown key", {"natMod": "instance"}, "betterprompts:network.natMod", "instance", "no such key"),
    ("unknown nested key", {"flowLogs": {"retentionDay": 30}}, "betterprompts:network.flowLogs.retentionDay", 30,
     "no such key (did you mean 'retentionDays'?); known keys here: aggregationIntervalSeconds, retentionDays, trafficType"),
    ("negative retention", {"flowLogs": {"retentionDays": -1}}, "betterprompts:network.flowLogs.retentionDays", -1,
     "a CloudWatch Logs retention period"),
    ("retention CloudWatch does not offer", {"flowLogs": {"retentionDays": 31}},
     "betterprompts:network.flowLogs.retentionDays", 31, "a CloudWatch Logs retention period"),
]


@pytest.mark.parametrize("case,changes,key,value,allowed", BAD, ids=[b[0] for b in BAD])
def test_bad_network_value_is_rejected_naming_key_value_and_allowed(
    case: str, changes: dict[str, Any], key: str, value: Any, allowed: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(with_network("production", **changes), project="betterprompts", stack="production")
    error = caught.value
    assert error.key == key
    assert error.value == value
    assert allowed in error.allowed
    assert str(error).startswith(f"config key '{key}': got {value!r}; allowed: ")


def test_missing_required_key() -> None:
    cfg = copy.deepcopy(config("production"))
    del cfg["betterprompts:platform"]["owner"]
    with pytest.raises(ConfigError, match=r"config key 'betterprompts:platform.owner': got None; allowed: a value is required"):
        load_settings(cfg, project="betterprompts", stack="production")


def test_missing_section_names_its_first_required_key() -> None:
    cfg = copy.deepcopy(config("production"))
    del cfg["betterprompts:network"]
    with pytest.raises(ConfigError, match=r"'betterprompts:network.vpcCidr'"):
        load_settings(cfg, project="betterprompts", stack="production")


def test_unknown_top_level_key() -> None:
    cfg = copy.deepcopy(config("production"))
    cfg["betterprompts:netwrok"] = {}
    with pytest.raises(ConfigError, match=r"'betterprompts:netwrok'.*no such key \(did you mean 'betterprompts:network'\?\); known keys: "):
        load_settings(cfg, project="betterprompts", stack="production")


def test_unsupported_region() -> None:
    cfg = copy.deepcopy(config("production"))
    cfg["aws:region"] = "mars-north-1"
    with pytest.raises(ConfigError, match=r"'aws:region': got 'mars-north-1'; allowed: one of us-east-1"):
        load_settings(cfg, project="betterprompts", stack="production")


def test_reserved_extra_tag_is_rejected() -> None:
    cfg = copy.deepcopy(config("production"))
    cfg["betterprompts:platform"]["extraTags"] = {"Environment": "prod"}
    with pytest.raises(ConfigError, match=r"'betterprompts:platform.extraTags.Environment'"):
        load_settings(cfg, project="betterprompts", stack="production")


@pytest.mark.parametrize(
    "raw,allowed",
    [
        ({"min": -1, "max": 3}, "a whole number at least 0"),
        ({"min": 5, "max": 2}, "min <= max"),
        ({"min": "two", "max": 3}, "a whole number"),
        ({"min": 1}, "a value is required"),
    ],
    ids=["negative", "inverted", "not a number", "missing max"],
)
def test_min_max_pairs(raw: dict[str, Any], allowed: str) -> None:
    section = Section({"nodes": raw}, "betterprompts:example")
    with pytest.raises(ConfigError) as caught:
        section.min_max("nodes")
    assert allowed in caught.value.allowed
    assert caught.value.key.startswith("betterprompts:example.nodes")


def test_min_max_good_pair() -> None:
    assert Section({"nodes": {"min": 2, "max": 4}}, "x").min_max("nodes") == (2, 4)


def test_config_error_stops_the_program_before_any_resource() -> None:
    with pytest.raises(ConfigError) as caught:
        run_stack("production", overrides={"betterprompts:network": {**config("production")["betterprompts:network"], "natMode": "nope"}})
    assert caught.value.key == "betterprompts:network.natMode"
    assert caught.value.registered == []  # type: ignore[attr-defined]

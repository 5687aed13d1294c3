"""ProductionVpc as the real program registers it, per stack."""

from __future__ import annotations

import json

import pytest

from preflight.harness import Plan, Resource
from tests.stack_config import every_stack_plan as plan  # noqa: F401 (the pilot light too: properties of every stack)

SUBNET = "aws:ec2/subnet:Subnet"
# Each stack's Region (the pilot light's is the DR Region) and its three AZs.
REGIONS = {"production": "us-east-1", "staging": "us-east-1", "dr": "us-west-2"}


def azs(plan: Plan) -> tuple[str, ...]:
    return tuple(f"{REGIONS[plan.stack]}{zone}" for zone in "abc")


EXPECTED_CIDRS = {
    "production": {
        "public": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
        "app": ["10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"],
        "db": ["10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"],
        "ml": ["10.0.31.0/24", "10.0.32.0/24", "10.0.33.0/24"],
    },
    "staging": {
        "public": ["10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"],
        "app": ["10.1.11.0/24", "10.1.12.0/24", "10.1.13.0/24"],
        "db": ["10.1.21.0/24", "10.1.22.0/24", "10.1.23.0/24"],
        "ml": ["10.1.31.0/24", "10.1.32.0/24", "10.1.33.0/24"],
    },
    "dr": {
        "public": ["10.2.1.0/24", "10.2.2.0/24", "10.2.3.0/24"],
        "app": ["10.2.11.0/24", "10.2.12.0/24", "10.2.13.0/24"],
        "db": ["10.2.21.0/24", "10.2.22.0/24", "10.2.23.0/24"],
        "ml": ["10.2.31.0/24", "10.2.32.0/24", "10.2.33.0/24"],
    },
}


def by_id(plan: Plan) -> dict[str, Resource]:
    return {r.id: r for r in plan.resources}


def subnets(plan: Plan) -> dict[tuple[str, str], Resource]:
    return {(r.inputs["tags"]["Tier"], r.inputs["availabilityZone"]): r for r in plan.of_type(SUBNET)}


def test_vpc_range_and_dns(plan: Plan) -> None:
    (vpc,) = plan.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == {"production": "10.0.0.0/16", "staging": "10.1.0.0/16", "dr": "10.2.0.0/16"}[plan.stack]
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_twelve_subnets_with_the_seeds_cidrs(plan: Plan) -> None:
    found = subnets(plan)
    assert len(plan.of_type(SUBNET)) == 12
    for tier, cidrs in EXPECTED_CIDRS[plan.stack].items():
        assert [found[(tier, az)].inputs["cidrBlock"] for az in azs(plan)] == cidrs
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in found.values())


def test_subnets_are_tagged_for_eks_load_balancers_and_karpenter(plan: Plan) -> None:
    cluster = f"betterprompts-{plan.stack}"
    found = subnets(plan)
    for az in azs(plan):
        assert found[("public", az)].inputs["tags"]["kubernetes.io/role/elb"] == "1"
        assert found[("app", az)].inputs["tags"]["kubernetes.io/role/internal-elb"] == "1"
        assert found[("app", az)].inputs["tags"]["karpenter.sh/discovery"] == cluster
        assert found[("ml", az)].inputs["tags"]["karpenter.sh/discovery"] == f"{cluster}-gpu"
        assert "karpenter.sh/discovery" not in found[("db", az)].inputs["tags"]
        assert "kubernetes.io/role/elb" not in found[("db", az)].inputs["tags"]


def private_route_tables(plan: Plan) -> dict[str, Resource]:
    """Private route table per AZ (named ...-private-<az>)."""
    return {
        r.name.rsplit("-private-", 1)[1]: r
        for r in plan.of_type("aws:ec2/routeTable:RouteTable")
        if "-private-" in r.name
    }


def default_routes(plan: Plan) -> dict[str, Resource]:
    """0.0.0.0/0 route per route-table id."""
    return {
        r.inputs["routeTableId"]: r
        for r in plan.of_type("aws:ec2/route:Route")
        if r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    }


def test_every_subnet_is_associated_with_its_tiers_route_table(plan: Plan) -> None:
    ids = by_id(plan)
    private = private_route_tables(plan)
    associations = {a.inputs["subnetId"]: a.inputs["routeTableId"] for a in plan.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")}
    for (tier, az), subnet in subnets(plan).items():
        table = ids[associations[subnet.id]]
        if tier == "public":
            assert table.name.endswith("-public")
        else:
            assert table is private[az]
    public_table = next(r for r in plan.of_type("aws:ec2/routeTable:RouteTable") if r.name.endswith("-public"))
    igw_route = default_routes(plan)[public_table.id]
    assert ids[igw_route.inputs["gatewayId"]].type == "aws:ec2/internetGateway:InternetGateway"


def test_production_has_a_nat_gateway_per_az_and_each_az_routes_to_its_own(production: Plan) -> None:
    ids = by_id(production)
    gateways = production.of_type("aws:ec2/natGateway:NatGateway")
    assert len(gateways) == 3
    assert production.of_type("aws:ec2/instance:Instance") == []
    gateway_az = {g.id: ids[g.inputs["subnetId"]].inputs["availabilityZone"] for g in gateways}
    assert sorted(gateway_az.values()) == list(azs(production))
    for g in gateways:
        assert ids[g.inputs["subnetId"]].inputs["tags"]["Tier"] == "public"
        assert ids[g.inputs["allocationId"]].type == "aws:ec2/eip:Eip"
    routes = default_routes(production)
    for az, table in private_route_tables(production).items():
        assert gateway_az[routes[table.id].inputs["natGatewayId"]] == az


@pytest.mark.parametrize("stack", ["staging", "dr"])
def test_staging_and_the_pilot_light_have_one_nat_instance_and_no_gateway(stack: str, request: pytest.FixtureRequest) -> None:
    staging: Plan = request.getfixturevalue(stack)
    ids = by_id(staging)
    assert staging.of_type("aws:ec2/natGateway:NatGateway") == []
    (nat,) = staging.of_type("aws:ec2/instance:Instance")
    assert nat.inputs["instanceType"] == "t4g.nano"
    assert nat.inputs["sourceDestCheck"] is False
    assert nat.inputs["metadataOptions"]["httpTokens"] == "required"
    assert nat.inputs["rootBlockDevice"]["encrypted"] is True
    assert nat.inputs["rootBlockDevice"]["kmsKeyId"].startswith(f"arn:aws:kms:{REGIONS[stack]}:")
    assert ids[nat.inputs["subnetId"]].inputs["tags"]["Tier"] == "public"
    assert nat.inputs["ami"].startswith("ami-")
    (sg_id,) = nat.inputs["vpcSecurityGroupIds"]
    sg = ids[sg_id]
    assert [(i["protocol"], i["cidrBlocks"]) for i in sg.inputs["ingress"]] == [("-1", [{"staging": "10.1.0.0/16", "dr": "10.2.0.0/16"}[stack]])]
    (eip,) = [e for e in staging.of_type("aws:ec2/eip:Eip")]
    assert eip.inputs["instance"] == nat.id
    # Every private route table sends internet traffic through the instance's interface.
    routes = default_routes(staging)
    for table in private_route_tables(staging).values():
        assert routes[table.id].inputs["networkInterfaceId"].startswith("eni-")


def test_gateway_endpoints_for_s3_and_dynamodb_on_every_private_route_table(plan: Plan) -> None:
    private_ids = sorted(t.id for t in private_route_tables(plan).values())
    endpoints = {e.inputs["serviceName"]: e for e in plan.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert sorted(endpoints) == [f"com.amazonaws.{REGIONS[plan.stack]}.dynamodb", f"com.amazonaws.{REGIONS[plan.stack]}.s3"]
    for endpoint in endpoints.values():
        assert endpoint.inputs["vpcEndpointType"] == "Gateway"
        assert sorted(endpoint.inputs["routeTableIds"]) == private_ids


def test_flow_logs_capture_all_traffic_into_an_encrypted_group(plan: Plan) -> None:
    ids = by_id(plan)
    (flow_log,) = plan.of_type("aws:ec2/flowLog:FlowLog")
    (vpc,) = plan.of_type("aws:ec2/vpc:Vpc")
    assert flow_log.inputs["vpcId"] == vpc.id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    (group,) = [g for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup") if g.name.endswith("-flow-logs")]
    assert flow_log.inputs["logDestination"] == f"arn:aws:logs:{REGIONS[plan.stack]}:123456789012:log-group:{group.id}"
    assert group.inputs["retentionInDays"] == {"production": 365, "staging": 30, "dr": 365}[plan.stack]
    logs_key = next(k for k in plan.of_type("aws:kms/key:Key") if k.inputs["tags"].get("KeyPurpose") == "logs")
    assert group.inputs["kmsKeyId"] == f"arn:aws:kms:{REGIONS[plan.stack]}:123456789012:key/{logs_key.id}"
    role = next(r for r in plan.of_type("aws:iam/role:Role") if r.name == group.name)
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert flow_log.inputs["iamRoleArn"].endswith(f":role/{role.id}") or role.name in flow_log.inputs["iamRoleArn"]
    policy = json.loads(next(p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == group.name).inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    assert "*" not in statement["Resource"]


def test_default_security_group_has_no_rules(plan: Plan) -> None:
    (default,) = plan.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["ingress"] == []
    assert default.inputs["egress"] == []


def test_db_tier_nacl_admits_only_app_and_ml_subnets(plan: Plan) -> None:
    cidrs = EXPECTED_CIDRS[plan.stack]
    (acl,) = plan.of_type("aws:ec2/networkAcl:NetworkAcl")
    db_ids = sorted(s.id for (tier, _), s in subnets(plan).items() if tier == "db")
    assert sorted(acl.inputs["subnetIds"]) == db_ids
    clients = cidrs["app"] + cidrs["ml"]
    inbound = {(i["protocol"], i["cidrBlock"], i["fromPort"], i["toPort"]) for i in acl.inputs["ingress"]}
    expected = {("tcp", c, port, port) for port in (5432, 6379) for c in clients}
    expected |= {("-1", c, 0, 0) for c in cidrs["db"]}
    expected |= {("tcp", c, 1024, 65535) for c in clients}
    assert inbound == expected
    outbound = {(e["protocol"], e["cidrBlock"], e["fromPort"], e["toPort"]) for e in acl.inputs["egress"]}
    assert outbound == {("-1", c, 0, 0) for c in cidrs["db"]} | {("tcp", c, 1024, 65535) for c in clients}
    assert all(rule["action"] == "allow" for rule in acl.inputs["ingress"] + acl.inputs["egress"])


def test_subnet_groups_span_the_db_subnets(plan: Plan) -> None:
    db_ids = sorted(s.id for (tier, _), s in subnets(plan).items() if tier == "db")
    (rds_group,) = plan.of_type("aws:rds/subnetGroup:SubnetGroup")
    (cache_group,) = plan.of_type("aws:elasticache/subnetGroup:SubnetGroup")
    assert sorted(rds_group.inputs["subnetIds"]) == db_ids
    assert sorted(cache_group.inputs["subnetIds"]) == db_ids
    assert plan.outputs["dbSubnetGroupName"] == rds_group.id
    assert plan.outputs["cacheSubnetGroupName"] == cache_group.id


def test_outputs_name_the_vpc_and_subnets_per_tier(plan: Plan) -> None:
    (vpc,) = plan.of_type("aws:ec2/vpc:Vpc")
    assert plan.outputs["vpcId"] == vpc.id
    assert plan.outputs["vpcCidr"] == vpc.inputs["cidrBlock"]
    found = subnets(plan)
    for tier in ("public", "app", "db", "ml"):
        assert plan.outputs["subnetIds"][tier] == [found[(tier, az)].id for az in azs(plan)]


def test_vpc_children_are_parented_under_the_component(plan: Plan) -> None:
    (component,) = plan.of_type("betterprompts:network:ProductionVpc")
    owned = {r.urn for r in plan.descendants(component.urn)}
    network = [r for r in plan.resources if (r.inputs.get("tags") or {}).get("Component") == "network"]
    assert len(network) >= 30  # VPC, 12 subnets, gateways, tables, endpoints, ACL, flow logs, groups
    for r in network:
        assert r.urn in owned, r.urn


@pytest.mark.parametrize("stack", ["production", "staging"])
def test_names_carry_project_and_stack(stack: str, request: pytest.FixtureRequest) -> None:
    plan: Plan = request.getfixturevalue(stack)
    for r in plan.resources:
        if r.type.startswith("aws:"):
            assert r.name.startswith(f"betterprompts-{stack}-"), r.name

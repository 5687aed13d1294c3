"""Realistic answers for the mock runtime: ids, ARNs, and the outputs programs read.

The engine and the providers are absent offline, so every resource's outputs and
every data-source invoke is answered here. Answers are deterministic (hashes of the
URN), shaped like AWS's own (``vpc-0a1b...``, ``arn:aws:kms:us-east-1:...:key/...``),
and nothing in this module knows about one of our components: it speaks only of
provider resource types and functions.

An invoke that nobody answers fails loudly, naming its token, instead of returning
an empty result that code downstream would misread.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pulumi

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

# EC2-style id prefixes, by resource type token.
ID_PREFIXES: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/route:Route": "r-rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/networkAcl:NetworkAcl": "acl",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
}


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


class PreflightMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes for one stack in one region."""

    def __init__(self, region: str, account_id: str = ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id

    # --- resources ---------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        token = args.typ
        key = f"{token}::{args.name}"
        state = dict(args.inputs)
        if token.startswith("pulumi:providers:"):
            return _digest(key, 8) + "-provider", state
        if token in ID_PREFIXES:
            resource_id = f"{ID_PREFIXES[token]}-0{_digest(key, 16)}"
        else:
            resource_id = state.get("name") or f"{args.name}-{_digest(key, 7)}"
        # Auto-naming: the engine gives a physical name of the logical name plus a suffix.
        state.setdefault("name", f"{args.name}-{_digest(key, 7)}")
        state.setdefault("arn", self.arn(token, str(state["name"]), resource_id))
        state["id"] = resource_id
        answer = RESOURCE_OUTPUTS.get(token)
        if answer:
            state.update(answer(self, args, resource_id, state))
        return resource_id, state

    def arn(self, token: str, name: str, resource_id: str) -> str:
        service = token.split(":")[1].split("/")[0]
        kind = token.split(":")[-1].lower()
        if service == "iam":
            return f"arn:{PARTITION}:iam::{self.account_id}:{kind}/{name}"
        if service in ("sns", "sqs"):
            return f"arn:{PARTITION}:{service}:{self.region}:{self.account_id}:{name}"
        if service == "cloudwatch" and kind == "loggroup":
            return f"arn:{PARTITION}:logs:{self.region}:{self.account_id}:log-group:{name}"
        if service == "s3":
            return f"arn:{PARTITION}:s3:::{name}"
        return f"arn:{PARTITION}:{service}:{self.region}:{self.account_id}:{kind}/{resource_id}"

    # --- invokes -----------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = INVOKE_ANSWERS.get(args.token)
        if answer is None:
            raise NotImplementedError(
                f"preflight has no offline answer for the invoke {args.token}; "
                "add one to preflight/mocks.py:INVOKE_ANSWERS"
            )
        return answer(self, args.args), []


ResourceAnswer = Callable[[PreflightMocks, pulumi.runtime.MockResourceArgs, str, dict[str, Any]], dict[str, Any]]
InvokeAnswer = Callable[[PreflightMocks, dict[str, Any]], dict[str, Any]]


def _kms_key(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    key_id = str(uuid.UUID(hex=_digest(args.name, 32)))
    return {
        "id": key_id,
        "keyId": key_id,
        "arn": f"arn:{PARTITION}:kms:{m.region}:{m.account_id}:key/{key_id}",
    }


def _vpc(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "defaultSecurityGroupId": f"sg-0{_digest(rid + 'sg', 16)}",
        "defaultNetworkAclId": f"acl-0{_digest(rid + 'acl', 16)}",
        "mainRouteTableId": f"rtb-0{_digest(rid + 'rtb', 16)}",
        "ownerId": m.account_id,
    }


def _eip(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    octets = bytes.fromhex(_digest(rid, 8))
    return {"allocationId": rid, "publicIp": f"3.{octets[1]}.{octets[2]}.{octets[3]}"}


def _instance(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "primaryNetworkInterfaceId": f"eni-0{_digest(rid, 16)}",
        "privateIp": "10.255.0.10",
        "instanceState": "running",
    }


def _lowercase_name(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # RDS and ElastiCache lower-case the names they are given.
    name = str(state["name"]).lower()
    return {"name": name, "id": name}


def _db_instance(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    # RDS names an instance by its (lower-cased) identifier; replicas reference it.
    identifier = str(state.get("identifier") or f"{args.name}-{_digest(args.name, 7)}").lower()
    address = f"{identifier}.c{_digest(identifier, 12)}.{m.region}.rds.amazonaws.com"
    return {
        "id": identifier,
        "identifier": identifier,
        "arn": f"arn:{PARTITION}:rds:{m.region}:{m.account_id}:db:{identifier}",
        "address": address,
        "endpoint": f"{address}:{state.get('port') or 5432}",
        "port": state.get("port") or 5432,
    }


def _log_group(m: PreflightMocks, args: pulumi.runtime.MockResourceArgs, rid: str, state: dict[str, Any]) -> dict[str, Any]:
    name = str(state["name"])
    return {"id": name, "arn": f"arn:{PARTITION}:logs:{m.region}:{m.account_id}:log-group:{name}"}


RESOURCE_OUTPUTS: dict[str, ResourceAnswer] = {
    "aws:kms/key:Key": _kms_key,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/instance:Instance": _instance,
    "aws:rds/subnetGroup:SubnetGroup": _lowercase_name,
    "aws:elasticache/subnetGroup:SubnetGroup": _lowercase_name,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:rds/instance:Instance": _db_instance,
}


def _caller_identity(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": m.account_id,
        "arn": f"arn:{PARTITION}:iam::{m.account_id}:user/preflight",
        "userId": "AIDAPREFLIGHTOFFLINE",
        "id": m.account_id,
    }


def _region(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": m.region, "region": m.region, "id": m.region, "endpoint": f"ec2.{m.region}.amazonaws.com", "description": m.region}


def _partition(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    return {"partition": PARTITION, "dnsSuffix": "amazonaws.com", "id": PARTITION, "reverseDnsPrefix": "com.amazonaws"}


def _availability_zones(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    names = [f"{m.region}{letter}" for letter in "abc"]
    return {"names": names, "zoneIds": [f"use1-az{i}" for i in (1, 2, 4)], "id": m.region, "state": "available"}


def _ami(m: PreflightMocks, args: dict[str, Any]) -> dict[str, Any]:
    filters = {f["name"]: f["values"] for f in args.get("filters", [])}
    pattern = (filters.get("name") or ["image-*"])[0]
    ami_id = f"ami-0{_digest(repr(sorted(filters.items())), 16)}"
    return {
        "id": ami_id,
        "imageId": ami_id,
        "arn": f"arn:{PARTITION}:ec2:{m.region}::image/{ami_id}",
        "name": pattern.replace("*", "2025.01.01"),
        "architecture": (filters.get("architecture") or ["x86_64"])[0],
        "ownerId": (args.get("owners") or [m.account_id])[0],
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
    }


INVOKE_ANSWERS: dict[str, InvokeAnswer] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getAmi:getAmi": _ami,
}

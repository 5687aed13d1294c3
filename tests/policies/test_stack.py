"""The stack policies: S3 encryption and public access (separate resources in pulumi-aws 7) and private subnet groups."""

from __future__ import annotations

from typing import Any

from tests.policy_plans import KEY, messages, plan, resource, urn, violations

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_URN = urn("production", BUCKET, "logs")
ALL_BLOCKED = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}


def bucket() -> dict[str, Any]:
    return resource(BUCKET, "logs", {"forceDestroy": False})


def sse(rule: dict[str, Any], *, linked: bool = True, name: str = "logs-sse") -> dict[str, Any]:
    deps = {"bucket": [BUCKET_URN]} if linked else {"bucket": []}
    return resource(SSE, name, {"bucket": "logs-id", "rules": [rule]}, property_dependencies=deps)


def pab(flags: dict[str, bool]) -> dict[str, Any]:
    return resource(PAB, "logs-pab", {"bucket": "logs-id", **flags}, property_dependencies={"bucket": [BUCKET_URN]})


KMS_RULE = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}, "bucketKeyEnabled": True}
LOGGING = "aws:s3/bucketLogging:BucketLogging"


def logging() -> dict[str, Any]:
    """The bucket's server access logging (into a destination outside this plan)."""
    return resource(
        LOGGING,
        "logs-access-logging",
        {"bucket": "logs-id", "targetBucket": "access-logs", "targetPrefix": "logs/"},
        property_dependencies={"bucket": [BUCKET_URN]},
    )


def test_a_bucket_with_kms_encryption_and_blocked_public_access_passes() -> None:
    assert violations(plan(bucket(), sse(KMS_RULE), pab(ALL_BLOCKED), logging()), hardening=False) == []


def test_a_bucket_without_an_encryption_configuration_is_flagged_at_stack_level() -> None:
    found = violations(plan(bucket(), pab(ALL_BLOCKED)), "s3-bucket-encrypted-with-cmk")
    assert [(v.urn, v.enforcement) for v in found] == [(BUCKET_URN, "mandatory")]
    assert found[0].message.startswith(
        "aws:s3/bucket:Bucket 'logs': no server-side encryption configuration resource names this bucket. "
        "Fix: add aws.s3.BucketServerSideEncryptionConfiguration(bucket=<bucket>.id"
    )


def test_an_encryption_configuration_of_another_bucket_does_not_count() -> None:
    assert len(messages(plan(bucket(), sse(KMS_RULE, linked=False), pab(ALL_BLOCKED)), "s3-bucket-encrypted-with-cmk")) == 1


def test_the_configuration_is_matched_by_literal_bucket_name_too() -> None:
    named = resource(BUCKET, "logs", {"bucket": "betterprompts-logs"})
    config = resource(SSE, "logs-sse", {"bucket": "betterprompts-logs", "rules": [KMS_RULE]})
    block = resource(PAB, "logs-pab", {"bucket": "betterprompts-logs", **ALL_BLOCKED})
    logs = resource(LOGGING, "logs-access-logging", {"bucket": "betterprompts-logs", "targetBucket": "access-logs", "targetPrefix": "logs/"})
    assert violations(plan(named, config, block, logs), hardening=False) == []


def test_sse_s3_is_not_a_customer_managed_key() -> None:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    assert messages(plan(bucket(), sse(rule), pab(ALL_BLOCKED)), "s3-bucket-encrypted-with-cmk") == [
        "aws:s3/bucket:Bucket 'logs': its encryption configuration 'logs-sse' uses sseAlgorithm 'AES256', not aws:kms "
        "(not the SSE-S3 access-log exception: no bucket's server access logging or load balancer's access logs target it, so it is no log destination). "
        "Fix: add aws.s3.BucketServerSideEncryptionConfiguration(bucket=<bucket>.id, rules=[{apply_server_side_"
        "encryption_by_default: {sse_algorithm: 'aws:kms', kms_master_key_id: <storage key>}, bucket_key_enabled: True}])"
    ]


def test_kms_without_a_key_uses_the_aws_managed_key() -> None:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}
    found = messages(plan(bucket(), sse(rule), pab(ALL_BLOCKED)), "s3-bucket-encrypted-with-cmk")
    assert len(found) == 1 and "kmsMasterKeyId is not set" in found[0]


def test_public_access_must_be_blocked_with_all_four_flags() -> None:
    assert messages(plan(bucket(), sse(KMS_RULE)), "s3-public-access-blocked") == [
        "aws:s3/bucket:Bucket 'logs': no public access block names this bucket. "
        "Fix: add aws.s3.BucketPublicAccessBlock(bucket=<bucket>.id) with all four flags True"
    ]
    half = dict(ALL_BLOCKED, blockPublicPolicy=False, restrictPublicBuckets=False)
    assert messages(plan(bucket(), sse(KMS_RULE), pab(half)), "s3-public-access-blocked") == [
        "aws:s3/bucket:Bucket 'logs': its public access block 'logs-pab' leaves blockPublicPolicy, restrictPublicBuckets off. "
        "Fix: add aws.s3.BucketPublicAccessBlock(bucket=<bucket>.id) with all four flags True"
    ]


# --- databases in private subnets ------------------------------------------------------------


def network(db_subnet: str) -> list[dict[str, Any]]:
    """A public subnet routed to an internet gateway and a private one, and a DB subnet group on ``db_subnet``."""
    igw = resource("aws:ec2/internetGateway:InternetGateway", "igw", {"vpcId": "vpc-1"})
    public_rt = resource("aws:ec2/routeTable:RouteTable", "public", {"vpcId": "vpc-1"})
    private_rt = resource("aws:ec2/routeTable:RouteTable", "private", {"vpcId": "vpc-1"})
    route = resource(
        "aws:ec2/route:Route",
        "public-default",
        {"routeTableId": "rtb-public", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"},
        property_dependencies={"routeTableId": [public_rt["urn"]], "gatewayId": [igw["urn"]]},
    )
    subnets = {
        tier: resource("aws:ec2/subnet:Subnet", tier, {"vpcId": "vpc-1", "cidrBlock": cidr, "mapPublicIpOnLaunch": False})
        for tier, cidr in (("public-a", "10.0.1.0/24"), ("db-a", "10.0.21.0/24"))
    }
    associations = [
        resource(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            f"{tier}-assoc",
            {"subnetId": f"{tier}-id", "routeTableId": f"{rt['name']}-id"},
            property_dependencies={"subnetId": [subnets[tier]["urn"]], "routeTableId": [rt["urn"]]},
        )
        for tier, rt in (("public-a", public_rt), ("db-a", private_rt))
    ]
    group = resource(
        "aws:rds/subnetGroup:SubnetGroup",
        "db",
        {"subnetIds": [f"{db_subnet}-id"]},
        property_dependencies={"subnetIds": [subnets[db_subnet]["urn"]]},
    )
    return [igw, public_rt, private_rt, route, *subnets.values(), *associations, group]


def test_a_db_subnet_group_on_private_subnets_passes() -> None:
    assert violations(plan(*network("db-a"))) == []


def test_a_db_subnet_group_on_an_internet_routed_subnet_is_flagged() -> None:
    found = violations(plan(*network("public-a")), "databases-in-private-subnets")
    assert [(v.urn, v.message) for v in found] == [
        (
            urn("production", "aws:rds/subnetGroup:SubnetGroup", "db"),
            "aws:rds/subnetGroup:SubnetGroup 'db': subnetIds include public subnets public-a (routed to an internet "
            "gateway or auto-assigning public IPs). Fix: use the VPC's db/cache tier subnets only",
        )
    ]

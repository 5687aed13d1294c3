"""The cost model on small fixed plans: the arithmetic, every priced type, and missing prices.

The AWS resources of the fixture are registered through the real pulumi-aws classes under
the mock runtime, so their inputs are exactly the camelCase names the engine sees; the
pulumi-eks components (remote, needing a live cluster) are written as a real preview shows them.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from policies import cost_model
from policies.cost_model import Assumptions, CostResource, MissingPriceError, Usage, estimate
from preflight.monitor import run_function

HOURS = 730
PRICING = Path(cost_model.__file__).parent / "pricing"


def _aws_fixture() -> None:
    """One of each AWS type the model prices, shaped by the real SDK."""
    aws.eks.Cluster(
        "cluster",
        role_arn="arn:aws:iam::123456789012:role/eks",
        vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-1", "subnet-2"]),
    )
    aws.eks.NodeGroup(
        "application",
        cluster_name="c",
        node_role_arn="arn:aws:iam::123456789012:role/nodes",
        subnet_ids=["subnet-1"],
        instance_types=["c6i.xlarge"],
        capacity_type="ON_DEMAND",
        scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=3, max_size=9, desired_size=3),
    )
    aws.eks.NodeGroup(
        "spot",
        cluster_name="c",
        node_role_arn="arn:aws:iam::123456789012:role/nodes",
        subnet_ids=["subnet-1"],
        instance_types=["t3a.medium", "t3.medium"],
        capacity_type="SPOT",
        disk_size=30,
        scaling_config=aws.eks.NodeGroupScalingConfigArgs(min_size=0, max_size=10, desired_size=0),
    )
    primary = aws.rds.Instance(
        "db",
        identifier="betterprompts-db",
        engine="postgres",
        instance_class="db.r6g.xlarge",
        multi_az=True,
        allocated_storage=500,
        max_allocated_storage=2000,
        storage_type="gp3",
        iops=12000,
    )
    aws.rds.Instance(
        "db-replica-1",
        replicate_source_db=primary.identifier,
        instance_class="db.r6g.xlarge",
        allocated_storage=500,
        storage_type="gp3",
    )
    aws.elasticache.ReplicationGroup(
        "cache",
        description="cache",
        node_type="cache.r6g.large",
        num_node_groups=3,
        replicas_per_node_group=1,
    )
    config = aws.sagemaker.EndpointConfiguration(
        "inference",
        production_variants=[
            aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name="primary", model_name="m", instance_type="ml.g4dn.xlarge", initial_instance_count=1
            )
        ],
    )
    endpoint = aws.sagemaker.Endpoint("inference", name="inference", endpoint_config_name=config.name)
    aws.appautoscaling.Target(
        "inference-scaling",
        service_namespace="sagemaker",
        scalable_dimension="sagemaker:variant:DesiredInstanceCount",
        resource_id=pulumi.Output.concat("endpoint/", endpoint.name, "/variant/primary"),
        min_capacity=1,
        max_capacity=4,
    )
    aws.sagemaker.EndpointConfiguration(
        "serverless",
        production_variants=[
            aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name="low-traffic",
                model_name="m",
                serverless_config=aws.sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(
                    memory_size_in_mb=2048, max_concurrency=5
                ),
            )
        ],
    )
    aws.lb.LoadBalancer("alb", load_balancer_type="application", subnets=["subnet-1", "subnet-2"])
    aws.efs.FileSystem(
        "shared", encrypted=True, lifecycle_policies=[aws.efs.FileSystemLifecyclePolicyArgs(transition_to_ia="AFTER_30_DAYS")]
    )
    aws.s3.Bucket("models")
    aws.ec2.NatGateway("nat-a", subnet_id="subnet-1", allocation_id="eipalloc-1")
    aws.ec2.Eip("nat-a", domain="vpc")
    aws.kms.Key("data")
    aws.cloudwatch.LogGroup("flow-logs", retention_in_days=30)


@pytest.fixture(scope="module")
def fixture_resources() -> list[CostResource]:
    registrations, _ = run_function(_aws_fixture)
    return [CostResource.from_plan(r.to_json()) for r in registrations]


def _by_name(result: cost_model.Estimate, resources: list[CostResource]) -> dict[str, cost_model.LineItem]:
    names = {r.urn: r.name for r in resources}
    return {names[i.urn]: i for i in result.items if i.urn}


def test_every_line_item_of_the_fixture_from_known_prices(fixture_resources: list[CostResource]) -> None:
    result = estimate(fixture_resources, "us-east-1", Assumptions())
    items = _by_name(result, fixture_resources)
    expected_baseline = {
        "cluster": 0.10 * HOURS,
        "application": 3 * 0.17 * HOURS + 3 * 20 * 0.08,
        "spot": 0.0,
        # Multi-AZ instance hours + 500 GB Multi-AZ gp3; 12,000 IOPS are included from 400 GB.
        "db": 0.898 * HOURS + 500 * 0.23,
        "db-replica-1": 0.449 * HOURS + 500 * 0.115,
        "cache": 6 * 0.206 * HOURS,
        "inference": 1 * 0.7364 * HOURS,
        "serverless": 2 * 500_000 * 0.00002,
        "alb": (0.0225 + 1 * 0.008) * HOURS,
        "shared": 100 * 0.2 * 0.30 + 100 * 0.8 * 0.016,
        # 500 GB of traffic + 200 GB of image pulls (no ECR interface endpoint).
        "nat-a": 0.045 * HOURS + (500 + 200) * 0.045,
        "data": 1.0,
        # The one bucket holds all 1,024 GB of S3 usage; with no lifecycle it all stays in Standard.
        "models": 1024 * 0.023,
    }
    assert set(items) - {"nat-a"} == set(expected_baseline) - {"nat-a"}
    for name, value in expected_baseline.items():
        if name == "nat-a":
            continue
        assert items[name].baseline == pytest.approx(value), name
    nat = [i for i in result.items if i.type == "aws:ec2/natGateway:NatGateway"]
    eip = [i for i in result.items if i.type == "aws:ec2/eip:Eip"]
    assert [i.baseline for i in nat] == [pytest.approx(0.045 * HOURS + (500 + 200) * 0.045)]
    assert [i.baseline for i in eip] == [pytest.approx(0.005 * HOURS)]

    expected_peak = {
        "application": 9 * 0.17 * HOURS + 9 * 20 * 0.08,
        "spot": 10 * 0.0376 * 0.3 * HOURS + 10 * 30 * 0.08,
        "db": 0.898 * HOURS + 2000 * 0.23,
        "inference": 4 * 0.7364 * HOURS,
    }
    for name, value in expected_peak.items():
        assert items[name].peak == pytest.approx(value), name

    # Commitments: 20% off on-demand EC2 hours, 30% off database and cache node hours.
    assert items["application"].committed == pytest.approx(items["application"].baseline - 0.2 * 3 * 0.17 * HOURS)
    assert items["spot"].committed_peak == pytest.approx(items["spot"].peak)
    assert items["db"].committed == pytest.approx(items["db"].baseline - 0.3 * 0.898 * HOURS)
    assert items["cache"].committed == pytest.approx(0.7 * 6 * 0.206 * HOURS)
    assert items["inference"].committed == pytest.approx(items["inference"].baseline)

    usage = {i.description.split(":")[0]: i.baseline for i in result.items if i.urn is None}
    assert usage == {
        "Data transfer out to the internet": pytest.approx(1500 * 0.09),
        "Inter-AZ data transfer": pytest.approx(3000 * 0.02),
        "CloudWatch Logs": pytest.approx(150 * 0.50 + 500 * 0.03),
        "CloudWatch custom metrics": pytest.approx(100 * 0.30),
        # Storage is priced per bucket (the "models" line above); requests stack-wide.
        "S3 requests": pytest.approx(5 * 5.0),
    }
    assert result.baseline == pytest.approx(sum(i.baseline for i in result.items))
    assert result.peak == pytest.approx(sum(i.peak for i in result.items))
    assert result.committed == pytest.approx(sum(i.committed for i in result.items))


def test_descriptions_say_what_is_priced(fixture_resources: list[CostResource]) -> None:
    items = _by_name(estimate(fixture_resources, "us-east-1"), fixture_resources)
    assert items["application"].description == "EKS node group application: 3-9 x c6i.xlarge on-demand (+20 GB gp3 each)"
    assert items["spot"].description == "EKS node group spot: 0-10 x t3a.medium spot (+30 GB gp3 each)"
    assert items["db"].description == "RDS postgres primary db.r6g.xlarge Multi-AZ + 500 GB gp3 (autoscaling to 2000 GB)"
    assert items["db-replica-1"].description == "RDS postgres read replica db.r6g.xlarge + 500 GB gp3"
    assert items["cache"].description == "ElastiCache Redis OSS cache.r6g.large: 3 shards x (1 + 1 replicas) = 6 nodes"
    assert items["inference"].description == "SageMaker endpoint inference/primary: 1-4 x ml.g4dn.xlarge"


def test_a_small_fixed_plan_adds_up() -> None:
    """Hand arithmetic on a three-resource plan, with custom usage and assumptions."""
    plan = [
        CostResource("urn:a", "aws:eks/cluster:Cluster", "a", {}),
        CostResource("urn:b", "aws:kms/key:Key", "b", {}),
        CostResource(
            "urn:c",
            "aws:eks/nodeGroup:NodeGroup",
            "c",
            {"instanceTypes": ["t3a.medium"], "scalingConfig": {"minSize": 2, "maxSize": 4, "desiredSize": 2}, "diskSize": 10},
        ),
    ]
    usage = Usage(internet_egress_gb=100, inter_az_gb=50, log_ingestion_gb=10, log_storage_gb=0, custom_metrics=0)
    result = estimate(plan, "us-east-1", Assumptions(compute_savings_plan=0.5, usage=usage))
    # 73 + 1 + (2 x 0.0376 x 730 = 54.896, + 2 x 10 GB x 0.08 = 1.60) + 100 x 0.09 + 50 x 0.02 + 10 x 0.50
    assert [round(i.baseline, 3) for i in result.items] == [73.0, 1.0, 56.496, 9.0, 1.0, 5.0]
    assert round(result.baseline, 3) == 145.496
    # Peak: 4 nodes -> 109.792 + 3.20
    assert result.peak == pytest.approx(73 + 1 + 112.992 + 9 + 1 + 5)
    # Half of the on-demand node hours off.
    assert result.committed == pytest.approx(145.496 - 0.5 * 54.896)
    document = result.to_json()
    assert document["currency"] == "USD"
    assert document["baseline_monthly"] == 145.5
    assert document["items"][2] == {
        "urn": "urn:c",
        "type": "aws:eks/nodeGroup:NodeGroup",
        "description": "EKS node group c: 2-4 x t3a.medium on-demand (+10 GB gp3 each)",
        "monthly": 56.5,
        "peak_monthly": 112.99,
        "committed_monthly": 29.05,
        "committed_peak_monthly": 58.1,
        "commitment": "compute-savings-plan",
    }


def test_a_secret_rotation_prices_its_lambda_invocations() -> None:
    rotation = CostResource("urn:r", "aws:secretsmanager/secretRotation:SecretRotation", "r", {"rotationRules": {"automaticallyAfterDays": 7}})
    (item,) = estimate([rotation], "us-east-1", Assumptions(usage=Usage())).items[:1]
    invocations = 4 * (365 / 12) / 7
    # Four steps a rotation, each at most 30 s at 128 MB: $0.20 per million requests, $0.0000166667 per GB-second.
    assert item.baseline == pytest.approx(invocations * (0.0000002 + 3.75 * 0.0000166667))
    assert item.description == f"Secret rotation Lambda r: every 7 days, {invocations:.1f} invocations"


def test_a_component_and_its_raw_child_are_priced_once() -> None:
    """A real preview shows eks:index:ManagedNodeGroup and its aws:eks/nodeGroup:NodeGroup child."""
    scaling = {"minSize": 2, "maxSize": 4, "desiredSize": 2}
    plan = [
        CostResource("urn:cluster", "eks:index:Cluster", "eks", {"skipDefaultNodeGroup": True}),
        CostResource("urn:cluster-raw", "aws:eks/cluster:Cluster", "eks-eksCluster", {}, parent="urn:cluster"),
        CostResource(
            "urn:mng",
            "eks:index:ManagedNodeGroup",
            "system",
            {"instanceTypes": ["t3a.medium"], "scalingConfig": scaling, "capacityType": "ON_DEMAND"},
        ),
        CostResource(
            "urn:mng-raw",
            "aws:eks/nodeGroup:NodeGroup",
            "system",
            {"instanceTypes": ["t3a.medium"], "scalingConfig": scaling},
            parent="urn:mng",
        ),
    ]
    result = estimate(plan, "us-east-1", Assumptions(usage=Usage(custom_metrics=0)))
    priced = [i.urn for i in result.items if i.urn]
    assert priced == ["urn:cluster", "urn:mng"]
    assert result.items[1].baseline == pytest.approx(2 * 0.0376 * HOURS + 2 * 20 * 0.08)


def test_pulumi_eks_default_node_group_is_priced_unless_skipped() -> None:
    plan = [CostResource("urn:c", "eks:index:Cluster", "eks", {"instanceType": "t3.large", "minSize": 2, "maxSize": 3})]
    items = estimate(plan, "us-east-1").items
    assert [i.description for i in items[:2]] == [
        "EKS control plane eks (version not pinned: standard support)",
        "EKS default node group of eks: 2-3 x t3.large on-demand (+20 GB gp3 each)",
    ]


def test_shutdown_runs_node_groups_and_stoppable_databases_part_of_the_week() -> None:
    plan = [
        CostResource("urn:ng", "aws:eks/nodeGroup:NodeGroup", "ng", {"instanceTypes": ["t3a.large"], "scalingConfig": {"minSize": 1, "maxSize": 2}}),
        CostResource("urn:db", "aws:rds/instance:Instance", "db", {"instanceClass": "db.t4g.medium", "allocatedStorage": 20}),
    ]
    result = estimate(plan, "us-east-1", Assumptions(running_fraction=60 / 168))
    priced = {i.urn: i for i in result.items}
    node, db = priced["urn:ng"], priced["urn:db"]
    assert node.baseline == pytest.approx((0.0752 * HOURS + 20 * 0.08) * 60 / 168)
    # Storage bills while the database is stopped.
    assert db.baseline == pytest.approx(0.065 * HOURS * 60 / 168 + 20 * 0.115)
    assert "running 36% of the week" in db.description


def test_databases_with_replicas_are_not_stopped() -> None:
    """RDS cannot stop a read replica nor a primary that has one: both bill every hour."""
    plan = [
        CostResource("urn:p", "aws:rds/instance:Instance", "p", {"instanceClass": "db.t4g.medium", "allocatedStorage": 20}),
        # The replica's source (the primary's identifier) is unknown at preview; it depends on the primary.
        CostResource(
            "urn:r", "aws:rds/instance:Instance", "r",
            {"instanceClass": "db.t4g.medium", "replicateSourceDb": "p", "allocatedStorage": 20},
            dependencies=("urn:p",),
        ),
    ]
    primary, replica = estimate(plan, "us-east-1", Assumptions(running_fraction=0.5)).items[:2]
    assert primary.baseline == pytest.approx(0.065 * HOURS + 20 * 0.115)
    assert replica.baseline == pytest.approx(0.065 * HOURS + 20 * 0.115)


def test_a_replica_without_its_own_storage_size_is_priced_with_its_sources() -> None:
    plan = [
        CostResource("urn:p", "aws:rds/instance:Instance", "p",
                     {"identifier": "db-1", "instanceClass": "db.t4g.medium", "allocatedStorage": 500, "maxAllocatedStorage": 2000}),
        CostResource("urn:r", "aws:rds/instance:Instance", "r",
                     {"instanceClass": "db.t4g.medium", "replicateSourceDb": "arn:aws:rds:us-east-1:123456789012:db:db-1"}),
    ]
    replica = {i.urn: i for i in estimate(plan, "us-east-1").items}["urn:r"]
    assert replica.baseline == pytest.approx(0.065 * HOURS + 500 * 0.115)
    assert replica.peak == pytest.approx(0.065 * HOURS + 2000 * 0.115)
    assert "500 GB gp3 (autoscaling to 2000 GB)" in replica.description


def test_elasticache_without_cluster_mode_counts_cache_clusters() -> None:
    plan = [CostResource("urn:r", "aws:elasticache/replicationGroup:ReplicationGroup", "r", {"nodeType": "cache.t4g.small", "numCacheClusters": 2})]
    (item,) = [i for i in estimate(plan, "us-east-1").items if i.urn]
    assert item.baseline == pytest.approx(2 * 0.032 * HOURS)


def test_alb_ingresses_of_one_group_share_one_load_balancer() -> None:
    def ingress(urn: str, group: str | None) -> CostResource:
        annotations = {"alb.ingress.kubernetes.io/group.name": group} if group else {}
        return CostResource(
            urn, "kubernetes:networking.k8s.io/v1:Ingress", urn,
            {"metadata": {"name": urn, "annotations": annotations}, "spec": {"ingressClassName": "alb"}},
        )

    plan = [ingress("api", "public"), ingress("web", "public"), ingress("admin", None)]
    albs = [i for i in estimate(plan, "us-east-1").items if i.urn]
    assert sorted(i.urn for i in albs) == ["admin", "api"]


def test_a_missing_price_names_the_resource_type_and_size() -> None:
    plan = [CostResource("urn:x", "aws:rds/instance:Instance", "db", {"instanceClass": "db.x2g.16xlarge", "multiAz": True})]
    with pytest.raises(MissingPriceError) as raised:
        estimate(plan, "us-east-1")
    message = str(raised.value)
    assert "aws:rds/instance:Instance" in message
    assert "db.x2g.16xlarge" in message
    assert "'rds:postgres-multi-az:db.x2g.16xlarge'" in message
    assert "policies/pricing/us-east-1.json" in message


def test_a_region_without_a_price_list_fails() -> None:
    with pytest.raises(MissingPriceError, match="eu-west-1"):
        estimate([], "eu-west-1")


@pytest.mark.parametrize("region", ["us-east-1", "us-east-2", "us-west-2"])
def test_every_price_has_unit_date_and_public_source(region: str) -> None:
    document: dict[str, Any] = json.loads((PRICING / f"{region}.json").read_text())
    assert document["region"] == region
    assert document["currency"] == "USD"
    assert document["hoursPerMonth"] == HOURS
    for key, entry in document["prices"].items():
        assert set(entry) - {"derivedFrom"} == {"price", "unit", "date", "source"}, key
        assert isinstance(entry["price"], (int, float)) and entry["price"] > 0, key
        assert entry["unit"].startswith("USD per "), key
        assert len(entry["date"]) == 10 and entry["date"][4] == "-", key
        # AWS's pricing page, or a generated table from the AWS Price List API pinned at a release tag.
        assert entry["source"].startswith("https://aws.amazon.com/") or KARPENTER_TABLE.match(entry["source"]), key
        if KARPENTER_TABLE.match(entry["source"]):
            assert key.startswith("ec2:") and entry["unit"] == "USD per instance-hour (on-demand, Linux)", key


# preflight/karpenter_prices.py: Karpenter's generated on-demand table (us-east-1 only) at a tag.
KARPENTER_TABLE = re.compile(
    r"^https://github\.com/aws/karpenter-provider-aws/blob/v\d+\.\d+\.\d+/pkg/providers/pricing/zz_generated\.pricing_aws\.go$"
)


def test_the_three_regions_price_the_same_things() -> None:
    """Except EC2: Karpenter's generated table prices every type in us-east-1 only; the other Regions keep the
    transcribed types (a subset)."""
    lists = [json.loads((PRICING / f"{r}.json").read_text())["prices"] for r in ("us-east-1", "us-east-2", "us-west-2")]
    others = [{k for k in prices if not k.startswith("ec2:")} for prices in lists]
    assert others[0] == others[1] == others[2]
    for prices in lists[1:]:
        ec2 = {k for k in prices if k.startswith("ec2:")}
        assert ec2 <= set(lists[0]) and ec2


def test_the_seed_sizes_have_prices() -> None:
    prices = cost_model.load_prices("us-east-1")
    for key in (
        "eks:cluster", "ec2:t3a.medium", "ec2:c6i.xlarge", "ec2:g4dn.xlarge", "ec2:t3.medium", "ec2:t4g.nano",
        "rds:postgres-multi-az:db.r6g.xlarge", "rds:storage-multi-az:gp3", "elasticache:cache.r6g.large",
        "sagemaker:ml.g4dn.xlarge", "sagemaker:serverless", "efs:standard", "efs:infrequent-access",
        "cloudfront:transfer", "s3:standard", "vpc:nat-gateway", "elb:application",
    ):
        assert prices.prices[key].price > 0, key


def test_assumptions_round_trip_through_the_stack_output() -> None:
    assumptions = Assumptions(spot_discount=0.6, running_fraction=0.25, usage=Usage(s3_storage_gb=10, custom_metrics=3))
    assert Assumptions.from_json(json.loads(json.dumps(assumptions.to_json()))) == assumptions
    assert Assumptions.from_json(None) == Assumptions()
    assert Assumptions.from_json({"usage": {"s3StorageGb": "lots"}}).usage.s3_storage_gb == Usage().s3_storage_gb


def test_components_seen_by_their_outputs_leave_pricing_to_their_children() -> None:
    """A stack policy sees a component's registered outputs, not its inputs: price the raw children."""
    plan = [
        CostResource("urn:cluster", "eks:index:Cluster", "eks", {"kubeconfig": "...", "eksCluster": None}),
        CostResource("urn:cluster-raw", "aws:eks/cluster:Cluster", "eks-eksCluster", {"name": "eks"}, parent="urn:cluster"),
        CostResource("urn:mng", "eks:index:ManagedNodeGroup", "system", {"nodeGroup": None}),
        CostResource(
            "urn:mng-raw", "aws:eks/nodeGroup:NodeGroup", "system",
            {"instanceTypes": ["t3a.medium"], "scalingConfig": {"minSize": 2, "maxSize": 4}, "capacityType": "ON_DEMAND"},
            parent="urn:mng",
        ),
    ]
    items = [i for i in estimate(plan, "us-east-1").items if i.urn]
    # The cluster component prices the control plane once (no default node group from outputs).
    assert [(i.urn, i.description) for i in items] == [
        ("urn:cluster", "EKS control plane eks (version not pinned: standard support)"),
        ("urn:mng-raw", "EKS node group system: 2-4 x t3a.medium on-demand (+20 GB gp3 each)"),
    ]


def test_a_primary_whose_state_carries_an_empty_source_is_a_primary() -> None:
    plan = [CostResource("urn:db", "aws:rds/instance:Instance", "db", {"instanceClass": "db.t4g.medium", "allocatedStorage": 20, "replicateSourceDb": ""})]
    (item,) = [i for i in estimate(plan, "us-east-1", Assumptions(running_fraction=0.5)).items if i.urn]
    assert item.description.startswith("RDS postgres primary db.t4g.medium, running 50% of the week")


def test_a_bucket_is_priced_by_the_classes_its_lifecycle_moves_data_through() -> None:
    from policies.storage_classes import class_shares, lifecycle_of

    rule = {
        "id": "backups",
        "status": "Enabled",
        "filter": {"prefix": ""},
        "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}, {"days": 90, "storageClass": "GLACIER"}],
        "expiration": {"days": 360},
    }
    transitions, expiration = lifecycle_of([rule])
    assert class_shares(transitions, expiration, horizon_days=365) == pytest.approx(
        {"STANDARD": 30 / 360, "STANDARD_IA": 60 / 360, "GLACIER": 270 / 360}
    )
    # Nothing expires: the configured horizon is the span; a prefix rule covers part of the bucket only.
    assert class_shares([(30, "STANDARD_IA")], None, horizon_days=60) == pytest.approx({"STANDARD": 0.5, "STANDARD_IA": 0.5})
    assert lifecycle_of([{**rule, "filter": {"prefix": "tmp/"}}]) == ([], None)


def test_intelligent_tiering_pays_its_tiers_and_the_monitoring_fee() -> None:
    bucket = CostResource(urn="b", type="aws:s3/bucket:Bucket", name="assets", inputs={})
    lifecycle = CostResource(
        urn="l",
        type="aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        name="assets-lifecycle",
        inputs={"rules": [{"status": "Enabled", "transitions": [{"days": 0, "storageClass": "INTELLIGENT_TIERING"}]}]},
        parent="b",
    )
    usage = replace(Usage(), s3_storage_gb=100, s3_requests_millions=0, s3_intelligent_tiering_infrequent_fraction=0.5, s3_average_object_mb=1)
    result = estimate([bucket, lifecycle], "us-east-1", Assumptions(usage=usage))
    [item] = [i for i in result.items if i.urn == "b"]
    assert item.baseline == pytest.approx(50 * 0.023 + 50 * 0.0125 + 100 * 1024 / 1000 * 0.0025)
    assert "Intelligent-Tiering (50% infrequent, 102,400 objects monitored)" in item.description


def test_a_snapshot_policy_prices_the_snapshots_it_keeps() -> None:
    policy = CostResource(urn="p", type="aws:dlm/lifecyclePolicy:LifecyclePolicy", name="snapshots", inputs={})
    result = estimate([policy], "us-east-1", Assumptions(usage=replace(Usage(), snapshot_storage_gb=150)))
    [item] = [i for i in result.items if i.urn == "p"]
    assert item.baseline == pytest.approx(150 * 0.05)


def test_the_deploy_runner_is_priced_per_build_minute() -> None:
    """The CodeBuild runner bills only while it runs: usage minutes x the compute type's price."""
    from policies.cost_model import Assumptions, CostResource, Usage, estimate

    project = CostResource.from_plan(
        {"urn": "urn:p", "type": "aws:codebuild/project:Project", "name": "runner", "inputs": {"environment": {"computeType": "BUILD_GENERAL1_MEDIUM"}}}
    )
    (item,) = [i for i in estimate([project], "us-east-1", Assumptions(usage=Usage(codebuild_minutes=300))).items if i.urn == "urn:p"]
    assert item.baseline == item.peak == 300 * 0.01
    assert "300 build minutes on BUILD_GENERAL1_MEDIUM" in item.description


# --- the control plane by support status, node volumes from launch templates -------------------

from datetime import date  # noqa: E402


def _cluster(version: str | None) -> CostResource:
    inputs = {"skipDefaultNodeGroup": True, **({"version": version} if version else {})}
    return CostResource("urn:c", "eks:index:Cluster", "eks", inputs)


@pytest.mark.parametrize(
    ("version", "month", "hourly", "words"),
    [
        # 1.35 is in standard support until 2027-03-27.
        ("1.35", date(2026, 11, 1), 0.10, "Kubernetes 1.35, standard support in 2026-11"),
        # 1.32 left standard support on 2026-03-23: the whole month at the extended price.
        ("1.32", date(2026, 11, 1), 0.60, "Kubernetes 1.32, extended support in 2026-11 (standard ended 2026-03-23)"),
        # 1.34 leaves it on 2026-12-02: 1 day of 31 at the standard price, 30 at the extended.
        ("1.34", date(2026, 12, 1), (0.10 * 1 + 0.60 * 30) / 31, "Kubernetes 1.34, 97% of 2026-12 in extended support (from 2026-12-02)"),
        # A version the calendar does not know is priced at the higher rate, and says so.
        ("1.99", date(2026, 11, 1), 0.60, "Kubernetes 1.99, not in the EKS calendar: priced as extended support"),
    ],
)
def test_the_control_plane_is_priced_by_its_support_in_the_month(version: str, month: date, hourly: float, words: str) -> None:
    result = estimate([_cluster(version)], "us-east-1", Assumptions(usage=Usage(custom_metrics=0)), month=month)
    item = result.items[0]
    assert item.baseline == pytest.approx(hourly * HOURS)
    assert item.description == f"EKS control plane eks ({words})"
    assert result.to_json()["month"] == month.strftime("%Y-%m")


def test_the_estimate_month_defaults_to_the_day_it_is_judged_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTERPROMPTS_TODAY", "2027-04-15")
    result = estimate([_cluster("1.35")], "us-east-1")
    assert result.month == date(2027, 4, 1)
    assert result.items[0].baseline == pytest.approx(0.60 * HOURS)  # 1.35 left standard support on 2027-03-27


def test_node_volumes_are_priced_from_the_launch_template() -> None:
    template = CostResource(
        "urn:lt",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "gpu",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100.0, "volumeType": "gp3"}}]},
    )
    group = CostResource(
        "urn:ng",
        "aws:eks/nodeGroup:NodeGroup",
        "gpu",
        # EKS ignores diskSize when a launch template is given; the template's 100 GiB is what runs.
        {"instanceTypes": ["g4dn.xlarge"], "scalingConfig": {"minSize": 1, "maxSize": 5}, "launchTemplate": {"id": "lt-1", "version": "1"}},
        dependencies=("urn:lt",),
    )
    (item,) = [i for i in estimate([template, group], "us-east-1").items if i.urn == "urn:ng"]
    assert item.baseline == pytest.approx(0.526 * HOURS + 100 * 0.08)
    assert item.description.endswith("(+100 GB gp3 each)")
    # Without a template the group's own diskSize (else EKS's 20 GiB) applies.
    plain = CostResource("urn:ng", "aws:eks/nodeGroup:NodeGroup", "gpu", {"instanceTypes": ["g4dn.xlarge"], "scalingConfig": {"minSize": 1, "maxSize": 1}})
    (item,) = [i for i in estimate([plain], "us-east-1").items if i.urn == "urn:ng"]
    assert item.description.endswith("(+20 GB gp3 each)")


def test_both_stacks_price_their_launch_templates_root_volumes(plan: Any) -> None:
    from preflight.cost_stage import estimate_document

    document = plan.to_json()
    items = {i.description.split(":")[0]: i.description for i in estimate_document(document).items}
    assert items[f"EKS node group betterprompts-{plan.stack}-eks-gpu"].endswith("(+100 GB gp3 each)")
    assert items[f"EKS node group betterprompts-{plan.stack}-eks-system"].endswith("(+50 GB gp3 each)")


def test_valkey_nodes_are_priced_a_fifth_below_redis() -> None:
    def group(engine: str) -> CostResource:
        inputs = {"engine": engine, "nodeType": "cache.r6g.large", "numNodeGroups": 3, "replicasPerNodeGroup": 1}
        return CostResource("urn:g", "aws:elasticache/replicationGroup:ReplicationGroup", "g", inputs)

    (redis,) = [i for i in estimate([group("redis")], "us-east-1").items if i.urn]
    (valkey,) = [i for i in estimate([group("valkey")], "us-east-1").items if i.urn]
    assert redis.baseline == pytest.approx(6 * 0.206 * HOURS)
    assert valkey.baseline == pytest.approx(6 * 0.1648 * HOURS)
    assert valkey.baseline == pytest.approx(0.8 * redis.baseline)
    assert valkey.description == "ElastiCache Valkey cache.r6g.large: 3 shards x (1 + 1 replicas) = 6 nodes"
    # Reserved Valkey nodes take the same 30% commitment.
    assert valkey.committed == pytest.approx(0.7 * valkey.baseline)


def test_cloudfront_transfer_is_priced_tier_by_tier() -> None:
    prices = cost_model.load_prices("us-east-1")

    def price(key: str) -> float:
        return prices.prices[key].price

    # 5 TB: all in the first tier; 60 TB: 10 TB + 40 TB + 10 TB of the third.
    assert cost_model.cloudfront_transfer_cost(5, price) == pytest.approx(5 * 1024 * price("cloudfront:transfer"))
    expected = 1024 * (10 * price("cloudfront:transfer") + 40 * price("cloudfront:transfer-next-40tb") + 10 * price("cloudfront:transfer-next-100tb"))
    assert cost_model.cloudfront_transfer_cost(60, price) == pytest.approx(expected)
    assert cost_model.cloudfront_transfer_cost(0, price) == 0


def test_web_acls_inspect_cloudfronts_requests_or_the_regional_share() -> None:
    usage = Usage(cloudfront_requests_millions=50, waf_requests_millions=20)
    rules = [{"name": f"r{i}"} for i in range(5)]
    plan = [
        CostResource("urn:cf", "aws:wafv2/webAcl:WebAcl", "cf", {"scope": "CLOUDFRONT", "rules": rules}),
        CostResource("urn:rg", "aws:wafv2/webAcl:WebAcl", "rg", {"scope": "REGIONAL", "rules": rules}),
    ]
    result = estimate(plan, "us-east-1", Assumptions(usage=usage))
    by_name = {i.description.split(":")[0]: i.baseline for i in result.items}
    # $5 per ACL, $1 per rule, $0.60 per million requests inspected.
    assert by_name["WAF web ACL cf"] == pytest.approx(5 + 5 + 50 * 0.6)
    assert by_name["WAF web ACL rg"] == pytest.approx(5 + 5 + 20 * 0.6)


def test_lambda_edge_runs_on_every_viewer_request_and_on_cache_misses_at_the_origin() -> None:
    usage = Usage(cloudfront_tb=0, cloudfront_requests_millions=10, cloudfront_cache_hit_fraction=0.8)
    associations = [{"eventType": "viewer-request"}, {"eventType": "origin-request"}]
    plan = [CostResource("urn:cdn", "aws:cloudfront/distribution:Distribution", "cdn", {"defaultCacheBehavior": {"lambdaFunctionAssociations": associations}})]
    result = estimate(plan, "us-east-1", Assumptions(usage=usage))
    [edge] = [i for i in result.items if i.description.startswith("Lambda@Edge")]
    prices = cost_model.load_prices("us-east-1").prices
    per_million = prices["lambda-edge:request"].price + 1_000_000 * cost_model.EDGE_GB_SECONDS_PER_REQUEST * prices["lambda-edge:gb-second"].price
    assert edge.baseline == pytest.approx((10 + 10 * 0.2) * per_million)
    without = estimate([CostResource("urn:cdn", "aws:cloudfront/distribution:Distribution", "cdn", {})], "us-east-1", Assumptions(usage=usage))
    assert not [i for i in without.items if i.description.startswith("Lambda@Edge")]


def test_a_lambda_at_edge_function_is_priced_with_its_distribution_only() -> None:
    edge = CostResource("urn:fn", "aws:lambda/function:Function", "seo", {"memorySize": 128, "tags": {"LambdaEdge": "true"}})
    [item] = [i for i in estimate([edge], "us-east-1", Assumptions()).items if i.urn == "urn:fn"]
    assert item.baseline == 0 and "priced per CloudFront request with its distribution" in item.description


def _velero_plan(snapshots: bool = True) -> list[CostResource]:
    release = CostResource(
        urn="r",
        type="kubernetes:helm.sh/v3:Release",
        name="velero",
        inputs={
            "chart": "velero",
            "values": {"snapshotsEnabled": snapshots, "configuration": {"backupStorageLocation": [{"name": "default", "bucket": "v-bucket"}]}},
        },
    )
    buckets = [CostResource(urn=n, type="aws:s3/bucket:Bucket", name=n, inputs={"bucket": f"{n}-bucket"}) for n in ("v", "a", "b")]
    return [release, *buckets]


def test_velero_prices_its_bucket_from_its_own_usage_and_its_snapshots() -> None:
    usage = replace(Usage(), s3_storage_gb=100, velero_backup_gb=10, velero_snapshot_gb=40, s3_requests_millions=0)
    result = estimate(_velero_plan(), "us-east-1", Assumptions(usage=usage))
    by_urn = {i.urn: i for i in result.items if i.urn}
    # The platform's buckets share the S3 usage without Velero's: 50 GB each, as before it existed.
    assert by_urn["a"].baseline == pytest.approx(50 * 0.023) and by_urn["b"].baseline == pytest.approx(50 * 0.023)
    assert by_urn["v"].baseline == pytest.approx(10 * 0.023)
    assert by_urn["v"].description.startswith("DR: Velero backups in S3 bucket v") and by_urn["v"].type == "usage:velero"
    assert by_urn["r"].description == "DR: Velero EBS snapshots: 40 GB kept"
    assert by_urn["r"].baseline == pytest.approx(40 * 0.05)
    without = {i.urn for i in estimate(_velero_plan(snapshots=False), "us-east-1", Assumptions(usage=usage)).items}
    assert "r" not in without


def test_other_releases_cost_nothing_of_their_own() -> None:
    release = CostResource(urn="m", type="kubernetes:helm.sh/v3:Release", name="metrics-server", inputs={"chart": "metrics-server", "values": {}})
    assert [i for i in estimate([release], "us-east-1").items if i.urn == "m"] == []


def test_the_velero_replica_holds_what_velero_holds() -> None:
    usage = replace(Usage(), s3_storage_gb=100, velero_backup_gb=10)
    replica = CostResource(urn="rv", type="aws:s3/bucket:Bucket", name="rv", inputs={"bucket": "rv-bucket"}, provider_region="us-west-2")
    config = CostResource(
        urn="c",
        type="aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        name="velero",
        inputs={"bucket": "v-bucket", "rules": [{"destination": {"replicationTime": {"status": "Enabled"}}}]},
        dependencies=("rv",),
    )
    [item] = [i for i in estimate([*_velero_plan(), replica, config], "us-east-1", Assumptions(usage=usage)).items if i.urn == "c"]
    moved = 10 * 0.02 * 30
    assert item.baseline == pytest.approx(10 * 0.023 + moved * 0.02 + moved * 0.015)
    assert "10 GB Standard" in item.description


@pytest.mark.parametrize(
    ("inputs", "price", "words"),
    [
        ({"type": "HTTPS", "requestInterval": 30}, 0.5 + 1.0, "AWS endpoint + HTTPS"),
        ({"type": "HTTPS_STR_MATCH", "requestInterval": 10, "measureLatency": True}, 0.5 + 4 * 1.0, "string matching, fast interval, latency measurement"),
        ({"type": "HTTP", "requestInterval": 30}, 0.5, "site: AWS endpoint"),
    ],
)
def test_a_health_check_pays_its_basic_price_and_each_option(inputs: dict[str, Any], price: float, words: str) -> None:
    check = CostResource(urn="h", type="aws:route53/healthCheck:HealthCheck", name="site", inputs=inputs)
    [item] = [i for i in estimate([check], "us-east-1").items if i.urn == "h"]
    assert item.baseline == pytest.approx(price)
    assert words in item.description and item.description.startswith("DR: Route 53 health check site")


def test_a_line_priced_by_a_derived_entry_says_so() -> None:
    """us-west-2 prices m7i.large by carrying us-east-1's price (derivedFrom); t4g.nano is transcribed there."""

    def instance(name: str, instance_type: str) -> CostResource:
        return CostResource(urn=f"urn:pulumi:dr::p::aws:ec2/instance:Instance::{name}", type="aws:ec2/instance:Instance",
                            name=name, inputs={"instanceType": instance_type}, parent="")

    items = {i.urn.rsplit("::", 1)[1]: i for i in estimate([instance("a", "m7i.large"), instance("b", "t4g.nano")], "us-west-2").items if i.urn}
    us_east_1 = json.loads((PRICING / "us-east-1.json").read_text())["prices"]["ec2:m7i.large"]["price"]
    assert items["a"].description.endswith(" [derived price: ec2:m7i.large in us-east-1]")
    t4g = json.loads((PRICING / "us-west-2.json").read_text())["prices"]["ec2:t4g.nano"]["price"]
    volume = items["b"].baseline - t4g * HOURS  # the same default root volume on both
    assert items["a"].baseline == pytest.approx(us_east_1 * HOURS + volume)
    assert "derived" not in items["b"].description

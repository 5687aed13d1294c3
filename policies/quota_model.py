"""The service quotas a plan needs at peak: registered resources -> one figure per quota code.

A fresh account often has no GPU quota at all and a handful of standard vCPUs, so the first
``pulumi up`` fails at the node group or the endpoint, or autoscaling silently stops at the
quota later. This model reads the same plan the cost estimate reads and counts, per quota:

* **needed**: everything at its maximum (node groups and endpoints at their autoscaling
  ceiling, every NAT gateway, EIP, VPC, ...);
* **peak**: needed plus the headroom an update takes while it replaces capacity: a managed
  node group update launches up to ``max(2 x its AZs, maxUnavailable)`` extra nodes
  (https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html), a
  SageMaker endpoint update brings up the new fleet next to the old one (a whole
  ``initialInstanceCount`` for blue/green, one batch for a rolling update;
  https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails.html).

Quotas are per account and region: two stacks in one account add up. Quota codes are AWS's
(Service Quotas console / ``aws service-quotas get-service-quota``); SageMaker's per-instance-type
quotas have no published code and are named instead ("ml.g4dn.xlarge for endpoint usage").
Pure and dependency-free like ``cost_model``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# preflight and the components use this model (the pack does not), so it is always ``policies.quota_model``.
from .instance_sizes import family, vcpus

SERVICE_QUOTAS_DOC = "https://docs.aws.amazon.com/servicequotas/latest/userguide/intro.html"
EC2_VCPU_DOC = "https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html"
VPC_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html"
EKS_DOC = "https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html"
RDS_DOC = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html"
ELASTICACHE_DOC = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html"
SAGEMAKER_DOC = "https://docs.aws.amazon.com/general/latest/gr/sagemaker.html"


@dataclass(frozen=True)
class Quota:
    """One AWS service quota."""

    service: str
    """Service Quotas service code (``ec2``, ``vpc``, ``sagemaker``, ...)."""
    code: str | None
    """Quota code (``L-DB2E81BA``); None where AWS publishes none (SageMaker per instance type)."""
    name: str
    """The quota's name in the Service Quotas console."""
    unit: str
    scope: str
    """What one quota value covers: ``region``, ``vpc``, ``az``, ``cluster``, ``node group``, ``primary``."""
    default: float | None
    """AWS's default value; None where it is account-specific (EC2 vCPUs, SageMaker instances)."""
    source: str

    @property
    def key(self) -> str:
        """``ec2/L-DB2E81BA``, or ``sagemaker/ml.g4dn.xlarge for endpoint usage`` when there is no code."""
        return f"{self.service}/{self.code or self.name}"


def _q(service: str, code: str | None, name: str, unit: str, scope: str, default: float | None, source: str) -> Quota:
    return Quota(service, code, name, unit, scope, default, source)


# EC2 vCPU quota families (on-demand and spot) by the instance family's leading letters.
ON_DEMAND_STANDARD = _q("ec2", "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", "vCPU", "region", None, EC2_VCPU_DOC)
ON_DEMAND_G_VT = _q("ec2", "L-DB2E81BA", "Running On-Demand G and VT instances", "vCPU", "region", None, EC2_VCPU_DOC)
ON_DEMAND_P = _q("ec2", "L-417A185B", "Running On-Demand P instances", "vCPU", "region", None, EC2_VCPU_DOC)
SPOT_STANDARD = _q("ec2", "L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", "vCPU", "region", None, EC2_VCPU_DOC)
SPOT_G_VT = _q("ec2", "L-3819A6DF", "All G and VT Spot Instance Requests", "vCPU", "region", None, EC2_VCPU_DOC)
SPOT_P = _q("ec2", "L-7212CCBC", "All P Spot Instance Requests", "vCPU", "region", None, EC2_VCPU_DOC)
ELASTIC_IPS = _q("ec2", "L-0263D0A3", "EC2-VPC Elastic IPs", "addresses", "region", 5, VPC_DOC)
VPCS = _q("vpc", "L-F678F1CE", "VPCs per Region", "VPCs", "region", 5, VPC_DOC)
INTERNET_GATEWAYS = _q("vpc", "L-A4707A72", "Internet gateways per Region", "gateways", "region", 5, VPC_DOC)
NAT_GATEWAYS_PER_AZ = _q("vpc", "L-FE5A380F", "NAT gateways per Availability Zone", "gateways", "az", 5, VPC_DOC)
SUBNETS_PER_VPC = _q("vpc", "L-407747CB", "Subnets per VPC", "subnets", "vpc", 200, VPC_DOC)
SECURITY_GROUPS = _q("vpc", "L-E79EC296", "VPC security groups per Region", "groups", "region", 2500, VPC_DOC)
INTERFACE_ENDPOINTS = _q("vpc", "L-29B6F2EB", "Interface VPC endpoints per VPC", "endpoints", "vpc", 50, VPC_DOC)
GATEWAY_ENDPOINTS = _q("vpc", "L-1B52E74A", "Gateway VPC endpoints per Region", "endpoints", "region", 20, VPC_DOC)
EKS_CLUSTERS = _q("eks", "L-1194D53C", "Clusters", "clusters", "region", 100, EKS_DOC)
NODE_GROUPS_PER_CLUSTER = _q("eks", "L-6D54EA21", "Managed node groups per cluster", "node groups", "cluster", 30, EKS_DOC)
NODES_PER_NODE_GROUP = _q("eks", "L-BD136A63", "Nodes per managed node group", "nodes", "node group", 450, EKS_DOC)
DB_INSTANCES = _q("rds", "L-7B6409FD", "DB instances", "instances", "region", 40, RDS_DOC)
READ_REPLICAS = _q("rds", "L-5BC124EF", "Read replicas per primary", "replicas", "primary", 15, RDS_DOC)
CACHE_NODES = _q("elasticache", "L-DFE45DF3", "Nodes per Region", "nodes", "region", 300, ELASTICACHE_DOC)
SERVERLESS_CONCURRENCY = _q(
    "sagemaker", "L-96300102", "Maximum total concurrency that can be allocated across all serverless endpoints",
    "invocations", "region", 10, SAGEMAKER_DOC,
)

CATALOG: tuple[Quota, ...] = (
    ON_DEMAND_STANDARD, ON_DEMAND_G_VT, ON_DEMAND_P, SPOT_STANDARD, SPOT_G_VT, SPOT_P, ELASTIC_IPS, VPCS,
    INTERNET_GATEWAYS, NAT_GATEWAYS_PER_AZ, SUBNETS_PER_VPC, SECURITY_GROUPS, INTERFACE_ENDPOINTS, GATEWAY_ENDPOINTS,
    EKS_CLUSTERS, NODE_GROUPS_PER_CLUSTER, NODES_PER_NODE_GROUP, DB_INSTANCES, READ_REPLICAS, CACHE_NODES,
    SERVERLESS_CONCURRENCY,
)
"""Every quota with a code this model computes; the quota requests config is checked against it."""

_STANDARD_LETTERS = tuple("acdhimrtz")


def vcpu_quota(instance_type: str, *, spot: bool) -> Quota:
    """The EC2 vCPU quota an instance type's family counts against, on-demand or spot."""
    fam = family(instance_type)
    if fam.startswith(("inf", "trn", "dl", "x", "f", "u-")):
        pass  # families with quotas of their own (Inf, Trn, DL, X, F, high memory): not modelled here
    elif fam.startswith(("g", "vt")):
        return SPOT_G_VT if spot else ON_DEMAND_G_VT
    elif fam.startswith("p"):
        return SPOT_P if spot else ON_DEMAND_P
    elif fam.startswith(_STANDARD_LETTERS):
        return SPOT_STANDARD if spot else ON_DEMAND_STANDARD
    raise ValueError(f"no vCPU quota family known for {instance_type!r}: add it to policies/quota_model.py")


def sagemaker_instance_quota(instance_type: str) -> Quota:
    """SageMaker's per-type hosting quota (an instance count; no published code, looked up by name)."""
    return _q("sagemaker", None, f"{instance_type} for endpoint usage", "instances", "region", None, SAGEMAKER_DOC)


@dataclass
class QuotaNeed:
    """What a plan needs of one quota."""

    quota: Quota
    needed: float = 0.0
    """At maximum capacity."""
    peak: float = 0.0
    """Maximum capacity plus update headroom."""
    contributions: list[str] = field(default_factory=list)
    requested: float | None = None
    """The value the stack asks Service Quotas for (``betterprompts:quotas.requests``), if any."""

    @property
    def exceeds_default(self) -> bool:
        return self.quota.default is not None and self.peak > self.quota.default

    @property
    def request_short(self) -> bool:
        return self.requested is not None and self.requested < self.peak

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.quota.key,
            "service": self.quota.service,
            "code": self.quota.code,
            "name": self.quota.name,
            "unit": self.quota.unit,
            "scope": self.quota.scope,
            "needed": self.needed,
            "peak": self.peak,
            "awsDefault": self.quota.default,
            "exceedsDefault": self.exceeds_default,
            "requested": self.requested,
            "contributions": list(self.contributions),
            "source": self.quota.source,
        }


class _Needs:
    def __init__(self) -> None:
        self.by_key: dict[str, QuotaNeed] = {}

    def add(self, quota: Quota, needed: float, peak: float | None, why: str) -> None:
        need = self.by_key.setdefault(quota.key, QuotaNeed(quota))
        need.needed += needed
        need.peak += needed if peak is None else peak
        need.contributions.append(why)

    def at_least(self, quota: Quota, needed: float, peak: float | None, why: str) -> None:
        """For per-scope quotas (per VPC, per AZ, per cluster): the largest scope counts."""
        need = self.by_key.setdefault(quota.key, QuotaNeed(quota))
        need.needed = max(need.needed, needed)
        need.peak = max(need.peak, needed if peak is None else peak)
        need.contributions.append(why)


def _num(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


def _inputs(r: Mapping[str, Any]) -> Mapping[str, Any]:
    return r.get("inputs") or {}


def _ancestors(r: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    seen: set[str] = set()
    parent = by_urn.get(str(r.get("parent") or ""))
    while parent is not None and parent["urn"] not in seen:
        seen.add(parent["urn"])
        yield parent
        parent = by_urn.get(str(parent.get("parent") or ""))


NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup"


def _node_groups(resources: Sequence[Mapping[str, Any]], needs: _Needs, by_urn: Mapping[str, Mapping[str, Any]]) -> None:
    per_cluster: Counter[str] = Counter()
    for r in resources:
        if r["type"] not in (NODE_GROUP, MANAGED_NODE_GROUP):
            continue
        inputs = _inputs(r)
        if r["type"] == MANAGED_NODE_GROUP and "scalingConfig" not in inputs:
            continue  # seen by its outputs: the raw child counts
        if r["type"] == NODE_GROUP and any(
            a["type"] == MANAGED_NODE_GROUP and "scalingConfig" in _inputs(a) for a in _ancestors(r, by_urn)
        ):
            continue
        scaling = inputs.get("scalingConfig") or {}
        high = int(_num(scaling.get("maxSize"), _num(scaling.get("minSize"), 1)))
        types = [str(t) for t in (inputs.get("instanceTypes") or ["t3.medium"])]
        spot = str(inputs.get("capacityType") or "ON_DEMAND").upper() == "SPOT"
        per_node = max(vcpus(t) for t in types)
        azs = max(len(inputs.get("subnetIds") or []), 1)
        update = inputs.get("updateConfig") or {}
        unavailable = _num(update.get("maxUnavailable"), 0) or math.ceil(high * _num(update.get("maxUnavailablePercentage"), 0) / 100)
        surge = max(2 * azs, int(unavailable), 1)
        quota = vcpu_quota(types[0], spot=spot)
        market = "spot" if spot else "on-demand"
        needs.add(
            quota,
            high * per_node,
            (high + surge) * per_node,
            f"node group {r['name']}: {high} x {'/'.join(types)} {market} ({per_node} vCPU) + {surge} during an update",
        )
        needs.at_least(NODES_PER_NODE_GROUP, high, high + surge, f"node group {r['name']}: max {high} + {surge} during an update")
        per_cluster[str(inputs.get("clusterName") or "cluster")] += 1
    for cluster, count in per_cluster.items():
        needs.at_least(NODE_GROUPS_PER_CLUSTER, count, None, f"cluster {cluster}: {count} managed node groups")


def _instances(resources: Sequence[Mapping[str, Any]], needs: _Needs) -> None:
    for r in resources:
        if r["type"] != "aws:ec2/instance:Instance":
            continue
        instance_type = str(_inputs(r).get("instanceType") or "")
        if not instance_type:
            continue
        n = vcpus(instance_type)
        needs.add(vcpu_quota(instance_type, spot=False), n, None, f"EC2 instance {r['name']}: {instance_type} ({n} vCPU)")


def _network(resources: Sequence[Mapping[str, Any]], needs: _Needs) -> None:
    of = defaultdict(list)
    for r in resources:
        of[r["type"]].append(r)
    for r in of["aws:ec2/eip:Eip"]:
        needs.add(ELASTIC_IPS, 1, None, f"Elastic IP {r['name']}")
    for r in of["aws:ec2/vpc:Vpc"]:
        needs.add(VPCS, 1, None, f"VPC {r['name']}")
    for r in of["aws:ec2/internetGateway:InternetGateway"]:
        needs.add(INTERNET_GATEWAYS, 1, None, f"internet gateway {r['name']}")
    per_subnet = Counter(str(_inputs(r).get("subnetId") or r["name"]) for r in of["aws:ec2/natGateway:NatGateway"])
    if per_subnet:
        most = max(per_subnet.values())
        needs.at_least(NAT_GATEWAYS_PER_AZ, most, None, f"{len(of['aws:ec2/natGateway:NatGateway'])} NAT gateways, at most {most} in one AZ")
    per_vpc = Counter(str(_inputs(r).get("vpcId") or "vpc") for r in of["aws:ec2/subnet:Subnet"])
    for vpc, count in per_vpc.items():
        needs.at_least(SUBNETS_PER_VPC, count, None, f"{count} subnets in one VPC")
    groups = len(of["aws:ec2/securityGroup:SecurityGroup"])
    # Each VPC has a default group and EKS creates a cluster security group: both count.
    clusters = len(of["eks:index:Cluster"]) or len(of["aws:eks/cluster:Cluster"])
    implicit = len(of["aws:ec2/vpc:Vpc"]) + clusters
    if groups or implicit:
        needs.add(SECURITY_GROUPS, groups + implicit, None, f"{groups} security groups + {implicit} created by AWS (VPC default, EKS cluster)")
    interface: Counter[str] = Counter()
    for r in of["aws:ec2/vpcEndpoint:VpcEndpoint"]:
        inputs = _inputs(r)
        if str(inputs.get("vpcEndpointType") or "Gateway") == "Interface":
            interface[str(inputs.get("vpcId") or "vpc")] += 1
        else:
            needs.add(GATEWAY_ENDPOINTS, 1, None, f"gateway endpoint {inputs.get('serviceName') or r['name']}")
    for vpc, count in interface.items():
        needs.at_least(INTERFACE_ENDPOINTS, count, None, f"{count} interface endpoints in one VPC")


def _clusters(resources: Sequence[Mapping[str, Any]], needs: _Needs, by_urn: Mapping[str, Mapping[str, Any]]) -> None:
    for r in resources:
        if r["type"] == "eks:index:Cluster" or (
            r["type"] == "aws:eks/cluster:Cluster" and not any(a["type"] == "eks:index:Cluster" for a in _ancestors(r, by_urn))
        ):
            needs.add(EKS_CLUSTERS, 1, None, f"EKS cluster {r['name']}")


def _databases(resources: Sequence[Mapping[str, Any]], needs: _Needs) -> None:
    replicas: Counter[str] = Counter()
    for r in resources:
        if r["type"] == "aws:rds/instance:Instance":
            inputs = _inputs(r)
            needs.add(DB_INSTANCES, 1, None, f"RDS instance {r['name']}")
            if "replicateSourceDb" in inputs and inputs.get("replicateSourceDb") != "":
                replicas[str(inputs.get("replicateSourceDb") or "primary")] += 1
        elif r["type"] == "aws:elasticache/replicationGroup:ReplicationGroup":
            inputs = _inputs(r)
            if inputs.get("numNodeGroups") is not None or inputs.get("replicasPerNodeGroup") is not None:
                shards, per = int(_num(inputs.get("numNodeGroups"), 1)), int(_num(inputs.get("replicasPerNodeGroup"), 0))
                nodes = shards * (1 + per)
            else:
                nodes = int(_num(inputs.get("numCacheClusters"), 1))
            needs.add(CACHE_NODES, nodes, None, f"ElastiCache {r['name']}: {nodes} nodes")
        elif r["type"] == "aws:elasticache/cluster:Cluster" and not _inputs(r).get("replicationGroupId"):
            nodes = int(_num(_inputs(r).get("numCacheNodes"), 1))
            needs.add(CACHE_NODES, nodes, None, f"ElastiCache {r['name']}: {nodes} nodes")
    for source, count in replicas.items():
        needs.at_least(READ_REPLICAS, count, None, f"{count} read replicas of one primary")


ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SCALING_TARGET = "aws:appautoscaling/target:Target"


def _sagemaker(resources: Sequence[Mapping[str, Any]], needs: _Needs) -> None:
    endpoints = [r for r in resources if r["type"] == ENDPOINT]
    targets = [r for r in resources if r["type"] == SCALING_TARGET and _inputs(r).get("serviceNamespace") in (None, "sagemaker")]
    for config in (r for r in resources if r["type"] == ENDPOINT_CONFIG):
        served = [
            e for e in endpoints
            if config["urn"] in _deps(e) or (_inputs(config).get("name") and _inputs(e).get("endpointConfigName") == _inputs(config).get("name"))
        ]
        if not served:
            continue  # a configuration no endpoint runs holds no capacity
        endpoint = served[0]
        for variant in _inputs(config).get("productionVariants") or []:
            serverless = variant.get("serverlessConfig")
            if serverless:
                concurrency = _num(serverless.get("maxConcurrency"), 1)
                needs.add(SERVERLESS_CONCURRENCY, concurrency, None, f"serverless endpoint {endpoint['name']}: max concurrency {concurrency:g}")
                continue
            instance_type = str(variant.get("instanceType") or "")
            initial = int(_num(variant.get("initialInstanceCount"), 1))
            high = initial
            for target in targets:
                resource_id = _inputs(target).get("resourceId")
                name = _inputs(endpoint).get("name")
                if endpoint["urn"] in _deps(target) or (isinstance(resource_id, str) and name and f"endpoint/{name}/" in resource_id):
                    high = int(_num(_inputs(target).get("maxCapacity"), initial))
            surge, how = _update_surge(_inputs(endpoint).get("deploymentConfig"), initial)
            quota = sagemaker_instance_quota(instance_type)
            needs.add(quota, high, high + surge, f"endpoint {endpoint['name']}: up to {high} x {instance_type} + {surge} during an update ({how})")


def _update_surge(deployment: Any, initial: int) -> tuple[int, str]:
    """Extra instances an endpoint update runs next to the old fleet."""
    rolling = (deployment or {}).get("rollingUpdatePolicy") if isinstance(deployment, Mapping) else None
    if isinstance(rolling, Mapping):
        batch = rolling.get("maximumBatchSize") or {}
        value = _num(batch.get("value"), 1)
        if str(batch.get("type") or "INSTANCE_COUNT") == "CAPACITY_PERCENT":
            return max(1, math.ceil(initial * value / 100)), "rolling, one batch"
        return max(1, int(value)), "rolling, one batch"
    return initial, "blue/green, a whole new fleet"


def _deps(r: Mapping[str, Any]) -> set[str]:
    deps = set(r.get("dependencies") or [])
    for urns in (r.get("propertyDependencies") or {}).values():
        deps.update(urns or [])
    return deps


def quota_needs(resources: Sequence[Mapping[str, Any]], requests: Mapping[str, Any] | None = None) -> list[QuotaNeed]:
    """Every quota the plan's resources count against, with needed and peak values, by key.

    ``requests`` is the ``quotaRequests`` stack output (``{"ec2/L-DB2E81BA": 44, ...}``).
    Raises ``ValueError`` for an instance type whose vCPUs or quota family is unknown.
    """
    by_urn = {str(r["urn"]): r for r in resources}
    needs = _Needs()
    _node_groups(resources, needs, by_urn)
    _instances(resources, needs)
    _network(resources, needs)
    _clusters(resources, needs, by_urn)
    _databases(resources, needs)
    _sagemaker(resources, needs)
    result = sorted(needs.by_key.values(), key=lambda n: (n.quota.service, n.quota.key))
    for need in result:
        value = (requests or {}).get(need.quota.key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            need.requested = float(value)
    return result

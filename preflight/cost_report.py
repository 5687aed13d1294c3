"""The cost table of ``docs/cost.md``: each stack's estimate beside the seed's "Estimated Monthly Costs".

``python -m preflight.cost_report [STACK ...]`` runs each stack offline (default:
production, staging and dr, production's pilot light), prices it with the ``cost`` stage and prints a Markdown table
with one row per line of the seed's table plus one row per billable item the seed's
table leaves out. A last column prices the seed's own production design with the same
model (``SEED_DESIGN``), so the differences are visible before every component exists.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from policies.cost_model import Assumptions, CostResource, Estimate, LineItem, estimate

from .harness import run_stack

# The seed's production table: row -> (configuration, low, high) in USD/month.
SEED_TABLE: dict[str, tuple[str, float, float]] = {
    "EKS Control Plane": ("1 cluster", 72, 72),
    "EKS Worker Nodes": ("Mixed instances + Spot", 800, 1200),
    "GPU Nodes": ("g4dn.xlarge (1-5)", 400, 2000),
    "RDS PostgreSQL": ("db.r6g.xlarge Multi-AZ", 650, 650),
    "ElastiCache": ("cache.r6g.large x3", 450, 450),
    "Application Load Balancer": ("1 ALB", 25, 25),
    "S3 Storage": ("~1TB", 25, 25),
    "CloudFront": ("~5TB transfer", 425, 425),
    "Data Transfer": ("Inter-AZ/Internet", 200, 200),
    "CloudWatch": ("Logs/Metrics", 150, 150),
}
SEED_TOTAL = {"baseline": (3200, 4000), "peak": (5000, 6500)}

# Rows for what the design needs but the seed's table does not list.
EXTRA_ROWS = (
    "SageMaker inference (not in the seed's table)",
    "RDS read replicas (not in the seed's table)",
    "ElastiCache replicas (the seed's table counts 3 nodes)",
    "NAT, VPC endpoints (not in the seed's table)",
    "EFS (not in the seed's table)",
    "EBS snapshots (not in the seed's table)",
    "KMS keys, secrets, alarms, DNS (not in the seed's table)",
    "WAF web ACLs (the seed's Network Security)",
    "CodeBuild deploy runner (the seed's CI/CD section)",
    "ECR image repositories (the seed's CI/CD section)",
    "Spot GPU training nodes (the seed's Option A, not in its table)",
    "CloudTrail, GuardDuty, Security Hub, Config (the seed's Compliance)",
    "Serverless: queues, functions, APIs, workflows (the seed's section 5)",
    "Disaster recovery: backups, cross-Region copies (the seed's DR, ~$800)",
    "Other",
)

SERVERLESS_TYPES = (
    "aws:sqs/queue:Queue",
    "aws:lambda/function:Function",
    "aws:apigateway/stage:Stage",
    "aws:sfn/stateMachine:StateMachine",
)

COMPLIANCE_TYPES = (
    "aws:cloudtrail/trail:Trail",
    "aws:guardduty/detector:Detector",
    "aws:securityhub/account:Account",
    "aws:cfg/recorder:Recorder",
)

_GPU = re.compile(r" x (g\d|p\d|inf\d)")


def category(item: LineItem) -> str:
    """The seed-table row an estimate line belongs to."""
    t, d = item.type, item.description
    if d.startswith("EKS control plane"):
        return "EKS Control Plane"
    if "node group" in d:
        if _GPU.search(d):
            # Spot GPU nodes are the training pool; the seed's GPU row is the on-demand inference pool.
            return "Spot GPU training nodes (the seed's Option A, not in its table)" if " spot" in d else "GPU Nodes"
        return "EKS Worker Nodes"
    if "Secrets Manager secret" in d or t == "aws:secretsmanager/secretRotation:SecretRotation":
        return "KMS keys, secrets, alarms, DNS (not in the seed's table)"
    if t == "aws:rds/instance:Instance":
        return "RDS read replicas (not in the seed's table)" if "read replica" in d else "RDS PostgreSQL"
    if t.startswith("aws:elasticache/"):
        return "ElastiCache"
    if "load balancer" in d.lower():
        return "Application Load Balancer"
    if t == "usage:s3":
        return "S3 Storage"
    if t == "aws:cloudfront/distribution:Distribution":
        return "CloudFront"
    if t == "usage:data-transfer":
        return "Data Transfer"
    if t in (
        "usage:cloudwatch",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:appautoscaling/policy:Policy",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        "aws:grafana/workspace:Workspace",
        "aws:amp/workspace:Workspace",
        "aws:cloudfront/monitoringSubscription:MonitoringSubscription",
    ):
        return "CloudWatch"
    if t.startswith("aws:sagemaker/") or (t == "usage:business-hours" and " x ml." in d):
        return "SageMaker inference (not in the seed's table)"
    if t in ("aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/vpcEndpoint:VpcEndpoint") or "(NAT instance)" in d:
        return "NAT, VPC endpoints (not in the seed's table)"
    if t == "aws:efs/fileSystem:FileSystem":
        return "EFS (not in the seed's table)"
    if t == "aws:dlm/lifecyclePolicy:LifecyclePolicy":
        return "EBS snapshots (not in the seed's table)"
    if t == "aws:wafv2/webAcl:WebAcl":
        return "WAF web ACLs (the seed's Network Security)"
    if t in ("aws:kms/key:Key", "aws:secretsmanager/secret:Secret", "aws:route53/zone:Zone"):
        return "KMS keys, secrets, alarms, DNS (not in the seed's table)"
    if d.startswith("DR: "):
        return "Disaster recovery: backups, cross-Region copies (the seed's DR, ~$800)"
    if t in COMPLIANCE_TYPES:
        return "CloudTrail, GuardDuty, Security Hub, Config (the seed's Compliance)"
    if t == "aws:codebuild/project:Project":
        return "CodeBuild deploy runner (the seed's CI/CD section)"
    if t == "aws:ecr/repository:Repository":
        return "ECR image repositories (the seed's CI/CD section)"
    if t in SERVERLESS_TYPES:
        return "Serverless: queues, functions, APIs, workflows (the seed's section 5)"
    return "Other"


def grouped(result: Estimate) -> dict[str, tuple[float, float]]:
    rows: dict[str, tuple[float, float]] = {}
    for item in result.items:
        row = category(item)
        if row == "ElastiCache":
            # Split the seed's three nodes from the replicas the design adds.
            m = re.search(r"= (\d+) nodes", item.description)
            nodes = int(m.group(1)) if m else 0
            if nodes > 3:
                per_node = item.baseline / nodes
                low, high = rows.get("ElastiCache", (0.0, 0.0))
                rows["ElastiCache"] = (low + 3 * per_node, high + 3 * per_node)
                extra = "ElastiCache replicas (the seed's table counts 3 nodes)"
                low, high = rows.get(extra, (0.0, 0.0))
                rows[extra] = (low + (nodes - 3) * per_node, high + (nodes - 3) * per_node)
                continue
        low, high = rows.get(row, (0.0, 0.0))
        rows[row] = (low + item.baseline, high + item.peak)
    return rows


def _cell(values: tuple[float, float] | None) -> str:
    if not values or (values[0] == 0 and values[1] == 0):
        return "-"
    low, high = values
    return f"${low:,.0f}" if round(low) == round(high) else f"${low:,.0f}-{high:,.0f}"


def seed_design() -> list[CostResource]:
    """The seed's production design ("Service Architecture") as the resources that would price it."""

    def r(name: str, token: str, inputs: dict[str, object], parent: str = "") -> CostResource:
        return CostResource(urn=f"seed::{name}", type=token, name=name, inputs=inputs, parent=parent)

    def group(name: str, types: list[str], low: int, high: int, capacity: str = "ON_DEMAND") -> CostResource:
        return r(
            name,
            "eks:index:ManagedNodeGroup",
            {"instanceTypes": types, "capacityType": capacity, "scalingConfig": {"minSize": low, "maxSize": high, "desiredSize": low}},
        )

    return [
        r("eks", "eks:index:Cluster", {"skipDefaultNodeGroup": True}),
        group("system", ["t3a.medium"], 2, 4),
        group("application", ["c6i.xlarge"], 3, 9),
        group("gpu", ["g4dn.xlarge"], 1, 5),
        group("spot", ["t3a.medium", "t3.medium"], 0, 10, "SPOT"),
        r("db", "aws:rds/instance:Instance", {"instanceClass": "db.r6g.xlarge", "multiAz": True, "allocatedStorage": 500, "maxAllocatedStorage": 2000, "storageType": "gp3"}),
        r("db-replica", "aws:rds/instance:Instance", {"instanceClass": "db.r6g.xlarge", "replicateSourceDb": "db", "allocatedStorage": 500, "storageType": "gp3"}),
        r("cache", "aws:elasticache/replicationGroup:ReplicationGroup", {"nodeType": "cache.r6g.large", "numNodeGroups": 3, "replicasPerNodeGroup": 1}),
        r("inference", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", {"productionVariants": [{"variantName": "primary", "instanceType": "ml.g4dn.xlarge", "initialInstanceCount": 1}]}),
        r("alb", "aws:lb/loadBalancer:LoadBalancer", {"loadBalancerType": "application"}),
        r("assets", "aws:s3/bucketV2:BucketV2", {}),
        r("cdn", "aws:cloudfront/distribution:Distribution", {}),
        r("efs", "aws:efs/fileSystem:FileSystem", {"lifecyclePolicies": [{"transitionToIa": "AFTER_30_DAYS"}]}),
        *[r(f"nat-{az}", "aws:ec2/natGateway:NatGateway", {}) for az in "abc"],
        *[r(f"nat-{az}", "aws:ec2/eip:Eip", {"domain": "vpc"}) for az in "abc"],
        *[r(f"key-{p}", "aws:kms/key:Key", {}) for p in ("logs", "data", "eks", "storage", "alarms")],
        r("flow-logs", "aws:cloudwatch/logGroup:LogGroup", {}),
    ]


def markdown(estimates: dict[str, Estimate]) -> list[str]:
    """The comparison table: seed row, the seed's figure, each estimate's baseline-peak."""
    names = list(estimates)
    rows = {name: grouped(result) for name, result in estimates.items()}
    header = "| Service | Seed: configuration | Seed: USD/month | " + " | ".join(f"{n}: baseline-peak" for n in names) + " |"
    lines = [header, "|" + "---|" * (3 + len(names))]
    for row, (configuration, low, high) in SEED_TABLE.items():
        cells = [_cell(rows[n].get(row)) for n in names]
        lines.append(f"| {row} | {configuration} | {_cell((low, high))} | " + " | ".join(cells) + " |")
    for row in EXTRA_ROWS:
        cells = [_cell(rows[n].get(row)) for n in names]
        if any(c != "-" for c in cells):
            lines.append(f"| {row} | - | - | " + " | ".join(cells) + " |")
    lines.append(
        "| **Total** | | **$3,200-4,000 baseline, $5,000-6,500 peak** | "
        + " | ".join(f"**{_cell((e.baseline, e.peak))}**" for e in estimates.values())
        + " |"
    )
    lines.append(
        "| **With commitments** (Savings Plan 20%, reserved RDS/ElastiCache 30%) | | seed: -$930-1,130 | "
        + " | ".join(f"**{_cell((e.committed, e.committed_peak))}**" for e in estimates.values())
        + " |"
    )
    return lines


def stack_estimate(stack: str) -> Estimate:
    from .cost_stage import estimate_document

    return estimate_document(run_stack(stack).to_json())


def main(argv: Sequence[str] | None = None) -> int:
    stacks = list(argv if argv is not None else sys.argv[1:]) or ["production", "staging", "dr"]
    estimates = {stack: stack_estimate(stack) for stack in stacks}
    estimates["seed design (this model)"] = estimate(seed_design(), "us-east-1", Assumptions())
    print("\n".join(markdown(estimates)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The monthly cost model: registered resources + a region's price list + usage assumptions -> line items.

Pure and dependency-free, so that both ``preflight`` (as ``policies.cost_model``) and
the CrossGuard pack (which Pulumi runs with ``policies/`` as its own program, as
``cost_model``) use the same arithmetic. Prices are data in ``pricing/<region>.json``,
one entry per price with its unit, date and public source; this module only knows
which price a resource needs and how many hours, nodes or gigabytes to multiply it by.

Every priced resource gives a *baseline* (minimum capacity: node groups and endpoints
at their minimum size, storage as allocated) and a *peak* (maximum capacity: node
groups and endpoints at their maximum, storage at its autoscaling ceiling). The
*committed* figures apply the seed's commitments to the baseline and the peak: a
1-year Compute Savings Plan on on-demand EC2 hours and reserved RDS/ElastiCache nodes.
Usage the resources do not state (GB out to the internet, log volume, requests) comes
from :class:`Assumptions`, which the stack config fills.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

try:  # As ``policies.cost_model`` from the repository root...
    from . import eks_lifecycle, storage_classes
except ImportError:  # ...or as ``cost_model`` when Pulumi runs the pack with policies/ as its program.
    import eks_lifecycle  # type: ignore[no-redef, import-not-found]
    import storage_classes  # type: ignore[no-redef, import-not-found]

PRICING_DIR = Path(__file__).resolve().parent / "pricing"
HOURS_PER_MONTH = 730.0
GB_PER_TB = 1024

# Where a commitment applies (the seed's "Cost Optimization Strategies").
COMPUTE_SAVINGS_PLAN = "compute-savings-plan"
RESERVED_DATABASE = "reserved-database"

# Components that create raw resources we also price: the raw child is skipped under them.
COVERING_COMPONENTS: dict[str, tuple[str, ...]] = {
    "aws:eks/cluster:Cluster": ("eks:index:Cluster",),
    "aws:eks/nodeGroup:NodeGroup": ("eks:index:ManagedNodeGroup",),
}

# Keys that show a component's *inputs* (what preflight records). A stack policy sees a
# component's registered outputs instead; a component without these is not priced and its
# raw children are (they carry their full state).
COMPONENT_INPUT_KEYS: dict[str, str] = {
    "eks:index:ManagedNodeGroup": "scalingConfig",
}
# Outputs of an eks:index:Cluster (as a stack policy sees it); its inputs have none of them.
EKS_CLUSTER_OUTPUT_KEYS = ("kubeconfig", "eksCluster", "core")

# Defaults when neither the resource nor the node group's inputs say (AWS's own defaults).
DEFAULT_NODE_GROUP_INSTANCE_TYPE = "t3.medium"
DEFAULT_NODE_DISK_GB = 20
DEFAULT_CLUSTER_NODE_INSTANCE_TYPE = "t2.medium"
DEFAULT_ROOT_VOLUME_GB = 8


class MissingPriceError(LookupError):
    """A resource needs a price the region's price list does not have."""

    def __init__(self, region: str, resource_type: str, size: str, key: str) -> None:
        self.region = region
        self.resource_type = resource_type
        self.size = size
        self.key = key
        super().__init__(
            f"no {region} price for {resource_type} size {size!r}: "
            f"add the entry {key!r} (price, unit, date, source) to policies/pricing/{region}.json"
        )


# --- assumptions --------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Monthly usage the registered resources do not state. Defaults follow the seed's table."""

    internet_egress_gb: float = 1500.0
    """GB a month from the VPC and load balancers to the internet (not through CloudFront)."""
    inter_az_gb: float = 3000.0
    """GB a month crossing availability zones (pods, replicas, Multi-AZ traffic)."""
    nat_processed_gb: float = 500.0
    """GB a month through NAT gateways (split evenly over them); VPC endpoints keep S3 off this path."""
    cloudfront_tb: float = 5.0
    """TB a month CloudFront serves to viewers (split evenly over distributions)."""
    cloudfront_requests_millions: float = 50.0
    """Million HTTPS requests a month at CloudFront."""
    cloudfront_cache_hit_fraction: float = 0.9
    """Share of requests CloudFront answers from its cache: origin-request Lambda@Edge functions run on the rest."""
    s3_storage_gb: float = 1024.0
    """GB stored across the stack's buckets (split evenly over them), priced per storage class by each bucket's lifecycle."""
    s3_requests_millions: float = 5.0
    """Million PUT/COPY/POST/LIST requests a month to S3."""
    log_ingestion_gb: float = 150.0
    """GB a month ingested into CloudWatch Logs (flow logs, EKS control plane, applications)."""
    log_storage_gb: float = 500.0
    """GB held in CloudWatch Logs (ingestion x retention, compressed)."""
    custom_metrics: int = 100
    """Custom CloudWatch metrics (Container Insights, application metrics)."""
    load_balancer_capacity_units: float = 1.0
    """Average LCUs per load balancer (new connections, active connections, bandwidth, rules)."""
    s3_horizon_days: float = 365.0
    """Age of the oldest object in a bucket whose lifecycle expires nothing (how long data is kept)."""
    s3_intelligent_tiering_infrequent_fraction: float = 0.5
    """Share of Intelligent-Tiering bytes not read for 30 days (billed in its Infrequent Access tier)."""
    s3_average_object_mb: float = 8.0
    """Average object size: Intelligent-Tiering's monitoring fee is per object."""
    snapshot_storage_gb: float = 100.0
    """GB of EBS snapshot data a snapshot lifecycle policy keeps (incremental snapshots, within retention)."""
    efs_storage_gb: float = 100.0
    """GB stored per EFS file system."""
    efs_infrequent_access_fraction: float = 0.8
    """Share of EFS data in Infrequent Access when the file system has a lifecycle policy."""
    ml_serverless_seconds: float = 500_000.0
    """Seconds of serverless inference compute a month, per serverless variant."""
    waf_requests_millions: float = 50.0
    """Million requests a month a regional WAF web ACL inspects (the API's requests CloudFront forwards);
    a CloudFront web ACL inspects every CloudFront request (``cloudfront_requests_millions``)."""
    image_pull_gb: float = 200.0
    """GB of container images pulled a month (node churn, rollouts): through the NAT gateways,
    or through the ECR interface endpoints when the VPC has them."""
    cache_data_gb: float = 10.0
    """GB of data per ElastiCache replication group: the size of each daily backup."""
    codebuild_minutes: float = 600.0
    """Build minutes a month per CodeBuild project (the deploy runner: ~20 previews and updates of 30 minutes)."""
    cloudtrail_data_events_millions: float = 10.0
    """Million S3 object-level events a month the trail records (and GuardDuty's S3 protection analyses)."""
    management_events_millions: float = 2.0
    """Million CloudTrail management events a month GuardDuty analyses."""
    flow_log_analysis_gb: float = 100.0
    """GB of VPC flow logs and DNS logs a month GuardDuty analyses."""
    eks_audit_events_millions: float = 5.0
    """Million EKS audit log events a month GuardDuty analyses."""
    runtime_monitored_vcpus: float = 32.0
    """vCPUs of EKS nodes under GuardDuty runtime monitoring (monthly average)."""
    security_hub_checks: float = 20_000.0
    """Security Hub security checks a month (controls x resources x evaluations)."""
    config_items: float = 5_000.0
    """AWS Config configuration items recorded a month."""
    config_rule_evaluations: float = 20_000.0
    """AWS Config rule evaluations a month (the stack's rules and Security Hub's)."""
    ecr_repository_gb: float = 5.0
    """GB stored per ECR repository (the releases its lifecycle keeps, layers shared between them counted once)."""
    grafana_editors: int = 1
    """Active Amazon Managed Grafana editors/admins a month per workspace (every workspace bills at least one)."""
    grafana_viewers: int = 0
    """Active Amazon Managed Grafana viewers a month per workspace."""
    ecr_replication_gb: float = 10.0
    """GB of image layers pushed a month (new layers only) that ECR copies once to the DR Region."""
    rds_replication_gb: float = 150.0
    """GB a month of write-ahead log a cross-Region read replica receives from its source: inter-Region
    transfer out of the source's Region (the primary's write volume; RDS bills it to the source's account)."""
    lambda_invocations_millions: float = 1.0
    """Million invocations a month per Lambda function (an average over the stack's functions)."""
    lambda_average_duration_ms: float = 500.0
    """Average billed duration of one invocation, priced at each function's configured memory."""
    sqs_requests_millions: float = 10.0
    """Million SQS requests a month per work queue (one with a dead-letter queue): sends, long-polling
    receives and deletes. Dead-letter and interruption queues see almost none and are not priced."""
    amp_samples_ingested_millions: float = 1_000.0
    """Million metric samples a month Prometheus remote-writes to the AMP workspace (active series x scrapes a
    month: 10,000 series at a 30 s scrape interval is about 876 M)."""
    amp_storage_gb: float = 10.0
    """GB the AMP workspace holds (samples at 1-2 bytes plus series metadata, over its 150-day retention)."""
    amp_query_samples_billions: float = 10.0
    """Billion query samples a month Grafana's dashboards and alerts read from the AMP workspace."""
    xray_traces_millions: float = 1.0
    """Million traces a month the OpenTelemetry collector sends to X-Ray (requests x the sampling ratio)."""
    velero_backup_gb: float = 10.0
    """GB Velero's bucket holds: every backup's resource manifests, logs and snapshot lists within their TTL."""
    velero_snapshot_gb: float = 50.0
    """GB of EBS snapshot data Velero's backups keep (incremental snapshots of the backed-up volumes, within the TTL)."""
    firehose_ingestion_gb: float = 150.0
    """GB a month Firehose bills (split evenly over the stack's streams): the container logs Fluent Bit
    sends, each record rounded up to 5 KB."""
    api_gateway_requests_millions: float = 1.0
    """Million requests a month per API Gateway REST stage (the serverless API's webhooks)."""
    bulk_transform_runs: float = 0.0
    """Executions a month of each state machine that runs a batch transform (bulk processing)."""
    bulk_transform_hours: float = 1.0
    """Hours one execution's transform job runs (each of its instances bills them)."""


USAGE_KEYS: dict[str, str] = {
    "internetEgressGb": "internet_egress_gb",
    "interAzGb": "inter_az_gb",
    "natProcessedGb": "nat_processed_gb",
    "cloudFrontTb": "cloudfront_tb",
    "cloudFrontRequestsMillions": "cloudfront_requests_millions",
    "cloudFrontCacheHitFraction": "cloudfront_cache_hit_fraction",
    "s3StorageGb": "s3_storage_gb",
    "s3RequestsMillions": "s3_requests_millions",
    "logIngestionGb": "log_ingestion_gb",
    "logStorageGb": "log_storage_gb",
    "customMetrics": "custom_metrics",
    "loadBalancerCapacityUnits": "load_balancer_capacity_units",
    "s3HorizonDays": "s3_horizon_days",
    "s3IntelligentTieringInfrequentFraction": "s3_intelligent_tiering_infrequent_fraction",
    "s3AverageObjectMb": "s3_average_object_mb",
    "snapshotStorageGb": "snapshot_storage_gb",
    "efsStorageGb": "efs_storage_gb",
    "efsInfrequentAccessFraction": "efs_infrequent_access_fraction",
    "mlServerlessSeconds": "ml_serverless_seconds",
    "wafRequestsMillions": "waf_requests_millions",
    "imagePullGb": "image_pull_gb",
    "cacheDataGb": "cache_data_gb",
    "codeBuildMinutes": "codebuild_minutes",
    "cloudTrailDataEventsMillions": "cloudtrail_data_events_millions",
    "managementEventsMillions": "management_events_millions",
    "flowLogAnalysisGb": "flow_log_analysis_gb",
    "eksAuditEventsMillions": "eks_audit_events_millions",
    "runtimeMonitoredVcpus": "runtime_monitored_vcpus",
    "securityHubChecks": "security_hub_checks",
    "configItems": "config_items",
    "configRuleEvaluations": "config_rule_evaluations",
    "ecrRepositoryGb": "ecr_repository_gb",
    "ecrReplicationGb": "ecr_replication_gb",
    "rdsReplicationGb": "rds_replication_gb",
    "grafanaEditors": "grafana_editors",
    "grafanaViewers": "grafana_viewers",
    "sqsRequestsMillions": "sqs_requests_millions",
    "lambdaInvocationsMillions": "lambda_invocations_millions",
    "lambdaAverageDurationMs": "lambda_average_duration_ms",
    "xrayTracesMillions": "xray_traces_millions",
    "ampSamplesIngestedMillions": "amp_samples_ingested_millions",
    "ampStorageGb": "amp_storage_gb",
    "ampQuerySamplesBillions": "amp_query_samples_billions",
    "firehoseIngestionGb": "firehose_ingestion_gb",
    "apiGatewayRequestsMillions": "api_gateway_requests_millions",
    "veleroBackupGb": "velero_backup_gb",
    "veleroSnapshotGb": "velero_snapshot_gb",
    "bulkTransformRuns": "bulk_transform_runs",
    "bulkTransformHours": "bulk_transform_hours",
}
"""Stack-config (camelCase) name of each usage field."""


@dataclass(frozen=True)
class ScheduledFloor:
    """Capacity business hours hold above a minimum: ``extra`` units priced at ``price_key`` for ``fraction`` of the week.

    The plan cannot show it (a schedule raises a minimum the resource does not carry), so the
    settings compute it and the ``costAssumptions`` output carries it to the estimate and the budget.
    """

    label: str
    price_key: str
    """``ec2:<instance type>`` (node group) or ``sagemaker:<instance type>`` (endpoint variant)."""
    extra: int
    fraction: float
    spot: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "priceKey": self.price_key, "extra": self.extra, "fraction": self.fraction, "spot": self.spot}

    @staticmethod
    def from_json(value: Any) -> "ScheduledFloor | None":
        if not isinstance(value, Mapping) or not isinstance(value.get("priceKey"), str):
            return None
        return ScheduledFloor(
            label=str(value.get("label") or value["priceKey"]),
            price_key=value["priceKey"],
            extra=_number(value.get("extra"), 0),
            fraction=_number(value.get("fraction"), 0.0),
            spot=value.get("spot") is True,
        )


@dataclass(frozen=True)
class Assumptions:
    """Everything the estimate needs besides resources and prices."""

    spot_discount: float = 0.70
    """Spot price as a discount off on-demand (the seed's "70% savings")."""
    compute_savings_plan: float = 0.20
    """Discount of the 1-year Compute Savings Plan on on-demand EC2 hours (the seed's 20%)."""
    reserved_database: float = 0.30
    """Discount of reserved RDS and ElastiCache nodes (the seed's 30%)."""
    running_fraction: float = 1.0
    """Share of the week the shutdown schedule leaves node groups and databases running."""
    usage: Usage = field(default_factory=Usage)
    scheduled_floors: tuple[ScheduledFloor, ...] = ()
    """Business hours' raised minimums (``betterprompts:cost.businessHours``)."""

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "spotDiscount": self.spot_discount,
            "commitments": {"computeSavingsPlan": self.compute_savings_plan, "reservedDatabase": self.reserved_database},
            "runningFraction": self.running_fraction,
            "usage": {key: getattr(self.usage, attr) for key, attr in USAGE_KEYS.items()},
        }
        if self.scheduled_floors:
            document["scheduledFloors"] = [f.to_json() for f in self.scheduled_floors]
        return document

    @staticmethod
    def from_json(value: Any) -> "Assumptions":
        """Read the shape :meth:`to_json` writes (the ``costAssumptions`` stack output); absent keys keep defaults."""
        if not isinstance(value, Mapping):
            return Assumptions()
        defaults = Assumptions()
        commitments: Mapping[str, Any] = value.get("commitments") or {}
        usage_in: Mapping[str, Any] = value.get("usage") or {}
        floors = value.get("scheduledFloors")
        if not isinstance(commitments, Mapping):
            commitments = {}
        if not isinstance(usage_in, Mapping):
            usage_in = {}
        usage = replace(
            Usage(),
            **{attr: _number(usage_in.get(key), getattr(Usage(), attr)) for key, attr in USAGE_KEYS.items()},
        )
        return Assumptions(
            spot_discount=_number(value.get("spotDiscount"), defaults.spot_discount),
            compute_savings_plan=_number(commitments.get("computeSavingsPlan"), defaults.compute_savings_plan),
            reserved_database=_number(commitments.get("reservedDatabase"), defaults.reserved_database),
            running_fraction=_number(value.get("runningFraction"), defaults.running_fraction),
            usage=usage,
            scheduled_floors=tuple(f for f in map(ScheduledFloor.from_json, floors if isinstance(floors, list) else []) if f is not None),
        )


def _number(value: Any, default: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return type(default)(value)


# --- prices -------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    price: float
    unit: str
    date: str
    source: str
    derived_from: str = ""
    """The entry's ``derivedFrom``: what a derived price was computed from (preflight/derived_prices.py,
    preflight/regional_ec2_prices.py); empty for a price read from its source."""


@dataclass(frozen=True)
class PriceList:
    region: str
    currency: str
    hours_per_month: float
    prices: Mapping[str, Price]

    def get(self, key: str, resource_type: str, size: str) -> float:
        entry = self.prices.get(key)
        if entry is None:
            raise MissingPriceError(self.region, resource_type, size, key)
        return entry.price

    @staticmethod
    def from_json(document: Mapping[str, Any]) -> "PriceList":
        return PriceList(
            region=str(document["region"]),
            currency=str(document.get("currency", "USD")),
            hours_per_month=float(document.get("hoursPerMonth", HOURS_PER_MONTH)),
            prices={
                key: Price(float(e["price"]), str(e["unit"]), str(e["date"]), str(e["source"]), str(e.get("derivedFrom", "")))
                for key, e in document["prices"].items()
            },
        )


@lru_cache(maxsize=None)
def load_prices(region: str) -> PriceList:
    """The price list for ``region`` from ``pricing/<region>.json``."""
    path = PRICING_DIR / f"{region}.json"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in PRICING_DIR.glob("*.json")))
        raise MissingPriceError(region, "region", region, f"(no price list {path.name}; have {known})")
    return PriceList.from_json(json.loads(path.read_text()))


# --- resources ----------------------------------------------------------------------


@dataclass(frozen=True)
class CostResource:
    """The part of a registered resource the model reads (from a plan or a policy's args)."""

    urn: str
    type: str
    name: str
    inputs: Mapping[str, Any]
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    provider: str = ""
    """The provider reference (``<urn>::<id>``): resources of another Region's provider are told apart."""
    provider_region: str = ""
    """The provider's region when the caller knows it (a policy sees the provider itself, not its URN)."""

    @staticmethod
    def from_plan(resource: Mapping[str, Any]) -> "CostResource":
        """From one entry of a preflight plan document's ``resources``."""
        deps = set(resource.get("dependencies") or [])
        for urns in (resource.get("propertyDependencies") or {}).values():
            deps.update(urns or [])
        return CostResource(
            urn=str(resource["urn"]),
            type=str(resource["type"]),
            name=str(resource.get("name") or ""),
            inputs=resource.get("inputs") or {},
            parent=str(resource.get("parent") or ""),
            dependencies=tuple(sorted(deps)),
            provider=str(resource.get("provider") or ""),
        )


@dataclass(frozen=True)
class LineItem:
    """One billable item of the estimate (monthly, in the price list's currency)."""

    urn: str | None
    """The resource it prices, or None for stack-wide usage (data transfer, logs)."""
    type: str
    description: str
    baseline: float
    peak: float
    committed: float
    """Baseline with the commitments applied."""
    committed_peak: float
    commitment: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "description": self.description,
            "monthly": round(self.baseline, 2),
            "peak_monthly": round(self.peak, 2),
            "committed_monthly": round(self.committed, 2),
            "committed_peak_monthly": round(self.committed_peak, 2),
            "commitment": self.commitment,
        }


@dataclass(frozen=True)
class Estimate:
    region: str
    currency: str
    items: tuple[LineItem, ...]
    month: date = field(default_factory=lambda: eks_lifecycle.month_of(eks_lifecycle.today()))
    """The month priced (first day): lifecycle-dependent prices (EKS extended support) follow it."""

    @property
    def baseline(self) -> float:
        return sum(i.baseline for i in self.items)

    @property
    def peak(self) -> float:
        return sum(i.peak for i in self.items)

    @property
    def committed(self) -> float:
        return sum(i.committed for i in self.items)

    @property
    def committed_peak(self) -> float:
        return sum(i.committed_peak for i in self.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "region": self.region,
            "month": self.month.strftime("%Y-%m"),
            "baseline_monthly": round(self.baseline, 2),
            "peak_monthly": round(self.peak, 2),
            "committed_monthly": round(self.committed, 2),
            "committed_peak_monthly": round(self.committed_peak, 2),
            "items": [i.to_json() for i in self.items],
        }


class _Context:
    """What a pricing rule may look at: all resources, prices, assumptions."""

    def __init__(self, resources: Sequence[CostResource], prices: PriceList, assumptions: Assumptions, month: date) -> None:
        self.resources = resources
        self.by_urn = {r.urn: r for r in resources}
        self.prices = prices
        self.assumptions = assumptions
        self.hours = prices.hours_per_month
        self.month = month
        self.derived: list[str] = []
        """The derived prices read since the last line item: the next item says it rests on them."""

    def price(self, key: str, resource_type: str, size: str) -> float:
        value = self.prices.get(key, resource_type, size)
        origin = self.prices.prices[key].derived_from
        if origin and origin not in self.derived:
            self.derived.append(origin)
        return value

    def of_type(self, *types: str) -> list[CostResource]:
        return [r for r in self.resources if r.type in types]

    def in_other_region(self, resource: CostResource) -> bool:
        """Whether ``resource`` is created through an AWS provider of a Region other than the price list's."""
        region: Any = resource.provider_region or None
        if region is None and resource.provider:
            provider = self.by_urn.get(resource.provider.rsplit("::", 1)[0])
            region = provider.inputs.get("region") if provider is not None else None
        return isinstance(region, str) and region != self.prices.region

    def ancestors(self, resource: CostResource) -> Iterable[CostResource]:
        seen: set[str] = set()
        parent = self.by_urn.get(resource.parent)
        while parent is not None and parent.urn not in seen:
            seen.add(parent.urn)
            yield parent
            parent = self.by_urn.get(parent.parent)

    def item(
        self,
        resource: CostResource | None,
        description: str,
        baseline: float,
        peak: float | None = None,
        *,
        commitment: str | None = None,
        committable_baseline: float = 0.0,
        committable_peak: float = 0.0,
        type_: str | None = None,
    ) -> LineItem:
        """A line item; ``committable_*`` is the part of the cost a commitment discounts."""
        peak = baseline if peak is None else peak
        rate = {
            COMPUTE_SAVINGS_PLAN: self.assumptions.compute_savings_plan,
            RESERVED_DATABASE: self.assumptions.reserved_database,
        }.get(commitment or "", 0.0)
        if self.derived:
            # A price without a source of its own is labelled where it is used (docs/cost.md, "Prices are data").
            description += f" [derived price: {'; '.join(self.derived)}]"
            self.derived = []
        return LineItem(
            urn=resource.urn if resource else None,
            type=type_ or (resource.type if resource else "usage"),
            description=description,
            baseline=baseline,
            peak=peak,
            committed=baseline - committable_baseline * rate,
            committed_peak=peak - committable_peak * rate,
            commitment=commitment if rate and (committable_baseline or committable_peak) else None,
        )


Rule = Callable[[_Context, CostResource], list[LineItem]]


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return int(value)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _committable(cost: float, running: float, rate: float) -> float:
    """The part of ``cost`` (hours actually run) a commitment discounts, honestly for part-time use.

    Reserved instances and Savings Plans bill every hour of the term, running or not: for a
    resource that runs ``running`` of the week the commitment costs ``(1 - rate) x full-time
    cost`` against ``cost`` on demand, so it saves ``max(0, cost - (1 - rate) x cost / running)``
    and nothing at all once ``running`` is below ``1 - rate`` (staging's 36% of the week against
    a 20-30% discount). Returned as the amount that, discounted at ``rate``, gives that saving.
    """
    if rate <= 0 or running <= 0:
        return 0.0
    return cost * max(0.0, 1 - (1 - rate) / running) / rate


# --- EKS ----------------------------------------------------------------------------


def _eks_control_plane(ctx: _Context, r: CostResource) -> list[LineItem]:
    items = [_control_plane_item(ctx, r)]
    seen_as_outputs = any(key in r.inputs for key in EKS_CLUSTER_OUTPUT_KEYS)
    if (
        r.type == "eks:index:Cluster"
        and not seen_as_outputs
        and not r.inputs.get("skipDefaultNodeGroup")
        and not r.inputs.get("fargate")
    ):
        # pulumi-eks creates a self-managed default node group unless told not to.
        items.append(
            _nodes(
                ctx,
                r,
                f"EKS default node group of {r.name}",
                instance_type=str(r.inputs.get("instanceType") or DEFAULT_CLUSTER_NODE_INSTANCE_TYPE),
                low=_int(r.inputs.get("minSize"), 1),
                high=_int(r.inputs.get("maxSize"), 2),
                spot=bool(r.inputs.get("spotPrice")),
                disks=[(_int(r.inputs.get("nodeRootVolumeSize"), DEFAULT_NODE_DISK_GB), "gp3")],
                scheduled=True,
            )
        )
    return items


def _control_plane_item(ctx: _Context, r: CostResource) -> LineItem:
    """Cluster hours at the support the version has in the estimate's month: a version past its
    standard support bills six times the standard price, from the first day of extended support."""
    version = r.inputs.get("version") or (r.inputs.get("eksCluster") or {}).get("version")
    standard = ctx.price("eks:cluster", r.type, "cluster")
    extended = ctx.price("eks:cluster-extended", r.type, "cluster in extended support")
    if not isinstance(version, str) or not version:
        # pulumi-eks and EKS create the newest version when none is pinned: standard support.
        return ctx.item(r, f"EKS control plane {r.name} (version not pinned: standard support)", standard * ctx.hours)
    calendar = eks_lifecycle.load_calendar()
    share = calendar.extended_share(version, ctx.month)
    month = ctx.month.strftime("%Y-%m")
    entry = calendar.get(version)
    if entry is None:
        support = f"Kubernetes {version}, not in the EKS calendar: priced as extended support"
    elif share == 0:
        support = f"Kubernetes {version}, standard support in {month}"
    elif share == 1:
        support = f"Kubernetes {version}, extended support in {month} (standard ended {entry.end_of_standard_support})"
    else:
        support = f"Kubernetes {version}, {share:.0%} of {month} in extended support (from {entry.end_of_standard_support})"
    hourly = standard * (1 - share) + extended * share
    return ctx.item(r, f"EKS control plane {r.name} ({support})", hourly * ctx.hours)


def _managed_node_group(ctx: _Context, r: CostResource) -> list[LineItem]:
    scaling = r.inputs.get("scalingConfig") or {}
    types = r.inputs.get("instanceTypes") or [DEFAULT_NODE_GROUP_INSTANCE_TYPE]
    spot = str(r.inputs.get("capacityType") or "ON_DEMAND").upper() == "SPOT"
    return [
        _nodes(
            ctx,
            r,
            f"EKS node group {r.name}",
            # A mixed group is priced at its first (preferred) type.
            instance_type=str(types[0]),
            low=_int(scaling.get("minSize"), 1),
            high=_int(scaling.get("maxSize"), _int(scaling.get("minSize"), 1)),
            spot=spot,
            disks=_launch_template_disks(ctx, r) or [(_int(r.inputs.get("diskSize"), DEFAULT_NODE_DISK_GB), "gp3")],
            scheduled=True,
        )
    ]


LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def _launch_template_disks(ctx: _Context, r: CostResource) -> list[tuple[int, str]]:
    """The EBS volumes a node group's launch template gives each node (size, type); empty when it names none.

    The template is the one the group depends on (its ``launchTemplate`` input refers to it by id,
    unknown until it exists); ``diskSize`` is ignored by EKS when a launch template is used.
    """
    if not r.inputs.get("launchTemplate"):
        return []
    for urn in r.dependencies:
        template = ctx.by_urn.get(urn)
        if template is None or template.type != LAUNCH_TEMPLATE:
            continue
        disks = []
        for mapping in template.inputs.get("blockDeviceMappings") or []:
            ebs = (mapping or {}).get("ebs") or {}
            size = _int(ebs.get("volumeSize"), 0)
            if size:
                disks.append((size, str(ebs.get("volumeType") or "gp2")))
        return disks
    return []


def _self_managed_node_group(ctx: _Context, r: CostResource) -> list[LineItem]:
    return [
        _nodes(
            ctx,
            r,
            f"EKS self-managed node group {r.name}",
            instance_type=str(r.inputs.get("instanceType") or DEFAULT_CLUSTER_NODE_INSTANCE_TYPE),
            low=_int(r.inputs.get("minSize"), 1),
            high=_int(r.inputs.get("maxSize"), 2),
            spot=bool(r.inputs.get("spotPrice")),
            disks=[(_int(r.inputs.get("nodeRootVolumeSize"), DEFAULT_NODE_DISK_GB), "gp3")],
            scheduled=True,
        )
    ]


def _nodes(
    ctx: _Context,
    r: CostResource,
    label: str,
    *,
    instance_type: str,
    low: int,
    high: int,
    spot: bool,
    disks: Sequence[tuple[int, str]],
    scheduled: bool,
) -> LineItem:
    """Nodes at minimum and maximum count: instance hours (spot-discounted) plus their root volumes."""
    hourly = ctx.price(f"ec2:{instance_type}", r.type, instance_type)
    if spot:
        hourly *= 1 - ctx.assumptions.spot_discount
    running = ctx.assumptions.running_fraction if scheduled else 1.0
    hours = ctx.hours * running
    # Root (and any data) volumes per node, at their volume type's price.
    volume = sum(size * ctx.price(f"ebs:{kind}", r.type, kind) for size, kind in disks)
    volumes = " + ".join(f"{size} GB {kind}" for size, kind in disks)
    compute_low, compute_high = low * hourly * hours, high * hourly * hours
    base = compute_low + low * volume * running
    peak = compute_high + high * volume * running
    market = "spot" if spot else "on-demand"
    shutdown = f", running {running:.0%} of the week" if running < 1 else ""
    rate = ctx.assumptions.compute_savings_plan
    return ctx.item(
        r,
        f"{label}: {low}-{high} x {instance_type} {market}{shutdown} (+{volumes} each)",
        base,
        peak,
        # Spot hours are not covered by a Savings Plan; part-time hours only as far as they pay for one.
        commitment=None if spot else COMPUTE_SAVINGS_PLAN,
        committable_baseline=0.0 if spot else _committable(compute_low, running, rate),
        committable_peak=0.0 if spot else _committable(compute_high, running, rate),
    )


# --- EC2, networking -------------------------------------------------------------------


def _ec2_instance(ctx: _Context, r: CostResource) -> list[LineItem]:
    instance_type = str(r.inputs.get("instanceType") or "")
    compute = ctx.price(f"ec2:{instance_type}", r.type, instance_type or "(no instanceType)") * ctx.hours
    root = r.inputs.get("rootBlockDevice") or {}
    volume_type = str(root.get("volumeType") or "gp3")
    size = _int(root.get("volumeSize"), DEFAULT_ROOT_VOLUME_GB)
    volume = size * ctx.price(f"ebs:{volume_type}", r.type, volume_type)
    public_ip = ctx.price("vpc:public-ipv4", r.type, "public IPv4") * ctx.hours if r.inputs.get("associatePublicIpAddress") else 0.0
    role = " (NAT instance)" if r.inputs.get("sourceDestCheck") is False else ""
    extras = f" + {size} GB {volume_type}" + (" + public IPv4" if public_ip else "")
    return [
        ctx.item(
            r,
            f"EC2 {r.name}: {instance_type}{role} on-demand{extras}",
            compute + volume + public_ip,
            commitment=COMPUTE_SAVINGS_PLAN,
            committable_baseline=compute,
            committable_peak=compute,
        )
    ]


def _pulls_through_endpoints(ctx: _Context) -> bool:
    return any(
        str(e.inputs.get("serviceName") or "").endswith(".ecr.dkr") and e.inputs.get("vpcEndpointType") == "Interface"
        for e in ctx.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    )


def _nat_gateway(ctx: _Context, r: CostResource) -> list[LineItem]:
    gateways = len(ctx.of_type("aws:ec2/natGateway:NatGateway"))
    usage = ctx.assumptions.usage
    # Image layers come from S3 (gateway endpoint, free), but the registry API and manifests, and
    # every pull when there is no ECR endpoint, go through the NAT: priced as NAT data.
    pulls = 0.0 if _pulls_through_endpoints(ctx) else usage.image_pull_gb
    gb = (usage.nat_processed_gb + pulls) / max(gateways, 1)
    hourly = ctx.price("vpc:nat-gateway", r.type, "NAT gateway") * ctx.hours
    data = gb * ctx.price("vpc:nat-gateway-data", r.type, "NAT gateway data")
    return [ctx.item(r, f"NAT gateway {r.name} + {gb:,.0f} GB processed", hourly + data)]


def _eip(ctx: _Context, r: CostResource) -> list[LineItem]:
    return [ctx.item(r, f"Public IPv4 address {r.name}", ctx.price("vpc:public-ipv4", r.type, "public IPv4") * ctx.hours)]


def _vpc_endpoint(ctx: _Context, r: CostResource) -> list[LineItem]:
    if str(r.inputs.get("vpcEndpointType") or "Gateway") != "Interface":
        return []  # Gateway endpoints (S3, DynamoDB) are free.
    azs = max(len(r.inputs.get("subnetIds") or []), 1)
    hourly = ctx.price("vpc:interface-endpoint", r.type, "Interface")
    service = str(r.inputs.get("serviceName") or "")
    pulls = ctx.assumptions.usage.image_pull_gb if service.endswith(".ecr.dkr") else 0.0
    data = pulls * ctx.price("vpc:interface-endpoint-data", r.type, "Interface data") if pulls else 0.0
    extra = f" + {pulls:,.0f} GB of image pulls" if pulls else ""
    return [ctx.item(r, f"Interface endpoint {service} in {azs} AZs{extra}", azs * hourly * ctx.hours + data)]


def _load_balancer(ctx: _Context, r: CostResource) -> list[LineItem]:
    kind = str(r.inputs.get("loadBalancerType") or "application")
    return [_lb_item(ctx, r, kind, r.name)]


def _lb_item(ctx: _Context, r: CostResource, kind: str, label: str) -> LineItem:
    hourly = ctx.price(f"elb:{kind}", r.type, kind)
    lcu = ctx.assumptions.usage.load_balancer_capacity_units
    per_lcu = ctx.price(f"elb:{kind}-lcu", r.type, kind)
    return ctx.item(r, f"{kind.capitalize()} load balancer {label} + {lcu:g} LCU", (hourly + lcu * per_lcu) * ctx.hours)


def _ingress(ctx: _Context, r: CostResource) -> list[LineItem]:
    """An Ingress the AWS Load Balancer Controller turns into an ALB (one per ingress group)."""
    meta = r.inputs.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    spec = r.inputs.get("spec") or {}
    if (spec.get("ingressClassName") or annotations.get("kubernetes.io/ingress.class")) != "alb":
        return []
    group = annotations.get("alb.ingress.kubernetes.io/group.name")
    if group:
        same = [
            o for o in ctx.of_type(r.type)
            if ((o.inputs.get("metadata") or {}).get("annotations") or {}).get("alb.ingress.kubernetes.io/group.name") == group
        ]
        if same and same[0].urn != r.urn:
            return []  # The group's first ingress carries its one ALB.
    return [_lb_item(ctx, r, "application", f"for ingress {group or meta.get('name') or r.name}")]


def _k8s_service(ctx: _Context, r: CostResource) -> list[LineItem]:
    spec = r.inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return []
    return [_lb_item(ctx, r, "network", f"for service {(r.inputs.get('metadata') or {}).get('name') or r.name}")]


# --- data -----------------------------------------------------------------------------


def rds_instance_price_key(engine: str, instance_class: str, multi_az: bool) -> str:
    """The price entry of an RDS instance hour: ``rds:postgres:<class>``, ``rds:postgres-multi-az:<class>``."""
    return f"rds:{engine}{'-multi-az' if multi_az else ''}:{instance_class}"


def _rds_instance(ctx: _Context, r: CostResource) -> list[LineItem]:
    inputs = r.inputs
    instance_class = str(inputs.get("instanceClass") or "")
    engine = str(inputs.get("engine") or "postgres")
    multi_az = bool(inputs.get("multiAz"))
    # The source is often unknown at preview (another instance's identifier): the key says it
    # (a primary's stored state may carry it empty).
    replica = "replicateSourceDb" in inputs and inputs.get("replicateSourceDb") != ""
    az = "-multi-az" if multi_az else ""
    hourly = ctx.price(rds_instance_price_key(engine, instance_class, multi_az), r.type, f"{engine} {instance_class}{' Multi-AZ' if multi_az else ''}")
    # A stopped instance bills storage only; RDS cannot stop replicas or an instance that has them.
    stoppable = not replica and not _has_replicas(ctx, r)
    running = ctx.assumptions.running_fraction if stoppable else 1.0
    compute = hourly * ctx.hours * running
    storage_type = str(inputs.get("storageType") or "gp3")
    # A replica created without its own storage size starts with its source's.
    source = _replica_source(ctx, r) if replica and not inputs.get("allocatedStorage") else None
    sized = source.inputs if source is not None else inputs
    allocated = _int(sized.get("allocatedStorage"), 0)
    ceiling = max(_int(inputs.get("maxAllocatedStorage") or sized.get("maxAllocatedStorage"), 0), allocated)
    per_gb = ctx.price(f"rds:storage{az}:{storage_type}", r.type, storage_type)
    iops_cost = 0.0
    iops = _int(inputs.get("iops"), 0)
    if storage_type == "gp3" and iops:
        # gp3 includes 3,000 IOPS below 400 GB and 12,000 from 400 GB up.
        included = 12000 if allocated >= 400 else 3000
        iops_cost = max(iops - included, 0) * ctx.price(f"rds:iops{az}:gp3", r.type, "gp3 IOPS")
    role = "read replica" if replica else "primary"
    shutdown = f", running {running:.0%} of the week" if running < 1 else ""
    storage_text = f"{allocated} GB {storage_type}" + (f" (autoscaling to {ceiling} GB)" if ceiling > allocated else "")
    return [
        ctx.item(
            r,
            f"RDS {engine} {role} {instance_class}{' Multi-AZ' if multi_az else ''}{shutdown} + {storage_text}"
            + (f" + {iops} IOPS" if iops_cost else ""),
            compute + allocated * per_gb + iops_cost,
            compute + ceiling * per_gb + iops_cost,
            commitment=RESERVED_DATABASE,
            committable_baseline=_committable(compute, running, ctx.assumptions.reserved_database),
            committable_peak=_committable(compute, running, ctx.assumptions.reserved_database),
        )
    ] + _managed_secret(ctx, r) + _cross_region_replication(ctx, r)


def _cross_region_replication(ctx: _Context, r: CostResource) -> list[LineItem]:
    """A replica whose source (named by ARN) is in another Region receives the source's WAL across Regions:
    ``rdsReplicationGb`` a month at the inter-Region transfer price (AWS: "Cross-Region replication costs")."""
    source = r.inputs.get("replicateSourceDb")
    parts = source.split(":") if isinstance(source, str) else []
    if len(parts) < 7 or parts[2] != "rds" or parts[3] == ctx.prices.region:
        return []
    gb = ctx.assumptions.usage.rds_replication_gb
    return [
        ctx.item(
            r,
            f"DR: cross-Region replication of {r.name} from {parts[3]}: {gb:,.0f} GB/month of WAL",
            gb * ctx.price("transfer:inter-region", r.type, "transfer"),
        )
    ]


def _managed_secret(ctx: _Context, r: CostResource) -> list[LineItem]:
    """RDS keeps a master password it manages in Secrets Manager: a secret billed like any other."""
    if not r.inputs.get("manageMasterUserPassword"):
        return []
    return [ctx.item(r, f"Secrets Manager secret of {r.name} (RDS-managed master password)", ctx.price("secretsmanager:secret", r.type, "secret"))]


def _replica_source(ctx: _Context, replica: CostResource) -> CostResource | None:
    """The primary a replica copies: named by identifier or ARN, or the instance it depends on."""
    source = replica.inputs.get("replicateSourceDb")
    for other in ctx.of_type(replica.type):
        if other.urn == replica.urn:
            continue
        ident = other.inputs.get("identifier")
        if other.urn in replica.dependencies or (ident and isinstance(source, str) and source.split(":")[-1] == ident):
            return other
    return None


def _has_replicas(ctx: _Context, r: CostResource) -> bool:
    ident = r.inputs.get("identifier")
    for other in ctx.of_type(r.type):
        if other.urn == r.urn or other.inputs.get("replicateSourceDb", "") == "":
            continue
        source = other.inputs.get("replicateSourceDb")
        if r.urn in other.dependencies or (ident and source == ident):
            return True
    return False


_CACHE_ENGINE_NAMES = {"redis": "Redis OSS", "valkey": "Valkey", "memcached": "Memcached"}


def _cache_engine(r: CostResource) -> str:
    return str(r.inputs.get("engine") or "redis").lower()


def cache_node_price_key(engine: str, node_type: str) -> str:
    """Redis OSS and Memcached nodes share one price per type; Valkey nodes are priced lower."""
    return f"elasticache:valkey:{node_type}" if engine == "valkey" else f"elasticache:{node_type}"


def _cache_size(engine: str, node_type: str) -> str:
    return f"valkey {node_type}" if engine == "valkey" else node_type


def _replication_group(ctx: _Context, r: CostResource) -> list[LineItem]:
    inputs = r.inputs
    node_type = str(inputs.get("nodeType") or "")
    if inputs.get("numNodeGroups") is not None or inputs.get("replicasPerNodeGroup") is not None:
        shards = _int(inputs.get("numNodeGroups"), 1)
        replicas = _int(inputs.get("replicasPerNodeGroup"), 0)
        nodes = shards * (1 + replicas)
        shape = f"{shards} shards x (1 + {replicas} replicas)"
    else:
        nodes = _int(inputs.get("numCacheClusters"), 1)
        shape = f"{nodes} nodes"
    engine = _cache_engine(r)
    cost = nodes * ctx.price(cache_node_price_key(engine, node_type), r.type, _cache_size(engine, node_type)) * ctx.hours
    return [
        ctx.item(
            r,
            f"ElastiCache {_CACHE_ENGINE_NAMES.get(engine, engine)} {node_type}: {shape} = {nodes} nodes",
            cost,
            commitment=RESERVED_DATABASE,
            committable_baseline=cost,
            committable_peak=cost,
        )
    ] + _cache_backups(ctx, r)


def _cache_backups(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Daily backups kept ``snapshotRetentionLimit`` days: one is free per active cluster, the rest bill per GB."""
    kept = _int(r.inputs.get("snapshotRetentionLimit"), 0)
    billed = max(kept - 1, 0)
    if not billed:
        return []
    gb = ctx.assumptions.usage.cache_data_gb
    cost = billed * gb * ctx.price("elasticache:backup-storage", r.type, "backup storage")
    return [ctx.item(r, f"ElastiCache backups of {r.name}: {billed} beyond the free one x {gb:g} GB", cost)]


def _cache_cluster(ctx: _Context, r: CostResource) -> list[LineItem]:
    if r.inputs.get("replicationGroupId"):
        return []  # A member of a replication group, priced there.
    node_type = str(r.inputs.get("nodeType") or "")
    nodes = _int(r.inputs.get("numCacheNodes"), 1)
    engine = _cache_engine(r)
    cost = nodes * ctx.price(cache_node_price_key(engine, node_type), r.type, _cache_size(engine, node_type)) * ctx.hours
    return [
        ctx.item(r, f"ElastiCache {_CACHE_ENGINE_NAMES.get(engine, engine)} {node_type} x {nodes}", cost, commitment=RESERVED_DATABASE, committable_baseline=cost, committable_peak=cost)
    ]


def _efs(ctx: _Context, r: CostResource) -> list[LineItem]:
    gb = ctx.assumptions.usage.efs_storage_gb
    tiered = any((p or {}).get("transitionToIa") for p in (r.inputs.get("lifecyclePolicies") or []))
    ia = ctx.assumptions.usage.efs_infrequent_access_fraction if tiered else 0.0
    cost = gb * (1 - ia) * ctx.price("efs:standard", r.type, "Standard") + gb * ia * ctx.price(
        "efs:infrequent-access", r.type, "Infrequent Access"
    )
    return [ctx.item(r, f"EFS {r.name}: {gb:,.0f} GB, {ia:.0%} in Infrequent Access", cost)]


def _kms_key(ctx: _Context, r: CostResource) -> list[LineItem]:
    return [ctx.item(r, f"KMS key {r.name}", ctx.price("kms:key", r.type, "key"))]


def _secret(ctx: _Context, r: CostResource) -> list[LineItem]:
    price = ctx.price("secretsmanager:secret", r.type, "secret")
    items = [ctx.item(r, f"Secrets Manager secret {r.name}", price)]
    # AWS, "Replicate secrets across Regions": each replica is billed as a secret in its Region
    # (Secrets Manager's per-secret price is the same in the Regions this platform uses).
    for replica in r.inputs.get("replicas") or []:
        region = replica.get("region") if isinstance(replica, dict) else None
        items.append(ctx.item(r, f"Secrets Manager secret {r.name}: replica in {region}", price))
    return items


# A rotation runs the function once per step (createSecret, setSecret, testSecret, finishSecret);
# priced at the AWS template's 30 s timeout and Lambda's default 128 MB, an upper bound.
ROTATION_STEPS = 4
ROTATION_STEP_GB_SECONDS = 30 * 0.125
DAYS_PER_MONTH = 365 / 12


def _secret_rotation(ctx: _Context, r: CostResource) -> list[LineItem]:
    days = _number((r.inputs.get("rotationRules") or {}).get("automaticallyAfterDays"), 30) or 30
    invocations = ROTATION_STEPS * DAYS_PER_MONTH / float(days)
    cost = invocations * (
        ctx.price("lambda:request", r.type, "request")
        + ROTATION_STEP_GB_SECONDS * ctx.price("lambda:gb-second", r.type, "GB-second")
    )
    return [ctx.item(r, f"Secret rotation Lambda {r.name}: every {days:g} days, {invocations:.1f} invocations", cost)]


def _codebuild_project(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Billed per build minute by compute type; an idle project costs nothing."""
    environment = r.inputs.get("environment") or {}
    compute = str(environment.get("computeType") or "BUILD_GENERAL1_SMALL")
    minutes = ctx.assumptions.usage.codebuild_minutes
    per_minute = ctx.price(f"codebuild:{compute}", r.type, compute)
    return [ctx.item(r, f"CodeBuild {r.name}: {minutes:,.0f} build minutes on {compute}", minutes * per_minute)]


def _ecr_repository(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Storage only: pulls inside the region are free (through NAT or endpoints, priced with image pulls)."""
    gb = ctx.assumptions.usage.ecr_repository_gb
    return [ctx.item(r, f"ECR repository {r.name}: {gb:,.1f} GB of images", gb * ctx.price("ecr:storage", r.type, "storage"))]


def _ecr_creation_template(ctx: _Context, r: CostResource) -> list[LineItem]:
    """A replication template stands for this stack's replicas in another Region: each of the stack's
    repositories under its prefix stored again (``ecrRepositoryGb``), and the pushed layers copied across
    Regions (``ecrReplicationGb``, inter-Region transfer). The template itself is free."""
    if "REPLICATION" not in (r.inputs.get("appliedFors") or []):
        return []
    prefix = f"{r.inputs.get('prefix') or ''}/"
    sources = [
        repo
        for repo in ctx.of_type("aws:ecr/repository:Repository")
        if str(repo.inputs.get("name") or "").startswith(prefix) and not ctx.in_other_region(repo)
    ]
    usage = ctx.assumptions.usage
    stored = len(sources) * usage.ecr_repository_gb
    cost = stored * ctx.price("ecr:storage", r.type, "storage") + usage.ecr_replication_gb * ctx.price("transfer:inter-region", r.type, "transfer")
    return [
        ctx.item(
            r,
            f"DR: ECR replicas of {len(sources)} repositories ({stored:,.0f} GB) + {usage.ecr_replication_gb:,.0f} GB/month replicated",
            cost,
        )
    ]


def _grafana_workspace(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Per active user a month: editors (at least one per workspace, logged in or not) and viewers."""
    usage = ctx.assumptions.usage
    editors = max(1, usage.grafana_editors)
    cost = editors * ctx.price("grafana:editor", r.type, "editor") + usage.grafana_viewers * ctx.price("grafana:viewer", r.type, "viewer")
    return [ctx.item(r, f"Managed Grafana workspace {r.inputs.get('name') or r.name}: {editors} editors, {usage.grafana_viewers} viewers", cost)]


# AMP bills ingestion in tiers: the first 2 billion samples a month at one price, the next 250 billion at another
# (beyond 252 billion a third, lower price; not reached by this platform and not modelled).
AMP_FIRST_TIER_MILLIONS = 2_000.0


def _amp_workspace(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Samples ingested (tiered), storage and query samples processed, from usage, shared by the stack's workspaces."""
    usage = ctx.assumptions.usage
    share = max(len(ctx.of_type(r.type)), 1)
    samples = usage.amp_samples_ingested_millions / share
    first = min(samples, AMP_FIRST_TIER_MILLIONS)
    ingestion = first * ctx.price("amp:samples-ingested", r.type, "samples") + max(samples - first, 0.0) * ctx.price(
        "amp:samples-ingested-next", r.type, "samples"
    )
    storage_gb, queried = usage.amp_storage_gb / share, usage.amp_query_samples_billions / share
    name = r.inputs.get("alias") or r.name
    return [
        ctx.item(r, f"Managed Prometheus workspace {name}: {samples:,.0f}M samples ingested", ingestion),
        ctx.item(r, f"Managed Prometheus workspace {name}: {storage_gb:g} GB stored", storage_gb * ctx.price("amp:storage", r.type, "storage")),
        ctx.item(r, f"Managed Prometheus workspace {name}: {queried:g}B query samples", queried * ctx.price("amp:query-samples", r.type, "query samples")),
    ]


# CloudFront's additional metrics: "up to 8 metrics per distribution", each at CloudWatch's per-metric rate.
CLOUDFRONT_ADDITIONAL_METRICS = 8


def _cloudfront_additional_metrics(ctx: _Context, r: CostResource) -> list[LineItem]:
    subscription = (r.inputs.get("monitoringSubscription") or {}).get("realtimeMetricsSubscriptionConfig") or {}
    if subscription.get("realtimeMetricsSubscriptionStatus") != "Enabled":
        return []
    cost = CLOUDFRONT_ADDITIONAL_METRICS * ctx.price("cloudwatch:metric", r.type, "metric")
    return [ctx.item(r, f"CloudFront additional metrics of {r.name}: {CLOUDFRONT_ADDITIONAL_METRICS} CloudWatch metrics", cost)]


def _lambda_function(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Requests and GB-seconds (usage.lambdaInvocationsMillions at usage.lambdaAverageDurationMs, at the
    function's memory and architecture); reserved concurrency itself is free. A Lambda@Edge function
    (tagged LambdaEdge) is priced with its distribution, per CloudFront request (``_cloudfront``); a state
    machine's task function (tagged InvokedBy=step-functions) per execution with its state machine."""
    if (r.inputs.get("tags") or {}).get("LambdaEdge") == "true":
        return [ctx.item(r, f"Lambda@Edge function {r.name}: priced per CloudFront request with its distribution", 0.0)]
    if (r.inputs.get("tags") or {}).get("InvokedBy") == "step-functions":
        return [ctx.item(r, f"Lambda {r.name}: a state machine's task, priced per execution with it", 0.0)]
    usage = ctx.assumptions.usage
    invocations = usage.lambda_invocations_millions * 1_000_000
    memory_gb = _number(r.inputs.get("memorySize"), 128) / 1024
    arm = "arm64" in (r.inputs.get("architectures") or [])
    gb_seconds = invocations * usage.lambda_average_duration_ms / 1000 * memory_gb
    key = "lambda:gb-second-arm64" if arm else "lambda:gb-second"
    cost = invocations * ctx.price("lambda:request", r.type, "request") + gb_seconds * ctx.price(key, r.type, "GB-second")
    return [
        ctx.item(
            r,
            f"Lambda {r.name}: {usage.lambda_invocations_millions:g}M invocations x {usage.lambda_average_duration_ms:g} ms "
            f"at {memory_gb * 1024:g} MB ({'arm64' if arm else 'x86_64'})",
            cost,
        )
    ]


STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
TRANSFORM_TASK = "arn:aws:states:::sagemaker:createTransformJob"
LAMBDA_TASK = "arn:aws:states:::lambda:invoke"


def _state_machine(ctx: _Context, r: CostResource) -> list[LineItem]:
    """A bulk-transform state machine, per execution (usage.bulkTransformRuns a month), from its definition:
    every state entered once (the success path is shorter: an upper bound, retries aside) at the STANDARD
    price per transition; each Lambda task once at its function's memory for usage.lambdaAverageDurationMs;
    each transform task's instances for usage.bulkTransformHours at the type's SageMaker price (AWS prices
    batch transform like real-time inference, per instance-hour)."""
    usage = ctx.assumptions.usage
    runs = usage.bulk_transform_runs
    document = r.inputs.get("definition")
    states = (json.loads(document).get("States") or {}) if isinstance(document, str) else {}
    if not any(str(state.get("Resource") or "").startswith(TRANSFORM_TASK) for state in states.values()):
        # Only the bulk-transform workflow has a usage assumption; another machine would need its own.
        return [ctx.item(r, f"Step Functions {r.name}: no batch transform, no usage assumed", 0.0)]
    transitions = runs * len(states)
    items = [
        ctx.item(
            r,
            f"Step Functions {r.name}: {runs:g} executions x {len(states)} state transitions",
            transitions * ctx.price("states:transition", r.type, "transition"),
        )
    ]
    functions = {str(f.inputs.get("name")): f for f in ctx.of_type("aws:lambda/function:Function")}
    for name, state in sorted(states.items()):
        resource = str(state.get("Resource") or "")
        params = state.get("Parameters") or {}
        if resource.startswith(TRANSFORM_TASK):
            fleet = params.get("TransformResources") or {}
            instance_type, count = str(fleet.get("InstanceType")), _int(fleet.get("InstanceCount"), 1)
            hours = runs * usage.bulk_transform_hours * count
            items.append(
                ctx.item(
                    r,
                    f"SageMaker batch transform {r.name}/{name}: {runs:g} jobs x {usage.bulk_transform_hours:g} h x {count} x {instance_type}",
                    hours * ctx.price(f"sagemaker:{instance_type}", r.type, instance_type),
                )
            )
        elif resource == LAMBDA_TASK:
            function = functions.get(str(params.get("FunctionName") or "").rsplit(":", 1)[-1])
            memory_gb = _number(function.inputs.get("memorySize"), 128) / 1024 if function is not None else 0.125
            arm = function is not None and "arm64" in (function.inputs.get("architectures") or [])
            gb_seconds = runs * usage.lambda_average_duration_ms / 1000 * memory_gb
            cost = runs * ctx.price("lambda:request", r.type, "request") + gb_seconds * ctx.price(
                "lambda:gb-second-arm64" if arm else "lambda:gb-second", r.type, "GB-second"
            )
            items.append(ctx.item(r, f"Lambda task {r.name}/{name}: {runs:g} invocations at {memory_gb * 1024:g} MB", cost))
    return items


def _sqs_queue(ctx: _Context, r: CostResource) -> list[LineItem]:
    """A work queue's requests (usage.sqsRequestsMillions); a queue without a redrive policy (a
    dead-letter or interruption queue) carries next to nothing."""
    if not r.inputs.get("redrivePolicy"):
        return [ctx.item(r, f"SQS queue {r.name}: dead-letter or event queue, no steady traffic assumed", 0.0)]
    millions = ctx.assumptions.usage.sqs_requests_millions
    cost = millions * 1_000_000 * ctx.price("sqs:request", r.type, "request")
    return [ctx.item(r, f"SQS queue {r.name}: {millions:g}M requests", cost)]


def _api_gateway_stage(ctx: _Context, r: CostResource) -> list[LineItem]:
    """A REST stage's requests (usage.apiGatewayRequestsMillions) at the first tier's price; the stage, its
    custom domain and its WAF association cost nothing themselves (the web ACL prices its own requests)."""
    millions = ctx.assumptions.usage.api_gateway_requests_millions
    cost = millions * 1_000_000 * ctx.price("apigateway:rest-request", r.type, "request")
    return [ctx.item(r, f"API Gateway REST stage {r.name}: {millions:g}M requests", cost)]


def _alarm(ctx: _Context, r: CostResource) -> list[LineItem]:
    return [ctx.item(r, f"CloudWatch alarm {r.name}", ctx.price("cloudwatch:alarm", r.type, "standard alarm"))]


def _dashboard(ctx: _Context, r: CostResource) -> list[LineItem]:
    """A dashboard bills per month whatever it shows (the account's first three are free; not assumed here)."""
    return [ctx.item(r, f"CloudWatch dashboard {r.inputs.get('dashboardName') or r.name}", ctx.price("cloudwatch:dashboard", r.type, "dashboard"))]


def _firehose_stream(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Direct PUT ingestion, per GB (the S3 objects it writes are priced with the bucket)."""
    gb = ctx.assumptions.usage.firehose_ingestion_gb / max(len(ctx.of_type(r.type)), 1)
    return [ctx.item(r, f"Firehose stream {r.name}: {gb:,.0f} GB ingested", gb * ctx.price("firehose:ingestion", r.type, "ingestion"))]


def _scaling_policy(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Target tracking creates and owns two CloudWatch alarms (scale out, scale in); they bill as alarms."""
    if r.inputs.get("policyType") != "TargetTrackingScaling":
        return []
    price = ctx.price("cloudwatch:alarm", r.type, "standard alarm")
    return [ctx.item(r, f"CloudWatch alarms of target tracking {r.name} (2, created by Application Auto Scaling)", 2 * price)]


def _hosted_zone(ctx: _Context, r: CostResource) -> list[LineItem]:
    return [ctx.item(r, f"Route 53 hosted zone {r.name}", ctx.price("route53:hosted-zone", r.type, "hosted zone"))]


def _health_check(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Route 53 bills a health check a month (an AWS endpoint's basic price) plus each optional feature it uses."""
    inputs = r.inputs
    kind = str(inputs.get("type") or "")
    options = [
        name
        for name, used in (
            ("HTTPS", kind.startswith("HTTPS")),
            ("string matching", kind.endswith("STR_MATCH")),
            ("fast interval", _int(inputs.get("requestInterval"), 30) == 10),
            ("latency measurement", inputs.get("measureLatency") is True),
        )
        if used
    ]
    cost = ctx.price("route53:health-check-aws", r.type, "health check") + len(options) * ctx.price(
        "route53:health-check-option", r.type, "health check option"
    )
    extra = f" + {', '.join(options)}" if options else ""
    return [ctx.item(r, f"DR: Route 53 health check {r.name}: AWS endpoint{extra}", cost)]


def _web_acl(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Per ACL, per rule (a managed rule group is one rule) and per million requests inspected."""
    rules = len(r.inputs.get("rules") or [])
    usage = ctx.assumptions.usage
    millions = usage.cloudfront_requests_millions if r.inputs.get("scope") == "CLOUDFRONT" else usage.waf_requests_millions
    cost = (
        ctx.price("waf:web-acl", r.type, "web ACL")
        + rules * ctx.price("waf:rule", r.type, "rule")
        + millions * ctx.price("waf:requests", r.type, "requests")
    )
    return [ctx.item(r, f"WAF web ACL {r.name}: {rules} rules + {millions:g}M requests", cost)]


def _ebs_volume(ctx: _Context, r: CostResource) -> list[LineItem]:
    volume_type = str(r.inputs.get("type") or "gp3")
    size = _int(r.inputs.get("size"), 0)
    return [ctx.item(r, f"EBS {size} GB {volume_type}", size * ctx.price(f"ebs:{volume_type}", r.type, volume_type))]


EDGE_GB_SECONDS_PER_REQUEST = 0.125 * 0.010
"""A 128 MB Lambda@Edge function for 10 ms (a header check; billed per 1 ms)."""

# CloudFront's data transfer out, North America/Europe, by monthly volume tier: (TB in the tier, price key).
CLOUDFRONT_TRANSFER_TIERS: tuple[tuple[float, str], ...] = (
    (10, "cloudfront:transfer"),
    (40, "cloudfront:transfer-next-40tb"),
    (100, "cloudfront:transfer-next-100tb"),
    (350, "cloudfront:transfer-next-350tb"),
    (float("inf"), "cloudfront:transfer-over-500tb"),
)


def cloudfront_transfer_cost(tb: float, price: Callable[[str], float]) -> float:
    """Transfer out priced tier by tier (the first 10 TB at the first tier's price, the next 40 at the next...)."""
    cost, left = 0.0, tb
    for size, key in CLOUDFRONT_TRANSFER_TIERS:
        in_tier = min(left, size)
        if in_tier <= 0:
            break
        cost += in_tier * GB_PER_TB * price(key)
        left -= in_tier
    return cost


def _cloudfront(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Transfer by tier (North America/Europe prices: the price class decides which edges serve, the
    estimate assumes viewers there) and HTTPS requests, the usage split evenly over distributions."""
    count = max(len(ctx.of_type(r.type)), 1)
    usage = ctx.assumptions.usage
    tb = usage.cloudfront_tb / count
    requests = usage.cloudfront_requests_millions / count
    transfer = cloudfront_transfer_cost(tb, lambda key: ctx.price(key, r.type, "transfer"))
    cost = transfer + requests * ctx.price("cloudfront:requests", r.type, "requests")
    items = [ctx.item(r, f"CloudFront {r.name}: {tb:g} TB by tier + {requests:g}M requests", cost)]
    # Lambda@Edge: a viewer event runs on every request of its behaviour, an origin event on cache misses
    # only. Priced for every request (an upper bound: the API behaviours have no function).
    behaviours = [r.inputs.get("defaultCacheBehavior") or {}, *(r.inputs.get("orderedCacheBehaviors") or [])]
    events = [str(a.get("eventType")) for b in behaviours if isinstance(b, dict) for a in b.get("lambdaFunctionAssociations") or []]
    if events:
        misses = 1.0 - usage.cloudfront_cache_hit_fraction
        invocations = sum(requests * (misses if e.startswith("origin") else 1.0) for e in events)
        per_million = ctx.price("lambda-edge:request", r.type, "request") + 1_000_000 * EDGE_GB_SECONDS_PER_REQUEST * ctx.price(
            "lambda-edge:gb-second", r.type, "GB-second"
        )
        items.append(
            ctx.item(r, f"Lambda@Edge on {r.name}: {invocations:g}M invocations ({', '.join(events)})", invocations * per_million)
        )
    return items


# --- SageMaker ---------------------------------------------------------------------------


# --- compliance: CloudTrail data events, GuardDuty, Security Hub, AWS Config -----------------

TRAIL = "aws:cloudtrail/trail:Trail"
GUARDDUTY_DETECTOR = "aws:guardduty/detector:Detector"
GUARDDUTY_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
SECURITY_HUB = "aws:securityhub/account:Account"
CONFIG_RECORDER = "aws:cfg/recorder:Recorder"


def _trail(ctx: _Context, r: CostResource) -> list[LineItem]:
    """The first copy of management events is free; data events are billed per event."""
    selectors = r.inputs.get("eventSelectors") or []
    if not any(isinstance(s, Mapping) and s.get("dataResources") for s in selectors):
        return []
    events = ctx.assumptions.usage.cloudtrail_data_events_millions
    return [
        ctx.item(
            r,
            f"CloudTrail data events: {events:g}M S3 object events",
            events * ctx.price("cloudtrail:data-events", r.type, "data events"),
        )
    ]


def _guardduty(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Foundational analysis (CloudTrail management events, flow logs and DNS) plus each enabled feature
    priced by its volume; RDS login analysis, malware scans and Lambda network activity are billed per
    use and not estimated."""
    usage = ctx.assumptions.usage
    features = {
        f.inputs.get("name")
        for f in ctx.of_type(GUARDDUTY_FEATURE)
        if f.inputs.get("status") == "ENABLED" and f.parent == r.urn
    }
    parts = [
        (f"{usage.management_events_millions:g}M management events", usage.management_events_millions, "guardduty:cloudtrail-events"),
        (f"{usage.flow_log_analysis_gb:g} GB flow logs and DNS", usage.flow_log_analysis_gb, "guardduty:flow-dns"),
    ]
    if "S3_DATA_EVENTS" in features:
        parts.append((f"{usage.cloudtrail_data_events_millions:g}M S3 events", usage.cloudtrail_data_events_millions, "guardduty:s3-events"))
    if "EKS_AUDIT_LOGS" in features:
        parts.append((f"{usage.eks_audit_events_millions:g}M EKS audit events", usage.eks_audit_events_millions, "guardduty:eks-audit-events"))
    if "RUNTIME_MONITORING" in features:
        parts.append((f"{usage.runtime_monitored_vcpus:g} monitored vCPUs", usage.runtime_monitored_vcpus, "guardduty:runtime-vcpu"))
    cost = sum(quantity * ctx.price(key, r.type, key.split(":", 1)[1]) for _, quantity, key in parts)
    return [ctx.item(r, "GuardDuty: " + ", ".join(label for label, _, _ in parts), cost)]


def _security_hub(ctx: _Context, r: CostResource) -> list[LineItem]:
    checks = ctx.assumptions.usage.security_hub_checks
    return [ctx.item(r, f"Security Hub: {checks:,.0f} security checks", checks * ctx.price("securityhub:check", r.type, "checks"))]


def _config_recorder(ctx: _Context, r: CostResource) -> list[LineItem]:
    usage = ctx.assumptions.usage
    cost = usage.config_items * ctx.price("config:item", r.type, "items") + usage.config_rule_evaluations * ctx.price(
        "config:rule-evaluation", r.type, "evaluations"
    )
    return [
        ctx.item(
            r,
            f"AWS Config: {usage.config_items:,.0f} configuration items, {usage.config_rule_evaluations:,.0f} rule evaluations",
            cost,
        )
    ]


ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SCALING_TARGET = "aws:appautoscaling/target:Target"


def _endpoint_configuration(ctx: _Context, r: CostResource) -> list[LineItem]:
    items = []
    for index, variant in enumerate(r.inputs.get("productionVariants") or []):
        name = str(variant.get("variantName") or f"variant-{index}")
        serverless = variant.get("serverlessConfig")
        if serverless:
            memory_gb = _int(serverless.get("memorySizeInMb"), 1024) / 1024
            seconds = ctx.assumptions.usage.ml_serverless_seconds
            cost = memory_gb * seconds * ctx.price("sagemaker:serverless", r.type, "serverless")
            items.append(ctx.item(r, f"SageMaker serverless {r.name}/{name}: {memory_gb:g} GB x {seconds:,.0f} s", cost))
            continue
        instance_type = str(variant.get("instanceType") or "")
        initial = _int(variant.get("initialInstanceCount"), 1)
        low, high = _variant_capacity(ctx, r, name, initial)
        hourly = ctx.price(f"sagemaker:{instance_type}", r.type, instance_type)
        items.append(
            ctx.item(
                r,
                f"SageMaker endpoint {r.name}/{name}: {low}-{high} x {instance_type}",
                low * hourly * ctx.hours,
                high * hourly * ctx.hours,
            )
        )
    return items


def _variant_capacity(ctx: _Context, config: CostResource, variant: str, initial: int) -> tuple[int, int]:
    """Min and max instances of a variant: its autoscaling target's, else its initial count."""
    endpoints = [
        e for e in ctx.of_type(ENDPOINT)
        if config.urn in e.dependencies
        or (config.inputs.get("name") and e.inputs.get("endpointConfigName") == config.inputs.get("name"))
    ]
    for target in ctx.of_type(SCALING_TARGET):
        if target.inputs.get("serviceNamespace") not in (None, "sagemaker"):
            continue
        resource_id = target.inputs.get("resourceId")
        for endpoint in endpoints:
            if isinstance(resource_id, str):
                parts = resource_id.split("/")
                matches = (
                    len(parts) == 4
                    and parts[3] == variant
                    and (parts[1] == endpoint.inputs.get("name") or endpoint.urn in target.dependencies)
                )
            else:
                # The id is unknown at preview: follow the dependency to the endpoint.
                matches = endpoint.urn in target.dependencies
            if matches:
                return _int(target.inputs.get("minCapacity"), initial), _int(target.inputs.get("maxCapacity"), initial)
    return initial, initial


# --- stack-wide usage -----------------------------------------------------------------------


def _scheduled_floor_items(ctx: _Context) -> list[LineItem]:
    """Business hours' raised minimums: the extra units for their share of the week (nothing at peak, already at maximum)."""
    items = []
    for floor in ctx.assumptions.scheduled_floors:
        hourly = ctx.price(floor.price_key, "usage:business-hours", floor.price_key.split(":", 1)[-1])
        if floor.spot:
            hourly *= 1 - ctx.assumptions.spot_discount
        cost = floor.extra * hourly * ctx.hours * floor.fraction
        on_demand_ec2 = floor.price_key.startswith("ec2:") and not floor.spot
        rate = ctx.assumptions.compute_savings_plan
        items.append(
            ctx.item(
                None,
                f"Business hours: {floor.label} +{floor.extra} x {floor.price_key.split(':', 1)[-1]}"
                f"{' spot' if floor.spot else ''} for {floor.fraction:.0%} of the week",
                cost,
                0.0,
                commitment=COMPUTE_SAVINGS_PLAN if on_demand_ec2 else None,
                committable_baseline=_committable(cost, floor.fraction, rate) if on_demand_ec2 else 0.0,
                type_="usage:business-hours",
            )
        )
    return items


HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def _usage_items(ctx: _Context) -> list[LineItem]:
    usage = ctx.assumptions.usage
    t = "usage"
    items = [*_scheduled_floor_items(ctx),
        ctx.item(
            None,
            f"Data transfer out to the internet: {usage.internet_egress_gb:,.0f} GB",
            usage.internet_egress_gb * ctx.price("transfer:internet-out", t, "internet egress"),
            type_="usage:data-transfer",
        ),
        ctx.item(
            None,
            f"Inter-AZ data transfer: {usage.inter_az_gb:,.0f} GB",
            usage.inter_az_gb * ctx.price("transfer:inter-az", t, "inter-AZ"),
            type_="usage:data-transfer",
        ),
    ]
    if ctx.of_type("aws:cloudwatch/logGroup:LogGroup", "aws:eks/cluster:Cluster", "eks:index:Cluster"):
        cost = usage.log_ingestion_gb * ctx.price("cloudwatch:log-ingestion", t, "logs") + usage.log_storage_gb * ctx.price(
            "cloudwatch:log-storage", t, "logs"
        )
        items.append(
            ctx.item(
                None,
                f"CloudWatch Logs: {usage.log_ingestion_gb:,.0f} GB ingested, {usage.log_storage_gb:,.0f} GB stored",
                cost,
                type_="usage:cloudwatch",
            )
        )
    if usage.custom_metrics:
        items.append(
            ctx.item(
                None,
                f"CloudWatch custom metrics: {usage.custom_metrics}",
                usage.custom_metrics * ctx.price("cloudwatch:metric", t, "metric"),
                type_="usage:cloudwatch",
            )
        )
    # The OpenTelemetry collector exports to X-Ray, which bills per trace recorded.
    if any(str(r.inputs.get("chart") or "").rsplit("/", 1)[-1] == "opentelemetry-collector" for r in ctx.of_type(HELM_RELEASE)):
        items.append(
            ctx.item(
                None,
                f"X-Ray: {usage.xray_traces_millions:g}M traces recorded",
                usage.xray_traces_millions * ctx.price("xray:traces-recorded", t, "traces"),
                type_="usage:cloudwatch",
            )
        )
    # The stack's own buckets share the S3 usage; the DR Region's replicas are priced as copies of their
    # sources; Velero's bucket holds what Velero's usage says.
    velero = _velero_buckets(ctx)
    own = [b for b in ctx.of_type("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2") if not ctx.in_other_region(b)]
    for bucket in own:
        if bucket.inputs.get("bucket") in velero:
            line = _s3_bucket(ctx, bucket, usage.velero_backup_gb)
            items.append(replace(line, type="usage:velero", description="DR: Velero backups in " + line.description))
    buckets = [b for b in own if b.inputs.get("bucket") not in velero]
    if buckets:
        per_bucket = usage.s3_storage_gb / len(buckets)
        items.extend(_s3_bucket(ctx, bucket, per_bucket) for bucket in buckets)
        items.append(
            ctx.item(
                None,
                f"S3 requests: {usage.s3_requests_millions:g}M PUT/COPY/POST/LIST",
                usage.s3_requests_millions * ctx.price("s3:requests", t, "requests"),
                type_="usage:s3",
            )
        )
    return items


def _s3_bucket(ctx: _Context, bucket: CostResource, gb: float) -> LineItem:
    """One bucket's storage: its share of the S3 usage, in each class its lifecycle keeps it in."""
    usage = ctx.assumptions.usage
    rules: list[Any] = []
    for config in ctx.of_type(*S3_LIFECYCLE_TYPES):
        if config.parent == bucket.urn or bucket.urn in config.dependencies:
            rules.extend(config.inputs.get("rules") or [])
    transitions, expiration = storage_classes.lifecycle_of(rules)
    shares = storage_classes.class_shares(transitions, expiration, usage.s3_horizon_days)
    cost, parts = 0.0, []
    for cls, share in sorted(shares.items(), key=lambda kv: -kv[1]):
        class_gb = gb * share
        if cls == storage_classes.INTELLIGENT_TIERING:
            cold = usage.s3_intelligent_tiering_infrequent_fraction
            objects = class_gb * 1024 / usage.s3_average_object_mb if usage.s3_average_object_mb > 0 else 0.0
            cost += class_gb * (1 - cold) * ctx.price("s3:standard", "usage", "Standard")
            cost += class_gb * cold * ctx.price("s3:intelligent-tiering-infrequent", "usage", "Intelligent-Tiering")
            cost += objects / 1000 * ctx.price("s3:intelligent-tiering-monitoring", "usage", "Intelligent-Tiering monitoring")
            parts.append(f"{class_gb:,.0f} GB Intelligent-Tiering ({cold:.0%} infrequent, {objects:,.0f} objects monitored)")
            continue
        key = storage_classes.PRICE_KEYS.get(cls, "s3:standard")
        cost += class_gb * ctx.price(key, "usage", cls)
        parts.append(f"{class_gb:,.0f} GB {cls}")
    return ctx.item(bucket, f"S3 bucket {bucket.name}: " + ", ".join(parts), cost, type_="usage:s3")


def _snapshot_policy(ctx: _Context, r: CostResource) -> list[LineItem]:
    gb = ctx.assumptions.usage.snapshot_storage_gb
    return [ctx.item(r, f"EBS snapshots {r.name}: {gb:,.0f} GB kept", gb * ctx.price("ebs:snapshot", r.type, "snapshot"))]


# --- disaster recovery: AWS Backup, cross-Region copies and replication ---------------------

BACKUP_SELECTION = "aws:backup/selection:Selection"
BACKUP_PLAN = "aws:backup/plan:Plan"
RDS_BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
EFS_REPLICATION = "aws:efs/replicationConfiguration:ReplicationConfiguration"
DAILY_CHANGE = 0.02
"""Share of a store's data that changes in a day: what each incremental snapshot, copy and replicated
day adds (a planning figure: first backup full, then increments)."""
DAYS_COPIED = 30


def _selected_stores(ctx: _Context, selection: CostResource) -> list[tuple[str, float, str]]:
    """(label, GB, backup price key) of the stores a selection's resource patterns name in this plan."""
    found: list[tuple[str, float, str]] = []
    for pattern in selection.inputs.get("resources") or []:
        parts = str(pattern).split(":", 5)
        if len(parts) < 6:
            continue
        if parts[2] == "rds" and parts[5].startswith("db:"):
            for db in ctx.of_type("aws:rds/instance:Instance"):
                if not db.inputs.get("replicateSourceDb"):  # replicas are not selected (Role=primary)
                    found.append((f"RDS {db.name}", float(db.inputs.get("allocatedStorage") or 0), "backup:rds-snapshot"))
        elif parts[2] == "elasticfilesystem":
            for fs in ctx.of_type("aws:efs/fileSystem:FileSystem"):
                found.append((f"EFS {fs.name}", ctx.assumptions.usage.efs_storage_gb, "backup:efs-warm"))
    return found


def _backup_selection(ctx: _Context, r: CostResource) -> list[LineItem]:
    plans = [ctx.by_urn[u] for u in r.dependencies if u in ctx.by_urn and ctx.by_urn[u].type == BACKUP_PLAN]
    items: list[LineItem] = []
    for plan in plans:
        for rule in plan.inputs.get("rules") or []:
            days = _int((rule.get("lifecycle") or {}).get("deleteAfter"), 35)
            copies = len(rule.get("copyActions") or [])
            for store, gb, key in _selected_stores(ctx, r):
                kept = gb * (1 + DAILY_CHANGE * days)
                storage = kept * ctx.price(key, r.type, "backup storage") * (1 + copies)
                transfer = copies * gb * DAILY_CHANGE * DAYS_COPIED * ctx.price("transfer:inter-region", r.type, "transfer")
                where = f" + {copies} copy in another Region" if copies else ""
                items.append(
                    ctx.item(r, f"DR: AWS Backup of {store}: ~{kept:,.0f} GB kept {days} days{where}", storage + transfer)
                )
    return items


S3_REPLICATION_METRICS = 4
"""CloudWatch metrics S3 publishes per replication rule with metrics on (RTC turns them on): bytes pending,
replication latency, operations pending, operations failed. S3 User Guide, "Monitoring progress with replication
metrics": "S3 replication metrics are billed at the same rate as Amazon CloudWatch custom metrics"."""


def _bucket_replication(ctx: _Context, r: CostResource) -> list[LineItem]:
    """A replica holds what its source holds (its share of the S3 usage, or Velero's), the daily changes cross
    Regions, RTC per GB, and each rule's replication metrics at CloudWatch's custom-metric price."""
    buckets = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
    velero = _velero_buckets(ctx)
    own = [b for b in ctx.of_type(*buckets) if not ctx.in_other_region(b) and b.inputs.get("bucket") not in velero]
    if r.inputs.get("bucket") in velero:
        gb = ctx.assumptions.usage.velero_backup_gb
    else:
        gb = ctx.assumptions.usage.s3_storage_gb / len(own) if own else 0.0
    replicas = [ctx.by_urn[u] for u in r.dependencies if u in ctx.by_urn and ctx.by_urn[u].type in buckets and ctx.in_other_region(ctx.by_urn[u])]
    rules = r.inputs.get("rules") or []
    rtc = any(((rule.get("destination") or {}).get("replicationTime") or {}).get("status") == "Enabled" for rule in rules)
    metrics = S3_REPLICATION_METRICS * sum(((rule.get("destination") or {}).get("metrics") or {}).get("status") == "Enabled" for rule in rules)
    items = []
    for replica in replicas:
        moved = gb * DAILY_CHANGE * DAYS_COPIED
        cost = gb * ctx.price("s3:standard", r.type, "Standard") + moved * ctx.price("transfer:inter-region", r.type, "transfer")
        if rtc:
            cost += moved * ctx.price("s3:replication-time-control", r.type, "RTC")
        cost += metrics / len(replicas) * ctx.price("cloudwatch:metric", r.type, "metric")
        shown = f", {metrics / len(replicas):g} replication metrics" if metrics else ""
        items.append(
            ctx.item(r, f"DR: S3 replica {replica.name}: {gb:,.0f} GB Standard, {moved:,.0f} GB/month replicated" + (" with RTC" if rtc else "") + shown, cost)
        )
    return items


def _rds_backup_replication(ctx: _Context, r: CostResource) -> list[LineItem]:
    sources = [ctx.by_urn[u] for u in r.dependencies if u in ctx.by_urn and ctx.by_urn[u].type == "aws:rds/instance:Instance"]
    days = _int(r.inputs.get("retentionPeriod"), 7)
    items = []
    for db in sources:
        gb = float(db.inputs.get("allocatedStorage") or 0)
        kept = gb * (1 + DAILY_CHANGE * days)
        cost = kept * ctx.price("rds:backup-storage", r.type, "backup storage") + gb * DAILY_CHANGE * DAYS_COPIED * ctx.price(
            "transfer:inter-region", r.type, "transfer"
        )
        items.append(ctx.item(r, f"DR: RDS automated backups of {db.name} replicated to another Region: ~{kept:,.0f} GB, {days} days", cost))
    return items


def _efs_replication(ctx: _Context, r: CostResource) -> list[LineItem]:
    gb = ctx.assumptions.usage.efs_storage_gb
    cost = gb * ctx.price("efs:standard", r.type, "Standard") + gb * DAILY_CHANGE * DAYS_COPIED * ctx.price(
        "transfer:inter-region", r.type, "transfer"
    )
    return [ctx.item(r, f"DR: EFS replica in another Region: {gb:,.0f} GB Standard + replication transfer", cost)]


def _velero_values(release: CostResource) -> Mapping[str, Any] | None:
    if str(release.inputs.get("chart") or "").rsplit("/", 1)[-1] != "velero":
        return None
    values = release.inputs.get("values")
    return values if isinstance(values, Mapping) else {}


def _velero_buckets(ctx: _Context) -> set[str]:
    """Names of the buckets a Velero release stores its backups in."""
    names: set[str] = set()
    for release in ctx.of_type(HELM_RELEASE):
        values = _velero_values(release)
        for location in ((values or {}).get("configuration") or {}).get("backupStorageLocation") or []:
            if isinstance(location, Mapping) and isinstance(location.get("bucket"), str):
                names.add(location["bucket"])
    return names


def _helm_release(ctx: _Context, r: CostResource) -> list[LineItem]:
    """Velero's EBS snapshots (its bucket is priced with the S3 usage); other releases run on the nodes."""
    values = _velero_values(r)
    if values is None or values.get("snapshotsEnabled") is False:
        return []
    gb = ctx.assumptions.usage.velero_snapshot_gb
    return [ctx.item(r, f"DR: Velero EBS snapshots: {gb:,.0f} GB kept", gb * ctx.price("ebs:snapshot", r.type, "snapshot"))]


S3_LIFECYCLE_TYPES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)


RULES: dict[str, Rule] = {
    "eks:index:Cluster": _eks_control_plane,
    "aws:eks/cluster:Cluster": _eks_control_plane,
    "eks:index:ManagedNodeGroup": _managed_node_group,
    "aws:eks/nodeGroup:NodeGroup": _managed_node_group,
    "eks:index:NodeGroup": _self_managed_node_group,
    "eks:index:NodeGroupV2": _self_managed_node_group,
    "aws:ec2/instance:Instance": _ec2_instance,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
    "kubernetes:core/v1:Service": _k8s_service,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/cluster:Cluster": _cache_cluster,
    ENDPOINT_CONFIG: _endpoint_configuration,
    "aws:efs/fileSystem:FileSystem": _efs,
    "aws:cloudfront/distribution:Distribution": _cloudfront,
    "aws:kms/key:Key": _kms_key,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretRotation:SecretRotation": _secret_rotation,
    "aws:codebuild/project:Project": _codebuild_project,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": _ecr_creation_template,
    "aws:grafana/workspace:Workspace": _grafana_workspace,
    "aws:amp/workspace:Workspace": _amp_workspace,
    "aws:cloudfront/monitoringSubscription:MonitoringSubscription": _cloudfront_additional_metrics,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:lambda/function:Function": _lambda_function,
    "aws:apigateway/stage:Stage": _api_gateway_stage,
    STATE_MACHINE: _state_machine,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _firehose_stream,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
    "aws:route53/zone:Zone": _hosted_zone,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:ebs/volume:Volume": _ebs_volume,
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": _snapshot_policy,
    TRAIL: _trail,
    GUARDDUTY_DETECTOR: _guardduty,
    SECURITY_HUB: _security_hub,
    CONFIG_RECORDER: _config_recorder,
    BACKUP_SELECTION: _backup_selection,
    RDS_BACKUP_REPLICATION: _rds_backup_replication,
    EFS_REPLICATION: _efs_replication,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _bucket_replication,
    HELM_RELEASE: _helm_release,
}
"""Resource type -> its pricing rule. Types not here are free or billed through usage items."""


def estimate(
    resources: Sequence[CostResource],
    region: str,
    assumptions: Assumptions | None = None,
    prices: PriceList | None = None,
    month: date | None = None,
) -> Estimate:
    """The estimate of ``resources`` in ``region`` for ``month`` (default: this month). Raises :class:`MissingPriceError`."""
    prices = prices or load_prices(region)
    month = eks_lifecycle.month_of(month or eks_lifecycle.today())
    ctx = _Context(resources, prices, assumptions or Assumptions(), month)
    items: list[LineItem] = []
    # By URN: the engine registers concurrently, so plan order is not stable between runs.
    for resource in sorted(resources, key=lambda r: r.urn):
        rule = RULES.get(resource.type)
        if rule is None:
            continue
        if not _has_inputs(resource):
            continue  # A component seen by its outputs: its raw children are priced instead.
        covering = COVERING_COMPONENTS.get(resource.type, ())
        if covering and any(a.type in covering and _has_inputs(a) for a in ctx.ancestors(resource)):
            continue  # Its component is priced already (a real preview shows both).
        ctx.derived = []
        items.extend(rule(ctx, resource))
    ctx.derived = []
    items.extend(_usage_items(ctx))
    return Estimate(region=prices.region, currency=prices.currency, items=tuple(items), month=month)


def _has_inputs(resource: CostResource) -> bool:
    key = COMPONENT_INPUT_KEYS.get(resource.type)
    return key is None or key in resource.inputs


def plan_region(resources: Iterable[Mapping[str, Any]], default: str | None = None) -> str | None:
    """The region of a plan's AWS provider (its ``region`` input, else output)."""
    for resource in resources:
        if str(resource.get("type", "")).startswith("pulumi:providers:aws"):
            for section in ("inputs", "outputs"):
                region = (resource.get(section) or {}).get("region")
                if isinstance(region, str) and region:
                    return region
    return default


def format_table(result: Estimate, *, title: str = "") -> list[str]:
    """The estimate as aligned text lines: one per item, then the totals."""
    lines = [title] if title else []
    width = max([len(i.description) for i in result.items] + [40])
    lines.append(f"{'item':<{width}}  {'baseline':>12}  {'peak':>12}  {'committed':>12}")
    for i in result.items:
        lines.append(f"{i.description:<{width}}  {_money(i.baseline):>12}  {_money(i.peak):>12}  {_money(i.committed):>12}")
    lines.append(
        f"{'total (' + result.currency + '/month, ' + result.region + ')':<{width}}  "
        f"{_money(result.baseline):>12}  {_money(result.peak):>12}  {_money(result.committed):>12}"
    )
    return lines


# --- serving paths -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServingPathCost:
    path: str
    serving: bool
    """True for a path that serves production traffic (``betterprompts:inference.serving``)."""
    description: str
    baseline: float
    peak: float

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "serving": self.serving, "description": self.description,
                "monthly": round(self.baseline, 2), "peak_monthly": round(self.peak, 2)}


def serving_paths(value: Any, region: str, assumptions: Assumptions | None = None, prices: PriceList | None = None) -> list[ServingPathCost]:
    """What each ML serving path costs when it serves, from the ``inferenceServing`` stack output.

    The plan holds only the path that runs; this prices both at their configured sizes so the
    estimate shows what switching ``betterprompts:inference.serving`` would change. TorchServe
    is priced as the GPU nodes its pods need (capped by the GPU pool's maximum).
    """
    if not isinstance(value, Mapping):
        return []
    prices = prices or load_prices(region)
    assumptions = assumptions or Assumptions()
    hours = prices.hours_per_month
    serving = str(value.get("serving") or "sagemaker")
    result: list[ServingPathCost] = []
    sm = value.get("sagemaker") or {}
    if sm.get("instanceType"):
        hourly = prices.get(f"sagemaker:{sm['instanceType']}", "serving path", str(sm["instanceType"]))
        low, high = _int(sm.get("min"), 1), _int(sm.get("max"), 1)
        result.append(ServingPathCost("sagemaker", serving in ("sagemaker", "both"),
                                      f"SageMaker endpoint {low}-{high} x {sm['instanceType']}", low * hourly * hours, high * hourly * hours))
    elif sm.get("serverlessMemoryMb"):
        per_second = prices.get("sagemaker:serverless", "serving path", "serverless")
        gb = _int(sm.get("serverlessMemoryMb"), 1024) / 1024
        cost = gb * assumptions.usage.ml_serverless_seconds * per_second
        result.append(ServingPathCost("sagemaker", serving in ("sagemaker", "both"), f"SageMaker serverless {gb:g} GB", cost, cost))
    ts = value.get("torchserve") or {}
    if ts.get("instanceType"):
        from .instance_sizes import gpus  # the pack never prices serving paths

        per_node = max(gpus(str(ts["instanceType"])), 1)
        need = _int(ts.get("gpusPerPod"), 1)
        nodes_low = -(-_int(ts.get("podsMin"), 1) * need // per_node)
        nodes_high = min(-(-_int(ts.get("podsMax"), 1) * need // per_node), _int(ts.get("nodesMax"), 10**6))
        hourly = prices.get(f"ec2:{ts['instanceType']}", "serving path", str(ts["instanceType"]))
        disk = _int(ts.get("diskGb"), DEFAULT_NODE_DISK_GB) * prices.get("ebs:gp3", "serving path", "gp3")
        per_node_month = hourly * hours + disk
        result.append(ServingPathCost("torchserve", serving in ("torchserve", "both"),
                                      f"TorchServe on {nodes_low}-{nodes_high} x {ts['instanceType']} GPU nodes",
                                      nodes_low * per_node_month, nodes_high * per_node_month))
    return result

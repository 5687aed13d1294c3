"""KpiDashboard: one CloudWatch dashboard per stack with the seed's "Success Metrics" beside their
targets (seed "8. Monitoring & Observability: CloudWatch").

Every widget reads the metrics AWS publishes for this stack's own resources, named by their outputs:
the load balancer's and target groups' ARN suffixes, the serving SageMaker endpoint and variant, the
cluster, the managed node groups' Auto Scaling groups. The spot KPI counts two kinds of EventBridge
events on the default bus with two rules of its own (rules without targets: EventBridge still counts
``MatchedEvents`` for each), so the dashboard has a per-stack count of spot launches.
The body's widgets and the choice of each metric are in ``dashboard_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from ..platform import ComponentTags
from .dashboard_plan import KpiSources, dashboard_body, dashboard_name, spot_interruption_pattern, spot_launch_pattern
from .settings import KpiTargets


@dataclass
class KpiDashboardArgs:
    """Inputs of :class:`KpiDashboard`: the stack's resources, as CloudWatch's dimensions name them."""

    prefix: str
    """The stack prefix; the dashboard is ``<prefix>-kpis``."""
    region: str
    cluster_name: pulumi.Input[str]
    autoscaling_group_names: Mapping[str, pulumi.Input[str]]
    """Pool -> its managed node group's Auto Scaling group (``EksCluster.autoscaling_group_names``)."""
    spot_pools: Sequence[str] = ()
    """The pools of ``autoscaling_group_names`` on Spot capacity."""
    load_balancer_arn_suffix: Optional[pulumi.Input[str]] = None
    target_group_arn_suffixes: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Service -> its target group's ARN suffix (``ApiLoadBalancer.target_group_arn_suffixes``)."""
    endpoint_name: Optional[pulumi.Input[Optional[str]]] = None
    """The serving SageMaker endpoint (None, or an Output of None, while TorchServe serves)."""
    endpoint_instances: bool = False
    """The endpoint runs on instances (GPU metrics); False for a serverless endpoint."""
    api_p95_ms: int = 200
    inference_p95_microseconds: int = 500_000
    targets: KpiTargets = field(default_factory=KpiTargets)
    distribution_id: Optional[pulumi.Input[str]] = None
    """The CloudFront distribution (its metrics are read in us-east-1)."""
    origin_latency: bool = False
    """The distribution's additional metrics are on (OriginLatency is published)."""
    cloudfront_5xx_percent: float = 1.0
    function_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Function key -> its Lambda function name."""
    function_duration_p95_ms: Mapping[str, int] = field(default_factory=dict)
    queue_name: Optional[str] = None
    queue_age_seconds: int = 600


class KpiDashboard(pulumi.ComponentResource):
    """The KPI dashboard and the two EventBridge rules its spot widget counts."""

    dashboard_name: str

    def __init__(self, name: str, args: KpiDashboardArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:observability:KpiDashboard", name, None, opts)
        tags = ComponentTags("kpi-dashboard")
        spot_asgs = [args.autoscaling_group_names[pool] for pool in args.spot_pools]
        launch_rule_name: pulumi.Output[Optional[str]] = pulumi.Output.from_input(None)
        interruption_rule_name: pulumi.Output[Optional[str]] = pulumi.Output.from_input(None)
        if spot_asgs:
            launches = f"{name}-spot-launches"
            launch_rule = aws.cloudwatch.EventRule(
                launches,
                description="KPI spot success: instances launched in this stack's spot node groups",
                event_pattern=pulumi.Output.all(*spot_asgs).apply(lambda names: spot_launch_pattern([str(n) for n in names])),
                tags=tags(launches),
                opts=pulumi.ResourceOptions(parent=self),
            )
            interruptions = f"{name}-spot-interruptions"
            interruption_rule = aws.cloudwatch.EventRule(
                interruptions,
                description="KPI spot success: Spot interruption warnings in this account and region",
                event_pattern=spot_interruption_pattern(),
                tags=tags(interruptions),
                opts=pulumi.ResourceOptions(parent=self),
            )
            launch_rule_name = launch_rule.name.apply(lambda n: n)
            interruption_rule_name = interruption_rule.name.apply(lambda n: n)

        sources: dict[str, Any] = {
            "cluster": args.cluster_name,
            "lb": args.load_balancer_arn_suffix,
            "tgs": dict(args.target_group_arn_suffixes),
            "endpoint": args.endpoint_name,
            "asgs": dict(args.autoscaling_group_names),
            "launches": launch_rule_name,
            "interruptions": interruption_rule_name,
            "distribution": args.distribution_id,
            "functions": dict(args.function_names),
        }
        self.dashboard_name = dashboard_name(args.prefix)
        self.dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=self.dashboard_name,
            dashboard_body=pulumi.Output.all(**sources).apply(
                lambda v: dashboard_body(
                    KpiSources(
                        region=args.region,
                        cluster_name=v["cluster"],
                        load_balancer=v["lb"],
                        target_groups=v["tgs"],
                        endpoint_name=v["endpoint"],
                        endpoint_instances=args.endpoint_instances,
                        node_groups=v["asgs"],
                        spot_launch_rule=v["launches"],
                        spot_interruption_rule=v["interruptions"],
                        api_p95_ms=args.api_p95_ms,
                        inference_p95_microseconds=args.inference_p95_microseconds,
                        targets=args.targets,
                        distribution_id=v["distribution"],
                        origin_latency=args.origin_latency,
                        cloudfront_5xx_percent=args.cloudfront_5xx_percent,
                        functions=v["functions"],
                        function_duration_p95_ms=dict(args.function_duration_p95_ms),
                        queue_name=args.queue_name,
                        queue_age_seconds=args.queue_age_seconds,
                    )
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"dashboard_name": self.dashboard_name})


def _check_args(args: KpiDashboardArgs) -> None:
    unknown = sorted(set(args.spot_pools) - set(args.autoscaling_group_names))
    if unknown:
        raise ValueError(f"KpiDashboard: spot pools without an Auto Scaling group: {', '.join(unknown)}")
    if args.target_group_arn_suffixes and args.load_balancer_arn_suffix is None:
        raise ValueError("KpiDashboard: target groups given without their load balancer")

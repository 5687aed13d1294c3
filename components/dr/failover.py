"""Route 53 health checks of the primary's public names and, when a DR entry is configured, the SECONDARY
record of the API origin's failover pair (seed "Multi-Region Considerations": "Route 53 health checks for failover").

- ``EndpointHealthChecks``: one HTTPS check per public name (the site's and the API's paths) of the CloudFront
  distribution's own domain with SNI, at the configured interval and threshold, each with a CloudWatch alarm
  on its ``HealthCheckStatus`` notifying the platform's topic. Route 53 publishes those metrics in us-east-1
  only: this component is created through the us-east-1 provider, and its topic must be there too.
- ``FailoverRecords``: the A alias record ``SECONDARY`` of the API origin's name (``edge.domain.apiOrigin``), to
  the pilot light's load balancer. The PRIMARY is the edge layer's origin record (``ApiLoadBalancer`` with
  ``OriginFailover``): it keeps its logical name and changes in place. The viewer names (site, API) stay simple
  aliases of the global CloudFront distribution; the checks above watch them (alarms), they decide nothing.

Facts and shapes: ``failover_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import CLOUDFRONT_REGION, ComponentTags, create_alarms
from .failover_plan import HTTPS_PORT, ORIGIN_RECORD_TYPE, SECONDARY, unhealthy_alarm
from .settings import FailoverSettings, HealthCheckSettings


@dataclass
class EndpointHealthChecksArgs:
    """Inputs of :class:`EndpointHealthChecks`."""

    settings: HealthCheckSettings
    target_domain_name: pulumi.Input[str]
    """The CloudFront distribution's own domain (``d123.cloudfront.net``): never a name that fails over."""
    names: Mapping[str, str]
    """``site`` and ``api`` -> the public name each check stands for (descriptions, tags)."""
    alarm_topic_arn: pulumi.Input[str]
    alarm_topic_region: str


class EndpointHealthChecks(pulumi.ComponentResource):
    """An HTTPS Route 53 health check per public name, each with its alarm (all in us-east-1)."""

    check_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: EndpointHealthChecksArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if args.alarm_topic_region != CLOUDFRONT_REGION:
            raise ValueError(
                f"EndpointHealthChecks: Route 53 publishes health-check metrics in {CLOUDFRONT_REGION} only; "
                f"the alarms there cannot notify a topic in {args.alarm_topic_region}"
            )
        missing = {c.key for c in args.settings.checks} - set(args.names)
        if missing:
            raise ValueError(f"EndpointHealthChecks: no public name for {sorted(missing)}")
        super().__init__("betterprompts:dr:EndpointHealthChecks", name, None, opts)
        settings = args.settings
        tags = ComponentTags("dr-failover")
        self.checks: dict[str, aws.route53.HealthCheck] = {}
        for check in settings.checks:
            check_name = f"{name}-{check.key}"
            self.checks[check.key] = aws.route53.HealthCheck(
                check_name,
                type="HTTPS",
                fqdn=args.target_domain_name,
                port=HTTPS_PORT,
                resource_path=check.path,
                # CloudFront answers HTTPS by SNI only: without it the checker gets no certificate.
                enable_sni=True,
                request_interval=settings.request_interval_seconds,
                failure_threshold=settings.failure_threshold,
                measure_latency=settings.measure_latency,
                tags=tags(check_name, {"Endpoint": args.names[check.key]}),
                opts=pulumi.ResourceOptions(parent=self),
            )
            create_alarms(
                check_name,
                [unhealthy_alarm(check, evaluation_periods=settings.alarm_evaluation_periods, name=args.names[check.key])],
                topic_arn=args.alarm_topic_arn,
                tags=tags,
                parent=self.checks[check.key],
                dimensions={"HealthCheckId": self.checks[check.key].id},
            )
        self.check_ids = {key: c.id for key, c in self.checks.items()}
        self.register_outputs({"check_ids": self.check_ids})


@dataclass
class FailoverRecordsArgs:
    """Inputs of :class:`FailoverRecords`."""

    settings: FailoverSettings
    zone_id: pulumi.Input[str]
    """The public zone of the origin name (the edge layer's)."""
    origin_name: str
    """``edge.domain.apiOrigin``: CloudFront's origin for the API paths, whose PRIMARY is the edge layer's record."""
    set_identifier: str = "secondary"


class FailoverRecords(pulumi.ComponentResource):
    """The SECONDARY alias record of the API origin's name, to the pilot light's load balancer."""

    def __init__(self, name: str, args: FailoverRecordsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("betterprompts:dr:FailoverRecords", name, None, opts)
        settings = args.settings
        # A only, as the primary: both load balancers are IPv4 (CloudFront reaches origins over IPv4).
        self.record = aws.route53.Record(
            f"{name}-origin-a",
            zone_id=args.zone_id,
            name=args.origin_name,
            type=ORIGIN_RECORD_TYPE,
            set_identifier=args.set_identifier,
            failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type=SECONDARY)],
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=settings.dns_name,
                    zone_id=settings.hosted_zone_id,
                    # In standby the pilot light has no healthy targets: Route 53 keeps answering with the primary.
                    evaluate_target_health=settings.evaluate_target_health,
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})

"""ApiLoadBalancer: the Application Load Balancer in front of the in-cluster services (seed "4. Application
Layer": "Application Load Balancer: for container routing").

Internet-facing in the public subnets, but only CloudFront reaches it: its security group admits
HTTPS from CloudFront's origin-facing managed prefix list alone, and the listener forwards only
requests carrying the origin header's secret value (any CloudFront distribution comes from those
addresses; only ours knows the value). Everything else gets a 403 from the listener's default action.
An internal load balancer behind CloudFront VPC origins was the alternative; the internet-facing one
keeps CloudFront's origin an ordinary HTTPS origin with its own certificate, and the prefix list, the
secret header and the regional WAF ACL close it as tightly.

- HTTPS only (TLS 1.3 and 1.2 policy, a DNS-validated ACM certificate for ``api_origin_name``); no
  port 80: viewers are redirected to HTTPS by CloudFront, and the load balancer's one ingress rule
  (the prefix list weighs 55 of a group's 60 rules) is 443.
- Invalid header fields dropped; access logs to the storage layer's SSE-S3 access-log destination
  (ALB log delivery supports only SSE-S3); deletion protection in production.
- One target group per routed service (IP targets: the pods), created here so the plan sees them;
  the AWS Load Balancer Controller registers the pods through a ``TargetGroupBinding`` per service.
  The nodes' security group admits the load balancer on each service's container port.
- KPI alarms per target group (p95 response time, 5XX) and for the load balancer's own 5XX.
- The origin name: a Route 53 alias of the load balancer, or, with ``origin_failover`` (``betterprompts:dr.failover``),
  the PRIMARY of a failover pair whose SECONDARY (``components/dr``'s ``FailoverRecords``) is the pilot light's
  load balancer: CloudFront resolves the name at every new origin connection and follows it (docs/dr.md).
- A pilot light's entry (``owns_origin_name`` false): the same load balancer in the DR Region for the same origin
  name, with the primary's origin header value; the primary's stack owns the name's records (the failover pair
  and the certificate's validation CNAME, which ACM asks for unchanged in every Region of the account), and the
  target-group bindings exist only once the services run there (``k8s_provider``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from ..platform import ComponentTags, create_alarms
from .certificate import validated_certificate
from .plan import (
    ACCESS_LOG_PREFIX,
    CLOUDFRONT_PREFIX_LIST,
    HTTPS_PORT,
    ORIGIN_HEADER,
    RULE_PRIORITIES,
    elb_name,
    load_balancer_alarms,
    target_alarms,
)
from .settings import EdgeDomain, EdgeSettings
from .target_group_binding import target_group_binding


@dataclass
class RoutedService:
    """A Kubernetes Service the load balancer forwards to."""

    container_port: int
    """The pods' port: IP targets are registered on it, and the nodes admit the load balancer on it."""
    service_port: int
    """The Service's port the ``TargetGroupBinding`` names."""
    health_check_path: str
    """The pods' health endpoint (the platform contract: ``/health``)."""


@dataclass
class OriginFailover:
    """The origin name's record as the PRIMARY of a Route 53 failover pair (``betterprompts:dr.failover``).

    Route 53 judges it by ``EvaluateTargetHealth`` on the load balancer alias (healthy while every target group
    of the load balancer has healthy targets; unhealthy when the load balancer or its Region is): no Route 53
    health check, since the load balancer admits only CloudFront's prefix list and Route 53's checkers could
    never reach it, and a check through CloudFront would follow the failed-over name to the DR entry and flap.
    """

    set_identifier: str = "primary"


@dataclass
class ApiLoadBalancerArgs:
    """Inputs of :class:`ApiLoadBalancer`."""

    prefix: str
    """The stack prefix: load balancer and target group names are derived from it (32 characters at most)."""
    settings: EdgeSettings
    """``betterprompts:edge``: domain, TLS policy, routes, alarm thresholds."""
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """One public subnet per AZ (an ALB needs two AZs at least)."""
    node_security_group_id: Optional[pulumi.Input[str]]
    """The cluster nodes' group: pods (VPC CNI) carry it, so it admits the load balancer on the service ports.
    None only without a cluster (a pilot light with ``cluster: off``): no rules to the pods."""
    services: Mapping[str, RoutedService]
    """Every service a route names, by Service name."""
    namespace: Optional[pulumi.Input[str]]
    """The services' namespace (the TargetGroupBindings live beside them); None with ``k8s_provider``."""
    k8s_provider: Optional[k8s.Provider]
    """The cluster the services run in; None: no TargetGroupBindings (a pilot light in standby: the target
    groups exist without targets)."""
    access_log_bucket: pulumi.Input[str]
    """The storage layer's SSE-S3 access-log destination (its policy admits ELB log delivery under ``alb/``)."""
    alarm_topic_arn: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What the bindings wait for: the load balancer controller (CRD and webhook) and the Services."""
    access_log_ready: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """The destination's bucket policy: ELB writes a test object when logging is switched on."""
    protect: bool = True
    """Deletion protection on the load balancer (production)."""
    origin_header_value: Optional[pulumi.Input[str]] = None
    """The ``X-Origin-Verify`` value the rules require; None: generated here (the primary). A pilot light's entry
    takes the primary's (one distribution sends one value to whichever load balancer the origin name resolves to)."""
    owns_origin_name: bool = True
    """The origin name's Route 53 records (alias and certificate validation) are this stack's; False for a pilot
    light's entry (the primary's stack owns them; ACM's validation CNAME is the same in every Region)."""
    origin_failover: Optional[OriginFailover] = None
    """The origin name as the PRIMARY of a failover pair (``betterprompts:dr.failover``); None: a simple alias."""


class ApiLoadBalancer(pulumi.ComponentResource):
    """The internet-facing ALB that only CloudFront may use, with a target group per service."""

    arn: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    hosted_zone_id: Optional[pulumi.Output[str]]
    """The site's existing public hosted zone (looked up by ``edge.domain.zoneName``); None unless ``owns_origin_name``."""
    origin_name: str
    origin_header_name: str
    origin_header_value: pulumi.Output[str]
    target_group_arns: dict[str, pulumi.Output[str]]
    arn_suffix: pulumi.Output[str]
    """``app/<name>/<id>``: the ``LoadBalancer`` dimension of the load balancer's CloudWatch metrics."""
    target_group_arn_suffixes: dict[str, pulumi.Output[str]]
    """Service -> ``targetgroup/<name>/<id>``: the ``TargetGroup`` dimension of its metrics."""

    def __init__(self, name: str, args: ApiLoadBalancerArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:edge:ApiLoadBalancer", name, None, opts)
        settings = args.settings
        domain = _domain_of(args)
        tags = ComponentTags("edge")
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        cloudfront = aws.ec2.get_managed_prefix_list_output(name=CLOUDFRONT_PREFIX_LIST, opts=invoke)
        zone = aws.route53.get_zone_output(name=domain.zone_name, private_zone=False, opts=invoke) if args.owns_origin_name else None

        # --- who may connect: CloudFront in, the pods' ports out ---------------------------------
        group_name = f"{name}-sg"
        self.security_group = aws.ec2.SecurityGroup(
            group_name,
            description="API load balancer: HTTPS from CloudFront only; out to the service pods",
            vpc_id=args.vpc_id,
            tags=tags(group_name),
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-cloudfront",
            security_group_id=self.security_group.id,
            prefix_list_id=cloudfront.id,
            ip_protocol="tcp",
            from_port=HTTPS_PORT,
            to_port=HTTPS_PORT,
            description="HTTPS from CloudFront's origin-facing servers",
            tags=tags(f"{name}-from-cloudfront"),
            opts=pulumi.ResourceOptions(parent=self.security_group),
        )
        pod_ports = sorted({s.container_port for s in args.services.values()}) if args.node_security_group_id is not None else []
        for port in pod_ports:
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-to-pods-{port}",
                security_group_id=self.security_group.id,
                referenced_security_group_id=args.node_security_group_id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"requests and health checks to the pods on {port}",
                tags=tags(f"{name}-to-pods-{port}"),
                opts=pulumi.ResourceOptions(parent=self.security_group),
            )
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-pods-from-lb-{port}",
                security_group_id=args.node_security_group_id,
                referenced_security_group_id=self.security_group.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"API load balancer to the pods on {port}",
                tags=tags(f"{name}-pods-from-lb-{port}"),
                opts=pulumi.ResourceOptions(parent=self.security_group),
            )

        # --- the load balancer -------------------------------------------------------------------
        lb_name = elb_name(args.prefix, "api")
        self.load_balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            name=lb_name,
            load_balancer_type="application",
            internal=False,
            subnets=list(args.public_subnet_ids),
            security_groups=[self.security_group.id],
            drop_invalid_header_fields=True,
            idle_timeout=settings.idle_timeout_seconds,
            enable_deletion_protection=args.protect,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=args.access_log_bucket, prefix=ACCESS_LOG_PREFIX, enabled=True
            ),
            tags=tags(f"{name}-alb"),
            # Pulumi-protected as well in production: replacing it changes the DNS name CloudFront uses.
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, depends_on=list(args.access_log_ready)),
        )

        certificate = validated_certificate(
            f"{name}-certificate",
            domain_name=domain.api_origin_name,
            # A pilot light's entry creates no validation record: the primary's stack owns that CNAME (ACM asks for
            # the same one for the name in every Region of the account), so ACM finds it already there and issues.
            # Creating it here too (allow_overwrite) would let `pulumi destroy` of this stack delete the primary's.
            zone_id=zone.zone_id if zone is not None else None,
            tags=tags,
            parent=self,
        )
        if args.origin_header_value is None:
            # The value CloudFront sends and the listener requires; rotate by replacing it (docs/edge.md).
            secret = random.RandomPassword(f"{name}-origin-secret", length=40, special=False, opts=child)
            self.origin_header_value = pulumi.Output.secret(secret.result)
        else:
            self.origin_header_value = pulumi.Output.secret(args.origin_header_value)

        listener_name = f"{name}-https"
        self.listener = aws.lb.Listener(
            listener_name,
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=settings.ssl_policy,
            certificate_arn=certificate.certificate_arn,
            # Anything that is not a known route with the origin secret: refused.
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="fixed-response",
                    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                        content_type="text/plain", message_body="Forbidden", status_code="403"
                    ),
                )
            ],
            tags=tags(listener_name),
            opts=pulumi.ResourceOptions(parent=self.load_balancer),
        )

        self.target_group_arns = {}
        self.target_group_arn_suffixes = {}
        for service, paths in settings.routes.items():
            routed = args.services[service]
            group = aws.lb.TargetGroup(
                f"{name}-{service}",
                name=elb_name(args.prefix, service),
                vpc_id=args.vpc_id,
                target_type="ip",
                protocol="HTTP",
                port=routed.container_port,
                # Pods drain within their termination grace period (30 s by default).
                deregistration_delay=30,
                health_check=aws.lb.TargetGroupHealthCheckArgs(
                    path=routed.health_check_path,
                    port="traffic-port",
                    protocol="HTTP",
                    matcher="200",
                    interval=15,
                    timeout=5,
                    healthy_threshold=2,
                    unhealthy_threshold=3,
                ),
                tags=tags(f"{name}-{service}"),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.target_group_arns[service] = group.arn
            self.target_group_arn_suffixes[service] = group.arn_suffix
            aws.lb.ListenerRule(
                f"{name}-{service}",
                listener_arn=self.listener.arn,
                priority=RULE_PRIORITIES[service],
                conditions=[
                    aws.lb.ListenerRuleConditionArgs(
                        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(paths))
                    ),
                    aws.lb.ListenerRuleConditionArgs(
                        http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                            http_header_name=ORIGIN_HEADER, values=[self.origin_header_value]
                        )
                    ),
                ],
                actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=group.arn)],
                tags=tags(f"{name}-{service}"),
                opts=pulumi.ResourceOptions(parent=group),
            )
            if args.k8s_provider is not None and args.namespace is not None:
                target_group_binding(
                    f"{name}-{service}",
                    service=service,
                    namespace=args.namespace,
                    service_port=routed.service_port,
                    target_group_arn=group.arn,
                    opts=pulumi.ResourceOptions(
                        parent=group, provider=args.k8s_provider, depends_on=list(args.depends_on)
                    ),
                )
            alarms = settings.alarms
            create_alarms(
                f"{name}-{service}",
                target_alarms(
                    service,
                    p95_ms=alarms.target_response_p95_ms,
                    errors_5xx=alarms.target_5xx_per_period,
                    period_seconds=alarms.period_seconds,
                    evaluation_periods=alarms.evaluation_periods,
                    datapoints_to_alarm=alarms.datapoints_to_alarm,
                ),
                topic_arn=args.alarm_topic_arn,
                tags=tags,
                parent=group,
                dimensions={"LoadBalancer": self.load_balancer.arn_suffix, "TargetGroup": group.arn_suffix},
            )
        alarms = settings.alarms
        create_alarms(
            name,
            load_balancer_alarms(
                errors_5xx=alarms.load_balancer_5xx_per_period,
                period_seconds=alarms.period_seconds,
                evaluation_periods=alarms.evaluation_periods,
                datapoints_to_alarm=alarms.datapoints_to_alarm,
            ),
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self.load_balancer,
            dimensions={"LoadBalancer": self.load_balancer.arn_suffix},
        )

        # The origin's name: CloudFront connects to it, and the certificate is for it. With a DR entry it is the
        # PRIMARY of a failover pair, changed in place (same logical name); Route 53 judges it by the load
        # balancer's target health (OriginFailover).
        failover = args.origin_failover
        if zone is not None:
            aws.route53.Record(
                f"{name}-origin",
                zone_id=zone.zone_id,
                name=domain.api_origin_name,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=self.load_balancer.dns_name,
                        zone_id=self.load_balancer.zone_id,
                        evaluate_target_health=True,
                    )
                ],
                set_identifier=failover.set_identifier if failover else None,
                failover_routing_policies=[aws.route53.RecordFailoverRoutingPolicyArgs(type="PRIMARY")] if failover else None,
                opts=pulumi.ResourceOptions(parent=self.load_balancer),
            )

        self.arn = self.load_balancer.arn
        self.arn_suffix = self.load_balancer.arn_suffix
        self.dns_name = self.load_balancer.dns_name
        self.zone_id = self.load_balancer.zone_id
        self.hosted_zone_id = zone.zone_id if zone is not None else None
        self.origin_name = domain.api_origin_name
        self.origin_header_name = ORIGIN_HEADER
        self.register_outputs(
            {
                "arn": self.arn,
                "dns_name": self.dns_name,
                "origin_name": self.origin_name,
                "target_group_arns": self.target_group_arns,
            }
        )


def _domain_of(args: ApiLoadBalancerArgs) -> EdgeDomain:
    if args.settings.domain is None:
        raise ValueError("ApiLoadBalancer: needs edge.domain (its HTTPS listener's certificate is for a name in the zone)")
    return args.settings.domain


def _check_args(args: ApiLoadBalancerArgs) -> None:
    _domain_of(args)
    missing = sorted(set(args.settings.routes) - set(args.services))
    if missing:
        raise ValueError(f"ApiLoadBalancer: routes name services that are not given: {', '.join(missing)}")
    if len(list(args.public_subnet_ids)) < 2:
        raise ValueError("ApiLoadBalancer: an Application Load Balancer needs subnets in two AZs at least")
    if (args.k8s_provider is None) != (args.namespace is None):
        raise ValueError("ApiLoadBalancer: the TargetGroupBindings need both k8s_provider and namespace (or neither)")
    if args.k8s_provider is not None and args.node_security_group_id is None:
        raise ValueError("ApiLoadBalancer: pods to bind need the nodes' security group (node_security_group_id)")
    if not args.owns_origin_name:
        if args.origin_failover is not None:
            raise ValueError("ApiLoadBalancer: origin_failover needs owns_origin_name (the failover pair is the primary's record)")
        if args.origin_header_value is None:
            raise ValueError("ApiLoadBalancer: an entry that does not own the origin name takes the primary's origin_header_value")

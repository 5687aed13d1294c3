"""SiteDistribution: the CloudFront distribution in front of everything (seed "4. Application Layer":
S3 static assets, CloudFront global CDN).

- Origins: the storage layer's assets bucket through Origin Access Control (SigV4-signed requests;
  the bucket policy and the bucket's KMS key admit ``cloudfront.amazonaws.com`` for this
  distribution's ARN only, wired by ``__main__.py``), and the load balancer for the routed paths
  (HTTPS only, TLS 1.2, with the ``X-Origin-Verify`` secret the listener requires).
- With ``assets_replica_domain_name`` (the assets bucket replicated into the DR Region), the static app's
  behaviour targets an origin group: the bucket first, its replica (through the same OAC) when the bucket
  answers 500/502/503/504 or cannot be reached, so the site keeps serving when S3 in the stack's Region
  fails. CloudFront is global: the distribution itself survives the Region (docs/edge.md, "Origin failover").
- Behaviours: the static app by default, cached like Managed-CachingOptimized, with the Lambda@Edge SEO
  router on its viewer and origin requests (crawlers' pages to ``/render`` on the load balancer); every load-balancer route with
  Managed-CachingDisabled and Managed-AllViewerExceptHostHeader, viewers on HTTPS only; compression
  everywhere; a response-headers policy with the security headers on every answer.
- Viewers: HTTP/2 and HTTP/3, IPv6, ``TLSv1.2_2021`` with a DNS-validated us-east-1 certificate for
  the site and API names, the CloudFront-scope web ACL, the price class from config.
- Logging: CloudFront standard logging v2 (CloudWatch Logs vended delivery) into a KMS-encrypted log
  group in us-east-1. Legacy standard logging writes with S3 ACLs, which the platform's buckets have
  disabled (BucketOwnerEnforced).
- KPI alarms on CloudFront's metrics (us-east-1): 5XX error rate and availability (metric math).
- Route 53 alias records (A and AAAA) for the site and API names: simple records, always. The distribution is
  global and outlives a Region; DR failover happens behind it, at the API origin's name (docs/dr.md).

Everything here is created through the us-east-1 provider in ``opts``: the certificate, CloudFront's
metrics and the log delivery source must be there, and the distribution is global.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from ..platform import CLOUDFRONT_REGION, ComponentTags, create_alarms
from .cdn_plan import (
    ALL_METHODS,
    ALL_VIEWER_EXCEPT_HOST_HEADER,
    API_ORIGIN,
    ASSETS_FAILOVER_STATUS_CODES,
    ASSETS_ORIGIN,
    ASSETS_ORIGIN_GROUP,
    ASSETS_REPLICA_ORIGIN,
    CACHED_METHODS,
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
    HSTS_SECONDS,
    ORIGIN_SSL_PROTOCOLS,
    READ_METHODS,
    RENDER_HEADER,
    RENDER_ORIGIN_HEADER,
    STATIC_TTL,
    VIEWER_TLS_MINIMUM,
    availability_alarm,
    error_rate_alarm,
    oac_name,
)
from .certificate import validated_certificate
from .edge_function import seo_router
from .plan import HTTPS_PORT, ORIGIN_HEADER
from .settings import EdgeSettings
from .waf_plan import log_delivery_policy


@dataclass
class SiteDistributionArgs:
    """Inputs of :class:`SiteDistribution`."""

    prefix: str
    """The stack prefix: names of the policies, the origin access control and the log delivery."""
    settings: EdgeSettings
    """``betterprompts:edge``: names, routes, price class, logging and alarm thresholds."""
    hosted_zone_id: Optional[pulumi.Input[str]]
    """The existing public zone holding the site and API names (certificate validation, alias records);
    None exactly when ``settings.domain`` is (no-domain mode)."""
    assets_bucket_domain_name: pulumi.Input[str]
    """The assets bucket's regional domain name (``<bucket>.s3.<region>.amazonaws.com``)."""
    api_paths: Sequence[str]
    """Path patterns CloudFront sends to the load balancer (its routes); none in no-domain mode."""
    origin_header_value: Optional[pulumi.Input[str]]
    """The secret ``X-Origin-Verify`` value the load balancer's rules require (a secret Output); None in
    no-domain mode (no load balancer)."""
    web_acl_arn: pulumi.Input[str]
    """The CLOUDFRONT-scope web ACL (``WebFirewall``)."""
    account_id: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]
    """The stack's logs key, for the access-log group (it must be in us-east-1)."""
    logs_kms_key_region: str
    alarm_topic_arn: pulumi.Input[str]
    """The platform's alarm topic; CloudFront's alarms live in us-east-1, so the topic must too."""
    alarm_topic_region: str
    assets_replica_domain_name: Optional[pulumi.Input[str]] = None
    """The assets replica's regional domain name in the DR Region (``<replica>.s3.<dr region>.amazonaws.com``);
    with it the static app is served by an origin group (the bucket, then the replica, both through the
    OAC). The replica's bucket policy and key must admit this distribution (``BucketReplication``)."""


class SiteDistribution(pulumi.ComponentResource):
    """The CloudFront distribution, its certificate, policies, logging, alarms and DNS names."""

    arn: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    domain_name: pulumi.Output[str]
    site_url: pulumi.Output[str]
    api_url: Optional[pulumi.Output[str]]
    """None in no-domain mode: the API needs the domain."""

    def __init__(self, name: str, args: SiteDistributionArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _check_args(args)
        super().__init__("betterprompts:edge:SiteDistribution", name, None, opts)
        settings = args.settings
        domain = settings.domain
        cdn = settings.cdn
        tags = ComponentTags("edge")
        child = pulumi.ResourceOptions(parent=self)
        names = [domain.site_name, domain.api_name] if domain is not None else []

        access = aws.cloudfront.OriginAccessControl(
            f"{name}-assets-oac",
            name=oac_name(args.prefix),
            description="CloudFront signs every request to the assets bucket (SigV4)",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child,
        )
        if domain is not None and args.hosted_zone_id is not None:
            certificate = validated_certificate(
                f"{name}-certificate",
                domain_name=domain.site_name,
                alternative_names=[domain.api_name],
                zone_id=args.hosted_zone_id,
                tags=tags,
                parent=self,
            )
            viewer_certificate = aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=certificate.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=VIEWER_TLS_MINIMUM,
            )
        else:
            # No-domain mode: the *.cloudfront.net certificate, whose viewer minimum CloudFront pins to
            # TLSv1 (cloudfront-https-tls12 reports it; docs/edge.md, "No-domain mode").
            viewer_certificate = aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True)
        headers = aws.cloudfront.ResponseHeadersPolicy(
            f"{name}-security-headers",
            name=f"{args.prefix}-security-headers",
            comment="HSTS, no sniffing, no framing, strict referrer, no plugins",
            security_headers_config=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs(
                strict_transport_security=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                    access_control_max_age_sec=HSTS_SECONDS, include_subdomains=True, preload=True, override=True
                ),
                content_type_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(override=True),
                frame_options=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                    frame_option="DENY", override=True
                ),
                referrer_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                xss_protection=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigXssProtectionArgs(
                    protection=True, mode_block=True, override=True
                ),
                # Restricts only what no page of the app needs (framing, plugins, base URL); script and
                # style sources are the application's to tighten.
                content_security_policy=aws.cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
                    content_security_policy="frame-ancestors 'none'; object-src 'none'; base-uri 'self'", override=True
                ),
            ),
            opts=child,
        )

        # --- the static app: Lambda@Edge's SEO routing and a cache key that tells crawlers apart -----
        static_cache_policy: pulumi.Input[str] = CACHING_OPTIMIZED
        associations: list[aws.cloudfront.DistributionDefaultCacheBehaviorLambdaFunctionAssociationArgs] = []
        # What the origin-request event needs and Lambda@Edge cannot get from environment variables.
        assets_headers: list[aws.cloudfront.DistributionOriginCustomHeaderArgs] = []
        if cdn.seo_routing and domain is not None and args.origin_header_value is not None:
            router = seo_router(f"{name}-seo", prefix=args.prefix, account_id=args.account_id, tags=tags, parent=self)
            associations = [
                aws.cloudfront.DistributionDefaultCacheBehaviorLambdaFunctionAssociationArgs(
                    event_type=event, lambda_arn=router.qualified_arn, include_body=False
                )
                for event in ("viewer-request", "origin-request")
            ]
            min_ttl, default_ttl, max_ttl = STATIC_TTL
            static_cache_policy = aws.cloudfront.CachePolicy(
                f"{name}-static-app",
                name=f"{args.prefix}-static-app",
                comment="Managed-CachingOptimized plus the crawler mark: crawlers and people cached apart",
                min_ttl=min_ttl,
                default_ttl=default_ttl,
                max_ttl=max_ttl,
                parameters_in_cache_key_and_forwarded_to_origin=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginArgs(
                    cookies_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginCookiesConfigArgs(cookie_behavior="none"),
                    headers_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigArgs(
                        header_behavior="whitelist",
                        headers=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginHeadersConfigHeadersArgs(items=[RENDER_HEADER]),
                    ),
                    query_strings_config=aws.cloudfront.CachePolicyParametersInCacheKeyAndForwardedToOriginQueryStringsConfigArgs(
                        query_string_behavior="none"
                    ),
                    enable_accept_encoding_gzip=True,
                    enable_accept_encoding_brotli=True,
                ),
                opts=child,
            ).id
            assets_headers = [
                aws.cloudfront.DistributionOriginCustomHeaderArgs(name=RENDER_ORIGIN_HEADER, value=domain.api_origin_name),
                aws.cloudfront.DistributionOriginCustomHeaderArgs(name=ORIGIN_HEADER, value=args.origin_header_value),
            ]

        api_behaviours = [
            aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                path_pattern=path,
                target_origin_id=API_ORIGIN,
                # An API client must not be redirected (a redirected POST loses its body): HTTPS or nothing.
                viewer_protocol_policy="https-only",
                allowed_methods=list(ALL_METHODS),
                cached_methods=list(CACHED_METHODS),
                cache_policy_id=CACHING_DISABLED,
                origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy_id=headers.id,
                compress=True,
            )
            for path in args.api_paths
        ]
        origins = [
            aws.cloudfront.DistributionOriginArgs(
                origin_id=ASSETS_ORIGIN,
                domain_name=args.assets_bucket_domain_name,
                origin_access_control_id=access.id,
                # Read and removed by the origin-request function; never forwarded to S3.
                custom_headers=assets_headers or None,
            )
        ]
        static_target = ASSETS_ORIGIN
        origin_groups: list[aws.cloudfront.DistributionOriginGroupArgs] = []
        if args.assets_replica_domain_name is not None:
            # The same OAC signs for the replica (SigV4 in its Region) and the same headers ride on it: on a
            # failover CloudFront runs the origin-request function again, with the secondary as the origin.
            origins.append(
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=ASSETS_REPLICA_ORIGIN,
                    domain_name=args.assets_replica_domain_name,
                    origin_access_control_id=access.id,
                    custom_headers=assets_headers or None,
                )
            )
            origin_groups.append(
                aws.cloudfront.DistributionOriginGroupArgs(
                    origin_id=ASSETS_ORIGIN_GROUP,
                    failover_criteria=aws.cloudfront.DistributionOriginGroupFailoverCriteriaArgs(
                        status_codes=list(ASSETS_FAILOVER_STATUS_CODES)
                    ),
                    members=[
                        aws.cloudfront.DistributionOriginGroupMemberArgs(origin_id=ASSETS_ORIGIN),
                        aws.cloudfront.DistributionOriginGroupMemberArgs(origin_id=ASSETS_REPLICA_ORIGIN),
                    ],
                )
            )
            static_target = ASSETS_ORIGIN_GROUP
        if domain is not None and args.origin_header_value is not None:
            origins.append(
                aws.cloudfront.DistributionOriginArgs(
                    origin_id=API_ORIGIN,
                    domain_name=domain.api_origin_name,
                    custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                        http_port=80,
                        https_port=HTTPS_PORT,
                        origin_protocol_policy="https-only",
                        origin_ssl_protocols=list(ORIGIN_SSL_PROTOCOLS),
                        origin_read_timeout=30,
                        origin_keepalive_timeout=5,
                    ),
                    custom_headers=[
                        aws.cloudfront.DistributionOriginCustomHeaderArgs(name=ORIGIN_HEADER, value=args.origin_header_value)
                    ],
                )
            )
        self.distribution = aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=f"{args.prefix}: static app from S3" + (", API routes to the load balancer" if domain is not None else ""),
            aliases=names or None,
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=cdn.price_class,
            default_root_object="index.html",
            origins=origins,
            origin_groups=origin_groups or None,
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id=static_target,
                viewer_protocol_policy="redirect-to-https",
                # Also all an origin group serves: CloudFront refuses POST, PUT, PATCH or DELETE on its behaviours.
                allowed_methods=list(READ_METHODS),
                cached_methods=list(CACHED_METHODS),
                cache_policy_id=static_cache_policy,
                response_headers_policy_id=headers.id,
                compress=True,
                lambda_function_associations=associations or None,
            ),
            ordered_cache_behaviors=api_behaviours or None,
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
            ),
            viewer_certificate=viewer_certificate,
            web_acl_id=args.web_acl_arn,
            # Return once CloudFront accepted the change (propagation takes minutes): the storage key's
            # policy names this distribution and waits for its ARN.
            wait_for_deployment=False,
            tags=tags(f"{name}-cdn"),
            opts=child,
        )

        # --- access logs: standard logging v2 into CloudWatch Logs (us-east-1) --------------------
        log_group_name = f"{name}-access-logs"
        log_group = aws.cloudwatch.LogGroup(
            log_group_name,
            name=f"/aws/cloudfront/{args.prefix}",
            retention_in_days=cdn.log_retention_days,
            kms_key_id=args.logs_kms_key_arn,
            tags=tags(log_group_name),
            opts=child,
        )
        delivery_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-log-delivery",
            policy_name=f"{args.prefix}-cloudfront-logs",
            policy_document=pulumi.Output.all(log_group.arn, args.account_id).apply(
                lambda v: log_delivery_policy(v[0], account_id=v[1], region=CLOUDFRONT_REGION)
            ),
            opts=pulumi.ResourceOptions(parent=log_group),
        )
        source = aws.cloudwatch.LogDeliverySource(
            f"{name}-log-source",
            name=f"{args.prefix}-cloudfront",
            log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn,
            tags=tags(f"{name}-log-source"),
            opts=pulumi.ResourceOptions(parent=self.distribution),
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-log-destination",
            name=f"{args.prefix}-cloudfront-logs",
            output_format="json",
            delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                destination_resource_arn=log_group.arn
            ),
            tags=tags(f"{name}-log-destination"),
            opts=pulumi.ResourceOptions(parent=log_group),
        )
        aws.cloudwatch.LogDelivery(
            f"{name}-log-delivery-link",
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            tags=tags(f"{name}-log-delivery-link"),
            opts=pulumi.ResourceOptions(parent=self.distribution, depends_on=[delivery_policy]),
        )

        if settings.cdn.additional_metrics:
            # Origin latency (time to first byte from the origins), cache hit rate, error rate per status code.
            aws.cloudfront.MonitoringSubscription(
                f"{name}-additional-metrics",
                distribution_id=self.distribution.id,
                monitoring_subscription=aws.cloudfront.MonitoringSubscriptionMonitoringSubscriptionArgs(
                    realtime_metrics_subscription_config=aws.cloudfront.MonitoringSubscriptionMonitoringSubscriptionRealtimeMetricsSubscriptionConfigArgs(
                        realtime_metrics_subscription_status="Enabled"
                    )
                ),
                opts=pulumi.ResourceOptions(parent=self.distribution),
            )

        # --- KPI alarms on CloudFront's metrics (published in us-east-1 only) -----------------------
        alarms = settings.alarms
        dimensions: dict[str, pulumi.Input[str]] = {"DistributionId": self.distribution.id, "Region": "Global"}
        create_alarms(
            name,
            [
                error_rate_alarm(
                    percent=alarms.cloudfront_5xx_rate_percent,
                    period_seconds=alarms.period_seconds,
                    evaluation_periods=alarms.evaluation_periods,
                    datapoints_to_alarm=alarms.datapoints_to_alarm,
                )
            ],
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self.distribution,
            dimensions=dimensions,
        )
        math = availability_alarm(
            target_percent=alarms.availability_target_percent,
            window_seconds=alarms.availability_window_seconds,
            distribution_id=self.distribution.id,
        )
        alarm_name = f"{name}-{math.key}"
        aws.cloudwatch.MetricAlarm(
            alarm_name,
            alarm_description=math.description,
            comparison_operator=math.comparison,
            threshold=math.threshold,
            evaluation_periods=math.evaluation_periods,
            datapoints_to_alarm=math.datapoints_to_alarm,
            treat_missing_data=math.treat_missing_data,
            metric_queries=[_query(q) for q in math.queries],
            alarm_actions=[args.alarm_topic_arn],
            ok_actions=[args.alarm_topic_arn],
            tags=tags(alarm_name),
            opts=pulumi.ResourceOptions(parent=self.distribution),
        )

        # --- DNS: the site and API names point at the distribution ---------------------------------
        records = (("site", domain.site_name), ("api", domain.api_name)) if domain is not None else ()
        for key, record_name in records:
            for record_type in ("A", "AAAA"):
                aws.route53.Record(
                    f"{name}-{key}-{record_type.lower()}",
                    zone_id=args.hosted_zone_id,
                    name=record_name,
                    type=record_type,
                    aliases=[
                        aws.route53.RecordAliasArgs(
                            name=self.distribution.domain_name,
                            zone_id=self.distribution.hosted_zone_id,
                            # Route 53 refuses true for a CloudFront target.
                            evaluate_target_health=False,
                        )
                    ],
                    opts=pulumi.ResourceOptions(parent=self.distribution),
                )

        self.arn = self.distribution.arn
        self.distribution_id = self.distribution.id
        self.domain_name = self.distribution.domain_name
        if domain is not None:
            self.site_url = pulumi.Output.from_input(f"https://{domain.site_name}")
            self.api_url = pulumi.Output.from_input(f"https://{domain.api_name}")
        else:
            self.site_url = pulumi.Output.concat("https://", self.distribution.domain_name)
            self.api_url = None
        self.register_outputs(
            {"arn": self.arn, "distribution_id": self.distribution_id, "site_url": self.site_url, "api_url": self.api_url}
        )


def _query(query: dict[str, object]) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    metric = query.get("metric")
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=str(query["id"]),
        expression=query.get("expression"),  # type: ignore[arg-type]
        label=query.get("label"),  # type: ignore[arg-type]
        return_data=bool(query.get("return_data")),
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(**metric) if isinstance(metric, dict) else None,
    )


def _check_args(args: SiteDistributionArgs) -> None:
    if args.logs_kms_key_region != CLOUDFRONT_REGION:
        raise ValueError(
            f"SiteDistribution: its log group is in {CLOUDFRONT_REGION} and needs a logs key there, "
            f"not in {args.logs_kms_key_region}"
        )
    if args.alarm_topic_region != CLOUDFRONT_REGION:
        raise ValueError(
            f"SiteDistribution: CloudFront's alarms live in {CLOUDFRONT_REGION} and can notify only a topic there, "
            f"not in {args.alarm_topic_region}"
        )
    with_domain = args.settings.domain is not None
    if not with_domain:
        given = [n for n, v in (("hosted_zone_id", args.hosted_zone_id), ("origin_header_value", args.origin_header_value)) if v is not None]
        if args.api_paths:
            given.append("api_paths")
        if args.settings.cdn.seo_routing:
            given.append("settings.cdn.seo_routing")
        if given:
            raise ValueError(f"SiteDistribution: without a domain there is no load balancer or zone: {', '.join(given)} given")
        return
    if args.hosted_zone_id is None or args.origin_header_value is None:
        raise ValueError("SiteDistribution: with a domain, the hosted zone and the load balancer's origin header are required")
    if not args.api_paths:
        raise ValueError("SiteDistribution: no API paths to route to the load balancer")

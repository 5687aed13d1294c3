"""The edge (seed "4. Application Layer"): the Application Load Balancer in front of the in-cluster
services (``ApiLoadBalancer``) with its target groups, the pods' ``TargetGroupBinding``s, its
DNS-validated certificate and KPI alarms; the CloudFront distribution (``SiteDistribution``: the assets
bucket through OAC, the load balancer for the routes, its certificate, logging, KPI alarms and DNS
names); the WAF web ACLs (``WebFirewall``: regional on the load
balancer and API stages, CloudFront's in us-east-1); and the ``edge`` config section.

This module is the package's face: code outside the package imports from here.
"""

from __future__ import annotations

from .cdn_plan import PRICE_CLASSES, api_behaviour_paths
from .certificate import validated_certificate
from .distribution import SiteDistribution, SiteDistributionArgs
from .firewall import WebFirewall, WebFirewallArgs
from .load_balancer import ApiLoadBalancer, ApiLoadBalancerArgs, OriginFailover, RoutedService
from .plan import ACCESS_LOG_PREFIX, CLOUDFRONT_PREFIX_LIST, ORIGIN_HEADER, TLS13_POLICIES, elb_name
from .settings import ROUTE_KEYS, CdnSettings, EdgeAlarmSettings, EdgeDomain, EdgeSettings, WafSettings
from .waf_plan import MANAGED_GROUPS, WAF_LOG_PREFIX

__all__ = [
    "ACCESS_LOG_PREFIX",
    "CLOUDFRONT_PREFIX_LIST",
    "ORIGIN_HEADER",
    "ROUTE_KEYS",
    "TLS13_POLICIES",
    "MANAGED_GROUPS",
    "PRICE_CLASSES",
    "WAF_LOG_PREFIX",
    "ApiLoadBalancer",
    "ApiLoadBalancerArgs",
    "OriginFailover",
    "CdnSettings",
    "EdgeAlarmSettings",
    "EdgeDomain",
    "EdgeSettings",
    "RoutedService",
    "SiteDistribution",
    "SiteDistributionArgs",
    "WafSettings",
    "WebFirewall",
    "WebFirewallArgs",
    "api_behaviour_paths",
    "elb_name",
    "validated_certificate",
]

"""Route 53 health checks and failover routing as data (seed "Multi-Region Considerations": "Route 53 health
checks for failover").

Facts (Amazon Route 53 Developer Guide and API Reference):
- A health check of an endpoint by domain name resolves that name through DNS at every interval. Checking
  the site's own name would, once failover records exist, follow them to the DR entry when the primary
  fails, report the primary healthy again and flap: the checks name the CloudFront distribution's own
  domain (``d123.cloudfront.net``), HTTPS with SNI (``EnableSNI``: CloudFront serves HTTPS by SNI only).
- ``RequestInterval`` is 10 or 30 seconds and ``Type`` and ``RequestInterval`` cannot be changed after
  creation (a change replaces the check); ``FailureThreshold`` is 1-10.
- Route 53 publishes health-check metrics (``AWS/Route53``, ``HealthCheckStatus``: 1 healthy, 0 not) in
  us-east-1 only, whatever the Region of the caller: the alarms live there.
- Failover happens at the ORIGIN, not at the viewer names: CloudFront is global (it outlives a Region), an
  alternate domain name belongs to one distribution only (the DR Region cannot have its own for the same
  names) and a load balancer cannot serve the static site. The API origin's name (``edge.domain.apiOrigin``)
  is a failover pair: PRIMARY the primary's load balancer, SECONDARY the pilot light's; CloudFront resolves
  the origin's name by DNS for new connections and sends the same Host and SNI to either.
- The PRIMARY is judged by ``EvaluateTargetHealth`` on its load balancer alias: Route 53 finds an Application
  Load Balancer unhealthy when its target groups have no healthy targets or the load balancer itself is not
  (a Region's loss). No health check is attached: the load balancer admits only CloudFront's origin-facing
  prefix list (Route 53's checkers are refused), and a check through CloudFront follows the failed-over name
  to the DR entry, finds it healthy and fails back, flapping. When both sides are unhealthy Route 53 answers
  with the PRIMARY (a pilot light in standby, with no targets, never takes traffic).
- Alias targets: a load balancer's alias zone is its Region's canonical ELB zone (Elastic Load Balancing
  endpoints table: Application Load Balancers in us-west-2 are Z1H1FL5HABSF5), never a CloudFront distribution's
  (Z2FDTNDATAQYW2: CloudFront would be its own origin).
- Pricing (Route 53 pricing page): a health check of an AWS endpoint is $0.50 a month; HTTPS, string
  matching, the fast (10-second) interval and latency measurement add $1.00 each.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..platform import LESS, AlarmSpec

REQUEST_INTERVALS = (10, 30)
FAILURE_THRESHOLD_RANGE = (1, 10)
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""The hosted zone of every CloudFront alias target: never the origin's secondary (CloudFront would be its own origin)."""
ALB_HOSTED_ZONES = {"us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "us-west-2": "Z1H1FL5HABSF5"}
"""Region -> the canonical hosted zone of its Application Load Balancers' DNS names (AWS General Reference,
"Elastic Load Balancing endpoints and quotas", the Application/Classic column)."""
HTTPS_PORT = 443
PRIMARY = "PRIMARY"
SECONDARY = "SECONDARY"
ORIGIN_RECORD_TYPE = "A"
"""The origin name's records: the load balancers are IPv4 (the edge layer's origin record is an A alias)."""
HEALTH_METRIC_NAMESPACE = "AWS/Route53"
HEALTH_METRIC = "HealthCheckStatus"
ALARM_PERIOD_SECONDS = 60
"""Route 53 publishes HealthCheckStatus every minute."""
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")


@dataclass(frozen=True)
class EndpointCheck:
    """One HTTPS health check of a public name, through the distribution."""

    key: str
    """``site`` or ``api``: the public name it stands for (and its failover records)."""
    path: str


def path_problem(path: str) -> str | None:
    """Why Route 53 would refuse ``path`` as a ResourcePath (a URL path, at most 255 characters), or None."""
    if len(path) > 255:
        return f"{len(path)} characters; Route 53 takes at most 255"
    if not _PATH.match(path):
        return "a URL path starting with / (letters, digits and URL punctuation; no spaces, no query string)"
    return None


def routed(path: str, patterns: Sequence[str]) -> bool:
    """Whether CloudFront sends ``path`` to the load balancer: it matches one of the routes' path patterns
    (``*`` any characters, ``?`` one; case-sensitive, like CloudFront's and the listener's)."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def zone_id_problem(zone_id: str, region: str | None = None) -> str | None:
    """Why ``zone_id`` cannot be the alias zone of the DR Region's load balancer, or None."""
    if not _ZONE_ID.match(zone_id):
        return "a Route 53 hosted zone ID (Z followed by upper-case letters and digits)"
    if zone_id == CLOUDFRONT_ZONE_ID:
        return (
            "a target that is not a CloudFront distribution: the secondary is the API origin's, and CloudFront "
            "cannot be its own origin (the pilot light's load balancer is)"
        )
    expected = ALB_HOSTED_ZONES.get(region) if region is not None else None
    if expected is not None and zone_id != expected:
        return f"{expected}, the Application Load Balancers' zone in {region} (the pilot light's load balancer)"
    return None


def dns_name_problem(dns_name: str, region: str) -> str | None:
    """Why ``dns_name`` is not an Application Load Balancer's name in ``region``, or None."""
    if not re.fullmatch(rf"(dualstack\.)?[a-z0-9-]+\.{re.escape(region)}\.elb\.amazonaws\.com", dns_name):
        return f"the pilot light's load balancer DNS name in {region} (<name>-<id>.{region}.elb.amazonaws.com: `pulumi stack output apiLoadBalancerDnsName --stack dr`)"
    return None



def unhealthy_alarm(check: EndpointCheck, *, evaluation_periods: int, name: str) -> AlarmSpec:
    """The check's status below 1 (unhealthy) for ``evaluation_periods`` minutes; no data is unhealthy
    too (a deleted or disabled check must not look fine)."""
    return AlarmSpec(
        key="unhealthy",
        namespace=HEALTH_METRIC_NAMESPACE,
        metric=HEALTH_METRIC,
        comparison=LESS,
        threshold=1,
        description=f"Route 53 finds {name} ({check.key}, {check.path}) unhealthy from most of its checkers",
        statistic="Minimum",
        period_seconds=ALARM_PERIOD_SECONDS,
        evaluation_periods=evaluation_periods,
        treat_missing_data="breaching",
    )

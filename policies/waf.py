"""Every internet-facing entry point is covered by a WAF web ACL (spec: "Network Security": AWS WAF).

Entry points: CloudFront distributions (their ``webAclId``), internet-facing application load
balancers and API Gateway REST API stages of a non-private API (a ``WebAclAssociation`` naming
them, by dependency on the resource or by its literal ARN). HTTP and WebSocket API stages
(API Gateway v2) cannot be associated with a web ACL at all (AWS WAF: "protected resource
types"), so one in the plan is a violation whose fix is a REST API or CloudFront in front.
Network and gateway load balancers cannot carry a web ACL either; they are not HTTP entry points.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from .common import UNKNOWN, get, is_true, items, label, stack_policy

WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
REST_STAGE = "aws:apigateway/stage:Stage"
REST_API = "aws:apigateway/restApi:RestApi"
HTTP_STAGE = "aws:apigatewayv2/stage:Stage"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


def _associated(resource: PolicyResource, associations: list[PolicyResource]) -> bool:
    arn = get(resource.props, "arn")
    for association in associations:
        if any(dep.urn == resource.urn for dep in association.property_dependencies.get("resourceArn", [])):
            return True
        target = get(association.props, "resourceArn")
        if isinstance(target, str) and isinstance(arn, str) and target and target == arn:
            return True
    return False


def _private_api(stage: PolicyResource, apis: list[PolicyResource]) -> bool:
    """The stage belongs to a PRIVATE REST API (reachable only through VPC endpoints)."""
    api_id = get(stage.props, "restApi")
    for api in apis:
        linked = any(dep.urn == api.urn for dep in stage.property_dependencies.get("restApi", []))
        if linked or (isinstance(api_id, str) and api_id and api_id == get(api.props, "id")):
            # pulumi-aws 7 carries the endpoint type as one string; older plans (and the CloudFormation
            # shape) as a one-element list. Either way a PRIVATE API has no public endpoint to cover.
            types = get(api.props, "endpointConfiguration", "types")
            return (types if isinstance(types, str) else list(items(types))) in ("PRIVATE", ["PRIVATE"])
    return False


def _coverage(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    associations = [r for r in args.resources if r.resource_type == WEB_ACL_ASSOCIATION]
    apis = [r for r in args.resources if r.resource_type == REST_API]
    for resource in args.resources:
        where = label(resource.resource_type, resource.name)
        if resource.resource_type == DISTRIBUTION:
            acl = get(resource.props, "webAclId")
            if acl is not UNKNOWN and not acl:
                yield (
                    f"{where}: no WAF web ACL (webAclId is not set). "
                    "Fix: web_acl_id=<the CLOUDFRONT-scope WebFirewall's ARN>",
                    resource.urn,
                )
        elif resource.resource_type in LOAD_BALANCERS:
            if get(resource.props, "loadBalancerType") not in (None, "application") or is_true(get(resource.props, "internal")):
                continue
            if not _associated(resource, associations):
                yield (
                    f"{where}: an internet-facing load balancer without a WAF web ACL. "
                    "Fix: WebFirewall(scope='REGIONAL', protected={...: <lb>.arn})",
                    resource.urn,
                )
        elif resource.resource_type == REST_STAGE:
            if not _private_api(resource, apis) and not _associated(resource, associations):
                yield (
                    f"{where}: an API Gateway stage without a WAF web ACL. "
                    "Fix: associate the REGIONAL WebFirewall with the stage's ARN (aws.wafv2.WebAclAssociation)",
                    resource.urn,
                )
        elif resource.resource_type == HTTP_STAGE:
            yield (
                f"{where}: an HTTP/WebSocket API stage cannot be associated with a WAF web ACL. "
                "Fix: a REST API (aws.apigateway) with the REGIONAL web ACL, or serve it only through CloudFront",
                resource.urn,
            )


WAF_COVERS_ENTRY_POINTS = stack_policy(
    name="waf-covers-internet-facing-entry-points",
    description=(
        "Every CloudFront distribution, internet-facing application load balancer and public API Gateway "
        "stage is covered by a WAF web ACL."
    ),
    severity=Severity.HIGH,
    check=_coverage,
    remediation=(
        "A WebFirewall (aws.wafv2.WebAcl) per scope: CLOUDFRONT named by each distribution's web_acl_id, "
        "REGIONAL associated with each load balancer and REST API stage."
    ),
)

POLICIES = [WAF_COVERS_ENTRY_POINTS]

"""Entry points, serverless and account services: FSBP settings of API Gateway, Lambda, Step Functions,
CloudFront, WAF, load balancers, CloudTrail and GuardDuty, decided from the plan.

Encryption in transit and the load balancer's hardening have their own policies (``transit.py``,
``load_balancers.py``); this module adds what they do not cover.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from .common import UNKNOWN, get, is_false, is_true, items, label, resource_policy, stack_policy
from .load_balancers import LOAD_BALANCERS
from .transit import CLOUDFRONT_DISTRIBUTION

LAMBDA_FUNCTION = "aws:lambda/function:Function"
REST_STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
V2_API = "aws:apigatewayv2/api:Api"
V2_STAGE = "aws:apigatewayv2/stage:Stage"
V2_ROUTE = "aws:apigatewayv2/route:Route"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_DELIVERY_SOURCE = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
TRAIL = "aws:cloudtrail/trail:Trail"
DETECTOR = "aws:guardduty/detector:Detector"
DETECTOR_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
LOGGING_LEVELS = ("ERROR", "INFO")
RECOMMENDED_CLOUDFRONT_TLS = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
"""CloudFront's recommended viewer security policies (CloudFront.15), newest first-class ones."""
GUARDDUTY_FEATURES: dict[str, str] = {
    "S3_DATA_EVENTS": "GuardDuty.10",
    "EKS_AUDIT_LOGS": "GuardDuty.5",
    "EBS_MALWARE_PROTECTION": "GuardDuty.8",
    "RDS_LOGIN_EVENTS": "GuardDuty.9",
    "LAMBDA_NETWORK_LOGS": "GuardDuty.6",
    "RUNTIME_MONITORING": "GuardDuty.7/GuardDuty.11",
}
"""Protection plans FSBP wants on (GuardDuty.12/13, ECS and EC2 runtime agents, are documented deviations)."""


def _deps(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    return list(resource.property_dependencies.get(prop, []))


# --- Lambda, Step Functions --------------------------------------------------------------------


def _lambda_and_sfn(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == LAMBDA_FUNCTION:
        subnets = get(props, "vpcConfig", "subnetIds")
        if subnets is not None and subnets is not UNKNOWN and len(list(items(subnets))) < 2:
            yield f"{where}: vpcConfig.subnetIds has fewer than two subnets, one Availability Zone (Lambda.5). Fix: a subnet in each AZ"
    elif args.resource_type == STATE_MACHINE:
        level = get(props, "loggingConfiguration", "level")
        if level is not UNKNOWN and level in (None, "OFF"):
            yield f"{where}: loggingConfiguration.level is {level or 'not set'} (StepFunctions.1). Fix: logging_configuration level ERROR or ALL into a KMS log group"


SERVERLESS_LOGGED = resource_policy(
    name="serverless-resilient-and-logged",
    description="Lambda functions in a VPC span two or more subnets (Lambda.5); Step Functions state machines log (StepFunctions.1).",
    severity=Severity.MEDIUM,
    types=(LAMBDA_FUNCTION, STATE_MACHINE),
    check=_lambda_and_sfn,
    remediation="vpc_config with a subnet per AZ; logging_configuration level ERROR/ALL with a log destination.",
)


# --- API Gateway ------------------------------------------------------------------------------


def _api_gateway(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    settings = [r for r in args.resources if r.resource_type == METHOD_SETTINGS]
    websocket = {r.urn for r in args.resources if r.resource_type == V2_API and get(r.props, "protocolType") == "WEBSOCKET"}
    for r in args.resources:
        where, props = label(r.resource_type, r.name), r.props
        if r.resource_type == REST_STAGE:
            if not is_true(get(props, "xrayTracingEnabled")) and get(props, "xrayTracingEnabled") is not UNKNOWN:
                yield f"{where}: xrayTracingEnabled is off (APIGateway.3). Fix: xray_tracing_enabled=True", r.urn
            mine = [s for s in settings if any(d.urn == r.urn for d in _deps(s, "stageName"))]
            logged = [s for s in mine if get(s.props, "methodPath") == "*/*" and get(s.props, "settings", "loggingLevel") in (*LOGGING_LEVELS, UNKNOWN)]
            if not logged:
                yield (
                    f"{where}: no method settings '*/*' with loggingLevel ERROR or INFO (APIGateway.1). "
                    "Fix: aws.apigateway.MethodSettings(method_path='*/*', settings={'logging_level': 'ERROR', 'metrics_enabled': True})",
                    r.urn,
                )
            for s in mine:
                if is_true(get(s.props, "settings", "cachingEnabled")) and not is_true(get(s.props, "settings", "cacheDataEncrypted")):
                    yield f"{label(s.resource_type, s.name)}: caches responses unencrypted (APIGateway.5). Fix: cache_data_encrypted=True", s.urn
        elif r.resource_type == V2_STAGE:
            if get(props, "accessLogSettings", "destinationArn") is None:
                yield f"{where}: accessLogSettings has no destination (APIGateway.9). Fix: access_log_settings into a KMS log group", r.urn
            if any(d.urn in websocket for d in _deps(r, "apiId")) and get(props, "defaultRouteSettings", "loggingLevel") not in (*LOGGING_LEVELS, UNKNOWN):
                yield f"{where}: WebSocket stage without execution logging (APIGateway.1). Fix: default_route_settings logging_level ERROR", r.urn
        elif r.resource_type == V2_ROUTE:
            kind = get(props, "authorizationType")
            if kind is not UNKNOWN and kind in (None, "NONE") and get(props, "routeKey") != "$disconnect":
                yield f"{where}: authorizationType is {kind or 'not set (NONE)'} (APIGateway.8). Fix: AWS_IAM, JWT or CUSTOM", r.urn


API_GATEWAY_HARDENED = stack_policy(
    name="apigateway-logged-traced-authorized",
    description="API Gateway: REST stages log executions and trace with X-Ray, caches are encrypted; HTTP/WebSocket stages write access logs; routes require authorization (APIGateway.1, 3, 5, 8, 9).",
    severity=Severity.MEDIUM,
    check=_api_gateway,
    remediation="MethodSettings '*/*' logging ERROR, xray_tracing_enabled, cache_data_encrypted; access_log_settings; route authorization_type.",
)


# --- CloudFront, WAF, load balancers ------------------------------------------------------------


def _cloudfront(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    delivered = {d.urn for r in args.resources if r.resource_type == LOG_DELIVERY_SOURCE for d in _deps(r, "resourceArn")}
    for r in (x for x in args.resources if x.resource_type == CLOUDFRONT_DISTRIBUTION):
        where, props = label(r.resource_type, r.name), r.props
        certificate = get(props, "viewerCertificate")
        if certificate is not UNKNOWN:
            if is_true(get(certificate, "cloudfrontDefaultCertificate")) or get(certificate, "acmCertificateArn") is None:
                yield f"{where}: serves the *.cloudfront.net certificate (CloudFront.7). Fix: an ACM certificate in us-east-1 for the domain", r.urn
            elif get(certificate, "sslSupportMethod") != "sni-only":
                yield f"{where}: viewerCertificate.sslSupportMethod is {get(certificate, 'sslSupportMethod')!r} (CloudFront.8). Fix: 'sni-only'", r.urn
            version = get(certificate, "minimumProtocolVersion")
            if version is not UNKNOWN and get(certificate, "acmCertificateArn") is not None and version not in RECOMMENDED_CLOUDFRONT_TLS:
                yield f"{where}: minimumProtocolVersion {version!r} is not a recommended policy (CloudFront.15). Fix: 'TLSv1.2_2021'", r.urn
        for index, origin in enumerate(items(get(props, "origins"))):
            custom = get(origin, "customOriginConfig")
            domain = str(get(origin, "domainName", default=""))
            if custom is not None and custom is not UNKNOWN:
                if get(custom, "originProtocolPolicy") != "https-only":
                    yield f"{where}: origins[{index}] reaches its origin over {get(custom, 'originProtocolPolicy')!r} (CloudFront.9). Fix: origin_protocol_policy='https-only'", r.urn
                weak = [p for p in items(get(custom, "originSslProtocols")) if p in ("SSLv3", "TLSv1", "TLSv1.1")]
                if weak:
                    yield f"{where}: origins[{index}] allows {weak} to the origin (CloudFront.10). Fix: origin_ssl_protocols=['TLSv1.2']", r.urn
            elif ".s3." in domain or domain.endswith(".s3.amazonaws.com"):
                if get(origin, "originAccessControlId") in (None, ""):
                    yield f"{where}: origins[{index}] is an S3 bucket without origin access control (CloudFront.13). Fix: origin_access_control_id", r.urn
        if get(props, "loggingConfig", "bucket") is None and r.urn not in delivered:
            yield (
                f"{where}: no access logging (CloudFront.5). Fix: a CloudWatch log delivery source for the distribution "
                "(standard logging v2) or logging_config into an ACL-enabled bucket",
                r.urn,
            )


CLOUDFRONT_HARDENED = stack_policy(
    name="cloudfront-hardened",
    description="CloudFront: a custom certificate over SNI with a recommended TLS policy, HTTPS-only TLS 1.2 to custom origins, OAC for S3 origins, access logs (CloudFront.5, 7, 8, 9, 10, 13, 15).",
    severity=Severity.HIGH,
    check=_cloudfront,
    remediation="ACM certificate + sni-only + TLSv1.2_2021; custom origins https-only TLSv1.2; S3 origins with OAC; log delivery.",
)


def _web_acls(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    logging = [r for r in args.resources if r.resource_type == WEB_ACL_LOGGING]
    for acl in (r for r in args.resources if r.resource_type == WEB_ACL):
        where, props = label(acl.resource_type, acl.name), acl.props
        rules = get(props, "rules")
        if rules is not UNKNOWN and not list(items(rules)) and get(props, "ruleJson") in (None, ""):
            yield f"{where}: has no rules, so it only applies its default action (WAF.10). Fix: AWS managed rule groups and a rate rule", acl.urn
        metrics = [("visibilityConfig", get(props, "visibilityConfig"))] + [
            (f"rules[{i}].visibilityConfig", get(rule, "visibilityConfig")) for i, rule in enumerate(items(rules))
        ]
        for prop, config in metrics:
            if config is not UNKNOWN and is_false(get(config, "cloudwatchMetricsEnabled")):
                yield f"{where}: {prop}.cloudwatchMetricsEnabled is off (WAF.12). Fix: cloudwatch_metrics_enabled=True", acl.urn
        if not any(any(d.urn == acl.urn for d in _deps(l, "resourceArn")) for l in logging):
            yield f"{where}: no logging configuration names this web ACL (WAF.11). Fix: aws.wafv2.WebAclLoggingConfiguration into an aws-waf-logs-* log group", acl.urn


WAF_HARDENED = stack_policy(
    name="waf-web-acl-hardened",
    description="WAF web ACLs have rules, CloudWatch metrics on every rule, and logging (WAF.10, WAF.11, WAF.12).",
    severity=Severity.MEDIUM,
    check=_web_acls,
    remediation="Managed rule groups, visibility_config cloudwatch_metrics_enabled everywhere, a WebAclLoggingConfiguration.",
)


def _load_balancer(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    kind = get(props, "loadBalancerType", default="application")
    if kind == "application":
        mode = get(props, "desyncMitigationMode")
        if mode == "monitor":
            yield f"{where}: desyncMitigationMode is 'monitor' (ELB.12). Fix: 'defensive' (the default) or 'strictest'"
    subnets = get(props, "subnets")
    mappings = get(props, "subnetMappings")
    if subnets is UNKNOWN or mappings is UNKNOWN:
        return
    count = len(list(items(subnets))) + len(list(items(mappings)))
    if count < 2:
        yield f"{where}: spans {count} subnet(s), one Availability Zone at most (ELB.13). Fix: a subnet in each of two or more AZs"


LOAD_BALANCER_RESILIENT = resource_policy(
    name="load-balancer-resilient",
    description="Load balancers span two or more Availability Zones; ALBs mitigate HTTP desync (ELB.12, ELB.13).",
    severity=Severity.MEDIUM,
    types=LOAD_BALANCERS,
    check=_load_balancer,
    remediation="Subnets in two or more AZs; desync_mitigation_mode defensive or strictest.",
)


# --- CloudTrail, GuardDuty ----------------------------------------------------------------------


def _trail(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if not is_true(get(props, "isMultiRegionTrail")) and get(props, "isMultiRegionTrail") is not UNKNOWN:
        yield f"{where}: isMultiRegionTrail is off (CloudTrail.1). Fix: is_multi_region_trail=True"
    if is_false(get(props, "includeManagementEvents", default=True)):
        yield f"{where}: management events are excluded (CloudTrail.1). Fix: include them"
    if get(props, "cloudWatchLogsGroupArn") is None:
        yield f"{where}: not delivered to CloudWatch Logs (CloudTrail.5). Fix: cloud_watch_logs_group_arn and cloud_watch_logs_role_arn"


CLOUDTRAIL_MULTI_REGION = resource_policy(
    name="cloudtrail-multi-region-to-cloudwatch",
    description="CloudTrail trails cover every region with management events and deliver to CloudWatch Logs (CloudTrail.1, CloudTrail.5).",
    severity=Severity.HIGH,
    types=(TRAIL,),
    check=_trail,
    remediation="is_multi_region_trail=True, cloud_watch_logs_group_arn (AuditTrail does both).",
)


def _guardduty(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    features = [r for r in args.resources if r.resource_type == DETECTOR_FEATURE]
    for detector in (r for r in args.resources if r.resource_type == DETECTOR):
        where = label(detector.resource_type, detector.name)
        if is_false(get(detector.props, "enable", default=True)):
            yield f"{where}: enable is false (GuardDuty.1). Fix: enable=True", detector.urn
        mine = {get(f.props, "name"): f for f in features if any(d.urn == detector.urn for d in _deps(f, "detectorId"))}
        for name, control in GUARDDUTY_FEATURES.items():
            feature = mine.get(name)
            if feature is None or get(feature.props, "status") not in ("ENABLED", UNKNOWN):
                yield f"{where}: protection plan {name} is not enabled ({control}). Fix: aws.guardduty.DetectorFeature(name='{name}', status='ENABLED')", detector.urn


GUARDDUTY_COMPLETE = stack_policy(
    name="guardduty-protection-plans-enabled",
    description="A GuardDuty detector in the plan is enabled with the S3, EKS audit, EBS malware, RDS, Lambda and runtime protection plans (GuardDuty.1, 5-11).",
    severity=Severity.HIGH,
    check=_guardduty,
    remediation="ThreatDetection's detector features: S3_DATA_EVENTS, EKS_AUDIT_LOGS, EBS_MALWARE_PROTECTION, RDS_LOGIN_EVENTS, LAMBDA_NETWORK_LOGS, RUNTIME_MONITORING.",
)

POLICIES: list[Any] = [
    SERVERLESS_LOGGED,
    API_GATEWAY_HARDENED,
    CLOUDFRONT_HARDENED,
    WAF_HARDENED,
    LOAD_BALANCER_RESILIENT,
    CLOUDTRAIL_MULTI_REGION,
    GUARDDUTY_COMPLETE,
]

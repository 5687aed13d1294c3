"""API Gateway REST APIs: every stage writes access logs, and clients reach it with TLS 1.2 or newer.

Spec: "Security Architecture" (encryption in transit, monitoring) for the serverless endpoints. What
``apigateway-logged-traced-authorized`` (FSBP APIGateway.1/3/5/8/9) leaves open for REST:

- a REST stage's ``accessLogSettings`` names a destination and a format containing
  ``$context.requestId`` or ``$context.extendedRequestId`` (API Gateway refuses a format without
  one; Developer Guide, "Set up CloudWatch logging for REST APIs");
- a custom domain name sets ``securityPolicy`` to ``TLS_1_2`` or an enhanced ``SecurityPolicy_TLS1*``
  policy (``TLS_1_0`` accepts TLS 1.0; leaving it unset is not drift-detected);
- a REST API whose default ``execute-api`` endpoint is enabled sets ``securityPolicy`` too: a
  regional or edge-optimized default endpoint negotiates TLS 1.0 otherwise ("Choose a security
  policy for your custom domain": default endpoints of regional and edge APIs use TLS-1-0).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import ResourceValidationArgs, Severity

from .common import UNKNOWN, get, is_true, label, resource_policy

REST_API = "aws:apigateway/restApi:RestApi"
REST_STAGE = "aws:apigateway/stage:Stage"
DOMAIN_NAME = "aws:apigateway/domainName:DomainName"
REQUEST_ID_VARIABLES = ("$context.requestId", "$context.extendedRequestId")
LEGACY_TLS12 = "TLS_1_2"
ENHANCED_PREFIXES = ("SecurityPolicy_TLS12", "SecurityPolicy_TLS13")
"""Enhanced policies (``SecurityPolicy_*``) whose minimum is TLS 1.2 or 1.3."""


def tls_policy_problem(policy: object) -> str | None:
    """Why ``policy`` admits clients below TLS 1.2 (None when it does not, or is not known yet)."""
    if policy is UNKNOWN:
        return None
    if policy == LEGACY_TLS12 or (isinstance(policy, str) and policy.startswith(ENHANCED_PREFIXES)):
        return None
    if not policy:
        return "is not set (API Gateway then accepts TLS 1.0)"
    return f"is {policy!r}, which accepts TLS 1.0"


def _check(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == REST_STAGE:
        destination = get(props, "accessLogSettings", "destinationArn")
        log_format = get(props, "accessLogSettings", "format")
        if destination is not UNKNOWN and not destination:
            yield (
                f"{where}: no access logs (accessLogSettings.destinationArn is not set). "
                "Fix: access_log_settings=StageAccessLogSettingsArgs(destination_arn=<a log group under the logs key>, format=...)"
            )
        elif isinstance(log_format, str) and not any(v in log_format for v in REQUEST_ID_VARIABLES):
            yield (
                f"{where}: the access-log format has neither $context.requestId nor $context.extendedRequestId "
                "(API Gateway refuses it). Fix: include both"
            )
    elif args.resource_type == DOMAIN_NAME:
        problem = tls_policy_problem(get(props, "securityPolicy"))
        if problem:
            yield f"{where}: securityPolicy {problem}. Fix: security_policy='TLS_1_2'"
    elif args.resource_type == REST_API:
        disabled = get(props, "disableExecuteApiEndpoint")
        if disabled is UNKNOWN or is_true(disabled):
            return
        if get(props, "endpointConfiguration", "types") == "PRIVATE" or get(props, "endpointConfiguration", "types") == ["PRIVATE"]:
            return  # private APIs use TLS 1.2 by default
        problem = tls_policy_problem(get(props, "securityPolicy"))
        if problem:
            yield (
                f"{where}: its default execute-api endpoint is on and securityPolicy {problem}. "
                "Fix: security_policy='TLS_1_2', or disable_execute_api_endpoint=True behind a custom domain"
            )


STAGE_LOGGED_TLS = resource_policy(
    name="apigateway-stage-access-logged-tls",
    description=(
        "API Gateway REST stages write access logs with a request id; custom domains and default endpoints "
        "accept TLS 1.2 or newer only."
    ),
    severity=Severity.HIGH,
    types=(REST_STAGE, DOMAIN_NAME, REST_API),
    check=_check,
    remediation=(
        "access_log_settings into a KMS log group with $context.requestId in the format; security_policy='TLS_1_2' "
        "on the DomainName and the RestApi (or disable_execute_api_endpoint behind the custom domain)."
    ),
)

POLICIES = [STAGE_LOGGED_TLS]

"""The serverless REST API as data: its route, names, ARNs, access-log format, redeploy hash and the
limits API Gateway enforces.

API Gateway facts the mocks cannot see (API Gateway Developer Guide: "Set up CloudWatch logging for
REST APIs", "Choose a security policy for your custom domain", "Amazon API Gateway quotas",
"Protect REST APIs with AWS WAF"; API reference CreateStage):

- REST, not HTTP API: only REST API stages can be associated with a WAF web ACL directly;
- a stage logs (access or execution) only once the account's API Gateway settings name a
  CloudWatch role (one per account and Region, ``AWS::ApiGateway::Account``) that
  ``apigateway.amazonaws.com`` assumes, with the managed policy AmazonAPIGatewayPushToCloudWatchLogs;
- the access-log format must contain ``$context.requestId`` or ``$context.extendedRequestId``
  (the guide recommends both), on one line;
- execution logs go to ``API-Gateway-Execution-Logs_<api id>/<stage>``, which API Gateway creates
  itself (no key, never expires) unless it exists already: the stack creates it first;
- stage names: letters, digits, ``-`` and ``_``, at most 128 characters;
- the account's throttle across all APIs of a Region is 10,000 requests a second with a bucket of
  5,000 (raisable); a stage's limits beyond that are never reached;
- a regional endpoint's default ``execute-api`` host negotiates TLS 1.0 unless the API sets a
  security policy; a custom domain takes ``TLS_1_2`` (TLS 1.2 and 1.3); the REGIONAL domain's
  certificate must be an ACM certificate in the API's Region;
- the WAF association names the stage's ARN (``arn:aws:apigateway:<region>::/restapis/<id>/stages/<name>``),
  so it waits for the stage.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from ..platform import GREATER, AlarmSpec, policy_document

API_GATEWAY_SERVICE = "apigateway.amazonaws.com"
CLOUDWATCH_ROLE_POLICY = "AmazonAPIGatewayPushToCloudWatchLogs"
ENDPOINT_TYPE = "REGIONAL"
SECURITY_POLICY = "TLS_1_2"
"""TLS 1.2 and 1.3 (the legacy policy every client library supports); for the custom domain and the
default endpoint alike."""
STAGE_NAME_LIMIT = 128
_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
ACCOUNT_RATE_LIMIT = 10_000
ACCOUNT_BURST_LIMIT = 5_000
LOGGING_LEVELS = ("ERROR", "INFO")

WEBHOOK_PATH = "webhook"
WEBHOOK_METHOD = "POST"
INTEGRATION_TIMEOUT_MS = 29_000
"""API Gateway's default (and, without a quota increase, largest) REST integration timeout."""
INTEGRATION_TYPE = "AWS_PROXY"
"""Lambda proxy integration: the function gets the raw body and headers (it checks the HMAC over
the exact bytes) and answers with its own status codes."""

ACCESS_LOG_FIELDS: dict[str, str] = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "sourceIp": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "domainName": "$context.domainName",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "protocol": "$context.protocol",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationStatus": "$context.integration.status",
    "integrationLatency": "$context.integration.latency",
    "errorMessage": "$context.error.message",
    "wafResponseCode": "$context.wafResponseCode",
    "tlsVersion": "$context.tlsVersion",
    "cipherSuite": "$context.cipherSuite",
    "xrayTraceId": "$context.xrayTraceId",
}
"""One JSON object per request (CloudWatch Logs Insights reads its fields): who, what, how it ended,
how long the function took, whether WAF intervened and which TLS the client spoke."""
REQUIRED_ACCESS_LOG_VARIABLES = ("$context.requestId", "$context.extendedRequestId")


def access_log_format(fields: Mapping[str, str] = ACCESS_LOG_FIELDS) -> str:
    """The stage's access-log format: compact JSON on one line, containing a request id."""
    text = json.dumps(dict(fields), separators=(",", ":"))
    if not any(variable in text for variable in REQUIRED_ACCESS_LOG_VARIABLES):
        raise ValueError("an access-log format must contain $context.requestId or $context.extendedRequestId")
    return text


def check_stage_name(name: str) -> str:
    if not _STAGE_NAME.match(name):
        raise ValueError(f"letters, digits, '-' and '_', at most {STAGE_NAME_LIMIT} characters")
    return name


def api_name(prefix: str) -> str:
    return f"{prefix}-serverless"


def access_log_group_name(prefix: str, stage: str) -> str:
    return f"/aws/apigateway/{api_name(prefix)}/{stage}/access"


def execution_log_group_name(rest_api_id: str, stage: str) -> str:
    """The group API Gateway writes execution logs to (it would create it without key or retention)."""
    return f"API-Gateway-Execution-Logs_{rest_api_id}/{stage}"


def invoke_source_arn(execution_arn: str, stage: str, method: str = WEBHOOK_METHOD, path: str = WEBHOOK_PATH) -> str:
    """What the webhook function's invoke permission admits: this API, this stage, this method and path only."""
    return f"{execution_arn}/{stage}/{method}/{path}"


def stage_url(invoke_url: str) -> str:
    return invoke_url.rstrip("/") + "/"


def domain_url(domain_name: str) -> str:
    """The custom domain maps the stage at its root (an empty base path)."""
    return f"https://{domain_name}/"


@dataclass(frozen=True)
class Route:
    """One route of the API, as the deployment's snapshot sees it."""

    path: str
    method: str
    integration_type: str
    function_name: str
    authorization: str = "NONE"
    """The webhook authenticates its senders itself (HMAC of the raw body with the shared secret)."""


def webhook_route(function_name: str) -> Route:
    return Route(path=WEBHOOK_PATH, method=WEBHOOK_METHOD, integration_type=INTEGRATION_TYPE, function_name=function_name)


def redeploy_hash(routes: tuple[Route, ...], *, disable_default_endpoint: bool) -> str:
    """A deployment is a snapshot: any change to what it captures must make a new one. Computed from
    the routes (their paths, methods, integrations, targets and authorization) and the endpoint
    setting, locally, so an unchanged API never redeploys."""
    payload = {
        "routes": sorted(
            (
                {
                    "path": r.path,
                    "method": r.method,
                    "integration": r.integration_type,
                    "function": r.function_name,
                    "authorization": r.authorization,
                }
                for r in routes
            ),
            key=lambda r: (r["path"], r["method"]),
        ),
        "disableDefaultEndpoint": disable_default_endpoint,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def cloudwatch_role_policy_arn(partition: str = "aws") -> str:
    return f"arn:{partition}:iam::aws:policy/service-role/{CLOUDWATCH_ROLE_POLICY}"


def cloudwatch_role_trust() -> str:
    """API Gateway assumes the account's logging role (AWS documents no source condition for it)."""
    return policy_document(
        [{"Effect": "Allow", "Principal": {"Service": API_GATEWAY_SERVICE}, "Action": "sts:AssumeRole"}]
    )


def rate_problem(rate: float) -> str | None:
    """A stage rate above the account's is never reached (requests are throttled at the account first)."""
    if rate > ACCOUNT_RATE_LIMIT:
        return f"at most the account's {ACCOUNT_RATE_LIMIT:,} requests a second (API Gateway quotas; raise that quota first)"
    return None


def burst_problem(burst: int) -> str | None:
    if burst > ACCOUNT_BURST_LIMIT:
        return f"at most the account's burst of {ACCOUNT_BURST_LIMIT:,} requests (API Gateway quotas; raise that quota first)"
    return None


@dataclass(frozen=True)
class ApiAlarmSettings:
    server_errors: int = 5
    """Alarm when a period has more 5XX answers than this (the function failing, or timing out)."""
    latency_p95_ms: int = 2_000
    period_seconds: int = 300
    evaluation_periods: int = 1


def api_alarms(name: str, stage: str, alarms: ApiAlarmSettings) -> list[AlarmSpec]:
    """5XX answers and p95 latency of the stage (AWS/ApiGateway publishes them per ApiName and Stage
    without detailed metrics). 4XX is left out: rejected signatures and throttled senders are the API
    working as intended, and WAF's own metrics count what it blocks."""
    common: dict[str, Any] = {
        "namespace": "AWS/ApiGateway",
        "comparison": GREATER,
        "period_seconds": alarms.period_seconds,
        "evaluation_periods": alarms.evaluation_periods,
        # An idle API publishes nothing: not a breach.
        "treat_missing_data": "notBreaching",
        "dimensions": {"ApiName": name, "Stage": stage},
    }
    return [
        AlarmSpec(key="5xx", metric="5XXError", statistic="Sum", threshold=alarms.server_errors,
                  description=f"{name}/{stage}: more than {alarms.server_errors} 5XX answer(s) per period", **common),
        AlarmSpec(key="latency-p95", metric="Latency", statistic=None, extended_statistic="p95", threshold=alarms.latency_p95_ms,
                  description=f"{name}/{stage}: p95 latency over {alarms.latency_p95_ms} ms", **common),
    ]  # fmt: skip

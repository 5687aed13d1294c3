"""The serverless REST API in both stacks: the webhook route and its invoke permission, deployment and
stage ordering, throttle, logging, X-Ray, the regional web ACL, TLS and the custom domain; and a stack
without a domain (the execute-api URL)."""

from __future__ import annotations

import json

import pytest

from components.serverless.api_plan import (
    ACCESS_LOG_FIELDS,
    WEBHOOK_PATH,
    access_log_format,
    redeploy_hash,
    webhook_route,
)
from policies.pack import ALL_POLICIES
from policies.stack_config import read_stack_config
from preflight.harness import Plan, Resource, run_stack
from preflight.policy_stage import evaluate
from tests.stack_config import config_of, load

REST_API = "aws:apigateway/restApi:RestApi"
STAGE = "aws:apigateway/stage:Stage"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
PERMISSION = "aws:lambda/permission:Permission"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
DOMAIN = "aws:apigateway/domainName:DomainName"
MAPPING = "aws:apigateway/basePathMapping:BasePathMapping"
RECORD = "aws:route53/record:Record"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ACCOUNT = "aws:apigateway/account:Account"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def _one(plan: Plan, token: str) -> Resource:
    [found] = [r for r in plan.of_type(token) if "serverless-api" in r.urn]
    return found


def _api_settings(stack: str):  # type: ignore[no-untyped-def]
    return load(config_of(stack), stack).serverless.api


def test_webhook_route_proxies_to_the_webhook_function(plan: Plan) -> None:
    api = _one(plan, REST_API)
    assert api.inputs["name"] == f"betterprompts-{plan.stack}-serverless"
    assert api.inputs["endpointConfiguration"] == {"types": "REGIONAL"}
    method, integration = _one(plan, METHOD), _one(plan, INTEGRATION)
    assert method.inputs["httpMethod"] == "POST"
    assert (integration.inputs["type"], integration.inputs["integrationHttpMethod"]) == ("AWS_PROXY", "POST")
    webhook = plan.outputs["functionArns"]["webhook"]
    assert integration.inputs["uri"] == f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{webhook}/invocations"


def test_invoke_permission_names_this_api_stage_method_and_path(plan: Plan) -> None:
    api, stage = _one(plan, REST_API), _one(plan, STAGE)
    permission = _one(plan, PERMISSION)
    api_id = stage.inputs["restApi"]
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"
    assert permission.inputs["function"] == plan.outputs["functionArns"]["webhook"]
    assert permission.inputs["sourceArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/v1/POST/{WEBHOOK_PATH}"
    assert permission.parent == api.urn


def test_deployment_follows_the_route_and_the_stage_follows_the_deployment(plan: Plan) -> None:
    deployment, stage = _one(plan, DEPLOYMENT), _one(plan, STAGE)
    method, integration = _one(plan, METHOD), _one(plan, INTEGRATION)
    assert {method.urn, integration.urn} <= set(deployment.dependencies)
    assert deployment.urn in stage.property_dependencies["deployment"]
    expected = redeploy_hash((webhook_route(f"betterprompts-{plan.stack}-webhook"),), disable_default_endpoint=True)
    assert deployment.inputs["triggers"] == {"redeployment": expected}


def test_redeploy_hash_moves_with_the_route_only() -> None:
    route = webhook_route("f")
    same = redeploy_hash((route,), disable_default_endpoint=False)
    assert same == redeploy_hash((webhook_route("f"),), disable_default_endpoint=False)
    assert same != redeploy_hash((webhook_route("g"),), disable_default_endpoint=False)
    assert same != redeploy_hash((route,), disable_default_endpoint=True)


def test_stage_traces_and_writes_json_access_logs_to_a_keyed_group(plan: Plan) -> None:
    stage = _one(plan, STAGE)
    settings = _api_settings(plan.stack)
    assert stage.inputs["stageName"] == "v1"
    assert stage.inputs["xrayTracingEnabled"] is True
    log_format = stage.inputs["accessLogSettings"]["format"]
    assert "\n" not in log_format
    fields = json.loads(log_format)
    assert fields["requestId"] == "$context.requestId"
    assert fields["extendedRequestId"] == "$context.extendedRequestId"
    assert {"status", "sourceIp", "integrationLatency", "wafResponseCode", "tlsVersion"} <= set(fields)
    groups = {r.inputs.get("name"): r for r in plan.of_type(LOG_GROUP)}
    access = groups[f"/aws/apigateway/betterprompts-{plan.stack}-serverless/v1/access"]
    assert stage.inputs["accessLogSettings"]["destinationArn"] == (
        f"arn:aws:logs:us-east-1:123456789012:log-group:/aws/apigateway/betterprompts-{plan.stack}-serverless/v1/access"
    )
    execution = groups[f"API-Gateway-Execution-Logs_{stage.inputs['restApi']}/v1"]
    for group in (access, execution):
        assert group.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["logs"]
        assert group.inputs["retentionInDays"] == settings.log_retention_days
    # API Gateway would create the execution group itself (no key, no retention) if the stage came first.
    assert execution.urn in stage.dependencies


def test_throttle_and_execution_logging_from_config(plan: Plan) -> None:
    settings = _api_settings(plan.stack)
    method_settings = _one(plan, METHOD_SETTINGS)
    assert method_settings.inputs["methodPath"] == "*/*"
    assert method_settings.inputs["settings"] == {
        "throttlingRateLimit": settings.rate_limit,
        "throttlingBurstLimit": settings.burst_limit,
        "loggingLevel": "ERROR",
        "metricsEnabled": settings.detailed_metrics,
        "dataTraceEnabled": False,
    }
    expected = {"production": (100, 50), "staging": (10, 5)}[plan.stack]
    assert (settings.rate_limit, settings.burst_limit) == expected
    assert _one(plan, STAGE).urn in method_settings.property_dependencies["stageName"]


def test_staging_is_smaller_than_production(production: Plan, staging: Plan) -> None:
    big, small = _api_settings("production"), _api_settings("staging")
    assert small.rate_limit < big.rate_limit and small.burst_limit < big.burst_limit
    assert small.log_retention_days < big.log_retention_days
    assert big.detailed_metrics and not small.detailed_metrics


def test_stage_is_behind_the_regional_web_acl(plan: Plan) -> None:
    stage, association = _one(plan, STAGE), _one(plan, ASSOCIATION)
    assert association.inputs["resourceArn"] == f"arn:aws:apigateway:us-east-1::/restapis/{stage.inputs['restApi']}/stages/v1"
    assert association.inputs["webAclArn"] == plan.outputs["regionalWebAclArn"]
    assert ":regional/webacl/" in association.inputs["webAclArn"]
    assert stage.urn in association.property_dependencies["resourceArn"]
    config = {k: v for k, v in read_stack_config(plan.stack).items() if k in API_POLICIES}
    judged = evaluate(plan.to_json(), policies=[p for p in ALL_POLICIES if p.name in API_POLICIES], config=config)
    assert judged == []


API_POLICIES = (
    "waf-covers-internet-facing-entry-points",
    "apigateway-logged-traced-authorized",
    "apigateway-stage-access-logged-tls",
    "log-group-encrypted-with-cmk",
    "log-group-retention-set",
    "resource-policies-not-public",
)


def test_custom_domain_is_regional_tls12_with_a_regional_certificate(plan: Plan) -> None:
    domain_name = _api_settings(plan.stack).domain_name
    assert domain_name == {"production": "hooks.betterprompts.io", "staging": "hooks.staging.betterprompts.io"}[plan.stack]
    domain = _one(plan, DOMAIN)
    assert domain.inputs["domainName"] == domain_name
    assert domain.inputs["securityPolicy"] == "TLS_1_2"
    assert domain.inputs["endpointConfiguration"] == {"types": "REGIONAL"}
    # The certificate is the stack Region's (an ACM ARN in us-east-1 through the stack's provider).
    assert domain.inputs["regionalCertificateArn"].startswith("arn:aws:acm:us-east-1:123456789012:certificate/")
    assert "certificateArn" not in domain.inputs
    mapping = _one(plan, MAPPING)
    assert mapping.inputs["stageName"] == "v1" and mapping.inputs.get("basePath") in (None, "")
    [alias] = [r for r in plan.of_type(RECORD) if r.name.endswith("serverless-api-alias")]
    assert alias.inputs["name"] == domain_name and alias.inputs["type"] == "A"
    assert alias.inputs["aliases"][0]["zoneId"] == "Z1UJRXOUMOOFQ8"
    # One way in, at TLS 1.2+: the default execute-api endpoint is off behind the domain.
    api = _one(plan, REST_API)
    assert api.inputs["disableExecuteApiEndpoint"] is True
    assert api.inputs["securityPolicy"] == "TLS_1_2"
    assert plan.outputs["serverlessApiUrl"] == f"https://{domain_name}/"


def test_account_logging_role_only_where_the_stack_owns_it(production: Plan, staging: Plan) -> None:
    [account] = production.of_type(ACCOUNT)
    [attachment] = [r for r in production.of_type(ATTACHMENT) if "serverless-api" in r.urn]
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    assert attachment.urn in account.dependencies
    assert account.urn in _one(production, STAGE).dependencies
    assert staging.of_type(ACCOUNT) == []


def test_access_log_format_requires_a_request_id() -> None:
    assert json.loads(access_log_format()) == ACCESS_LOG_FIELDS
    with pytest.raises(ValueError, match="requestId"):
        access_log_format({"status": "$context.status"})


@pytest.fixture(scope="module")
def without_domain() -> Plan:
    config = config_of("staging")
    del config["betterprompts:serverless"]["api"]["domainName"]
    return run_stack("staging", config=config)


def test_without_a_domain_the_stage_url_is_the_api_url(without_domain: Plan) -> None:
    assert without_domain.of_type(DOMAIN) == [] and without_domain.of_type(MAPPING) == []
    stage, api = _one(without_domain, STAGE), _one(without_domain, REST_API)
    assert without_domain.outputs["serverlessApiUrl"] == f"https://{stage.inputs['restApi']}.execute-api.us-east-1.amazonaws.com/v1/"
    # The default endpoint stays on, and speaks TLS 1.2+ only.
    assert api.inputs["disableExecuteApiEndpoint"] is False
    assert api.inputs["securityPolicy"] == "TLS_1_2"
    assert _one(without_domain, ASSOCIATION).inputs["resourceArn"].endswith("/stages/v1")


def test_stage_alarms_on_5xx_and_latency(plan: Plan) -> None:
    settings = _api_settings(plan.stack).alarms
    alarms = {r.name: r.inputs for r in plan.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if "-serverless-api-stage-" in r.name}
    prefix = f"betterprompts-{plan.stack}-serverless-api-stage"
    assert set(alarms) == {f"{prefix}-5xx", f"{prefix}-latency-p95"}
    dimensions = {"ApiName": f"betterprompts-{plan.stack}-serverless", "Stage": "v1"}
    five, latency = alarms[f"{prefix}-5xx"], alarms[f"{prefix}-latency-p95"]
    assert (five["namespace"], five["metricName"], five["statistic"], five["threshold"]) == ("AWS/ApiGateway", "5XXError", "Sum", settings.server_errors)
    assert (latency["metricName"], latency["extendedStatistic"], latency["threshold"]) == ("Latency", "p95", settings.latency_p95_ms)
    for alarm in (five, latency):
        assert alarm["dimensions"] == dimensions
        assert alarm["alarmActions"] == [plan.outputs["alarmTopicArn"]]
        assert alarm["treatMissingData"] == "notBreaching"

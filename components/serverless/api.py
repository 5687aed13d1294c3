"""ServerlessApi: the regional REST API in front of the webhook function.

REST (API Gateway v1), because only REST stages take a WAF web ACL directly: the stage is
associated with the edge layer's regional web ACL. One route, ``POST /webhook``, proxies to the
webhook function (which verifies the sender's HMAC itself); the function's invoke permission names
this API, stage, method and path only. The stage traces with X-Ray, throttles every method at the
configured rate and burst, logs executions (ERROR or INFO), writes JSON access logs into a log group
under the logs key and alarms on 5XX answers and p95 latency; the execution-log group API Gateway
would create by itself (no key, kept forever) is created first with the same key and retention.
The account's API Gateway CloudWatch role (one per account and Region) is set here when the stack
owns it (``createAccountLoggingRole``).

With ``domainName`` the API gets a REGIONAL custom domain (TLS_1_2, a DNS-validated ACM certificate
in the stack's Region, the edge layer's certificate helper), the stage mapped at its root and an
alias record in the edge zone; the default ``execute-api`` endpoint is then disabled, so every
request arrives by the one name with TLS 1.2+. Without a domain the execute-api URL is the API's URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from policies.kms_deliveries import partition_of

from ..edge import validated_certificate
from ..platform import ComponentTags, create_alarms
from .api_plan import (
    API_GATEWAY_SERVICE,
    ENDPOINT_TYPE,
    SECURITY_POLICY,
    WEBHOOK_METHOD,
    WEBHOOK_PATH,
    access_log_format,
    access_log_group_name,
    api_alarms,
    api_name,
    cloudwatch_role_policy_arn,
    cloudwatch_role_trust,
    domain_url,
    execution_log_group_name,
    invoke_source_arn,
    redeploy_hash,
    stage_url,
    webhook_route,
)
from .api_settings import ApiSettings


@dataclass
class ServerlessApiArgs:
    """Inputs of :class:`ServerlessApi`."""

    prefix: str
    settings: ApiSettings
    region: str
    webhook_function_name: str
    """The webhook function's physical name (part of the deployment's snapshot)."""
    webhook_function_arn: pulumi.Input[str]
    webhook_invoke_arn: pulumi.Input[str]
    web_acl_arn: pulumi.Input[str]
    """The edge layer's REGIONAL web ACL."""
    logs_key_arn: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str]
    zone_id: Optional[pulumi.Input[str]] = None
    """The edge zone's id; needed when ``settings.domain_name`` is set."""


class ServerlessApi(pulumi.ComponentResource):
    """A regional REST API, its stage, logging, throttle, WAF association and optional custom domain."""

    url: pulumi.Output[str]
    rest_api_id: pulumi.Output[str]
    stage_arn: pulumi.Output[str]
    execution_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ServerlessApiArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        settings = args.settings
        if settings.domain_name is not None and args.zone_id is None:
            raise ValueError(f"{name}: a custom domain ({settings.domain_name}) needs the zone's id (zone_id)")
        super().__init__("betterprompts:serverless:ServerlessApi", name, None, opts)
        tags = ComponentTags("serverless-api")
        child = pulumi.ResourceOptions(parent=self)
        stage_name = settings.stage_name
        custom_domain = settings.domain_name is not None

        # --- the account's logging role (API Gateway refuses to log without one) ------------------
        logging_ready: list[pulumi.Resource] = []
        if settings.create_account_logging_role:
            # Short: IAM role names are at most 64 characters (the stack prefix's budget, platform/name_budget.py).
            role_name = f"{name}-logs"
            role = aws.iam.Role(
                role_name,
                description="API Gateway (every API of this account and Region): write execution and access logs",
                assume_role_policy=cloudwatch_role_trust(),
                tags=tags(role_name),
                opts=child,
            )
            attachment = aws.iam.RolePolicyAttachment(
                role_name,
                role=role.name,
                policy_arn=cloudwatch_role_policy_arn(partition_of(args.region)),
                opts=pulumi.ResourceOptions(parent=role),
            )
            # The policy is attached before API Gateway checks the role can write logs.
            account = aws.apigateway.Account(
                f"{name}-account",
                cloudwatch_role_arn=role.arn,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
            )
            logging_ready.append(account)

        # --- the API, its route and the function's permission -------------------------------------
        self.rest_api = aws.apigateway.RestApi(
            name,
            name=api_name(args.prefix),
            description="Serverless endpoints (webhooks) behind the regional web ACL",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types=ENDPOINT_TYPE),
            # The default endpoint negotiates TLS 1.0 unless told otherwise.
            security_policy=SECURITY_POLICY,
            disable_execute_api_endpoint=custom_domain,
            tags=tags(name),
            opts=child,
        )
        api_opts = pulumi.ResourceOptions(parent=self.rest_api)
        webhook = aws.apigateway.Resource(
            f"{name}-webhook",
            rest_api=self.rest_api.id,
            parent_id=self.rest_api.root_resource_id,
            path_part=WEBHOOK_PATH,
            opts=api_opts,
        )
        method = aws.apigateway.Method(
            f"{name}-webhook-post",
            rest_api=self.rest_api.id,
            resource_id=webhook.id,
            http_method=WEBHOOK_METHOD,
            # Senders sign each request (HMAC of the raw body); the function rejects bad signatures.
            authorization="NONE",
            opts=pulumi.ResourceOptions(parent=webhook),
        )
        integration = aws.apigateway.Integration(
            f"{name}-webhook-post",
            rest_api=self.rest_api.id,
            resource_id=webhook.id,
            http_method=method.http_method,
            type="AWS_PROXY",
            # Lambda is always invoked with POST, whatever the route's method.
            integration_http_method="POST",
            uri=args.webhook_invoke_arn,
            opts=pulumi.ResourceOptions(parent=webhook),
        )
        aws.lambda_.Permission(
            f"{name}-invoke-webhook",
            action="lambda:InvokeFunction",
            function=args.webhook_function_arn,
            principal=API_GATEWAY_SERVICE,
            source_arn=self.rest_api.execution_arn.apply(lambda arn: invoke_source_arn(arn, stage_name)),
            opts=api_opts,
        )

        # --- deployment and stage -----------------------------------------------------------------
        # A deployment snapshots the API as it is when created: it waits for the method and the
        # integration, and a change to either (the hash) replaces it; Pulumi creates the new one
        # before deleting the old, after the stage has moved to it.
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=self.rest_api.id,
            description="POST /webhook -> the webhook function",
            triggers={
                "redeployment": redeploy_hash(
                    (webhook_route(args.webhook_function_name),), disable_default_endpoint=custom_domain
                )
            },
            opts=pulumi.ResourceOptions(parent=self.rest_api, depends_on=[method, integration]),
        )
        access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access",
            name=access_log_group_name(args.prefix, stage_name),
            kms_key_id=args.logs_key_arn,
            retention_in_days=settings.log_retention_days,
            tags=tags(f"{name}-access"),
            opts=child,
        )
        execution_logs = aws.cloudwatch.LogGroup(
            f"{name}-execution",
            name=self.rest_api.id.apply(lambda api_id: execution_log_group_name(api_id, stage_name)),
            kms_key_id=args.logs_key_arn,
            retention_in_days=settings.log_retention_days,
            tags=tags(f"{name}-execution"),
            opts=child,
        )
        self.stage = aws.apigateway.Stage(
            f"{name}-stage",
            rest_api=self.rest_api.id,
            deployment=deployment.id,
            stage_name=stage_name,
            description="Webhooks",
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=access_log_format()
            ),
            tags=tags(f"{name}-stage"),
            opts=pulumi.ResourceOptions(parent=self.rest_api, depends_on=[*logging_ready, execution_logs]),
        )
        # Every method of the stage: throttle, execution logging, metrics; no request/response bodies in logs.
        aws.apigateway.MethodSettings(
            f"{name}-all-methods",
            rest_api=self.rest_api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                throttling_rate_limit=settings.rate_limit,
                throttling_burst_limit=settings.burst_limit,
                logging_level=settings.logging_level,
                metrics_enabled=settings.detailed_metrics,
                data_trace_enabled=False,
            ),
            opts=pulumi.ResourceOptions(parent=self.stage, depends_on=[*logging_ready, execution_logs]),
        )
        # WAF names the stage by its ARN: the association follows the stage.
        aws.wafv2.WebAclAssociation(
            f"{name}-waf",
            resource_arn=self.stage.arn,
            web_acl_arn=args.web_acl_arn,
            opts=pulumi.ResourceOptions(parent=self.stage),
        )

        create_alarms(
            f"{name}-stage",
            api_alarms(api_name(args.prefix), stage_name, settings.alarms),
            topic_arn=args.alarm_topic_arn,
            tags=tags,
            parent=self.stage,
        )

        # --- custom domain --------------------------------------------------------------------------
        if settings.domain_name is not None and args.zone_id is not None:
            domain_name = settings.domain_name
            certificate = validated_certificate(
                f"{name}-certificate", domain_name=domain_name, zone_id=args.zone_id, tags=tags, parent=self
            )
            domain = aws.apigateway.DomainName(
                f"{name}-domain",
                domain_name=domain_name,
                # REGIONAL: the certificate comes from ACM in the API's own Region.
                regional_certificate_arn=certificate.certificate_arn,
                endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types=ENDPOINT_TYPE),
                security_policy=SECURITY_POLICY,
                tags=tags(f"{name}-domain"),
                opts=child,
            )
            aws.apigateway.BasePathMapping(
                f"{name}-mapping",
                rest_api=self.rest_api.id,
                stage_name=self.stage.stage_name,
                domain_name=domain.domain_name,
                opts=pulumi.ResourceOptions(parent=domain),
            )
            alias = aws.route53.Record(
                f"{name}-alias",
                zone_id=args.zone_id,
                name=domain_name,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=domain.regional_domain_name,
                        zone_id=domain.regional_zone_id,
                        evaluate_target_health=False,
                    )
                ],
                opts=pulumi.ResourceOptions(parent=domain),
            )
            # Known in advance, but reported once the name resolves to the API.
            self.url = alias.name.apply(lambda _: domain_url(domain_name))
        else:
            self.url = self.stage.invoke_url.apply(stage_url)

        self.rest_api_id = self.rest_api.id
        self.stage_arn = self.stage.arn
        self.execution_arn = self.rest_api.execution_arn
        self.access_log_group_name = access_logs.name
        self.register_outputs(
            {
                "url": self.url,
                "rest_api_id": self.rest_api_id,
                "stage_arn": self.stage_arn,
                "execution_arn": self.execution_arn,
                "access_log_group_name": self.access_log_group_name,
            }
        )

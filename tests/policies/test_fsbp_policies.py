"""The FSBP policies on violating and compliant resources registered through the real pulumi-aws classes.

Each case registers a small program with the SDK under the mock runtime (tests.policy_plans.sdk_plan),
so inputs, nested args and property dependencies are what the engine hands the pack; the pack then
judges them through pulumi_policy's own analyzer. One case per enforced control and resource flavour.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest

from tests.policy_plans import KEY, WHOLE_STACK_POLICIES, messages, sdk_plan, whole_stack_messages

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
Program = Callable[[], None]


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


PUBLIC_READ = allow("s3:GetObject", "arn:aws:s3:::b/*", Principal="*")
PINNED_READ = allow(
    "s3:GetObject", "arn:aws:s3:::b/*", Principal={"Service": "cloudfront.amazonaws.com"},
    Condition={"StringEquals": {"aws:SourceArn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1"}},
)


def _role_policy(document: str) -> Program:
    return lambda: aws.iam.RolePolicy("p", role="app", policy=document) and None


def _vpc(*, flow_log: bool = True, default_group_rules: bool = False, manage_default: bool = True) -> Program:
    def program() -> None:
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
        if flow_log:
            aws.ec2.FlowLog("vpc", vpc_id=vpc.id, traffic_type="ALL", log_destination="arn:aws:logs:us-east-1:123456789012:log-group:f")
        if manage_default:
            rules = [aws.ec2.DefaultSecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, self=True)] if default_group_rules else []
            aws.ec2.DefaultSecurityGroup("default", vpc_id=vpc.id, ingress=rules, egress=[])

    return program


def _nat(*, routed: bool) -> Program:
    def program() -> None:
        nat = aws.ec2.Instance(
            "nat", ami="ami-1", instance_type="t4g.nano", source_dest_check=False,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required"),
        )
        aws.ec2.Eip("nat", instance=nat.id, domain="vpc")
        if routed:
            aws.ec2.Route("private-internet", route_table_id="rtb-1", destination_cidr_block="0.0.0.0/0", network_interface_id=nat.primary_network_interface_id)

    return program


def _bucket(*, tls: bool = True, ownership: str = "BucketOwnerEnforced", lifecycle: bool = True, acl: bool = False) -> Program:
    def program() -> None:
        bucket = aws.s3.Bucket("assets")
        statements = [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::assets", "arn:aws:s3:::assets/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }] if tls else [PINNED_READ]
        aws.s3.BucketPolicy("assets", bucket=bucket.id, policy=doc(*statements))
        aws.s3.BucketOwnershipControls("assets", bucket=bucket.id, rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership=ownership))
        if lifecycle:
            aws.s3.BucketLifecycleConfiguration(
                "assets", bucket=bucket.id,
                rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-noncurrent", status="Enabled", filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(noncurrent_days=30),
                )],
            )
        if acl:
            aws.s3.BucketAcl("assets", bucket=bucket.id, acl="private")

    return program


def _secret(*, rotation_days: float | None, cache_token: bool = False) -> Program:
    def program() -> None:
        secret = aws.secretsmanager.Secret("db", kms_key_id=KEY)
        if rotation_days is not None:
            aws.secretsmanager.SecretRotation(
                "db", secret_id=secret.id, rotation_lambda_arn="arn:aws:lambda:us-east-1:123456789012:function:rotate",
                rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(automatically_after_days=rotation_days),
            )
        if cache_token:
            # The data layer's shape: one generated password feeds the group's AUTH and the secret's value.
            token = random.RandomPassword("cache-auth-token", length=32, special=False)
            group = aws.elasticache.ReplicationGroup("cache", description="c", auth_token=token.result)
            aws.secretsmanager.SecretVersion("db", secret_id=secret.id, secret_string=pulumi.Output.all(group.id, token.result).apply(json.dumps))

    return program


def _rds(**changes: Any) -> Program:
    settings: dict[str, Any] = dict(
        engine="postgres", instance_class="db.t4g.medium", allocated_storage=20, username="bp_admin",
        storage_encrypted=True, kms_key_id=KEY, iam_database_authentication_enabled=True, copy_tags_to_snapshot=True,
        monitoring_interval=60, db_subnet_group_name="db", backup_retention_period=7, multi_az=True,
        enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
    )
    settings.update(changes)
    return lambda: aws.rds.Instance("db", **settings) and None


def _cache(**changes: Any) -> Program:
    settings: dict[str, Any] = dict(
        description="c", node_type="cache.t4g.small", engine_version="7.1", snapshot_retention_limit=1,
        subnet_group_name="cache", automatic_failover_enabled=True, num_cache_clusters=2,
    )
    settings.update(changes)
    return lambda: aws.elasticache.ReplicationGroup("cache", **settings) and None


def _endpoint(*, serverless: bool, isolated: bool) -> Program:
    def program() -> None:
        model = aws.sagemaker.Model("m", execution_role_arn=ROLE, enable_network_isolation=isolated or None)
        variant = aws.sagemaker.EndpointConfigurationProductionVariantArgs(
            variant_name="v", model_name=model.name,
            serverless_config=aws.sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(memory_size_in_mb=2048, max_concurrency=5)
            if serverless else None,
            instance_type=None if serverless else "ml.c6i.xlarge", initial_instance_count=None if serverless else 2,
        )
        aws.sagemaker.EndpointConfiguration("ep", kms_key_arn=KEY, production_variants=[variant])

    return program


def _efs(*, backup: bool = True, root: str = "/models", posix: bool = True) -> Program:
    def program() -> None:
        fs = aws.efs.FileSystem("shared", encrypted=True, kms_key_id=KEY)
        if backup:
            aws.efs.BackupPolicy("shared", file_system_id=fs.id, backup_policy=aws.efs.BackupPolicyBackupPolicyArgs(status="ENABLED"))
        aws.efs.AccessPoint(
            "models", file_system_id=fs.id, root_directory=aws.efs.AccessPointRootDirectoryArgs(path=root),
            posix_user=aws.efs.AccessPointPosixUserArgs(uid=1000, gid=1000) if posix else None,
        )

    return program


def _api(*, tracing: bool = True, logging_level: str = "ERROR") -> Program:
    def program() -> None:
        api = aws.apigateway.RestApi("api")
        stage = aws.apigateway.Stage("v1", rest_api=api.id, deployment="d-1", stage_name="v1", xray_tracing_enabled=tracing)
        aws.apigateway.MethodSettings(
            "v1-all", rest_api=api.id, stage_name=stage.stage_name, method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(logging_level=logging_level, metrics_enabled=True),
        )

    return program


def _http_api(*, access_logs: bool = True, authorization: str = "JWT") -> Program:
    def program() -> None:
        api = aws.apigatewayv2.Api("http", protocol_type="HTTP")
        aws.apigatewayv2.Stage(
            "default", api_id=api.id, name="$default",
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(destination_arn="arn:aws:logs:us-east-1:123456789012:log-group:api", format="$context.requestId")
            if access_logs else None,
        )
        aws.apigatewayv2.Route("prompts", api_id=api.id, route_key="POST /prompts", authorization_type=authorization, authorizer_id="a1" if authorization != "NONE" else None)

    return program


def _distribution(
    *,
    certificate: bool = True,
    tls: str = "TLSv1.2_2021",
    origin_policy: str = "https-only",
    logs: bool = True,
    s3_oac: bool = True,
    waf: bool = True,
    delivered: bool = False,
    failover_to: str | None = None,
) -> Program:
    """A distribution with an API and an S3 origin; ``delivered``: its v2 access logs have a delivery;
    ``failover_to``: the static behaviour targets an origin group of the assets origin and this one (CloudFront.4)."""

    def program() -> None:
        origins = [
            aws.cloudfront.DistributionOriginArgs(
                origin_id="api", domain_name="origin.example.com",
                custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                    http_port=80, https_port=443, origin_protocol_policy=origin_policy, origin_ssl_protocols=["TLSv1.2"],
                ),
            ),
            aws.cloudfront.DistributionOriginArgs(
                origin_id="assets", domain_name="assets.s3.us-east-1.amazonaws.com", origin_access_control_id="oac-1" if s3_oac else None,
            ),
        ]
        if failover_to is not None:
            origins.append(
                aws.cloudfront.DistributionOriginArgs(
                    origin_id="assets-replica", domain_name="assets-replica.s3.us-west-2.amazonaws.com", origin_access_control_id="oac-1"
                )
            )
        groups = (
            [
                aws.cloudfront.DistributionOriginGroupArgs(
                    origin_id="assets-failover",
                    failover_criteria=aws.cloudfront.DistributionOriginGroupFailoverCriteriaArgs(status_codes=[500, 502, 503, 504]),
                    members=[
                        aws.cloudfront.DistributionOriginGroupMemberArgs(origin_id="assets"),
                        aws.cloudfront.DistributionOriginGroupMemberArgs(origin_id=failover_to),
                    ],
                )
            ]
            if failover_to is not None
            else None
        )
        distribution = aws.cloudfront.Distribution(
            "cdn", enabled=True, origins=origins, web_acl_id="arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1" if waf else None,
            origin_groups=groups,
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id="assets-failover" if failover_to is not None else "api",
                viewer_protocol_policy="https-only", allowed_methods=["GET", "HEAD"], cached_methods=["GET", "HEAD"],
                cache_policy_id="658327ea-f89d-4fab-a63d-7e88639e58f6",
            ),
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/c", ssl_support_method="sni-only", minimum_protocol_version=tls,
            ) if certificate else aws.cloudfront.DistributionViewerCertificateArgs(cloudfront_default_certificate=True),
        )
        if logs:
            source = aws.cloudwatch.LogDeliverySource("cdn-access-logs", name="cdn-access-logs", log_type="ACCESS_LOGS", resource_arn=distribution.arn)
            if delivered:
                destination = aws.cloudwatch.LogDeliveryDestination(
                    "cdn-logs-bucket",
                    name="cdn-logs-bucket",
                    delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                        destination_resource_arn="arn:aws:s3:::betterprompts-production-logs/cloudfront"
                    ),
                )
                aws.cloudwatch.LogDelivery("cdn-access-logs", delivery_source_name=source.name, delivery_destination_arn=destination.arn)

    return program


def _web_acl(*, rules: bool = True, metrics: bool = True, logging: bool = True) -> Program:
    def program() -> None:
        visibility = aws.wafv2.WebAclVisibilityConfigArgs(cloudwatch_metrics_enabled=True, metric_name="acl", sampled_requests_enabled=True)
        acl = aws.wafv2.WebAcl(
            "edge", scope="REGIONAL", default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            visibility_config=visibility,
            rules=[aws.wafv2.WebAclRuleArgs(
                name="common", priority=0, override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name="AWSManagedRulesCommonRuleSet", vendor_name="AWS")),
                visibility_config=aws.wafv2.WebAclRuleVisibilityConfigArgs(cloudwatch_metrics_enabled=metrics, metric_name="common", sampled_requests_enabled=True),
            )] if rules else [],
        )
        if logging:
            aws.wafv2.WebAclLoggingConfiguration("edge", resource_arn=acl.arn, log_destination_configs=["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-edge"])

    return program


def _detector(*features: str) -> Program:
    def program() -> None:
        detector = aws.guardduty.Detector("threats", enable=True)
        for name in features:
            aws.guardduty.DetectorFeature(name.lower(), detector_id=detector.id, name=name, status="ENABLED")

    return program


ALL_FEATURES = ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING")
TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}

# (policy, violating program, fragment of the one violation, compliant program)
CASES: list[tuple[str, Program, str, Program]] = [
    # --- resource policies: every flavour that carries a document, ACL or permission ---
    ("resource-policies-not-public", lambda: aws.s3.BucketPolicy("b", bucket="b", policy=doc(PUBLIC_READ)) and None, "to any principal",
     lambda: aws.s3.BucketPolicy("b", bucket="b", policy=doc(PINNED_READ)) and None),
    ("resource-policies-not-public",
     lambda: aws.s3.BucketPolicy("b", bucket="b", policy=doc(allow("s3:PutBucketPolicy", "arn:aws:s3:::b", Principal={"AWS": "arn:aws:iam::210987654321:root"}))) and None,
     "change the bucket's own access or encryption",
     lambda: aws.s3.BucketPolicy("b", bucket="b", policy=doc(allow("s3:GetObject", "arn:aws:s3:::b/*", Principal={"AWS": "arn:aws:iam::210987654321:root"}))) and None),
    ("resource-policies-not-public", lambda: aws.s3.BucketAcl("b", bucket="b", acl="public-read") and None, "acl 'public-read'",
     lambda: aws.s3.BucketAcl("b", bucket="b", acl="private") and None),
    ("resource-policies-not-public",
     lambda: aws.kms.Key("k", enable_key_rotation=True, policy=doc(allow("kms:Decrypt", Principal={"AWS": "*"}))) and None, "to any principal",
     lambda: aws.kms.Key("k", enable_key_rotation=True, policy=doc(allow("kms:Decrypt", Principal={"AWS": "*"}, Condition={
         "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}))) and None),
    ("resource-policies-not-public", lambda: aws.kms.KeyPolicy("k", key_id="k", policy=doc(allow("kms:*", Principal="*"))) and None, "to any principal",
     lambda: aws.kms.KeyPolicy("k", key_id="k", policy=doc(allow("kms:*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))) and None),
    ("resource-policies-not-public", lambda: aws.sqs.QueuePolicy("q", queue_url="u", policy=doc(allow("sqs:SendMessage", Principal="*"))) and None,
     "to any principal",
     lambda: aws.sqs.QueuePolicy("q", queue_url="u", policy=doc(allow("sqs:SendMessage", Principal="*", Condition={
         "ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:t"}}))) and None),
    ("resource-policies-not-public", lambda: aws.sqs.Queue("q", kms_master_key_id=KEY, policy=doc(allow("sqs:*", Principal="*"))) and None,
     "to any principal", lambda: aws.sqs.Queue("q", kms_master_key_id=KEY) and None),
    ("resource-policies-not-public", lambda: aws.sns.TopicPolicy("t", arn="arn:t", policy=doc(allow("sns:Publish", Principal={"AWS": ["*"]}))) and None,
     "to any principal",
     lambda: aws.sns.TopicPolicy("t", arn="arn:t", policy=doc(allow("sns:Publish", Principal={"Service": "cloudwatch.amazonaws.com"}))) and None),
    ("resource-policies-not-public", lambda: aws.sns.Topic("t", kms_master_key_id=KEY, policy=doc(allow("sns:Subscribe", Principal="*"))) and None,
     "to any principal", lambda: aws.sns.Topic("t", kms_master_key_id=KEY) and None),
    ("resource-policies-not-public",
     lambda: aws.secretsmanager.SecretPolicy("s", secret_arn="arn:s", policy=doc(allow("secretsmanager:GetSecretValue", Principal="*"))) and None,
     "to any principal",
     lambda: aws.secretsmanager.SecretPolicy("s", secret_arn="arn:s", policy=doc(allow("secretsmanager:GetSecretValue", Principal={"AWS": ROLE}))) and None),
    ("resource-policies-not-public",
     lambda: aws.ecr.RepositoryPolicy("r", repository="r", policy=doc(allow("ecr:BatchGetImage", Principal="*"))) and None, "to any principal",
     lambda: aws.ecr.RepositoryPolicy("r", repository="r", policy=doc(allow("ecr:BatchGetImage", Principal={"AWS": ROLE}))) and None),
    ("resource-policies-not-public",
     lambda: aws.efs.FileSystemPolicy("f", file_system_id="fs-1", policy=doc(allow("elasticfilesystem:ClientMount", Principal="*"))) and None,
     "to any principal",
     lambda: aws.efs.FileSystemPolicy("f", file_system_id="fs-1", policy=doc(allow("elasticfilesystem:ClientMount", Principal="*", Condition={
         "StringEquals": {"aws:SourceVpce": "vpce-1"}}))) and None),
    ("resource-policies-not-public",
     lambda: aws.opensearch.DomainPolicy("d", domain_name="d", access_policies=doc(allow("es:*", Principal={"AWS": "*"}))) and None, "to any principal",
     lambda: aws.opensearch.DomainPolicy("d", domain_name="d", access_policies=doc(allow("es:ESHttpGet", Principal={"AWS": ROLE}))) and None),
    ("resource-policies-not-public",
     lambda: aws.backup.VaultPolicy("v", backup_vault_name="v", policy=doc({"Effect": "Allow", "NotAction": "backup:DeleteRecoveryPoint", "Principal": {"AWS": ROLE}, "Resource": "*"})) and None,
     "allows through NotAction",
     lambda: aws.backup.VaultPolicy("v", backup_vault_name="v", policy=doc({"Effect": "Deny", "Action": "backup:DeleteRecoveryPoint", "Principal": "*", "Resource": "*"})) and None),
    ("resource-policies-not-public", lambda: aws.lambda_.Permission("p", action="lambda:InvokeFunction", function="f", principal="*") and None,
     "lets anyone invoke the function",
     lambda: aws.lambda_.Permission("p", action="lambda:InvokeFunction", function="f", principal="apigateway.amazonaws.com",
                                    source_arn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:api/*") and None),
    ("resource-policies-not-public", lambda: aws.lambda_.Permission("p", action="lambda:InvokeFunction", function="f", principal="s3.amazonaws.com",
                                                                     source_arn="arn:aws:s3:::uploads") and None,
     "without sourceAccount",
     lambda: aws.lambda_.Permission("p", action="lambda:InvokeFunction", function="f", principal="s3.amazonaws.com",
                                    source_arn="arn:aws:s3:::uploads", source_account=ACCOUNT) and None),
    ("lambda-no-function-url-without-auth", lambda: aws.lambda_.FunctionUrl("u", function_name="f", authorization_type="NONE") and None,
     "authorizationType is 'NONE'", lambda: aws.lambda_.FunctionUrl("u", function_name="f", authorization_type="AWS_IAM") and None),
    ("resource-policies-not-public", lambda: aws.ssm.Document("d", content="{}", document_type="Command", permissions={"type": "Share", "account_ids": "All"}) and None,
     "every AWS account", lambda: aws.ssm.Document("d", content="{}", document_type="Command", permissions={"type": "Share", "account_ids": "210987654321"}) and None),
    # --- IAM ---
    ("iam-no-service-wildcard-actions", _role_policy(doc(allow("s3:*", "arn:aws:s3:::b/*"))), "every action of a service",
     _role_policy(doc(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/*")))),
    ("iam-no-service-wildcard-actions", lambda: aws.iam.Policy("p", policy=doc(allow("*", "arn:aws:s3:::b"))) and None, "every action of a service",
     lambda: aws.iam.Policy("p", policy=doc(allow("ec2:Describe*"))) and None),
    ("iam-no-unscoped-kms-decrypt", _role_policy(doc(allow("kms:Decrypt"))), "on every KMS key",
     _role_policy(doc(allow("kms:Decrypt", KEY)))),
    ("iam-no-unscoped-kms-decrypt", lambda: aws.iam.Role("r", assume_role_policy=doc(allow("sts:AssumeRole", Principal={"Service": "ec2.amazonaws.com"})),
                                                         inline_policies=[aws.iam.RoleInlinePolicyArgs(name="p", policy=doc(allow("kms:Decrypt*", "arn:aws:kms:us-east-1:123456789012:key/*")))]) and None,
     "on every KMS key",
     lambda: aws.iam.Role("r", assume_role_policy=doc(allow("sts:AssumeRole", Principal={"Service": "ec2.amazonaws.com"})),
                          inline_policies=[aws.iam.RoleInlinePolicyArgs(name="p", policy=doc(allow("kms:Decrypt", KEY)))]) and None),
    ("iam-no-privilege-escalation", _role_policy(doc(allow("iam:PassRole"))), "privilege-escalation path",
     _role_policy(doc(allow("iam:PassRole", ROLE, Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})))),
    ("iam-no-privilege-escalation", lambda: aws.iam.UserPolicy("u", user="u", policy=doc(allow("iam:Put*", f"arn:aws:iam::{ACCOUNT}:role/*"))) and None,
     "privilege-escalation path",
     lambda: aws.iam.GroupPolicy("g", group="g", policy=doc(allow("iam:CreateInstanceProfile", "*", Condition={
         "StringEquals": {"aws:RequestTag/kubernetes.io/cluster/bp": "owned"}}))) and None),
    ("iam-no-not-action-allows", _role_policy(doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})), "is an Allow with NotAction",
     _role_policy(doc({"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}))),
    ("iam-no-user-policies", lambda: aws.iam.UserPolicyAttachment("u", user="u", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess") and None,
     "attaches permissions to an IAM user",
     lambda: aws.iam.RolePolicyAttachment("r", role="r", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess") and None),
    ("iam-no-user-policies", lambda: aws.iam.PolicyAttachment("a", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", users=["u"]) and None,
     "attaches permissions to an IAM user",
     lambda: aws.iam.PolicyAttachment("a", policy_arn="arn:aws:iam::aws:policy/ReadOnlyAccess", roles=["r"]) and None),
    ("iam-trust-policies-scoped", lambda: aws.iam.Role("r", assume_role_policy=doc(allow("sts:AssumeRole", Principal={"AWS": "*"}))) and None,
     "lets any AWS principal assume the role",
     lambda: aws.iam.Role("r", assume_role_policy=doc(allow("sts:AssumeRole", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))) and None),
    ("iam-trust-policies-scoped",
     lambda: aws.iam.Role("r", assume_role_policy=doc({"Effect": "Allow", "NotPrincipal": {"AWS": ROLE}, "Action": "sts:AssumeRole"})) and None,
     "allows through NotPrincipal",
     lambda: aws.iam.Role("r", assume_role_policy=doc(allow("sts:AssumeRole", Principal={"AWS": ROLE}))) and None),
    ("iam-oidc-trust-pins-subject",
     lambda: aws.iam.Role("r", assume_role_policy=doc(allow("sts:AssumeRoleWithWebIdentity", Principal={"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
                                                            Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:betterprompts/*"},
                                                                       "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}))) and None,
     "against the pattern(s)",
     lambda: aws.iam.Role("r", assume_role_policy=doc(allow("sts:AssumeRoleWithWebIdentity", Principal={"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
                                                           Condition={"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:betterprompts/infrastructure:environment:production",
                                                                                       "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}))) and None),
    # --- EC2 / VPC ---
    ("ec2-imdsv2-required", lambda: aws.ec2.Instance("i", ami="ami-1", instance_type="t4g.nano") and None, "httpTokens is not set",
     lambda: aws.ec2.Instance("i", ami="ami-1", instance_type="t4g.nano", metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_tokens="required")) and None),
    ("ec2-imdsv2-required",
     lambda: aws.ec2.LaunchTemplate("lt", metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(http_tokens="optional")) and None, "httpTokens is 'optional'",
     lambda: aws.ec2.LaunchTemplate("lt", metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(http_tokens="required", http_endpoint="enabled")) and None),
    ("ec2-imdsv2-required",
     lambda: aws.ec2.LaunchConfiguration("lc", image_id="ami-1", instance_type="t4g.nano", metadata_options=aws.ec2.LaunchConfigurationMetadataOptionsArgs(
         http_tokens="required", http_put_response_hop_limit=2)) and None, "hop limit" if False else "httpPutResponseHopLimit is 2",
     lambda: aws.ec2.LaunchConfiguration("lc", image_id="ami-1", instance_type="t4g.nano", metadata_options=aws.ec2.LaunchConfigurationMetadataOptionsArgs(
         http_tokens="required", http_put_response_hop_limit=1)) and None),
    ("ec2-instances-not-exposed", lambda: aws.ec2.Subnet("public", vpc_id="vpc-1", cidr_block="10.0.1.0/24", map_public_ip_on_launch=True) and None,
     "mapPublicIpOnLaunch is true", lambda: aws.ec2.Subnet("public", vpc_id="vpc-1", cidr_block="10.0.1.0/24") and None),
    ("ec2-instances-not-exposed",
     lambda: aws.ec2.LaunchTemplate("lt", network_interfaces=[aws.ec2.LaunchTemplateNetworkInterfaceArgs(associate_public_ip_address="true")]) and None,
     "networkInterfaces[0].associatePublicIpAddress is true",
     lambda: aws.ec2.LaunchTemplate("lt", network_interfaces=[aws.ec2.LaunchTemplateNetworkInterfaceArgs(associate_public_ip_address="false")]) and None),
    ("ec2-instances-not-exposed", lambda: aws.ec2.Instance("i", ami="ami-1", instance_type="t4g.nano", associate_public_ip_address=True) and None,
     "associatePublicIpAddress is true", lambda: aws.ec2.Instance("i", ami="ami-1", instance_type="t4g.nano") and None),
    ("ec2-instances-not-exposed", lambda: aws.ec2.NetworkInterface("eni", subnet_id="subnet-1", source_dest_check=False) and None,
     "sourceDestCheck is false", lambda: aws.ec2.NetworkInterface("eni", subnet_id="subnet-1") and None),
    ("ec2-instances-not-exposed", _nat(routed=False), "sourceDestCheck is false", _nat(routed=True)),
    ("vpc-flow-logs-enabled", _vpc(flow_log=False), "no flow log names this VPC", _vpc()),
    ("vpc-default-security-group-closed", _vpc(default_group_rules=True), "ingress has rules", _vpc()),
    ("vpc-default-security-group-closed", _vpc(manage_default=False), "its default security group is not managed", _vpc()),
    ("network-acl-no-admin-ports-from-internet",
     lambda: aws.ec2.NetworkAcl("public", vpc_id="vpc-1", ingress=[aws.ec2.NetworkAclIngressArgs(protocol="tcp", rule_no=100, action="allow", cidr_block="0.0.0.0/0", from_port=0, to_port=1024)]) and None,
     "admin port [22]",
     lambda: aws.ec2.NetworkAcl("public", vpc_id="vpc-1", ingress=[aws.ec2.NetworkAclIngressArgs(protocol="tcp", rule_no=100, action="allow", cidr_block="0.0.0.0/0", from_port=443, to_port=443)]) and None),
    ("network-acl-no-admin-ports-from-internet",
     lambda: aws.ec2.NetworkAclRule("rdp", network_acl_id="acl-1", rule_number=100, egress=False, protocol="-1", rule_action="allow", cidr_block="0.0.0.0/0") and None,
     "allows all traffic from 0.0.0.0/0",
     lambda: aws.ec2.NetworkAclRule("rdp", network_acl_id="acl-1", rule_number=100, egress=False, protocol="-1", rule_action="allow", cidr_block="10.0.0.0/16") and None),
    ("network-acl-no-admin-ports-from-internet",
     lambda: aws.ec2.DefaultNetworkAcl("default", default_network_acl_id="acl-0", ingress=[aws.ec2.DefaultNetworkAclIngressArgs(protocol="tcp", rule_no=100, action="allow", ipv6_cidr_block="::/0", from_port=3389, to_port=3389)]) and None,
     "admin port [3389]",
     lambda: aws.ec2.DefaultNetworkAcl("default", default_network_acl_id="acl-0", ingress=[]) and None),
    ("eks-endpoint-private-audit-logged",
     lambda: aws.eks.Cluster("c", role_arn=ROLE, vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["s-1"]), enabled_cluster_log_types=["audit"]) and None,
     "endpointPublicAccess is not set (public by default)",
     lambda: aws.eks.Cluster("c", role_arn=ROLE, vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["s-1"], endpoint_public_access=False, endpoint_private_access=True),
                             enabled_cluster_log_types=["api", "audit"]) and None),
    ("eks-endpoint-private-audit-logged",
     lambda: aws.eks.Cluster("c", role_arn=ROLE, vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["s-1"], endpoint_public_access=False), enabled_cluster_log_types=["api"]) and None,
     "lacks 'audit'",
     lambda: aws.eks.Cluster("c", role_arn=ROLE, vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["s-1"], endpoint_public_access=False), enabled_cluster_log_types=["audit"]) and None),
    ("ecr-repository-lifecycle-policy", lambda: aws.ecr.Repository("api") and None, "no lifecycle policy names this repository",
     lambda: aws.ecr.LifecyclePolicy("api", repository=aws.ecr.Repository("api").name, policy='{"rules": []}') and None),
    ("autoscaling-group-uses-launch-template",
     lambda: aws.autoscaling.Group("g", min_size=0, max_size=1, launch_configuration="lc", vpc_zone_identifiers=["s-1"]) and None, "uses a launch configuration",
     lambda: aws.autoscaling.Group("g", min_size=0, max_size=1, launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id="lt-1", version="$Latest"), vpc_zone_identifiers=["s-1"]) and None),
    # --- S3 ---
    ("s3-bucket-tls-acls-lifecycle", _bucket(tls=False), "no bucket policy denies requests without TLS", _bucket()),
    ("s3-bucket-tls-acls-lifecycle", _bucket(ownership="ObjectWriter"), "ACLs are not disabled", _bucket()),
    ("s3-bucket-tls-acls-lifecycle", _bucket(acl=True), "manages access with an ACL", _bucket()),
    ("s3-bucket-tls-acls-lifecycle", _bucket(lifecycle=False), "no lifecycle configuration names this bucket", _bucket()),
    ("s3-bucket-tls-acls-lifecycle",
     lambda: aws.s3.AccessPoint("ap", bucket="b", public_access_block_configuration=aws.s3.AccessPointPublicAccessBlockConfigurationArgs(block_public_policy=False)) and None,
     "leaves ['blockPublicPolicy'] off", lambda: aws.s3.AccessPoint("ap", bucket="b") and None),
    # --- data stores ---
    ("rds-hardened", _rds(enabled_cloudwatch_logs_exports=["upgrade"]), "lacks ['postgresql']", _rds()),
    ("rds-hardened", _rds(iam_database_authentication_enabled=False), "iamDatabaseAuthenticationEnabled is False", _rds()),
    ("rds-hardened", _rds(copy_tags_to_snapshot=None), "copyTagsToSnapshot is not set", _rds()),
    ("rds-hardened", _rds(monitoring_interval=0), "Enhanced Monitoring is off", _rds()),
    ("rds-hardened", _rds(db_subnet_group_name=None), "dbSubnetGroupName is not set", _rds()),
    ("rds-hardened", _rds(backup_retention_period=1), "under 7 days", _rds()),
    ("rds-hardened", _rds(username="postgres"), "the engine default 'postgres'", _rds()),
    ("rds-hardened", _rds(auto_minor_version_upgrade=False), "autoMinorVersionUpgrade is false", _rds(auto_minor_version_upgrade=True)),
    ("rds-hardened",
     lambda: aws.rds.Cluster("aurora", engine="aurora-postgresql", master_username="bp_admin", storage_encrypted=True, kms_key_id=KEY, copy_tags_to_snapshot=True,
                             iam_database_authentication_enabled=True, backup_retention_period=7) and None,
     "lacks ['postgresql']",
     lambda: aws.rds.Cluster("aurora", engine="aurora-postgresql", master_username="bp_admin", storage_encrypted=True, kms_key_id=KEY, copy_tags_to_snapshot=True,
                             iam_database_authentication_enabled=True, backup_retention_period=7, enabled_cloudwatch_logs_exports=["postgresql"]) and None),
    ("elasticache-hardened", _cache(snapshot_retention_limit=0), "no automatic backups", _cache()),
    ("elasticache-hardened", _cache(subnet_group_name="default"), "subnetGroupName is 'default'", _cache()),
    ("elasticache-hardened", _cache(engine_version="5.0.6"), "Redis 5 without authToken", _cache(engine_version="5.0.6", auth_token="x" * 32)),
    ("elasticache-hardened", lambda: aws.elasticache.Cluster("mc", engine="memcached", node_type="cache.t4g.small", num_cache_nodes=1) and None, "Memcached",
     lambda: aws.elasticache.Cluster("member", replication_group_id="cache") and None),
    ("production-resilience", _rds(multi_az=False), "multiAz is False", _rds()),
    ("production-resilience", _cache(automatic_failover_enabled=False), "automaticFailoverEnabled is False", _cache()),
    ("production-resilience",
     lambda: aws.sagemaker.EndpointConfiguration("ep", kms_key_arn=KEY, production_variants=[aws.sagemaker.EndpointConfigurationProductionVariantArgs(
         variant_name="v", model_name="m", instance_type="ml.c6i.xlarge", initial_instance_count=1)]) and None,
     "initialInstanceCount is 1",
     lambda: aws.sagemaker.EndpointConfiguration("ep", kms_key_arn=KEY, production_variants=[aws.sagemaker.EndpointConfigurationProductionVariantArgs(
         variant_name="v", model_name="m", instance_type="ml.c6i.xlarge", initial_instance_count=2)]) and None),
    ("efs-hardened", _efs(backup=False), "no enabled backup policy", _efs()),
    ("efs-hardened", _efs(root="/"), "rootDirectory.path is '/'", _efs()),
    ("efs-hardened", _efs(posix=False), "posixUser is not set", _efs()),
    ("secrets-rotated", _secret(rotation_days=None), "no rotation names this secret", _secret(rotation_days=30)),
    ("secrets-rotated", _secret(rotation_days=120), "rotated every 120 days", _secret(rotation_days=90)),
    ("secrets-rotated", _secret(rotation_days=None), "no rotation names this secret", _secret(rotation_days=None, cache_token=True)),
    ("dynamodb-table-hardened",
     lambda: aws.dynamodb.Table("t", hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], billing_mode="PAY_PER_REQUEST",
                                point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True)) and None,
     "serverSideEncryption is not enabled",
     lambda: aws.dynamodb.Table("t", hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], billing_mode="PAY_PER_REQUEST",
                                point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                                server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=KEY)) and None),
    ("dynamodb-table-hardened",
     lambda: aws.dynamodb.Table("t", hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], read_capacity=5, write_capacity=5,
                                server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=KEY)) and None,
     "point-in-time recovery is off",
     lambda: aws.dynamodb.Table("t", hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], billing_mode="PAY_PER_REQUEST",
                                point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                                server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=KEY)) and None),
    ("data-stores-hardened", lambda: aws.kinesis.Stream("s", shard_count=1, retention_period=24) and None, "not KMS",
     lambda: aws.kinesis.Stream("s", shard_count=1, retention_period=168, encryption_type="KMS", kms_key_id=KEY) and None),
    ("data-stores-hardened",
     lambda: aws.kinesis.FirehoseDeliveryStream("f", destination="extended_s3", extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
         bucket_arn="arn:aws:s3:::logs", role_arn=ROLE), server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(enabled=True, key_type="AWS_OWNED_CMK")) and None,
     "an AWS-owned key",
     lambda: aws.kinesis.FirehoseDeliveryStream("f", destination="extended_s3", extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
         bucket_arn="arn:aws:s3:::logs", role_arn=ROLE), server_side_encryption=aws.kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs(
         enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=KEY)) and None),
    ("data-stores-hardened", lambda: aws.dax.Cluster("d", cluster_name="d", iam_role_arn=ROLE, node_type="dax.t3.small", replication_factor=3) and None,
     "serverSideEncryption.enabled is not set",
     lambda: aws.dax.Cluster("d", cluster_name="d", iam_role_arn=ROLE, node_type="dax.t3.small", replication_factor=3, cluster_endpoint_encryption_type="TLS",
                             server_side_encryption=aws.dax.ClusterServerSideEncryptionArgs(enabled=True)) and None),
    ("sagemaker-models-network-isolated", _endpoint(serverless=False, isolated=False), "enableNetworkIsolation is not set",
     _endpoint(serverless=False, isolated=True)),
    ("sagemaker-models-network-isolated", _endpoint(serverless=False, isolated=False), "enableNetworkIsolation is not set",
     _endpoint(serverless=True, isolated=False)),
    ("data-stores-hardened", lambda: aws.sagemaker.NotebookInstance("n", role_arn=ROLE, instance_type="ml.t3.medium", kms_key_id=KEY, subnet_id="s-1",
                                                                    security_groups=["sg-1"], root_access="Disabled") and None,
     "directInternetAccess is not 'Disabled'",
     lambda: aws.sagemaker.NotebookInstance("n", role_arn=ROLE, instance_type="ml.t3.medium", kms_key_id=KEY, subnet_id="s-1", security_groups=["sg-1"],
                                            root_access="Disabled", direct_internet_access="Disabled") and None),
    # --- serverless, edge, account services ---
    ("serverless-resilient-and-logged", lambda: aws.sfn.StateMachine("sm", role_arn=ROLE, definition="{}") and None, "loggingConfiguration.level is not set",
     lambda: aws.sfn.StateMachine("sm", role_arn=ROLE, definition="{}", logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(
         level="ERROR", include_execution_data=False, log_destination="arn:aws:logs:us-east-1:123456789012:log-group:sm:*")) and None),
    ("serverless-resilient-and-logged",
     lambda: aws.lambda_.Function("f", role=ROLE, runtime="python3.12", handler="h.h", code=pulumi.AssetArchive({}),
                                  vpc_config=aws.lambda_.FunctionVpcConfigArgs(subnet_ids=["s-1"], security_group_ids=["sg-1"])) and None,
     "fewer than two subnets",
     lambda: aws.lambda_.Function("f", role=ROLE, runtime="python3.12", handler="h.h", code=pulumi.AssetArchive({}),
                                  vpc_config=aws.lambda_.FunctionVpcConfigArgs(subnet_ids=["s-1", "s-2"], security_group_ids=["sg-1"])) and None),
    ("apigateway-logged-traced-authorized", _api(tracing=False), "xrayTracingEnabled is off", _api()),
    ("apigateway-logged-traced-authorized", _api(logging_level="OFF"), "no method settings '*/*'", _api()),
    ("apigateway-logged-traced-authorized", _http_api(access_logs=False), "accessLogSettings has no destination", _http_api()),
    ("apigateway-logged-traced-authorized", _http_api(authorization="NONE"), "authorizationType is NONE", _http_api()),
    # CloudFront.4 (origin failover, production's static app) and the private origins this policy judges as a whole.
    (
        "cloudfront-origins-private-and-logged",
        _distribution(delivered=True, failover_to="assets-elsewhere"),
        "assets-elsewhere",
        _distribution(delivered=True, failover_to="assets-replica"),
    ),
    ("cloudfront-origins-private-and-logged", _distribution(s3_oac=False, delivered=True), "no origin access control", _distribution(delivered=True)),
    ("cloudfront-origins-private-and-logged", _distribution(delivered=False), "no access logs", _distribution(delivered=True)),
    ("cloudfront-hardened", _distribution(certificate=False), "*.cloudfront.net certificate", _distribution()),
    ("cloudfront-hardened", _distribution(tls="TLSv1.2_2019"), "not a recommended policy", _distribution()),
    ("cloudfront-hardened", _distribution(origin_policy="match-viewer"), "over 'match-viewer'", _distribution()),
    ("cloudfront-hardened", _distribution(s3_oac=False), "without origin access control", _distribution()),
    ("cloudfront-hardened", _distribution(logs=False), "no access logging", _distribution()),
    ("waf-web-acl-hardened", _web_acl(rules=False), "has no rules", _web_acl()),
    ("waf-web-acl-hardened", _web_acl(metrics=False), "rules[0].visibilityConfig.cloudwatchMetricsEnabled is off", _web_acl()),
    ("waf-web-acl-hardened", _web_acl(logging=False), "no logging configuration names this web ACL", _web_acl()),
    ("load-balancer-resilient", lambda: aws.lb.LoadBalancer("alb", load_balancer_type="application", subnets=["s-1"]) and None, "spans 1 subnet(s)",
     lambda: aws.lb.LoadBalancer("alb", load_balancer_type="application", subnets=["s-1", "s-2"]) and None),
    ("load-balancer-resilient", lambda: aws.lb.LoadBalancer("alb", subnets=["s-1", "s-2"], desync_mitigation_mode="monitor") and None,
     "desyncMitigationMode is 'monitor'", lambda: aws.lb.LoadBalancer("alb", subnets=["s-1", "s-2"], desync_mitigation_mode="strictest") and None),
    ("cloudtrail-multi-region-to-cloudwatch", lambda: aws.cloudtrail.Trail("t", s3_bucket_name="logs", kms_key_id=KEY, enable_log_file_validation=True) and None,
     "isMultiRegionTrail is off",
     lambda: aws.cloudtrail.Trail("t", s3_bucket_name="logs", kms_key_id=KEY, enable_log_file_validation=True, is_multi_region_trail=True,
                                  cloud_watch_logs_group_arn="arn:aws:logs:us-east-1:123456789012:log-group:trail:*", cloud_watch_logs_role_arn=ROLE) and None),
    ("guardduty-protection-plans-enabled", _detector(*ALL_FEATURES[:-2]), "LAMBDA_NETWORK_LOGS is not enabled", _detector(*ALL_FEATURES)),
]


@pytest.mark.parametrize(("policy", "violating", "fragment", "compliant"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_violating_and_compliant(policy: str, violating: Program, fragment: str, compliant: Program) -> None:
    judge = whole_stack_messages if policy in WHOLE_STACK_POLICIES else messages
    found = judge(sdk_plan(violating), policy)
    assert found and any(fragment in m for m in found), found
    assert all("Fix:" in m for m in found)
    assert judge(sdk_plan(compliant), policy) == []


def _protected(factory: Callable[[pulumi.ResourceOptions], Any]) -> Program:
    return lambda: factory(pulumi.ResourceOptions(protect=True)) and None


def _bucket_with(*, block: bool = True, logging: bool = True) -> Program:
    def program() -> None:
        bucket = aws.s3.Bucket("assets")
        aws.s3.BucketPublicAccessBlock(
            "assets", bucket=bucket.id, block_public_acls=True, block_public_policy=block, ignore_public_acls=True, restrict_public_buckets=True
        )
        if logging:
            # Into the stack's access-log destination (a bucket of another stack here).
            aws.s3.BucketLogging("assets", bucket=bucket.id, target_bucket="betterprompts-production-access-logs", target_prefix="assets/")

    return program


def _backed_up(*, selected: bool) -> Program:
    def program() -> None:
        fs = aws.efs.FileSystem("shared", encrypted=True, kms_key_id=KEY)
        plan = aws.backup.Plan("daily", rules=[aws.backup.PlanRuleArgs(rule_name="daily", target_vault_name="vault", schedule="cron(0 5 * * ? *)")])
        aws.backup.Selection("stores", plan_id=plan.id, iam_role_arn=ROLE, resources=[fs.arn] if selected else ["arn:aws:dynamodb:*:*:table/*"])

    return program


_SG = dict(ip_protocol="tcp", security_group_id="sg-1")
# The policies the FSBP table names that predate it, on the same footing: real SDK registrations.
OLDER_CASES: list[tuple[str, Program, str, Program]] = [
    ("security-group-public-ingress-web-only",
     lambda: aws.ec2.SecurityGroup("sg", ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"])]) and None,
     "opens tcp 22-22 to 0.0.0.0/0",
     lambda: aws.ec2.SecurityGroup("sg", ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"])]) and None),
    ("security-group-public-ingress-web-only",
     lambda: aws.ec2.DefaultSecurityGroup("default", vpc_id="vpc-1", ingress=[aws.ec2.DefaultSecurityGroupIngressArgs(protocol="-1", from_port=0, to_port=0, ipv6_cidr_blocks=["::/0"])]) and None,
     "opens all ports to ::/0", lambda: aws.ec2.DefaultSecurityGroup("default", vpc_id="vpc-1", ingress=[]) and None),
    ("security-group-public-ingress-web-only",
     lambda: aws.ec2.SecurityGroupRule("r", type="ingress", security_group_id="sg-1", protocol="tcp", from_port=3389, to_port=3389, cidr_blocks=["0.0.0.0/0"]) and None,
     "opens tcp 3389-3389",
     lambda: aws.ec2.SecurityGroupRule("r", type="ingress", security_group_id="sg-1", protocol="tcp", from_port=3389, to_port=3389, cidr_blocks=["10.0.0.0/16"]) and None),
    ("security-group-public-ingress-web-only",
     lambda: aws.vpc.SecurityGroupIngressRule("r", cidr_ipv4="0.0.0.0/0", from_port=5432, to_port=5432, **_SG) and None, "opens tcp 5432-5432",
     lambda: aws.vpc.SecurityGroupIngressRule("r", cidr_ipv4="0.0.0.0/0", from_port=443, to_port=443, **_SG) and None),
    ("ebs-encrypted-with-cmk", lambda: aws.ebs.Volume("v", availability_zone="us-east-1a", size=20, encrypted=True) and None, "volume.kmsKeyId is not set",
     lambda: aws.ebs.Volume("v", availability_zone="us-east-1a", size=20, encrypted=True, kms_key_id=KEY) and None),
    ("ebs-encrypted-with-cmk",
     lambda: aws.ec2.LaunchTemplate("lt", block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(device_name="/dev/xvda", ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(encrypted="false", kms_key_id=KEY))]) and None,
     "blockDeviceMappings[0].ebs.encrypted is 'false'",
     lambda: aws.ec2.LaunchTemplate("lt", block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(device_name="/dev/xvda", ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(encrypted="true", kms_key_id=KEY))]) and None),
    ("rds-encrypted-with-cmk", _rds(storage_encrypted=False), "storageEncrypted is False", _rds()),
    ("rds-encrypted-with-cmk",
     lambda: aws.rds.Cluster("aurora", engine="aurora-postgresql", master_username="bp_admin", storage_encrypted=True, kms_key_id="alias/aws/rds") and None,
     "names the AWS-managed key",
     lambda: aws.rds.Cluster("aurora", engine="aurora-postgresql", master_username="bp_admin", storage_encrypted=True, kms_key_id=KEY) and None),
    ("no-public-databases", _rds(publicly_accessible=True), "publiclyAccessible is true", _rds(publicly_accessible=False)),
    ("no-public-databases", _cache(subnet_group_name=None), "subnetGroupName is not set", _cache()),
    ("rds-parameter-group-forces-ssl", lambda: aws.rds.ParameterGroup("pg", family="postgres16") and None, "rds.force_ssl is not set",
     lambda: aws.rds.ParameterGroup("pg", family="postgres16", parameters=[aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="pending-reboot")]) and None),
    ("rds-parameter-group-forces-ssl", lambda: aws.rds.ParameterGroup("pg", family="mariadb10.11") and None, "require_secure_transport is not set",
     lambda: aws.rds.ParameterGroup("pg", family="mariadb10.11", parameters=[aws.rds.ParameterGroupParameterArgs(name="require_secure_transport", value="ON")]) and None),
    ("elasticache-encrypted-at-rest", _cache(at_rest_encryption_enabled=True), "kmsKeyId is not set", _cache(at_rest_encryption_enabled=True, kms_key_id=KEY)),
    ("elasticache-encrypted-in-transit", _cache(transit_encryption_enabled=False), "transitEncryptionEnabled is False", _cache(transit_encryption_enabled=True)),
    ("s3-public-access-blocked", _bucket_with(block=False), "leaves blockPublicPolicy off", _bucket_with()),
    ("s3-bucket-access-logging", _bucket_with(logging=False), "assets", _bucket_with()),
    ("efs-encrypted-with-cmk", lambda: aws.efs.FileSystem("fs", encrypted=True) and None, "kmsKeyId is not set",
     lambda: aws.efs.FileSystem("fs", encrypted=True, kms_key_id=KEY) and None),
    ("ecr-repository-immutable-scanned-cmk", lambda: aws.ecr.Repository("api") and None, "imageTagMutability",
     lambda: aws.ecr.Repository("api", image_tag_mutability="IMMUTABLE", image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
                                encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=KEY)]) and None),
    ("sns-topic-encrypted-with-cmk", lambda: aws.sns.Topic("t") and None, "kmsMasterKeyId is not set", lambda: aws.sns.Topic("t", kms_master_key_id=KEY) and None),
    ("sqs-queue-encrypted-with-cmk", lambda: aws.sqs.Queue("q", sqs_managed_sse_enabled=True) and None, "kmsMasterKeyId is not set",
     lambda: aws.sqs.Queue("q", kms_master_key_id=KEY) and None),
    ("iam-no-wildcard-grants", _role_policy(doc(allow("*"))), "on every resource", _role_policy(doc(allow("s3:GetObject", "arn:aws:s3:::b/*")))),
    ("load-balancer-listeners-https-tls13",
     lambda: aws.lb.Listener("http", load_balancer_arn="arn:lb", port=80, protocol="HTTP", default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn="arn:tg")]) and None,
     "serves traffic in plaintext",
     lambda: aws.lb.Listener("http", load_balancer_arn="arn:lb", port=80, protocol="HTTP", default_actions=[aws.lb.ListenerDefaultActionArgs(
         type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(protocol="HTTPS", port="443", status_code="HTTP_301"))]) and None),
    ("load-balancer-hardened", lambda: aws.lb.LoadBalancer("alb", subnets=["s-1", "s-2"], enable_deletion_protection=True) and None, "dropInvalidHeaderFields",
     lambda: aws.lb.LoadBalancer("alb", subnets=["s-1", "s-2"], enable_deletion_protection=True, drop_invalid_header_fields=True,
                                 access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket="logs", prefix="alb", enabled=True)) and None),
    ("cloudfront-https-tls12", _distribution(certificate=False), "cloudfrontDefaultCertificate is true", _distribution()),
    ("waf-covers-internet-facing-entry-points", _distribution(waf=False), "cdn", _distribution()),
    ("production-backup-plan-covers-stateful", _backed_up(selected=False), "no AWS Backup plan selects it", _backed_up(selected=True)),
    ("backup-vault-encrypted-with-cmk", lambda: aws.backup.Vault("v") and None, "kmsKeyArn is not set", lambda: aws.backup.Vault("v", kms_key_arn=KEY) and None),
    ("cloudtrail-encrypted-and-validated", lambda: aws.cloudtrail.Trail("t", s3_bucket_name="logs", kms_key_id=KEY) and None, "enableLogFileValidation is not set",
     lambda: aws.cloudtrail.Trail("t", s3_bucket_name="logs", kms_key_id=KEY, enable_log_file_validation=True) and None),
    ("production-deletion-protection", _rds(deletion_protection=False), "deletionProtection is False",
     _protected(lambda opts: aws.rds.Instance("db", engine="postgres", instance_class="db.t4g.medium", allocated_storage=20, deletion_protection=True, opts=opts))),
    ("production-deletion-protection",
     lambda: aws.dynamodb.Table("t", hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], billing_mode="PAY_PER_REQUEST") and None,
     "deletionProtectionEnabled is not set",
     _protected(lambda opts: aws.dynamodb.Table("t", hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], billing_mode="PAY_PER_REQUEST",
                                                deletion_protection_enabled=True, opts=opts))),
]


@pytest.mark.parametrize(("policy", "violating", "fragment", "compliant"), OLDER_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(OLDER_CASES)])
def test_older_fsbp_policies_violating_and_compliant(policy: str, violating: Program, fragment: str, compliant: Program) -> None:
    test_violating_and_compliant(policy, violating, fragment, compliant)


def test_every_policy_the_fsbp_table_names_has_an_sdk_case() -> None:
    from tests.policies.test_fsbp_docs import TABLE_POLICIES

    # The EKS version's support calendar is judged against a date: tests/policies/test_lifecycle.py pins it.
    dated = {"eks-version-in-standard-support"}
    assert TABLE_POLICIES - dated - {c[0] for c in CASES + OLDER_CASES} == set()


def test_every_fsbp_policy_module_policy_has_a_case() -> None:
    from policies import buckets, data_stores, iam, network, resource_access, services

    names = {p.name for m in (buckets, data_stores, iam, network, resource_access, services) for p in m.POLICIES}
    assert names - {c[0] for c in CASES + OLDER_CASES} == set()

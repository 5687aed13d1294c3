"""How long AWS lets a resource's name be, and how Pulumi names a resource that has none.

Pulumi's AWS provider auto-names a resource whose name property is left out: the logical
name, a hyphen and seven random hex characters (``NewUniqueHex``; lower-cased for S3 buckets,
RDS instances and ElastiCache replication groups). For some types the provider itself caps
that name (an IAM role at 64 characters fails ``pulumi preview``); for others it only caps
at 255 and AWS refuses the name when the resource is created (an RDS identifier over 63).
Either way the deploy fails, so preflight checks every name, given or generated, against
AWS's own limit below. A ``*_prefix`` property gets a 26-character unique suffix from the
provider (a timestamp and a counter) instead.

The pack must stand alone (Pulumi runs it from its own directory), so these facts live here
and preflight imports them.

Sources: the AWS API references (CreateRole, CreatePolicy, PutRolePolicy, CreateDBInstance,
CreateReplicationGroup, CreateLoadBalancer, CreateTargetGroup, CreateBucket, CreateQueue,
CreateTopic, CreateFunction, CreateLogGroup, CreateAlias, PutRule, PutMetricAlarm,
CreateNodegroup, CreateCluster, CreateLaunchTemplate, CreateSecurityGroup, CreateSecret,
CreateModel, CreateEndpointConfig, CreateEndpoint, CreateSchedule, CreateBudget, CreateProject, PutDashboard, CreateDeliveryStream,
CreateConnection, WAF CreateWebACL, CreateBackupVault, CreateBackupPlan, CreateBackupSelection, CloudFront CreateOriginAccessControl, CreateResponseHeadersPolicy and CreateCachePolicy, CloudWatch Logs PutDeliverySource, PutDeliveryDestination and PutResourcePolicy) and pulumi-aws's provider/resources.go for which property is auto-named.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTO_NAME_RANDOM = 7
"""Random hex characters Pulumi appends to a logical name (after a hyphen)."""
PREFIX_RANDOM = 26
"""Characters the provider appends to a ``*_prefix`` (``id.PrefixedUniqueId``)."""


@dataclass(frozen=True)
class NameRule:
    """Where a resource type's physical name lives and how long AWS lets it be."""

    prop: str
    """The input property holding the name (``name``, ``bucket``, ``identifier``, ...)."""
    limit: int
    """AWS's maximum length, in characters."""
    what: str
    """What AWS calls the name, for messages: ``IAM role names``."""
    lower: bool = False
    """The provider lower-cases the auto-name (the service would otherwise refuse or fold it)."""
    prefix_prop: str | None = None
    """The property that takes a name prefix instead, if the type has one."""
    auto_prefix: str = ""
    """Text the provider puts before an auto-name (KMS aliases: ``alias/``)."""


NAME_RULES: dict[str, NameRule] = {
    "aws:iam/role:Role": NameRule("name", 64, "IAM role names", prefix_prop="namePrefix"),
    "aws:iam/policy:Policy": NameRule("name", 128, "IAM managed policy names", prefix_prop="namePrefix"),
    "aws:iam/rolePolicy:RolePolicy": NameRule("name", 128, "IAM inline policy names", prefix_prop="namePrefix"),
    "aws:iam/instanceProfile:InstanceProfile": NameRule("name", 128, "IAM instance profile names", prefix_prop="namePrefix"),
    "aws:rds/instance:Instance": NameRule("identifier", 63, "RDS DB instance identifiers", lower=True, prefix_prop="identifierPrefix"),
    "aws:rds/subnetGroup:SubnetGroup": NameRule("name", 255, "RDS DB subnet group names", lower=True, prefix_prop="namePrefix"),
    "aws:rds/parameterGroup:ParameterGroup": NameRule("name", 255, "RDS DB parameter group names", lower=True, prefix_prop="namePrefix"),
    "aws:elasticache/replicationGroup:ReplicationGroup": NameRule("replicationGroupId", 40, "ElastiCache replication group ids", lower=True),
    "aws:elasticache/subnetGroup:SubnetGroup": NameRule("name", 255, "ElastiCache subnet group names", lower=True),
    "aws:elasticache/parameterGroup:ParameterGroup": NameRule("name", 255, "ElastiCache parameter group names", lower=True),
    "aws:lb/loadBalancer:LoadBalancer": NameRule("name", 32, "load balancer names"),
    "aws:alb/loadBalancer:LoadBalancer": NameRule("name", 32, "load balancer names"),
    "aws:lb/targetGroup:TargetGroup": NameRule("name", 32, "target group names"),
    "aws:alb/targetGroup:TargetGroup": NameRule("name", 32, "target group names"),
    "aws:s3/bucket:Bucket": NameRule("bucket", 63, "S3 bucket names", lower=True, prefix_prop="bucketPrefix"),
    "aws:s3/bucketV2:BucketV2": NameRule("bucket", 63, "S3 bucket names", lower=True, prefix_prop="bucketPrefix"),
    "aws:sqs/queue:Queue": NameRule("name", 80, "SQS queue names", prefix_prop="namePrefix"),
    "aws:sns/topic:Topic": NameRule("name", 256, "SNS topic names", prefix_prop="namePrefix"),
    "aws:lambda/function:Function": NameRule("name", 64, "Lambda function names"),
    "aws:cloudwatch/logGroup:LogGroup": NameRule("name", 512, "CloudWatch Logs log group names", prefix_prop="namePrefix"),
    "aws:kms/alias:Alias": NameRule("name", 256, "KMS alias names", prefix_prop="namePrefix", auto_prefix="alias/"),
    "aws:cloudwatch/eventRule:EventRule": NameRule("name", 64, "EventBridge rule names", prefix_prop="namePrefix"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": NameRule("name", 255, "CloudWatch alarm names"),
    "aws:cloudwatch/dashboard:Dashboard": NameRule("dashboardName", 255, "CloudWatch dashboard names"),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": NameRule("name", 64, "Firehose stream names"),
    "aws:eks/cluster:Cluster": NameRule("name", 100, "EKS cluster names"),
    "aws:eks/nodeGroup:NodeGroup": NameRule("nodeGroupName", 63, "EKS node group names", prefix_prop="nodeGroupNamePrefix"),
    "aws:ec2/launchTemplate:LaunchTemplate": NameRule("name", 128, "EC2 launch template names", prefix_prop="namePrefix"),
    "aws:ec2/securityGroup:SecurityGroup": NameRule("name", 255, "security group names", prefix_prop="namePrefix"),
    "aws:secretsmanager/secret:Secret": NameRule("name", 512, "Secrets Manager secret names", prefix_prop="namePrefix"),
    "aws:sagemaker/model:Model": NameRule("name", 63, "SageMaker model names"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": NameRule("name", 63, "SageMaker endpoint configuration names", prefix_prop="namePrefix"),
    "aws:sagemaker/endpoint:Endpoint": NameRule("name", 63, "SageMaker endpoint names"),
    "aws:scheduler/schedule:Schedule": NameRule("name", 64, "EventBridge Scheduler schedule names", prefix_prop="namePrefix"),
    "aws:scheduler/scheduleGroup:ScheduleGroup": NameRule("name", 64, "EventBridge Scheduler group names", prefix_prop="namePrefix"),
    "aws:budgets/budget:Budget": NameRule("name", 100, "budget names", prefix_prop="namePrefix"),
    "aws:codebuild/project:Project": NameRule("name", 255, "CodeBuild project names"),
    "aws:codeconnections/connection:Connection": NameRule("name", 32, "CodeConnections connection names"),
    "aws:codestarconnections/connection:Connection": NameRule("name", 32, "CodeConnections connection names"),
    "aws:ecr/repository:Repository": NameRule("name", 256, "ECR repository names"),
    "aws:cloudfront/originAccessControl:OriginAccessControl": NameRule("name", 64, "CloudFront origin access control names"),
    "aws:cloudfront/cachePolicy:CachePolicy": NameRule("name", 128, "CloudFront cache policy names"),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": NameRule("name", 128, "CloudFront response headers policy names"),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": NameRule("name", 60, "CloudWatch Logs delivery source names"),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": NameRule("name", 60, "CloudWatch Logs delivery destination names"),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": NameRule("policyName", 255, "CloudWatch Logs resource policy names"),
    "aws:wafv2/webAcl:WebAcl": NameRule("name", 128, "WAF web ACL names", prefix_prop="namePrefix"),
    "aws:sfn/stateMachine:StateMachine": NameRule("name", 80, "Step Functions state machine names", prefix_prop="namePrefix"),
    "aws:backup/vault:Vault": NameRule("name", 50, "AWS Backup vault names"),
    "aws:backup/plan:Plan": NameRule("name", 50, "AWS Backup plan names"),
    "aws:backup/selection:Selection": NameRule("name", 50, "AWS Backup selection names"),
}


def auto_name(rule: NameRule, logical_name: str, random_hex: str) -> str:
    """The name Pulumi gives a resource whose name property is left out."""
    name = f"{logical_name}-{random_hex[:AUTO_NAME_RANDOM]}"
    return rule.auto_prefix + (name.lower() if rule.lower else name)


def name_problem(token: str, logical_name: str, inputs: dict[str, object], random_hex: str) -> tuple[str | None, str | None]:
    """``(physical name, problem)`` for one registration; ``problem`` is None when AWS accepts the name.

    The physical name is the given one, or the auto-name when none is given (None when the
    type is not in :data:`NAME_RULES`, when a prefix is used, or when the name is not known
    yet, such as an output of another resource during a preview).
    """
    rule = NAME_RULES.get(token)
    if rule is None:
        return None, None
    where = f"{token} {logical_name!r}"
    if rule.prop in inputs:
        given = inputs[rule.prop]
        if not isinstance(given, str):
            return None, None
        if len(given) > rule.limit:
            return given, f"{where}: name {given!r} is {len(given)} characters; {rule.what} allow at most {rule.limit}"
        return given, None
    prefix = inputs.get(rule.prefix_prop) if rule.prefix_prop else None
    if isinstance(prefix, str):
        if len(prefix) + PREFIX_RANDOM > rule.limit:
            return None, (
                f"{where}: name prefix {prefix!r} is {len(prefix)} characters plus {PREFIX_RANDOM} generated; "
                f"{rule.what} allow at most {rule.limit}"
            )
        return None, None
    generated = auto_name(rule, logical_name, random_hex)
    if len(generated) > rule.limit:
        return generated, (
            f"{where}: auto-name {generated!r} (the logical name, '-' and {AUTO_NAME_RANDOM} random characters) "
            f"is {len(generated)} characters; {rule.what} allow at most {rule.limit}: shorten the logical name "
            "(with an alias to the old one) or give a shorter name"
        )
    return generated, None

"""Where ``replace_on_changes.json`` comes from: which inputs force a replacement, per resource type.

``python -m preflight.replacement_sources`` regenerates the file; a test fails when the committed
file differs from what this module produces with the pinned packages.

The sources, and why these:

- **pulumi-aws** publishes ``willReplaceOnChanges`` in its schema.json, but that file (over 4 MiB)
  and its repository (730 MB) could not be brought onto this machine, and the Python SDK carries
  no replacement metadata. The AWS provider marks an input force-new where the service cannot
  change it in place, which is what AWS's own resource schemas state as ``createOnlyProperties``
  (the CloudFormation registry schemas, bundled in ``cfn-lint`` at the version pinned in
  requirements.txt). So AWS types map to the registry type AWS documents for the same API object
  (``AWS_TYPES``), and each create-only property maps to the Pulumi input of the same name (or the
  name in ``renames``). An input is only recorded when the pulumi-aws SDK's ``*Args`` class has it,
  so no input is invented; create-only properties with no Pulumi input are listed as unmapped.
  Types whose registry counterpart updates differently from the provider (``UNKNOWN_AWS``), or
  that have none, are recorded with ``known: false``: the diff then says it cannot tell.
- For a few AWS types with no registry counterpart, the Terraform AWS provider's own schema
  (``TERRAFORM_AWS``: its ``ForceNew`` inputs, which pulumi-aws bridges as replacements).
- **pulumi-kubernetes** decides replacement in its provider code, not in its schema: the table
  ``forceNew`` in provider/pkg/provider/diff.go (plus ``.metadata.name``/``.metadata.namespace``
  for every object and ``name``/``namespace`` for a Helm release, provider.go and
  helm_release.go), transcribed in ``KUBERNETES``.
- **pulumi-eks**: schema.json marks every eks resource a component (``isComponent``); components
  are never replaced themselves, their children are.
- **pulumi-random**: the Terraform random provider's schema: every input of ``random_id`` and
  ``random_password`` has a RequiresReplace plan modifier.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "replace_on_changes.json"

KUBERNETES_SOURCE = (
    "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNew), provider.go and helm_release.go "
    "at commit 94977969d (after v4.32.0; diff.go last changed in eaf47e8, Feb 2026); pinned SDK 4.34.2"
)
EKS_SOURCE = "pulumi/pulumi-eks provider/cmd/pulumi-resource-eks/schema.json at commit 7bf0c1b1 (isComponent); pinned SDK 4.4.0"
RANDOM_SOURCE = (
    "hashicorp/terraform-provider-random internal/provider/resource_id.go and resource_password.go "
    "(RequiresReplace on every input), which pulumi-random bridges; pinned SDK 4.21.4"
)

# Pulumi AWS type -> (CloudFormation registry type, {create-only property path: Pulumi input}).
# A rename maps the registry's name to the Pulumi input for the same field where they differ.
AWS_TYPES: dict[str, tuple[str, dict[str, str]]] = {
    "aws:acm/certificate:Certificate": ("AWS::CertificateManager::Certificate", {}),
    "aws:appautoscaling/policy:Policy": ("AWS::ApplicationAutoScaling::ScalingPolicy", {"PolicyName": "name"}),
    "aws:appautoscaling/target:Target": ("AWS::ApplicationAutoScaling::ScalableTarget", {}),
    "aws:budgets/budget:Budget": ("AWS::Budgets::Budget", {"Budget/BudgetName": "name", "Budget/BudgetType": "budgetType"}),
    "aws:cfg/deliveryChannel:DeliveryChannel": ("AWS::Config::DeliveryChannel", {}),
    "aws:cfg/recorder:Recorder": ("AWS::Config::ConfigurationRecorder", {}),
    "aws:cfg/rule:Rule": ("AWS::Config::ConfigRule", {"ConfigRuleName": "name"}),
    "aws:cloudtrail/trail:Trail": ("AWS::CloudTrail::Trail", {"TrailName": "name"}),
    "aws:cloudwatch/eventRule:EventRule": ("AWS::Events::Rule", {}),
    "aws:cloudwatch/logGroup:LogGroup": ("AWS::Logs::LogGroup", {"LogGroupName": "name"}),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": ("AWS::Logs::MetricFilter", {"FilterName": "name"}),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("AWS::CloudWatch::Alarm", {"AlarmName": "name"}),
    "aws:cloudwatch/dashboard:Dashboard": ("AWS::CloudWatch::Dashboard", {}),
    "aws:codebuild/project:Project": ("AWS::CodeBuild::Project", {}),
    "aws:codeconnections/connection:Connection": ("AWS::CodeConnections::Connection", {"ConnectionName": "name"}),
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": ("AWS::CE::AnomalyMonitor", {}),
    "aws:costexplorer/anomalySubscription:AnomalySubscription": ("AWS::CE::AnomalySubscription", {}),
    "aws:dlm/lifecyclePolicy:LifecyclePolicy": ("AWS::DLM::LifecyclePolicy", {}),
    "aws:ec2/eip:Eip": ("AWS::EC2::EIP", {}),
    "aws:ec2/flowLog:FlowLog": ("AWS::EC2::FlowLog", {"ResourceId": "vpcId", "DeliverLogsPermissionArn": "iamRoleArn"}),
    "aws:ec2/instance:Instance": (
        "AWS::EC2::Instance",
        {"ImageId": "ami", "PrivateIpAddress": "privateIp", "PlacementGroupName": "placementGroup", "HibernationOptions": "hibernation"},
    ),
    "aws:ec2/internetGateway:InternetGateway": ("AWS::EC2::InternetGateway", {}),
    "aws:ec2/launchTemplate:LaunchTemplate": ("AWS::EC2::LaunchTemplate", {"LaunchTemplateName": "name"}),
    "aws:ec2/natGateway:NatGateway": ("AWS::EC2::NatGateway", {"PrivateIpAddress": "privateIp"}),
    "aws:ec2/networkAcl:NetworkAcl": ("AWS::EC2::NetworkAcl", {}),
    "aws:ec2/route:Route": ("AWS::EC2::Route", {}),
    "aws:ec2/routeTable:RouteTable": ("AWS::EC2::RouteTable", {}),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("AWS::EC2::SubnetRouteTableAssociation", {}),
    "aws:ec2/securityGroup:SecurityGroup": ("AWS::EC2::SecurityGroup", {"GroupDescription": "description", "GroupName": "name"}),
    "aws:ec2/subnet:Subnet": ("AWS::EC2::Subnet", {}),
    "aws:ec2/vpc:Vpc": ("AWS::EC2::VPC", {}),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("AWS::EC2::VPCEndpoint", {}),
    "aws:ecr/repository:Repository": (
        "AWS::ECR::Repository",
        {
            "RepositoryName": "name",
            "EncryptionConfiguration": "encryptionConfigurations",
            "EncryptionConfiguration/EncryptionType": "encryptionConfigurations",
            "EncryptionConfiguration/KmsKey": "encryptionConfigurations",
        },
    ),
    "aws:efs/accessPoint:AccessPoint": ("AWS::EFS::AccessPoint", {}),
    "aws:efs/fileSystem:FileSystem": ("AWS::EFS::FileSystem", {}),
    "aws:efs/mountTarget:MountTarget": ("AWS::EFS::MountTarget", {}),
    "aws:eks/accessEntry:AccessEntry": ("AWS::EKS::AccessEntry", {}),
    "aws:eks/addon:Addon": ("AWS::EKS::Addon", {}),
    "aws:eks/nodeGroup:NodeGroup": (
        "AWS::EKS::Nodegroup",
        {"NodegroupName": "nodeGroupName", "NodeRole": "nodeRoleArn", "Subnets": "subnetIds"},
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": (
        "AWS::ElastiCache::ParameterGroup",
        {"CacheParameterGroupFamily": "family"},
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "AWS::ElastiCache::ReplicationGroup",
        {"CacheSubnetGroupName": "subnetGroupName", "PreferredCacheClusterAZs": "preferredCacheClusterAzs"},
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": ("AWS::ElastiCache::SubnetGroup", {"CacheSubnetGroupName": "name"}),
    "aws:guardduty/detector:Detector": ("AWS::GuardDuty::Detector", {}),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("AWS::IAM::OIDCProvider", {}),
    "aws:iam/role:Role": ("AWS::IAM::Role", {"RoleName": "name"}),
    "aws:iam/rolePolicy:RolePolicy": ("AWS::IAM::RolePolicy", {"PolicyName": "name", "RoleName": "role"}),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (
        "AWS::KinesisFirehose::DeliveryStream",
        {"DeliveryStreamName": "name"},
    ),
    "aws:kms/alias:Alias": ("AWS::KMS::Alias", {"AliasName": "name"}),
    "aws:kms/key:Key": ("AWS::KMS::Key", {}),
    "aws:lambda/function:Function": ("AWS::Lambda::Function", {"FunctionName": "name"}),
    "aws:lambda/permission:Permission": ("AWS::Lambda::Permission", {"FunctionName": "function"}),
    "aws:lb/listener:Listener": ("AWS::ElasticLoadBalancingV2::Listener", {}),
    "aws:lb/listenerRule:ListenerRule": ("AWS::ElasticLoadBalancingV2::ListenerRule", {}),
    "aws:lb/loadBalancer:LoadBalancer": (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Scheme": "internal", "Type": "loadBalancerType"},
    ),
    "aws:lb/targetGroup:TargetGroup": ("AWS::ElasticLoadBalancingV2::TargetGroup", {}),
    "aws:rds/instance:Instance": (
        "AWS::RDS::DBInstance",
        {
            "DBInstanceIdentifier": "identifier",
            "DBName": "dbName",
            "DBSubnetGroupName": "dbSubnetGroupName",
            "MasterUsername": "username",
        },
    ),
    "aws:rds/parameterGroup:ParameterGroup": ("AWS::RDS::DBParameterGroup", {"DBParameterGroupName": "name"}),
    "aws:rds/subnetGroup:SubnetGroup": ("AWS::RDS::DBSubnetGroup", {"DBSubnetGroupName": "name"}),
    "aws:route53/healthCheck:HealthCheck": (
        "AWS::Route53::HealthCheck",
        {"HealthCheckConfig/MeasureLatency": "measureLatency", "HealthCheckConfig/RequestInterval": "requestInterval", "HealthCheckConfig/Type": "type"},
    ),
    "aws:route53/record:Record": ("AWS::Route53::RecordSet", {"HostedZoneId": "zoneId"}),
    "aws:route53/zone:Zone": ("AWS::Route53::HostedZone", {}),
    "aws:s3/bucket:Bucket": ("AWS::S3::Bucket", {"BucketName": "bucket", "BucketNamePrefix": "bucketPrefix"}),
    "aws:s3/bucketPolicy:BucketPolicy": ("AWS::S3::BucketPolicy", {}),
    "aws:sagemaker/endpoint:Endpoint": ("AWS::SageMaker::Endpoint", {"EndpointName": "name"}),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (
        "AWS::SageMaker::EndpointConfig",
        {"EndpointConfigName": "name", "KmsKeyId": "kmsKeyArn", "ProductionVariants": "productionVariants"},
    ),
    "aws:sagemaker/model:Model": ("AWS::SageMaker::Model", {"ModelName": "name"}),
    "aws:scheduler/schedule:Schedule": ("AWS::Scheduler::Schedule", {}),
    "aws:secretsmanager/secret:Secret": ("AWS::SecretsManager::Secret", {}),
    "aws:secretsmanager/secretRotation:SecretRotation": ("AWS::SecretsManager::RotationSchedule", {}),
    "aws:securityhub/account:Account": ("AWS::SecurityHub::Hub", {}),
    "aws:securityhub/standardsSubscription:StandardsSubscription": ("AWS::SecurityHub::Standard", {}),
    "aws:sfn/stateMachine:StateMachine": ("AWS::StepFunctions::StateMachine", {"StateMachineName": "name", "StateMachineType": "type"}),
    "aws:sns/topic:Topic": ("AWS::SNS::Topic", {"TopicName": "name"}),
    "aws:sns/topicPolicy:TopicPolicy": ("AWS::SNS::TopicPolicy", {}),
    "aws:sns/topicSubscription:TopicSubscription": ("AWS::SNS::Subscription", {"TopicArn": "topic"}),
    "aws:sqs/queue:Queue": ("AWS::SQS::Queue", {"QueueName": "name"}),
    "aws:ssm/parameter:Parameter": ("AWS::SSM::Parameter", {}),
    "aws:wafv2/webAcl:WebAcl": ("AWS::WAFv2::WebACL", {}),
    "aws:cloudfront/distribution:Distribution": ("AWS::CloudFront::Distribution", {}),
    "aws:backup/vault:Vault": ("AWS::Backup::BackupVault", {"BackupVaultName": "name", "EncryptionKeyArn": "kmsKeyArn"}),
    "aws:backup/plan:Plan": ("AWS::Backup::BackupPlan", {}),
    "aws:apigatewayv2/api:Api": ("AWS::ApiGatewayV2::Api", {}),
    "aws:apigatewayv2/stage:Stage": ("AWS::ApiGatewayV2::Stage", {"StageName": "name"}),
    "aws:apigatewayv2/route:Route": ("AWS::ApiGatewayV2::Route", {}),
    "aws:apigatewayv2/integration:Integration": ("AWS::ApiGatewayV2::Integration", {}),
    "aws:apigateway/restApi:RestApi": ("AWS::ApiGateway::RestApi", {}),
    "aws:apigateway/deployment:Deployment": ("AWS::ApiGateway::Deployment", {"RestApiId": "restApi"}),
    "aws:apigateway/stage:Stage": ("AWS::ApiGateway::Stage", {"RestApiId": "restApi"}),
    "aws:apigateway/resource:Resource": ("AWS::ApiGateway::Resource", {"RestApiId": "restApi"}),
    "aws:apigateway/method:Method": ("AWS::ApiGateway::Method", {"RestApiId": "restApi"}),
    "aws:apigateway/domainName:DomainName": ("AWS::ApiGateway::DomainName", {}),
    "aws:apigateway/basePathMapping:BasePathMapping": ("AWS::ApiGateway::BasePathMapping", {}),
    "aws:apigateway/account:Account": ("AWS::ApiGateway::Account", {}),
    "aws:backup/selection:Selection": ("AWS::Backup::BackupSelection", {"BackupPlanId": "planId"}),
    "aws:cloudfront/originAccessControl:OriginAccessControl": ("AWS::CloudFront::OriginAccessControl", {}),
    "aws:cloudfront/cachePolicy:CachePolicy": ("AWS::CloudFront::CachePolicy", {}),
    "aws:cloudfront/monitoringSubscription:MonitoringSubscription": ("AWS::CloudFront::MonitoringSubscription", {}),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": ("AWS::CloudFront::ResponseHeadersPolicy", {}),
    "aws:cloudwatch/logStream:LogStream": ("AWS::Logs::LogStream", {"LogStreamName": "name"}),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": ("AWS::Logs::DeliverySource", {}),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": ("AWS::Logs::DeliveryDestination", {}),
    "aws:cloudwatch/logDelivery:LogDelivery": ("AWS::Logs::Delivery", {}),
    "aws:cloudfront/function:Function": ("AWS::CloudFront::Function", {}),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": ("AWS::CloudWatch::CompositeAlarm", {}),
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ("AWS::Logs::SubscriptionFilter", {"FilterName": "name", "LogGroupName": "logGroup"}),
    "aws:cloudwatch/eventBus:EventBus": ("AWS::Events::EventBus", {}),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ("AWS::Logs::ResourcePolicy", {"PolicyName": "policyName"}),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": ("AWS::ECR::ReplicationConfiguration", {}),
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": ("AWS::ECR::RepositoryCreationTemplate", {}),
    "aws:grafana/workspace:Workspace": ("AWS::Grafana::Workspace", {}),
    "aws:amp/workspace:Workspace": ("AWS::APS::Workspace", {}),
    "aws:iam/policy:Policy": ("AWS::IAM::ManagedPolicy", {"ManagedPolicyName": "name"}),
    "aws:lambda/eventSourceMapping:EventSourceMapping": ("AWS::Lambda::EventSourceMapping", {"FunctionName": "functionName"}),
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": ("AWS::Lambda::EventInvokeConfig", {"FunctionName": "functionName"}),
    "aws:lambda/functionUrl:FunctionUrl": ("AWS::Lambda::Url", {"TargetFunctionArn": "functionName"}),
    "aws:scheduler/scheduleGroup:ScheduleGroup": ("AWS::Scheduler::ScheduleGroup", {}),
    "aws:sqs/queuePolicy:QueuePolicy": ("AWS::SQS::QueuePolicy", {}),
    "aws:wafv2/webAclAssociation:WebAclAssociation": ("AWS::WAFv2::WebACLAssociation", {"WebACLArn": "webAclArn"}),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ("AWS::WAFv2::LoggingConfiguration", {}),
    "aws:xray/samplingRule:SamplingRule": ("AWS::XRay::SamplingRule", {}),
}

# AWS types with no registry counterpart of their own, or one that updates differently from the
# provider's resource: replacement is not known, and the diff says so.
UNKNOWN_AWS: dict[str, str] = {
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "AWS::EC2::SecurityGroupIngress replaces on every change, the provider's rule resource "
        "modifies rules in place (ModifySecurityGroupRules)"
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "AWS::EC2::SecurityGroupEgress replaces on every change, the provider's rule resource "
        "modifies rules in place (ModifySecurityGroupRules)"
    ),
}

# Other packages' types whose replacement rules could not be read here.
UNKNOWN_OTHER: dict[str, str] = {
    "grafana:oss/dataSource:DataSource": (
        "pulumiverse/pulumi-grafana bridges grafana/terraform-provider-grafana; its schema's force-new inputs "
        "(the data source's uid and org) were not available here"
    ),
}

# No registry resource of their own (in CloudFormation they are settings of a parent resource, or
# not resources at all): which of their inputs the provider replaces on is in pulumi-aws's
# schema.json, which could not be obtained here. Unknown, and the diff says so.
NO_REGISTRY_COUNTERPART = (
    "no AWS registry resource of its own; the provider's force-new inputs for it are in pulumi-aws's "
    "schema.json, not available here"
)
for _token in (
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:apigateway/integration:Integration",
    "aws:apigateway/methodSettings:MethodSettings",
    "aws:autoscaling/tag:Tag",
    "aws:appautoscaling/scheduledAction:ScheduledAction",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    "aws:cfg/recorderStatus:RecorderStatus",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:codebuild/webhook:Webhook",
    "aws:costexplorer/costAllocationTag:CostAllocationTag",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:grafana/roleAssociation:RoleAssociation",
    "aws:grafana/workspaceSamlConfiguration:WorkspaceSamlConfiguration",
    "aws:efs/backupPolicy:BackupPolicy",
    "aws:guardduty/detectorFeature:DetectorFeature",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
):
    UNKNOWN_AWS[_token] = NO_REGISTRY_COUNTERPART

# AWS types with no registry counterpart whose force-new inputs were read in the Terraform AWS
# provider's schema (which pulumi-aws bridges: ForceNew there is a replacement here), each file at
# the commit the search index holds.
TERRAFORM_AWS: dict[str, tuple[list[str], str]] = {
    # AMG's API has no update for either (Create/Delete/List only): every input forces a new one.
    "aws:grafana/workspaceServiceAccount:WorkspaceServiceAccount": (
        ["grafanaRole", "name", "workspaceId"],
        "internal/service/grafana/workspace_service_account.go (no Update: every input force-new)",
    ),
    "aws:grafana/workspaceServiceAccountToken:WorkspaceServiceAccountToken": (
        ["name", "secondsToLive", "serviceAccountId", "workspaceId"],
        "internal/service/grafana/workspace_service_account_token.go (no Update: every input force-new)",
    ),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (
        ["accessScope", "clusterName", "policyArn", "principalArn"],
        "internal/service/eks/access_policy_association.go (no Update: every input force-new; v6.40+ version)",
    ),
    "aws:efs/replicationConfiguration:ReplicationConfiguration": (
        ["destination", "sourceFileSystemId"],
        "internal/service/efs/replication_configuration.go (no Update: every input force-new)",
    ),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (
        ["kmsKeyId", "preSignedUrl", "retentionPeriod", "sourceDbInstanceArn"],
        "internal/service/rds/instance_automated_backups_replication.go (no Update: every input force-new)",
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        ["policyArn", "role"], "internal/service/iam/role_policy_attachment.go at 04c79849",
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        ["bucket"], "internal/service/s3/bucket_ownership_controls.go at 01c08000",
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        ["bucket"], "internal/service/s3/bucket_public_access_block.go at 01606926",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": (
        ["bucket", "expectedBucketOwner"], "internal/service/s3/bucket_versioning.go (aws-sdk-go-v2 version)",
    ),
}

# Transcribed from pulumi-kubernetes provider/pkg/provider/diff.go (see KUBERNETES_SOURCE).
_LABEL_SELECTOR = ["spec.selector", "spec.selector.matchExpressions", "spec.selector.matchLabels"]
KUBERNETES: dict[str, list[str]] = {
    "kubernetes:apps/v1:Deployment": list(_LABEL_SELECTOR),
    "kubernetes:apps/v1:DaemonSet": list(_LABEL_SELECTOR),
    "kubernetes:apps/v1:StatefulSet": [
        "spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.serviceName", "spec.volumeClaimTemplates",
        *_LABEL_SELECTOR,
    ],
    "kubernetes:batch/v1:Job": ["spec.completions", "spec.parallelism", "spec.template", *_LABEL_SELECTOR],
    "kubernetes:core/v1:Secret": ["type", "stringData", "data"],
    "kubernetes:core/v1:Service": ["spec.clusterIP"],
    "kubernetes:core/v1:PersistentVolumeClaim": [
        "spec.accessModes", "spec.storageClassName", "spec.volumeName", *_LABEL_SELECTOR,
    ],
    "kubernetes:storage.k8s.io/v1:StorageClass": ["parameters", "provisioner"],
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef"],
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef"],
}
KUBERNETES_IDENTITY = ["metadata.name", "metadata.namespace"]
HELM_RELEASE = ("kubernetes:helm.sh/v3:Release", ["name", "namespace"])

RANDOM: dict[str, list[str]] = {
    "random:index/randomId:RandomId": ["byteLength", "keepers", "prefix"],
    "random:index/randomPassword:RandomPassword": [
        "keepers", "length", "lower", "minLower", "minNumeric", "minSpecial", "minUpper",
        "number", "numeric", "overrideSpecial", "special", "upper",
    ],
}


def _camel(name: str) -> str:
    """A registry property name as the Pulumi input of the same name (``CidrBlock`` -> ``cidrBlock``)."""
    match = re.match(r"^[A-Z]+(?=[A-Z][a-z]|$)|^[A-Z]", name)
    if not match:
        return name
    head = match.group(0)
    return head.lower() + name[len(head) :]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@lru_cache(maxsize=None)
def _registry_schemas() -> tuple[dict[str, str], Path]:
    import cfnlint.data.schemas as schemas

    root = Path(schemas.__file__).resolve().parent
    index = json.loads((root / "providers" / "us-east-1.json").read_text())
    return index, root / "resources"


def _create_only(cfn_type: str) -> list[str]:
    index, resources = _registry_schemas()
    if cfn_type not in index:
        raise KeyError(f"{cfn_type} is not in cfn-lint's us-east-1 registry schemas")
    schema = json.loads((resources / f"{index[cfn_type]}.json").read_text())
    return [p[len("/properties/") :] for p in schema.get("createOnlyProperties") or [] if p.startswith("/properties/")]


def sdk_inputs(token: str) -> set[str]:
    """The inputs (camelCase) the pulumi SDK's ``*Args`` class of ``token`` takes."""
    package, rest = token.split(":", 1)
    module_path, cls = rest.rsplit(":", 1)
    name = f"pulumi_{package}.{module_path.split('/')[0]}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError:  # Python keywords get a trailing underscore (pulumi_aws.lambda_).
        module = importlib.import_module(name + "_")
    # A resource whose name a nested type also has gets ``<Type>InitArgs`` (s3.BucketVersioning).
    args_class = getattr(module, f"{cls}InitArgs", None) or getattr(module, f"{cls}Args")
    params = inspect.signature(args_class.__init__).parameters
    return {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), p) for p in params if p not in ("self", "__self__")}


def _aws_entry(token: str, cfn_type: str, renames: dict[str, str]) -> dict[str, Any]:
    inputs = sdk_inputs(token)
    mapped: list[str] = []
    unmapped: list[str] = []
    for prop in _create_only(cfn_type):
        name = renames.get(prop) or _camel(prop.split("/")[0])
        if name in inputs:
            mapped.append(name)
        else:
            unmapped.append(prop)
    return {
        "known": True,
        "replaceOnChanges": sorted(set(mapped)),
        "source": f"AWS registry schema {cfn_type} createOnlyProperties (cfn-lint {_cfn_lint_version()})",
        **({"unmapped": sorted(unmapped)} if unmapped else {}),
    }


def _cfn_lint_version() -> str:
    from importlib.metadata import version

    return version("cfn-lint")


def build() -> dict[str, Any]:
    types: dict[str, Any] = {}
    for token, (cfn_type, renames) in sorted(AWS_TYPES.items()):
        types[token] = _aws_entry(token, cfn_type, renames)
    for token, (paths, where) in sorted(TERRAFORM_AWS.items()):
        types[token] = {"known": True, "replaceOnChanges": paths, "source": f"hashicorp/terraform-provider-aws {where} (ForceNew)"}
    for token, reason in sorted(UNKNOWN_AWS.items()):
        types[token] = {"known": False, "replaceOnChanges": [], "source": reason}
    for token, paths in sorted(KUBERNETES.items()):
        types[token] = {"known": True, "replaceOnChanges": sorted(set(KUBERNETES_IDENTITY + paths)), "source": KUBERNETES_SOURCE}
    types[HELM_RELEASE[0]] = {"known": True, "replaceOnChanges": HELM_RELEASE[1], "source": KUBERNETES_SOURCE}
    for token, paths in sorted(RANDOM.items()):
        types[token] = {"known": True, "replaceOnChanges": paths, "source": RANDOM_SOURCE}
    for token, reason in sorted(UNKNOWN_OTHER.items()):
        types[token] = {"known": False, "replaceOnChanges": [], "source": reason}
    return {
        "description": "Inputs whose change makes the provider replace the resource, per type (preflight --diff). "
        "Generated by python -m preflight.replacement_sources; see that module for the sources.",
        "defaults": {
            "kubernetes": {"replaceOnChanges": KUBERNETES_IDENTITY, "source": KUBERNETES_SOURCE},
            "eks": {"component": True, "source": EKS_SOURCE},
            "betterprompts": {"component": True, "source": "this project's components (ComponentResource)"},
        },
        "types": types,
    }


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"


def main() -> int:
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

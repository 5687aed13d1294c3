"""Planned resources as CloudFormation: what cfn-lint (AWS's published resource specifications) can check.

Pure data work, no cfn-lint import: each supported Pulumi type has a field map from its
inputs (camelCase, as the engine hands them to a policy pack) to the CloudFormation
resource that AWS documents for the same API object. Every value placed in the template
remembers the input it came from, so a finding at a CloudFormation path is reported at
the Pulumi input path (``policy.Statement[0].Action``, ``blockDeviceMappings[0].ebs.volumeSize``).

Inputs without a CloudFormation counterpart (Pulumi-only options such as
``skipFinalSnapshot``), tags (the policy pack's concern), secrets (masked in a plan) and
values still unknown at preview are left out: cfn-lint judges what is stated, nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

PathItem = Union[str, int]
Path = tuple[PathItem, ...]
Origins = dict[Path, str]
Converter = Callable[[Any, str], "Converted | None"]

# What a plan holds in place of values it must not or cannot show.
SECRET = "[secret]"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass
class Converted:
    value: Any
    origins: Origins = field(default_factory=dict)
    """CloudFormation path (relative to this value) -> Pulumi input path."""


def _hidden(value: Any) -> bool:
    return value is None or value == SECRET or value == UNKNOWN


def _get(inputs: Mapping[str, Any], dotted: str) -> Any:
    value: Any = inputs
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def plain(value: Any, source: str) -> Converted | None:
    """A value copied as it is (numbers that are whole become integers, as CloudFormation types them)."""
    if _hidden(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return Converted(int(value), {(): source})
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        origins: Origins = {(): source}
        for key, item in value.items():
            converted = plain(item, f"{source}.{key}")
            if converted is not None:
                out[key] = converted.value
                origins.update({(key, *p): s for p, s in converted.origins.items()})
        return Converted(out, origins)
    if isinstance(value, list):
        items: list[Any] = []
        origins = {(): source}
        for index, item in enumerate(value):
            converted = plain(item, f"{source}[{index}]")
            if converted is not None:
                origins.update({(len(items), *p): s for p, s in converted.origins.items()})
                items.append(converted.value)
        return Converted(items, origins)
    return Converted(value, {(): source})


def text(value: Any, source: str) -> Converted | None:
    """CloudFormation types some numbers as strings (``AllocatedStorage``, ``Port``)."""
    converted = plain(value, source)
    if converted is None or isinstance(converted.value, (dict, list, bool)):
        return converted
    return Converted(str(converted.value), converted.origins)


def document(value: Any, source: str) -> Converted | None:
    """A JSON policy (or state machine) document given as a string: parsed, its inner paths kept."""
    if _hidden(value):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return Converted(value, {(): source})
    converted = plain(value, source)
    if converted is None:
        return None
    # Inner paths read like the document itself: policy.Statement[0].Action
    return converted


def listed(converter: Converter) -> Converter:
    """A scalar wrapped into a one-item list (``Queues: [queueUrl]``)."""

    def convert(value: Any, source: str) -> Converted | None:
        converted = converter(value, source)
        if converted is None:
            return None
        return Converted([converted.value], {(): source, **{(0, *p): s for p, s in converted.origins.items()}})

    return convert


def tag_list(value: Any, source: str) -> Converted | None:
    """``{key: value}`` as CloudFormation's ``[{Key, Value}]``."""
    if not isinstance(value, Mapping):
        return None
    items = [{"Key": k, "Value": v} for k, v in value.items() if not _hidden(v)]
    origins: Origins = {(): source}
    for index, key in enumerate(k for k, v in value.items() if not _hidden(v)):
        origins[(index,)] = f"{source}.{key}"
    return Converted(items, origins)


def name_values(name_key: str, value_key: str) -> Converter:
    """``{name: value}`` as ``[{Name, Value}]`` (alarm dimensions)."""

    def convert(value: Any, source: str) -> Converted | None:
        if not isinstance(value, Mapping):
            return None
        shown = [(k, v) for k, v in value.items() if not _hidden(v)]
        origins: Origins = {(): source}
        for index, (key, _) in enumerate(shown):
            origins[(index,)] = f"{source}.{key}"
        return Converted([{name_key: k, value_key: v} for k, v in shown], origins)

    return convert


def parameters_map(value: Any, source: str) -> Converted | None:
    """A parameter-group ``[{name, value}]`` list as CloudFormation's ``{name: value}``."""
    if not isinstance(value, list):
        return None
    out: dict[str, Any] = {}
    origins: Origins = {(): source}
    for index, item in enumerate(value):
        if isinstance(item, Mapping) and item.get("name") and not _hidden(item.get("value")):
            out[str(item["name"])] = str(item["value"])
            origins[(str(item["name"]),)] = f"{source}[{index}].value"
    return Converted(out, origins)


@dataclass(frozen=True)
class F:
    """One CloudFormation property from one (dotted) input."""

    cfn: str
    source: str
    convert: Converter = plain


def obj(*fields: F) -> Converter:
    """An object input (or each item of a list input) mapped field by field."""

    def convert(value: Any, source: str) -> Converted | None:
        if isinstance(value, list):
            items: list[Any] = []
            origins: Origins = {(): source}
            for index, item in enumerate(value):
                converted = convert(item, f"{source}[{index}]")
                if converted is not None:
                    origins.update({(len(items), *p): s for p, s in converted.origins.items()})
                    items.append(converted.value)
            return Converted(items, origins)
        if not isinstance(value, Mapping):
            return None
        return _fields(value, fields, prefix=f"{source}.")

    return convert


def _fields(inputs: Mapping[str, Any], fields: Iterable[F], prefix: str = "") -> Converted:
    out: dict[str, Any] = {}
    origins: Origins = {}
    for f in fields:
        converted = f.convert(_get(inputs, f.source), prefix + f.source)
        if converted is None or converted.value in ({}, []):
            continue
        out[f.cfn] = converted.value
        origins.update({(f.cfn, *p): s for p, s in converted.origins.items()})
    return Converted(out, origins)


def first(convert: Converter) -> Converter:
    """A one-item list input (``encryptionConfigurations``) as CloudFormation's single object."""

    def first_item(value: Any, source: str) -> Converted | None:
        if not isinstance(value, list) or not value:
            return None
        converted = convert(value[0], f"{source}[0]")
        return converted

    return first_item


@dataclass(frozen=True)
class Nest:
    """A CloudFormation object built from top-level inputs (``LaunchTemplateData``)."""

    cfn: str
    fields: tuple[F, ...]


@dataclass(frozen=True)
class TypeMap:
    cfn_type: str
    fields: tuple[Union[F, Nest], ...]
    required: tuple[tuple[str, Callable[[Mapping[str, Any], str], Any]], ...] = ()
    """Properties CloudFormation requires that Pulumi fills itself (names): property -> value from (inputs, resource name)."""


@dataclass(frozen=True)
class TemplateResource:
    logical_id: str
    urn: str
    cfn_type: str
    properties: dict[str, Any]
    origins: Origins
    """``Properties`` path -> Pulumi input path."""

    def input_path(self, path: Sequence[PathItem]) -> str:
        """The Pulumi input a finding at ``path`` (below ``Properties``) is about."""
        for end in range(len(path), -1, -1):
            origin = self.origins.get(tuple(path[:end]))
            if origin is not None:
                rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[end:])
                return origin + rest
        return ""


def _security_group_rules(direction: str) -> Converter:
    """Pulumi's rule (with lists of CIDRs and groups) as CloudFormation's one-source-per-entry rules."""
    peer = "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
    prefix_list = "SourcePrefixListId" if direction == "ingress" else "DestinationPrefixListId"

    def convert(value: Any, source: str) -> Converted | None:
        if not isinstance(value, list):
            return None
        items: list[dict[str, Any]] = []
        origins: Origins = {(): source}
        for index, rule in enumerate(value):
            if not isinstance(rule, Mapping):
                continue
            base = _fields(rule, (F("IpProtocol", "protocol"), F("FromPort", "fromPort"), F("ToPort", "toPort"), F("Description", "description")), prefix=f"{source}[{index}].")
            peers = [("CidrIp", "cidrBlocks"), ("CidrIpv6", "ipv6CidrBlocks"), (peer, "securityGroups"), (prefix_list, "prefixListIds")]
            produced = False
            for cfn_key, key in peers:
                for item_index, item in enumerate(rule.get(key) or []):
                    if _hidden(item):
                        continue
                    position = len(items)
                    items.append({**base.value, cfn_key: item})
                    origins.update({(position, *p): s for p, s in base.origins.items()})
                    origins[(position,)] = f"{source}[{index}]"
                    origins[(position, cfn_key)] = f"{source}[{index}].{key}[{item_index}]"
                    produced = True
            if not produced and rule.get("self"):
                continue  # a rule to the group itself needs its own id, which CloudFormation writes as a Ref
        return Converted(items, origins)

    return convert


def _certificates(value: Any, source: str) -> Converted | None:
    """Pulumi's one default certificate ARN as CloudFormation's list of certificates."""
    if _hidden(value):
        return None
    return Converted([{"CertificateArn": value}], {(): source, (0,): source, (0, "CertificateArn"): source})


def _policy_of(key: str) -> Callable[[Mapping[str, Any], str], Any]:
    return lambda inputs, name: inputs.get(key) or name


_EBS = obj(
    F("VolumeSize", "volumeSize"), F("VolumeType", "volumeType"), F("Encrypted", "encrypted"), F("KmsKeyId", "kmsKeyId"),
    F("DeleteOnTermination", "deleteOnTermination"), F("Iops", "iops"), F("Throughput", "throughput"), F("SnapshotId", "snapshotId"),
)
_CONTAINER = obj(
    F("Image", "image"), F("ModelDataUrl", "modelDataUrl"), F("Mode", "mode"), F("Environment", "environment"),
    F("ContainerHostname", "containerHostname"), F("MultiModelConfig", "multiModelConfig", obj(F("ModelCacheSetting", "modelCacheSetting"))),
    F("ImageConfig", "imageConfig", obj(F("RepositoryAccessMode", "repositoryAccessMode"))),
)
_RULE_PEERS = (
    F("IpProtocol", "ipProtocol"), F("FromPort", "fromPort"), F("ToPort", "toPort"), F("CidrIp", "cidrIpv4"),
    F("CidrIpv6", "cidrIpv6"), F("Description", "description"), F("GroupId", "securityGroupId"),
)

MAPPINGS: dict[str, TypeMap] = {
    # --- IAM and every policy document ---
    "aws:iam/role:Role": TypeMap(
        "AWS::IAM::Role",
        (
            F("AssumeRolePolicyDocument", "assumeRolePolicy", document), F("Description", "description"),
            F("ManagedPolicyArns", "managedPolicyArns"), F("MaxSessionDuration", "maxSessionDuration"), F("Path", "path"),
            F("PermissionsBoundary", "permissionsBoundary"), F("RoleName", "name"),
            F("Policies", "inlinePolicies", obj(F("PolicyName", "name"), F("PolicyDocument", "policy", document))),
        ),
    ),
    "aws:iam/rolePolicy:RolePolicy": TypeMap(
        "AWS::IAM::RolePolicy",
        (F("PolicyDocument", "policy", document), F("PolicyName", "name"), F("RoleName", "role")),
        required=(("PolicyName", _policy_of("name")),),
    ),
    "aws:iam/policy:Policy": TypeMap(
        "AWS::IAM::ManagedPolicy",
        (F("PolicyDocument", "policy", document), F("ManagedPolicyName", "name"), F("Description", "description"), F("Path", "path")),
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": TypeMap(
        "AWS::IAM::OIDCProvider",
        (F("Url", "url"), F("ClientIdList", "clientIdLists"), F("ThumbprintList", "thumbprintLists")),
    ),
    "aws:eks/accessEntry:AccessEntry": TypeMap(
        "AWS::EKS::AccessEntry",
        (
            F("ClusterName", "clusterName"), F("PrincipalArn", "principalArn"), F("Type", "type"),
            F("KubernetesGroups", "kubernetesGroups"), F("Username", "userName"),
        ),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": TypeMap("AWS::S3::BucketPolicy", (F("Bucket", "bucket"), F("PolicyDocument", "policy", document))),
    "aws:kms/key:Key": TypeMap(
        "AWS::KMS::Key",
        (
            F("KeyPolicy", "policy", document), F("Description", "description"), F("EnableKeyRotation", "enableKeyRotation"),
            F("PendingWindowInDays", "deletionWindowInDays"), F("KeySpec", "customerMasterKeySpec"), F("KeyUsage", "keyUsage"),
            F("MultiRegion", "multiRegion"), F("RotationPeriodInDays", "rotationPeriodInDays"),
        ),
    ),
    # --- ECR: the registry's replication and the template its replicas are made from ---
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": TypeMap(
        "AWS::ECR::ReplicationConfiguration",
        (
            F(
                "ReplicationConfiguration",
                "replicationConfiguration",
                obj(
                    F(
                        "Rules",
                        "rules",
                        obj(
                            F("Destinations", "destinations", obj(F("Region", "region"), F("RegistryId", "registryId"))),
                            F("RepositoryFilters", "repositoryFilters", obj(F("Filter", "filter"), F("FilterType", "filterType"))),
                        ),
                    )
                ),
            ),
        ),
    ),
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": TypeMap(
        "AWS::ECR::RepositoryCreationTemplate",
        (
            F("Prefix", "prefix"), F("AppliedFor", "appliedFors"), F("Description", "description"),
            F("ImageTagMutability", "imageTagMutability"), F("LifecyclePolicy", "lifecyclePolicy"), F("CustomRoleArn", "customRoleArn"),
            F("EncryptionConfiguration", "encryptionConfigurations", first(obj(F("EncryptionType", "encryptionType"), F("KmsKey", "kmsKey")))),
        ),
    ),
    "aws:grafana/workspace:Workspace": TypeMap(
        "AWS::Grafana::Workspace",
        (
            F("Name", "name"), F("Description", "description"), F("AccountAccessType", "accountAccessType"),
            F("AuthenticationProviders", "authenticationProviders"), F("PermissionType", "permissionType"),
            F("RoleArn", "roleArn"), F("DataSources", "dataSources"), F("NotificationDestinations", "notificationDestinations"),
            F("GrafanaVersion", "grafanaVersion"),
            F("NetworkAccessControl", "networkAccessControl", obj(F("PrefixListIds", "prefixListIds"), F("VpceIds", "vpceIds"))),
        ),
    ),
    "aws:amp/workspace:Workspace": TypeMap(
        "AWS::APS::Workspace",
        (
            F("Alias", "alias"), F("KmsKeyArn", "kmsKeyArn"),
            F("LoggingConfiguration", "loggingConfiguration", obj(F("LogGroupArn", "logGroupArn"))),
        ),
    ),
    "aws:sqs/queuePolicy:QueuePolicy": TypeMap("AWS::SQS::QueuePolicy", (F("PolicyDocument", "policy", document), F("Queues", "queueUrl", listed(plain)))),
    "aws:sns/topicPolicy:TopicPolicy": TypeMap("AWS::SNS::TopicPolicy", (F("PolicyDocument", "policy", document), F("Topics", "arn", listed(plain)))),
    # --- data ---
    "aws:rds/instance:Instance": TypeMap(
        "AWS::RDS::DBInstance",
        (
            F("DBInstanceIdentifier", "identifier"), F("Engine", "engine"), F("EngineVersion", "engineVersion"),
            F("DBInstanceClass", "instanceClass"), F("MultiAZ", "multiAz"), F("DBName", "dbName"), F("MasterUsername", "username"),
            F("ManageMasterUserPassword", "manageMasterUserPassword"),
            F("MasterUserSecret", "masterUserSecretKmsKeyId", lambda v, s: None if _hidden(v) else Converted({"KmsKeyId": v}, {(): s, ("KmsKeyId",): s})),
            F("EnableIAMDatabaseAuthentication", "iamDatabaseAuthenticationEnabled"), F("Port", "port", text),
            F("StorageType", "storageType"), F("AllocatedStorage", "allocatedStorage", text), F("MaxAllocatedStorage", "maxAllocatedStorage"),
            F("Iops", "iops"), F("StorageThroughput", "storageThroughput"), F("StorageEncrypted", "storageEncrypted"), F("KmsKeyId", "kmsKeyId"),
            F("DBSubnetGroupName", "dbSubnetGroupName"), F("VPCSecurityGroups", "vpcSecurityGroupIds"), F("PubliclyAccessible", "publiclyAccessible"),
            F("DBParameterGroupName", "parameterGroupName"), F("BackupRetentionPeriod", "backupRetentionPeriod"),
            F("PreferredBackupWindow", "backupWindow"), F("PreferredMaintenanceWindow", "maintenanceWindow"),
            F("AutoMinorVersionUpgrade", "autoMinorVersionUpgrade"), F("AllowMajorVersionUpgrade", "allowMajorVersionUpgrade"),
            F("CopyTagsToSnapshot", "copyTagsToSnapshot"), F("DeleteAutomatedBackups", "deleteAutomatedBackups"),
            F("DeletionProtection", "deletionProtection"), F("EnablePerformanceInsights", "performanceInsightsEnabled"),
            F("PerformanceInsightsKMSKeyId", "performanceInsightsKmsKeyId"), F("PerformanceInsightsRetentionPeriod", "performanceInsightsRetentionPeriod"),
            F("DatabaseInsightsMode", "databaseInsightsMode"), F("MonitoringInterval", "monitoringInterval"), F("MonitoringRoleArn", "monitoringRoleArn"),
            F("EnableCloudwatchLogsExports", "enabledCloudwatchLogsExports"), F("SourceDBInstanceIdentifier", "replicateSourceDb"),
            F("CACertificateIdentifier", "caCertIdentifier"), F("NetworkType", "networkType"), F("LicenseModel", "licenseModel"),
        ),
    ),
    "aws:rds/parameterGroup:ParameterGroup": TypeMap(
        "AWS::RDS::DBParameterGroup",
        (F("Family", "family"), F("Description", "description"), F("DBParameterGroupName", "name"), F("Parameters", "parameters", parameters_map)),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": TypeMap(
        "AWS::ElastiCache::ReplicationGroup",
        (
            F("ReplicationGroupId", "replicationGroupId"), F("ReplicationGroupDescription", "description"), F("Engine", "engine"),
            F("EngineVersion", "engineVersion"), F("CacheNodeType", "nodeType"), F("Port", "port"),
            F("CacheParameterGroupName", "parameterGroupName"), F("CacheSubnetGroupName", "subnetGroupName"),
            F("SecurityGroupIds", "securityGroupIds"), F("ClusterMode", "clusterMode"), F("NumNodeGroups", "numNodeGroups"),
            F("ReplicasPerNodeGroup", "replicasPerNodeGroup"), F("NumCacheClusters", "numCacheClusters"),
            F("AutomaticFailoverEnabled", "automaticFailoverEnabled"), F("MultiAZEnabled", "multiAzEnabled"),
            F("AtRestEncryptionEnabled", "atRestEncryptionEnabled"), F("KmsKeyId", "kmsKeyId"),
            F("TransitEncryptionEnabled", "transitEncryptionEnabled"), F("TransitEncryptionMode", "transitEncryptionMode"),
            F("SnapshotRetentionLimit", "snapshotRetentionLimit"), F("SnapshotWindow", "snapshotWindow"),
            F("PreferredMaintenanceWindow", "maintenanceWindow"), F("AutoMinorVersionUpgrade", "autoMinorVersionUpgrade"),
            F("DataTieringEnabled", "dataTieringEnabled"), F("NetworkType", "networkType"), F("IpDiscovery", "ipDiscovery"),
            F(
                "LogDeliveryConfigurations",
                "logDeliveryConfigurations",
                obj(
                    F("DestinationType", "destinationType"), F("LogFormat", "logFormat"), F("LogType", "logType"),
                    F("DestinationDetails", "destination", lambda v, s: None if _hidden(v) else Converted(
                        {"CloudWatchLogsDetails": {"LogGroup": v}}, {(): s, ("CloudWatchLogsDetails", "LogGroup"): s})),
                ),
            ),
        ),
    ),
    "aws:elasticache/parameterGroup:ParameterGroup": TypeMap(
        "AWS::ElastiCache::ParameterGroup",
        (F("CacheParameterGroupFamily", "family"), F("Description", "description"), F("Properties", "parameters", parameters_map)),
    ),
    # --- compute ---
    "aws:ec2/launchTemplate:LaunchTemplate": TypeMap(
        "AWS::EC2::LaunchTemplate",
        (
            F("LaunchTemplateName", "name"),
            Nest(
                "LaunchTemplateData",
                (
                    F("BlockDeviceMappings", "blockDeviceMappings", obj(F("DeviceName", "deviceName"), F("Ebs", "ebs", _EBS))),
                    F("MetadataOptions", "metadataOptions", obj(
                        F("HttpEndpoint", "httpEndpoint"), F("HttpTokens", "httpTokens"), F("HttpPutResponseHopLimit", "httpPutResponseHopLimit"),
                        F("InstanceMetadataTags", "instanceMetadataTags"), F("HttpProtocolIpv6", "httpProtocolIpv6"),
                    )),
                    F("SecurityGroupIds", "vpcSecurityGroupIds"), F("ImageId", "imageId"), F("InstanceType", "instanceType"),
                    F("UserData", "userData"), F("KeyName", "keyName"), F("EbsOptimized", "ebsOptimized"),
                    F("TagSpecifications", "tagSpecifications", obj(F("ResourceType", "resourceType"), F("Tags", "tags", tag_list))),
                ),
            ),
        ),
    ),
    "aws:lambda/function:Function": TypeMap(
        "AWS::Lambda::Function",
        (
            F("FunctionName", "name"), F("Runtime", "runtime"), F("Handler", "handler"), F("Role", "role"), F("MemorySize", "memorySize"),
            F("Timeout", "timeout"), F("Architectures", "architectures"), F("PackageType", "packageType"), F("Description", "description"),
            F("KmsKeyArn", "kmsKeyArn"), F("ReservedConcurrentExecutions", "reservedConcurrentExecutions"), F("Layers", "layers"),
            F("Environment", "environment", obj(F("Variables", "variables"))), F("TracingConfig", "tracingConfig", obj(F("Mode", "mode"))),
            F("VpcConfig", "vpcConfig", obj(F("SubnetIds", "subnetIds"), F("SecurityGroupIds", "securityGroupIds"))),
            F("EphemeralStorage", "ephemeralStorage", obj(F("Size", "size"))),
            F("DeadLetterConfig", "deadLetterConfig", obj(F("TargetArn", "targetArn"))),
        ),
        # The code itself is an asset preflight does not read; CloudFormation requires a location.
        required=(("Code", lambda inputs, name: {"ImageUri": inputs["imageUri"]} if inputs.get("imageUri") else {"S3Bucket": inputs.get("s3Bucket") or "preflight-code", "S3Key": inputs.get("s3Key") or "code.zip"}),),
    ),
    "aws:sfn/stateMachine:StateMachine": TypeMap(
        "AWS::StepFunctions::StateMachine",
        (
            F("StateMachineName", "name"), F("Definition", "definition", document), F("RoleArn", "roleArn"),
            F("StateMachineType", "type"),
            F("LoggingConfiguration", "loggingConfiguration", obj(
                F("Level", "level"), F("IncludeExecutionData", "includeExecutionData"),
                F("Destinations", "logDestination", lambda v, s: None if _hidden(v) else Converted(
                    [{"CloudWatchLogsLogGroup": {"LogGroupArn": v}}], {(): s, (0, "CloudWatchLogsLogGroup", "LogGroupArn"): s})),
            )),
            F("TracingConfiguration", "tracingConfiguration", obj(F("Enabled", "enabled"))),
            F("EncryptionConfiguration", "encryptionConfiguration", obj(
                F("KmsKeyId", "kmsKeyId"), F("Type", "type"), F("KmsDataKeyReusePeriodSeconds", "kmsDataKeyReusePeriodSeconds"))),
        ),
    ),
    # --- ML ---
    "aws:sagemaker/model:Model": TypeMap(
        "AWS::SageMaker::Model",
        (
            F("ModelName", "name"), F("ExecutionRoleArn", "executionRoleArn"), F("EnableNetworkIsolation", "enableNetworkIsolation"),
            F("PrimaryContainer", "primaryContainer", _CONTAINER), F("Containers", "containers", _CONTAINER),
            F("VpcConfig", "vpcConfig", obj(F("SecurityGroupIds", "securityGroupIds"), F("Subnets", "subnets"))),
        ),
    ),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": TypeMap(
        "AWS::SageMaker::EndpointConfig",
        (
            F("EndpointConfigName", "name"), F("KmsKeyId", "kmsKeyArn"),
            F("ProductionVariants", "productionVariants", obj(
                F("VariantName", "variantName"), F("ModelName", "modelName"), F("InstanceType", "instanceType"),
                F("InitialInstanceCount", "initialInstanceCount"), F("InitialVariantWeight", "initialVariantWeight"),
                F("VolumeSizeInGB", "volumeSizeInGb"), F("ModelDataDownloadTimeoutInSeconds", "modelDataDownloadTimeoutInSeconds"),
                F("ContainerStartupHealthCheckTimeoutInSeconds", "containerStartupHealthCheckTimeoutInSeconds"),
                F("ServerlessConfig", "serverlessConfig", obj(
                    F("MaxConcurrency", "maxConcurrency"), F("MemorySizeInMB", "memorySizeInMb"), F("ProvisionedConcurrency", "provisionedConcurrency"))),
            )),
        ),
    ),
    # --- storage ---
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": TypeMap(
        "AWS::S3::Bucket",
        (
            Nest(
                "LifecycleConfiguration",
                (
                    F("Rules", "rules", obj(
                        F("Id", "id"), F("Status", "status"), F("Prefix", "filter.prefix"),
                        F("ObjectSizeGreaterThan", "filter.objectSizeGreaterThan"), F("ObjectSizeLessThan", "filter.objectSizeLessThan"),
                        F("Transitions", "transitions", obj(F("StorageClass", "storageClass"), F("TransitionInDays", "days"), F("TransitionDate", "date"))),
                        F("NoncurrentVersionTransitions", "noncurrentVersionTransitions", obj(
                            F("StorageClass", "storageClass"), F("TransitionInDays", "noncurrentDays"), F("NewerNoncurrentVersions", "newerNoncurrentVersions"))),
                        F("NoncurrentVersionExpiration", "noncurrentVersionExpiration", obj(
                            F("NoncurrentDays", "noncurrentDays"), F("NewerNoncurrentVersions", "newerNoncurrentVersions"))),
                        F("AbortIncompleteMultipartUpload", "abortIncompleteMultipartUpload", obj(F("DaysAfterInitiation", "daysAfterInitiation"))),
                        F("ExpirationInDays", "expiration.days"), F("ExpirationDate", "expiration.date"),
                        F("ExpiredObjectDeleteMarker", "expiration.expiredObjectDeleteMarker"),
                    )),
                ),
            ),
        ),
    ),
    # --- monitoring ---
    "aws:cloudwatch/metricAlarm:MetricAlarm": TypeMap(
        "AWS::CloudWatch::Alarm",
        (
            F("AlarmName", "name"), F("AlarmDescription", "alarmDescription"), F("ActionsEnabled", "actionsEnabled"),
            F("AlarmActions", "alarmActions"), F("OKActions", "okActions"), F("InsufficientDataActions", "insufficientDataActions"),
            F("ComparisonOperator", "comparisonOperator"), F("DatapointsToAlarm", "datapointsToAlarm"),
            F("Dimensions", "dimensions", name_values("Name", "Value")), F("EvaluationPeriods", "evaluationPeriods"),
            F("EvaluateLowSampleCountPercentile", "evaluateLowSampleCountPercentiles"), F("ExtendedStatistic", "extendedStatistic"),
            F("MetricName", "metricName"), F("Namespace", "namespace"), F("Period", "period"), F("Statistic", "statistic"),
            F("Threshold", "threshold"), F("ThresholdMetricId", "thresholdMetricId"), F("TreatMissingData", "treatMissingData"), F("Unit", "unit"),
            F("Metrics", "metricQueries", obj(
                F("Id", "id"), F("Expression", "expression"), F("Label", "label"), F("ReturnData", "returnData"), F("Period", "period"),
                F("MetricStat", "metric", lambda v, s: _metric_stat(v, s)),
            )),
        ),
    ),
    # --- network ---
    "aws:ec2/securityGroup:SecurityGroup": TypeMap(
        "AWS::EC2::SecurityGroup",
        (
            F("GroupDescription", "description"), F("GroupName", "name"), F("VpcId", "vpcId"),
            F("SecurityGroupIngress", "ingress", _security_group_rules("ingress")),
            F("SecurityGroupEgress", "egress", _security_group_rules("egress")),
        ),
        required=(("GroupDescription", lambda inputs, name: "Managed by Pulumi"),),
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": TypeMap(
        "AWS::EC2::SecurityGroupIngress",
        (*_RULE_PEERS, F("SourceSecurityGroupId", "referencedSecurityGroupId"), F("SourcePrefixListId", "prefixListId")),
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": TypeMap(
        "AWS::EC2::SecurityGroupEgress",
        (*_RULE_PEERS, F("DestinationSecurityGroupId", "referencedSecurityGroupId"), F("DestinationPrefixListId", "prefixListId")),
    ),
    # --- load balancing (the edge) ---
    "aws:lb/listener:Listener": TypeMap(
        "AWS::ElasticLoadBalancingV2::Listener",
        (
            F("LoadBalancerArn", "loadBalancerArn"), F("Port", "port"), F("Protocol", "protocol"), F("SslPolicy", "sslPolicy"),
            F("Certificates", "certificateArn", _certificates),
            F("DefaultActions", "defaultActions", obj(
                F("Type", "type"), F("TargetGroupArn", "targetGroupArn"),
                F("FixedResponseConfig", "fixedResponse", obj(F("ContentType", "contentType"), F("MessageBody", "messageBody"), F("StatusCode", "statusCode"))),
                F("RedirectConfig", "redirect", obj(F("Protocol", "protocol"), F("Port", "port"), F("StatusCode", "statusCode"))),
            )),
        ),
    ),
    "aws:lb/targetGroup:TargetGroup": TypeMap(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        (
            F("Name", "name"), F("Port", "port"), F("Protocol", "protocol"), F("TargetType", "targetType"), F("VpcId", "vpcId"),
            F("HealthCheckPath", "healthCheck", lambda v, s: plain(v.get("path"), f"{s}.path") if isinstance(v, Mapping) else None),
        ),
    ),
    # --- API Gateway (the serverless API) ---
    "aws:apigateway/restApi:RestApi": TypeMap(
        "AWS::ApiGateway::RestApi",
        (
            F("Name", "name"), F("Description", "description"), F("DisableExecuteApiEndpoint", "disableExecuteApiEndpoint"),
            F("EndpointConfiguration", "endpointConfiguration", obj(F("Types", "types", listed(plain)), F("IpAddressType", "ipAddressType"))),
            F("SecurityPolicy", "securityPolicy"), F("EndpointAccessMode", "endpointAccessMode"),
        ),
    ),
    "aws:apigateway/stage:Stage": TypeMap(
        "AWS::ApiGateway::Stage",
        (
            F("RestApiId", "restApi"), F("DeploymentId", "deployment"), F("StageName", "stageName"), F("Description", "description"),
            F("TracingEnabled", "xrayTracingEnabled"),
            F("AccessLogSetting", "accessLogSettings", obj(F("DestinationArn", "destinationArn"), F("Format", "format"))),
        ),
    ),
    "aws:apigateway/domainName:DomainName": TypeMap(
        "AWS::ApiGateway::DomainName",
        (
            F("DomainName", "domainName"), F("RegionalCertificateArn", "regionalCertificateArn"), F("SecurityPolicy", "securityPolicy"),
            F("EndpointConfiguration", "endpointConfiguration", obj(F("Types", "types", listed(plain)), F("IpAddressType", "ipAddressType"))),
            F("EndpointAccessMode", "endpointAccessMode"),
        ),
    ),
}
"""Pulumi type -> its CloudFormation counterpart. Types not here are not checked against the specifications."""


def _metric_stat(value: Any, source: str) -> Converted | None:
    if not isinstance(value, Mapping):
        return None
    metric = _fields(value, (F("MetricName", "metricName"), F("Namespace", "namespace"), F("Dimensions", "dimensions", name_values("Name", "Value"))), prefix=f"{source}.")
    rest = _fields(value, (F("Period", "period"), F("Stat", "stat"), F("Unit", "unit")), prefix=f"{source}.")
    origins = {(): source, **{("Metric", *p): s for p, s in metric.origins.items()}, **rest.origins}
    return Converted({"Metric": metric.value, **rest.value}, origins)


# Queues and topics carry their policy inline too.
INLINE_POLICIES: dict[str, tuple[str, str, str]] = {
    "aws:sqs/queue:Queue": ("AWS::SQS::QueuePolicy", "Queues", "name"),
    "aws:sns/topic:Topic": ("AWS::SNS::TopicPolicy", "Topics", "name"),
}


def translate_resource(resource: Mapping[str, Any], logical_id: str) -> TemplateResource | None:
    """One plan resource as a CloudFormation resource, or None when its type is not covered."""
    token = str(resource.get("type") or "")
    inputs: Mapping[str, Any] = resource.get("inputs") or {}
    urn = str(resource.get("urn") or "")
    name = str(resource.get("name") or urn.rsplit("::", 1)[-1])
    if token in INLINE_POLICIES:
        cfn_type, target, _ = INLINE_POLICIES[token]
        policy = document(inputs.get("policy"), "policy")
        if policy is None:
            return None
        inline = {"PolicyDocument": policy.value, target: [inputs.get("name") or name]}
        return TemplateResource(logical_id, urn, cfn_type, inline, {("PolicyDocument", *p): s for p, s in policy.origins.items()})
    mapping = MAPPINGS.get(token)
    if mapping is None:
        return None
    properties: dict[str, Any] = {}
    origins: Origins = {}
    for item in mapping.fields:
        if isinstance(item, Nest):
            nested = _fields(inputs, item.fields)
            if nested.value:
                properties[item.cfn] = nested.value
                origins.update({(item.cfn, *p): s for p, s in nested.origins.items()})
            continue
        converted = item.convert(_get(inputs, item.source), item.source)
        if converted is None or converted.value in ({}, []):
            continue
        properties[item.cfn] = converted.value
        origins.update({(item.cfn, *p): s for p, s in converted.origins.items()})
    for key, fill in mapping.required:
        properties.setdefault(key, fill(inputs, name))
    return TemplateResource(logical_id, urn, mapping.cfn_type, properties, origins)


def translate(resources: Iterable[Mapping[str, Any]]) -> list[TemplateResource]:
    """Every covered resource of a plan, with logical ids ``R0001``... in plan order."""
    out: list[TemplateResource] = []
    for resource in resources:
        translated = translate_resource(resource, f"R{len(out) + 1:04d}")
        if translated is not None:
            out.append(translated)
    return out


def template(resources: Sequence[TemplateResource]) -> dict[str, Any]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {r.logical_id: {"Type": r.cfn_type, "Properties": r.properties} for r in resources},
    }

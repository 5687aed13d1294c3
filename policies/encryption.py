"""Encryption at rest with a customer-managed KMS key, wherever the service allows one.

Spec: "Security Architecture" (everything stateful encrypted with the stack's KMS keys).
Property names are pulumi-aws 7 inputs as the engine passes them (camelCase).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from .instance_storage import has_local_instance_storage
from .log_delivery import SSE_S3, access_log_destination_problem, names_bucket
from .common import UNKNOWN, cmk_problem, get, is_true, items, label, resource_policy, stack_policy
from .common import require_cmk as _key
from .common import require_true as _flag

RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
CACHE_REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
EBS_VOLUME = "aws:ebs/volume:Volume"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EC2_INSTANCE = "aws:ec2/instance:Instance"
EFS_FILE_SYSTEM = "aws:efs/fileSystem:FileSystem"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_COMPONENT = "eks:index:Cluster"
SAGEMAKER_ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SQS_QUEUE = "aws:sqs/queue:Queue"
SNS_TOPIC = "aws:sns/topic:Topic"
SECRET = "aws:secretsmanager/secret:Secret"
KMS_KEY = "aws:kms/key:Key"
ECR_REPOSITORY = "aws:ecr/repository:Repository"
ECR_CREATION_TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"
SCHEDULE = "aws:scheduler/schedule:Schedule"
S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_SSE_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
KMS_SSE_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


# --- RDS ---------------------------------------------------------------------------------


def _rds(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    fix_key = "pass the stack's data key (PlatformBaseline.keys['data'].arn)"
    if args.resource_type != RDS_CLUSTER_INSTANCE:
        yield from _flag(where, "storageEncrypted", get(props, "storageEncrypted"), "set storage_encrypted=True")
        yield from _key(where, "kmsKeyId", get(props, "kmsKeyId"), f"set kms_key_id: {fix_key}")
    if is_true(get(props, "performanceInsightsEnabled")):
        yield from _key(
            where,
            "performanceInsightsKmsKeyId",
            get(props, "performanceInsightsKmsKeyId"),
            f"set performance_insights_kms_key_id: {fix_key}",
        )


RDS_ENCRYPTED = resource_policy(
    name="rds-encrypted-with-cmk",
    description="RDS instances and clusters encrypt storage and Performance Insights with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(RDS_INSTANCE, RDS_CLUSTER, RDS_CLUSTER_INSTANCE),
    check=_rds,
    remediation="storage_encrypted=True, kms_key_id and performance_insights_kms_key_id = the stack's data key.",
)


# --- ElastiCache -------------------------------------------------------------------------


def _cache_at_rest(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == CACHE_REPLICATION_GROUP:
        yield from _flag(where, "atRestEncryptionEnabled", get(props, "atRestEncryptionEnabled"), "set at_rest_encryption_enabled=True")
    yield from _key(where, "kmsKeyId", get(props, "kmsKeyId"), "set kms_key_id to the stack's data key")


CACHE_ENCRYPTED_AT_REST = resource_policy(
    name="elasticache-encrypted-at-rest",
    description="ElastiCache replication groups and serverless caches encrypt at rest with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(CACHE_REPLICATION_GROUP, CACHE_SERVERLESS),
    check=_cache_at_rest,
    remediation="at_rest_encryption_enabled=True and kms_key_id = the stack's data key.",
)


# --- EBS: volumes, launch templates, instances ------------------------------------------


def _block_device(where: str, prop: str, device: Any, fix: str) -> Iterator[str]:
    if device is UNKNOWN:
        return
    yield from _flag(where, f"{prop}.encrypted", get(device, "encrypted"), f"set encrypted on {prop}")
    yield from _key(where, f"{prop}.kmsKeyId", get(device, "kmsKeyId"), fix)


def _ebs(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    fix = "set kms_key_id to the stack's storage key (PlatformBaseline.keys['storage'].arn)"
    if args.resource_type == EBS_VOLUME:
        yield from _block_device(where, "volume", props, fix)
    elif args.resource_type == LAUNCH_TEMPLATE:
        for index, mapping in enumerate(items(get(props, "blockDeviceMappings"))):
            ebs = get(mapping, "ebs")
            if ebs is not None:
                yield from _block_device(where, f"blockDeviceMappings[{index}].ebs", ebs, fix)
    elif args.resource_type == EC2_INSTANCE:
        # The root volume is always there, so an instance without rootBlockDevice has an unencrypted root.
        yield from _block_device(where, "rootBlockDevice", get(props, "rootBlockDevice", default={}), fix)
        for index, device in enumerate(items(get(props, "ebsBlockDevices"))):
            yield from _block_device(where, f"ebsBlockDevices[{index}]", device, fix)


EBS_ENCRYPTED = resource_policy(
    name="ebs-encrypted-with-cmk",
    description="EBS volumes, launch-template block devices and instance volumes are encrypted with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(EBS_VOLUME, LAUNCH_TEMPLATE, EC2_INSTANCE),
    check=_ebs,
    remediation="encrypted=True (\"true\" in launch templates) and kms_key_id = the stack's storage key.",
)


def _efs(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    yield from _flag(where, "encrypted", get(props, "encrypted"), "set encrypted=True")
    yield from _key(where, "kmsKeyId", get(props, "kmsKeyId"), "set kms_key_id to the stack's storage key")


EFS_ENCRYPTED = resource_policy(
    name="efs-encrypted-with-cmk",
    description="EFS file systems are encrypted with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(EFS_FILE_SYSTEM,),
    check=_efs,
    remediation="encrypted=True and kms_key_id = the stack's storage key.",
)


# --- EKS: the pulumi-eks component offline, its aws:eks cluster in a real preview -------


def _eks(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    fix = "pass the stack's eks key (PlatformBaseline.keys['eks'].arn)"
    if args.resource_type == EKS_COMPONENT:
        yield from _key(where, "encryptionConfigKeyArn", get(props, "encryptionConfigKeyArn"), f"set encryption_config_key_arn: {fix}")
        return
    config = get(props, "encryptionConfig")
    if config is UNKNOWN:
        return
    if config is None:
        yield f"{where}: encryptionConfig is not set, so Kubernetes secrets are stored unencrypted by a customer key. Fix: set encryption_config with resources=['secrets']: {fix}"
        return
    yield from _key(where, "encryptionConfig.provider.keyArn", get(config, "provider", "keyArn"), fix)
    resources = get(config, "resources")
    if resources is not UNKNOWN and "secrets" not in list(items(resources)):
        yield f"{where}: encryptionConfig.resources is {list(items(resources))!r}, must include 'secrets'. Fix: resources=['secrets']"


EKS_SECRETS_ENCRYPTED = resource_policy(
    name="eks-secrets-encrypted",
    description="EKS clusters envelope-encrypt Kubernetes secrets with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(EKS_COMPONENT, EKS_CLUSTER),
    check=_eks,
    remediation="eks.Cluster(encryption_config_key_arn=<eks key>) or aws.eks.Cluster(encryption_config={'provider': {'keyArn': ...}, 'resources': ['secrets']}).",
)


# --- single-key services ------------------------------------------------------------------


def _single_key(prop: str, fix: str) -> Any:
    def check(args: ResourceValidationArgs) -> Iterator[str]:
        yield from _key(label(args.resource_type, args.name), prop, get(args.props, prop), fix)

    return check


def _sagemaker_endpoint_config(args: ResourceValidationArgs) -> Iterator[str]:
    # Instance types with local NVMe storage are hardware-encrypted and SageMaker refuses a
    # KMS key for them; only configurations where every variant is such a type are exempt.
    variants = items(get(args.props, "productionVariants"))
    types = [get(v, "instanceType") for v in variants]
    if types and all(isinstance(t, str) and t.startswith("ml.") and has_local_instance_storage(t) for t in types):
        return
    yield from _key(
        label(args.resource_type, args.name),
        "kmsKeyArn",
        get(args.props, "kmsKeyArn"),
        "set kms_key_arn to the stack's data key (PlatformBaseline.keys['data'].arn)",
    )


SAGEMAKER_ENCRYPTED = resource_policy(
    name="sagemaker-endpoint-encrypted",
    description="SageMaker endpoint configurations encrypt the endpoint's ML storage volumes with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(SAGEMAKER_ENDPOINT_CONFIG,),
    check=_sagemaker_endpoint_config,
    remediation="kms_key_arn = the stack's data key (unless every variant runs on local-NVMe instances).",
)

LOG_GROUP_ENCRYPTED = resource_policy(
    name="log-group-encrypted-with-cmk",
    description="CloudWatch log groups are encrypted with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(LOG_GROUP,),
    check=_single_key("kmsKeyId", "set kms_key_id to the stack's logs key (PlatformBaseline.keys['logs'].arn)"),
    remediation="kms_key_id = the stack's logs key.",
)

SQS_ENCRYPTED = resource_policy(
    name="sqs-queue-encrypted-with-cmk",
    description="SQS queues are encrypted with a customer-managed KMS key (not SQS-managed SSE).",
    severity=Severity.HIGH,
    types=(SQS_QUEUE,),
    check=_single_key("kmsMasterKeyId", "set kms_master_key_id to the stack's data key"),
    remediation="kms_master_key_id = the stack's data key.",
)

SNS_ENCRYPTED = resource_policy(
    name="sns-topic-encrypted-with-cmk",
    description="SNS topics are encrypted with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(SNS_TOPIC,),
    check=_single_key("kmsMasterKeyId", "set kms_master_key_id to the stack's alarms key"),
    remediation="kms_master_key_id = a customer-managed key (the alarms key for the alarm topic).",
)

def _secret(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    yield from _key(where, "kmsKeyId", get(props, "kmsKeyId"), "set kms_key_id to the stack's data key")
    # A replica without KmsKeyId is encrypted with aws/secretsmanager in its Region (ReplicaRegionType).
    for replica in items(get(props, "replicas")):
        region = get(replica, "region")
        yield from _key(
            where, f"replicas[{region}].kmsKeyId", get(replica, "kmsKeyId"), f"set the replica's kms_key_id to a customer-managed key in {region}"
        )


SECRET_ENCRYPTED = resource_policy(
    name="secret-encrypted-with-cmk",
    description="Secrets Manager secrets, and their replicas in other Regions, are encrypted with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(SECRET,),
    check=_secret,
    remediation="kms_key_id = the stack's data key; each replica's kms_key_id = a customer-managed key in its Region (the DR data key).",
)

SCHEDULE_ENCRYPTED = resource_policy(
    name="scheduler-schedule-encrypted-with-cmk",
    description="EventBridge Scheduler schedules encrypt their stored payload with a customer-managed KMS key.",
    severity=Severity.MEDIUM,
    types=(SCHEDULE,),
    check=_single_key(
        "kmsKeyArn",
        "set kms_key_arn to a stack key (the alarms key for operational schedules) and give the schedule's role kms:Decrypt on it",
    ),
    remediation="kms_key_arn = a customer-managed key; the execution role needs kms:Decrypt on it.",
)


def _kms_rotation(args: ResourceValidationArgs) -> Iterator[str]:
    props = args.props
    spec = get(props, "customerMasterKeySpec", default="SYMMETRIC_DEFAULT")
    usage = get(props, "keyUsage", default="ENCRYPT_DECRYPT")
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        return  # AWS rotates only symmetric encryption keys.
    yield from _flag(
        label(args.resource_type, args.name), "enableKeyRotation", get(props, "enableKeyRotation"), "set enable_key_rotation=True"
    )


KMS_ROTATION = resource_policy(
    name="kms-key-rotation-enabled",
    description="Symmetric customer-managed KMS keys rotate their key material yearly.",
    severity=Severity.MEDIUM,
    types=(KMS_KEY,),
    check=_kms_rotation,
    remediation="enable_key_rotation=True.",
)


# --- S3: encryption is a separate resource in pulumi-aws 7, so this is a stack check -----


depends_on = names_bucket
"""Whether a resource's prop refers to a bucket (by dependency or explicit name); see ``log_delivery``."""


def _sse_problem(config: PolicyResource) -> Optional[str]:
    rules = list(items(get(config.props, "rules")))
    if not rules:
        return "has no rules"
    for rule in rules:
        default = get(rule, "applyServerSideEncryptionByDefault")
        if default is UNKNOWN or rule is UNKNOWN:
            continue
        algorithm = get(default, "sseAlgorithm")
        if algorithm is not UNKNOWN and algorithm not in KMS_SSE_ALGORITHMS:
            return f"uses sseAlgorithm {algorithm!r}, not aws:kms"
        problem = cmk_problem(get(default, "kmsMasterKeyId"))
        if problem:
            return f"kmsMasterKeyId {problem}"
    return None


def _s3(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    configs = [r for r in args.resources if r.resource_type in S3_SSE_CONFIGS]
    for bucket in (r for r in args.resources if r.resource_type in S3_BUCKETS):
        where = label(bucket.resource_type, bucket.name)
        fix = (
            "Fix: add aws.s3.BucketServerSideEncryptionConfiguration(bucket=<bucket>.id, rules=[{apply_server_side_"
            "encryption_by_default: {sse_algorithm: 'aws:kms', kms_master_key_id: <storage key>}, bucket_key_enabled: True}])"
        )
        mine = [c for c in configs if depends_on(c, "bucket", bucket)]
        if not mine:
            yield f"{where}: no server-side encryption configuration resource names this bucket. {fix}", bucket.urn
        for config in mine:
            problem = _sse_problem(config)
            if not problem:
                continue
            if problem == f"uses sseAlgorithm {SSE_S3!r}, not aws:kms":
                # The documented exception: the destination of an SSE-S3-only log producer.
                why_not = access_log_destination_problem(bucket, args.resources, S3_SSE_CONFIGS)
                if why_not is None:
                    continue
                problem = f"{problem} (not the SSE-S3 access-log exception: {why_not})"
            yield f"{where}: its encryption configuration '{config.name}' {problem}. {fix}", bucket.urn


S3_ENCRYPTED = stack_policy(
    name="s3-bucket-encrypted-with-cmk",
    description=(
        "Every S3 bucket has a server-side encryption configuration using aws:kms with a customer-managed key,"
        " except a server access log destination (SSE-S3 only, by AWS's rule) that holds nothing else."
    ),
    severity=Severity.HIGH,
    check=_s3,
    remediation="One aws.s3.BucketServerSideEncryptionConfiguration per bucket with sse_algorithm aws:kms and the stack's storage key.",
)

# --- ECR ---------------------------------------------------------------------------------


def _ecr_immutable(where: str, props: Any) -> Iterator[str]:
    mutability = get(props, "imageTagMutability")
    if mutability is not UNKNOWN and mutability != "IMMUTABLE":
        shown = "not set (MUTABLE)" if mutability is None else repr(mutability)
        yield f"{where}: imageTagMutability is {shown}, must be 'IMMUTABLE'. Fix: set image_tag_mutability=\"IMMUTABLE\""


def _ecr_kms(where: str, props: Any, fix: str) -> Iterator[str]:
    """``encryptionConfigurations[0]``: KMS with a customer key (KMS without a key is ECR's AWS-managed aws/ecr)."""
    kind = get(props, "encryptionConfigurations", 0, "encryptionType")
    if kind is UNKNOWN:
        return
    if kind not in ("KMS", "KMS_DSSE"):
        shown = "not set (AES256)" if kind is None else str(kind)
        yield f"{where}: encryptionConfigurations[0].encryptionType is {shown}, must be KMS. Fix: {fix}"
        return
    yield from _key(where, "encryptionConfigurations[0].kmsKey", get(props, "encryptionConfigurations", 0, "kmsKey"), fix)


def _ecr(args: ResourceValidationArgs) -> Iterator[str]:
    """Immutable tags (a tag always names one image), scan on push, images under a customer key."""
    where, props = label(args.resource_type, args.name), args.props
    yield from _ecr_immutable(where, props)
    yield from _flag(
        where,
        "imageScanningConfiguration.scanOnPush",
        get(props, "imageScanningConfiguration", "scanOnPush"),
        "set image_scanning_configuration=RepositoryImageScanningConfigurationArgs(scan_on_push=True)",
    )
    yield from _ecr_kms(where, props, "set encryption_configurations=[{encryption_type: KMS, kms_key: the stack's storage key}]")


def _ecr_template(args: ResourceValidationArgs) -> Iterator[str]:
    """The repositories ECR creates (replicas, pull-through caches) as safe as the ones the stack creates:
    without a template, or with one that leaves these out, ECR uses AES256, mutable tags and no lifecycle."""
    where, props = label(args.resource_type, args.name), args.props
    yield from _ecr_immutable(where, props)
    fix = "set encryption_configurations=[{encryption_type: KMS, kms_key: a customer key in the template's Region}] and custom_role_arn"
    yield from _ecr_kms(where, props, fix)
    # ECR needs a custom role to use a customer key (or to tag) when it creates a repository from the template.
    role = get(props, "customRoleArn")
    if role is not UNKNOWN and not role and get(props, "encryptionConfigurations", 0, "kmsKey"):
        yield f"{where}: customRoleArn is not set, so ECR cannot grant itself the KMS key when it creates a repository. Fix: {fix}"
    policy = get(props, "lifecyclePolicy")
    if policy is not UNKNOWN and not policy:
        yield f"{where}: lifecyclePolicy is not set, so the created repositories keep every image (ECR.3). Fix: the source repositories' lifecycle policy"


ECR_REPOSITORY_SAFE = resource_policy(
    name="ecr-repository-immutable-scanned-cmk",
    description="ECR repositories have immutable tags, scan on push and encrypt images with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(ECR_REPOSITORY,),
    check=_ecr,
    remediation="image_tag_mutability IMMUTABLE, scan_on_push True, encryption_configurations KMS with the storage key.",
)

ECR_TEMPLATE_SAFE = resource_policy(
    name="ecr-creation-template-immutable-cmk",
    description=(
        "ECR repository creation templates (replication, pull through cache) make immutable repositories encrypted with a"
        " customer-managed KMS key (through a custom role) and with a lifecycle policy."
    ),
    severity=Severity.HIGH,
    types=(ECR_CREATION_TEMPLATE,),
    check=_ecr_template,
    remediation="image_tag_mutability IMMUTABLE, encryption_configurations KMS with a key in the template's Region, custom_role_arn, lifecycle_policy.",
)


POLICIES = [
    RDS_ENCRYPTED,
    CACHE_ENCRYPTED_AT_REST,
    S3_ENCRYPTED,
    EBS_ENCRYPTED,
    EFS_ENCRYPTED,
    EKS_SECRETS_ENCRYPTED,
    SAGEMAKER_ENCRYPTED,
    LOG_GROUP_ENCRYPTED,
    SQS_ENCRYPTED,
    SNS_ENCRYPTED,
    SECRET_ENCRYPTED,
    KMS_ROTATION,
    ECR_REPOSITORY_SAFE,
    ECR_TEMPLATE_SAFE,
    SCHEDULE_ENCRYPTED,
]

"""Data stores, used today or not yet: the FSBP settings beyond encryption with a customer key.

RDS, ElastiCache, EFS, Secrets Manager (used) and DynamoDB, DAX, OpenSearch/Elasticsearch, Kinesis,
Firehose and SageMaker notebooks (not used yet: the first one added is guarded
from the start). Encryption at rest with a customer-managed key is part of each store's rule where
no older policy covers it. Production-only resilience settings (Multi-AZ, automatic failover, more
than one endpoint instance) are ``production-resilience``: staging runs single-AZ to halve its cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any, Optional

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import UNKNOWN, get, is_false, is_true, items, label, require_cmk, require_true, resource_policy, stack_policy
from .encryption import (
    CACHE_REPLICATION_GROUP,
    EFS_FILE_SYSTEM,
    RDS_CLUSTER,
    RDS_INSTANCE,
    SAGEMAKER_ENDPOINT_CONFIG,
    SECRET,
)
from .exposure import public_subnets

CACHE_CLUSTER = "aws:elasticache/cluster:Cluster"
EFS_ACCESS_POINT = "aws:efs/accessPoint:AccessPoint"
EFS_MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
EFS_BACKUP_POLICY = "aws:efs/backupPolicy:BackupPolicy"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
DAX_CLUSTER = "aws:dax/cluster:Cluster"
OPENSEARCH_DOMAINS = ("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain")
KINESIS_STREAM = "aws:kinesis/stream:Stream"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
SAGEMAKER_NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
SAGEMAKER_MODEL = "aws:sagemaker/model:Model"

DEFAULT_ADMIN_USERNAMES = ("postgres", "admin", "root", "sa", "master")
"""Engine default master user names (RDS.24/RDS.25 fail on the first two; the rest are as guessable)."""
MAX_ROTATION_DAYS = 90
"""Security Hub SecretsManager.4's default maximum."""
MIN_KINESIS_RETENTION_HOURS = 168
"""Security Hub Kinesis.3's default minimum (seven days)."""
MODERN_OPENSEARCH_TLS = ("Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10")


# --- RDS ------------------------------------------------------------------------------------------


def _log_exports_needed(engine: str) -> tuple[str, ...]:
    """The log types RDS.9/RDS.36/RDS.37 (and RDS.34/RDS.40/RDS.42) want exported per engine."""
    if "postgres" in engine:
        return ("postgresql",)
    if "mysql" in engine or "mariadb" in engine:
        return ("audit", "error", "general", "slowquery")
    if "sqlserver" in engine:
        return ("agent", "error")
    return ()


def _rds(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    replica = get(props, "replicateSourceDb") not in (None, "") or get(props, "replicationSourceIdentifier") not in (None, "")
    engine = get(props, "engine")
    if isinstance(engine, str):
        exports = get(props, "enabledCloudwatchLogsExports")
        if exports is not UNKNOWN:
            missing = [t for t in _log_exports_needed(engine) if t not in list(items(exports))]
            if missing:
                yield f"{where}: enabledCloudwatchLogsExports lacks {missing} (RDS.9/RDS.36). Fix: enabled_cloudwatch_logs_exports={list(_log_exports_needed(engine))}"
    yield from require_true(
        where, "iamDatabaseAuthenticationEnabled", get(props, "iamDatabaseAuthenticationEnabled"), "set iam_database_authentication_enabled=True (RDS.10/RDS.12)"
    )
    yield from require_true(where, "copyTagsToSnapshot", get(props, "copyTagsToSnapshot"), "set copy_tags_to_snapshot=True (RDS.16/RDS.17)")
    if is_false(get(props, "autoMinorVersionUpgrade")) and get(props, "autoMinorVersionUpgrade") is not None:
        yield f"{where}: autoMinorVersionUpgrade is false (RDS.13/RDS.35). Fix: auto_minor_version_upgrade=True"
    if args.resource_type == RDS_INSTANCE:
        interval = get(props, "monitoringInterval")
        if interval is not UNKNOWN and not (isinstance(interval, (int, float)) and interval > 0):
            yield f"{where}: monitoringInterval is {interval!r}, so Enhanced Monitoring is off (RDS.6). Fix: monitoring_interval=60 with a monitoring role"
        if get(props, "dbSubnetGroupName") is None:
            yield f"{where}: dbSubnetGroupName is not set, so the instance lands in the default VPC (RDS.18). Fix: the VPC's private DB subnet group"
    if replica:
        return  # a replica's backups and master user are its primary's
    retention = get(props, "backupRetentionPeriod")
    if retention is not UNKNOWN and not (isinstance(retention, (int, float)) and retention >= 7):
        yield f"{where}: backupRetentionPeriod is {retention!r}, under 7 days (RDS.11). Fix: backup_retention_period=7 or more"
    username = get(props, "username" if args.resource_type == RDS_INSTANCE else "masterUsername")
    if isinstance(username, str) and username.lower() in DEFAULT_ADMIN_USERNAMES:
        yield f"{where}: the master user is the engine default {username!r} (RDS.24/RDS.25). Fix: a project-specific name"


RDS_HARDENED = resource_policy(
    name="rds-hardened",
    description=(
        "RDS instances and clusters: logs to CloudWatch, IAM authentication, tags copied to snapshots, minor upgrades, Enhanced"
        " Monitoring, a VPC subnet group, 7-day backups and a non-default master user (RDS.6, 9-13, 16-18, 24, 25, 35-37)."
    ),
    severity=Severity.MEDIUM,
    types=(RDS_INSTANCE, RDS_CLUSTER),
    check=_rds,
    remediation="See docs/policies.md (FSBP table, RDS rows).",
)


# --- ElastiCache ----------------------------------------------------------------------------------


def _engine_major(version: Any) -> Optional[int]:
    try:
        return int(str(version).split(".", 1)[0])
    except ValueError:
        return None


def _cache(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == CACHE_CLUSTER and get(props, "replicationGroupId") not in (None, ""):
        return  # a member of a replication group: the group carries these settings
    if args.resource_type == CACHE_CLUSTER and get(props, "engine") == "memcached":
        yield f"{where}: Memcached has no encryption at rest, backups or AUTH. Fix: a Redis/Valkey replication group"
        return
    retention = get(props, "snapshotRetentionLimit")
    if retention is not UNKNOWN and not (isinstance(retention, (int, float)) and retention > 0):
        yield f"{where}: snapshotRetentionLimit is {retention!r}, so no automatic backups (ElastiCache.1). Fix: snapshot_retention_limit=1 or more"
    auto_upgrade = get(props, "autoMinorVersionUpgrade")
    if auto_upgrade is not None and is_false(auto_upgrade):
        yield f"{where}: autoMinorVersionUpgrade is false (ElastiCache.2). Fix: auto_minor_version_upgrade=True"
    subnet_group = get(props, "subnetGroupName")
    if subnet_group == "default":
        yield f"{where}: subnetGroupName is 'default' (ElastiCache.7). Fix: the VPC's private cache subnet group"
    major = _engine_major(get(props, "engineVersion"))
    if major is not None and major < 6 and get(props, "authToken") in (None, ""):
        yield f"{where}: Redis {major} without authToken (ElastiCache.6). Fix: auth_token from a generated secret, or engine 7"


CACHE_HARDENED = resource_policy(
    name="elasticache-hardened",
    description="ElastiCache: automatic backups, minor upgrades, not the default subnet group, AUTH before Redis 6, no Memcached (ElastiCache.1, 2, 6, 7).",
    severity=Severity.MEDIUM,
    types=(CACHE_REPLICATION_GROUP, CACHE_CLUSTER),
    check=_cache,
    remediation="snapshot_retention_limit >= 1, auto_minor_version_upgrade, the VPC's cache subnet group.",
)


# --- production resilience -------------------------------------------------------------------------


def _resilience(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    if args.resource_type == RDS_INSTANCE:
        if get(props, "replicateSourceDb") in (None, ""):
            yield from require_true(where, "multiAz", get(props, "multiAz"), "set multi_az=True (RDS.5)")
    elif args.resource_type == CACHE_REPLICATION_GROUP:
        yield from require_true(where, "automaticFailoverEnabled", get(props, "automaticFailoverEnabled"), "set automatic_failover_enabled=True (ElastiCache.3)")
    elif args.resource_type == SAGEMAKER_ENDPOINT_CONFIG:
        for index, variant in enumerate(items(get(props, "productionVariants"))):
            count = get(variant, "initialInstanceCount")
            if isinstance(count, (int, float)) and count < 2:
                yield f"{where}: productionVariants[{index}].initialInstanceCount is {count:g}, one instance in one AZ (SageMaker.4). Fix: 2 or more"


PRODUCTION_RESILIENCE = resource_policy(
    name="production-resilience",
    description="In production: RDS primaries Multi-AZ, replication groups with automatic failover, endpoint variants on two or more instances (RDS.5, ElastiCache.3, SageMaker.4).",
    severity=Severity.HIGH,
    types=(RDS_INSTANCE, CACHE_REPLICATION_GROUP, SAGEMAKER_ENDPOINT_CONFIG),
    check=_resilience,
    remediation="multi_az=True, automatic_failover_enabled=True, initial_instance_count >= 2 (production settings).",
)


# --- EFS ------------------------------------------------------------------------------------------


def _deps(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    return list(resource.property_dependencies.get(prop, []))


def _efs(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    public = public_subnets(args.resources)
    backups = [r for r in args.resources if r.resource_type == EFS_BACKUP_POLICY]
    for r in args.resources:
        where, props = label(r.resource_type, r.name), r.props
        if r.resource_type == EFS_ACCESS_POINT:
            path = get(props, "rootDirectory", "path")
            if path is not UNKNOWN and path in (None, "", "/"):
                yield f"{where}: rootDirectory.path is {path!r}, the whole file system (EFS.3). Fix: root_directory with its own path", r.urn
            if get(props, "posixUser") is None:
                yield f"{where}: posixUser is not set, so clients choose their own uid/gid (EFS.4). Fix: posix_user uid/gid", r.urn
        elif r.resource_type == EFS_MOUNT_TARGET:
            exposed = [d.name for d in _deps(r, "subnetId") if d.urn in public]
            if exposed:
                yield f"{where}: mounts into public subnet {exposed[0]} (EFS.6). Fix: the VPC's private subnets", r.urn
        elif r.resource_type == EFS_FILE_SYSTEM:
            mine = [b for b in backups if any(d.urn == r.urn for d in _deps(b, "fileSystemId"))]
            if not mine or any(get(b.props, "backupPolicy", "status") not in ("ENABLED", UNKNOWN) for b in mine):
                yield f"{where}: no enabled backup policy names this file system (EFS.7). Fix: aws.efs.BackupPolicy(status='ENABLED')", r.urn


EFS_HARDENED = stack_policy(
    name="efs-hardened",
    description="EFS: automatic backups, access points with their own root and POSIX user, mount targets in private subnets (EFS.3, 4, 6, 7).",
    severity=Severity.MEDIUM,
    check=_efs,
    remediation="aws.efs.BackupPolicy ENABLED; access points with root_directory and posix_user; mount targets in private subnets.",
)


# --- Secrets Manager ---------------------------------------------------------------------------------


def _auth_token_secret(secret: PolicyResource, resources: list[PolicyResource]) -> bool:
    """A secret holding a replication group's Redis AUTH token (its version is built from the same password).

    ElastiCache changes an AUTH token only through ModifyReplicationGroup (AuthTokenUpdateStrategy
    ROTATE then SET): Secrets Manager has no rotation function for it, so these secrets rotate by
    runbook (docs/data.md), the one documented exception to SecretsManager.1.
    """
    groups = {r.urn: r for r in resources if r.resource_type == CACHE_REPLICATION_GROUP}
    for version in resources:
        if version.resource_type != SECRET_VERSION or not any(d.urn == secret.urn for d in _deps(version, "secretId")):
            continue
        sources = {d.urn for d in _deps(version, "secretString")}
        for urn in sources & set(groups):
            if sources & {d.urn for d in _deps(groups[urn], "authToken")}:
                return True
    return False


def _secrets(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    rotations = [r for r in args.resources if r.resource_type == SECRET_ROTATION]
    manual = [str(p) for p in (args.get_config() or {}).get("manualRotation", [])]
    for secret in (r for r in args.resources if r.resource_type == SECRET):
        where = label(secret.resource_type, secret.name)
        mine = [r for r in rotations if any(d.urn == secret.urn for d in _deps(r, "secretId"))]
        if not mine:
            if not _auth_token_secret(secret, args.resources) and not any(fnmatchcase(secret.name, p) for p in manual):
                yield (
                    f"{where}: no rotation names this secret (SecretsManager.1). "
                    "Fix: aws.secretsmanager.SecretRotation with a rotation function (or let RDS manage the password)",
                    secret.urn,
                )
            continue
        for rotation in mine:
            days = get(rotation.props, "rotationRules", "automaticallyAfterDays")
            if isinstance(days, (int, float)) and days > MAX_ROTATION_DAYS:
                yield f"{where}: rotated every {days:g} days, over {MAX_ROTATION_DAYS} (SecretsManager.4). Fix: automatically_after_days <= {MAX_ROTATION_DAYS}", secret.urn
            if is_false(get(rotation.props, "rotationEnabled")) and get(rotation.props, "rotationEnabled") is not None:
                yield f"{where}: its rotation is disabled (SecretsManager.1). Fix: rotation_enabled=True", secret.urn


def _validate_secrets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for message, urn in _secrets(args):
        report_violation(message, urn)


SECRETS_ROTATED = StackValidationPolicy(
    name="secrets-rotated",
    description=(
        "Every Secrets Manager secret rotates automatically, at least every 90 days (SecretsManager.1, 4); Redis AUTH-token"
        " secrets and the secrets the stack's policy config lists under manualRotation rotate by runbook."
    ),
    validate=_validate_secrets,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    config_schema=PolicyConfigSchema(properties={"manualRotation": {"type": "array", "items": {"type": "string"}}}),
    remediation_steps="aws.secretsmanager.SecretRotation(rotation_rules={'automatically_after_days': 30}) per secret.",
)


# --- stores not used yet ------------------------------------------------------------------------------


def _dynamodb(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    scaled = {d.urn for r in args.resources if r.resource_type == "aws:appautoscaling/target:Target" for d in _deps(r, "resourceId")}
    for table in (r for r in args.resources if r.resource_type == DYNAMODB_TABLE):
        where, props = label(table.resource_type, table.name), table.props
        if get(props, "billingMode") != "PAY_PER_REQUEST" and table.urn not in scaled:
            yield f"{where}: provisioned capacity without Application Auto Scaling (DynamoDB.1). Fix: billing_mode='PAY_PER_REQUEST' or scaling targets", table.urn
        if not is_true(get(props, "pointInTimeRecovery", "enabled")) and get(props, "pointInTimeRecovery", "enabled") is not UNKNOWN:
            yield f"{where}: point-in-time recovery is off (DynamoDB.2). Fix: point_in_time_recovery={{'enabled': True}}", table.urn
        encryption = get(props, "serverSideEncryption")
        if encryption is not UNKNOWN:
            if not is_true(get(encryption, "enabled")):
                yield f"{where}: serverSideEncryption is not enabled, so an AWS-owned key encrypts it. Fix: server_side_encryption enabled with kms_key_arn", table.urn
            else:
                for message in require_cmk(where, "serverSideEncryption.kmsKeyArn", get(encryption, "kmsKeyArn"), "set kms_key_arn to the data key"):
                    yield message, table.urn


DYNAMODB_HARDENED = stack_policy(
    name="dynamodb-table-hardened",
    description="DynamoDB tables: on-demand or auto-scaled capacity, point-in-time recovery, a customer-managed key (DynamoDB.1, 2).",
    severity=Severity.HIGH,
    check=_dynamodb,
    remediation="billing_mode PAY_PER_REQUEST, point_in_time_recovery enabled, server_side_encryption with the data key.",
)


def _single_resource_rules(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    t = args.resource_type
    if t == DAX_CLUSTER:
        yield from require_true(where, "serverSideEncryption.enabled", get(props, "serverSideEncryption", "enabled"), "server_side_encryption={'enabled': True} (DynamoDB.3)")
        if get(props, "clusterEndpointEncryptionType") != "TLS":
            yield f"{where}: clusterEndpointEncryptionType is not TLS (DynamoDB.7). Fix: cluster_endpoint_encryption_type='TLS'"
    elif t in OPENSEARCH_DOMAINS:
        yield from require_true(where, "encryptAtRest.enabled", get(props, "encryptAtRest", "enabled"), "encrypt_at_rest enabled (OpenSearch.1/ES.1)")
        yield from require_cmk(where, "encryptAtRest.kmsKeyId", get(props, "encryptAtRest", "kmsKeyId"), "set kms_key_id to the data key")
        if get(props, "vpcOptions") is None:
            yield f"{where}: no vpcOptions, so the domain has a public endpoint (OpenSearch.2/ES.2). Fix: vpc_options in the private subnets"
        yield from require_true(where, "nodeToNodeEncryption.enabled", get(props, "nodeToNodeEncryption", "enabled"), "node_to_node_encryption enabled (OpenSearch.3/ES.3)")
        logs = {get(o, "logType"): o for o in items(get(props, "logPublishingOptions"))}
        for log_type, control in (("ES_APPLICATION_LOGS", "OpenSearch.4/ES.4"), ("AUDIT_LOGS", "OpenSearch.5/ES.5")):
            option = logs.get(log_type)
            if option is None or is_false(get(option, "enabled", default=True)):
                yield f"{where}: {log_type} are not published to CloudWatch Logs ({control}). Fix: log_publishing_options {log_type}"
        cluster = get(props, "clusterConfig")
        count = get(cluster, "instanceCount")
        if isinstance(count, (int, float)) and count < 3:
            yield f"{where}: clusterConfig.instanceCount is {count:g}, under 3 data nodes (OpenSearch.6/ES.6). Fix: 3 or more, zone awareness on"
        masters = get(cluster, "dedicatedMasterCount")
        if not is_true(get(cluster, "dedicatedMasterEnabled")) or (isinstance(masters, (int, float)) and masters < 3):
            yield f"{where}: fewer than 3 dedicated master nodes (OpenSearch.11/ES.7). Fix: dedicated_master_enabled with dedicated_master_count=3"
        if not is_true(get(props, "advancedSecurityOptions", "enabled")) and t == OPENSEARCH_DOMAINS[0]:
            yield f"{where}: fine-grained access control is off (OpenSearch.7). Fix: advanced_security_options enabled"
        endpoint = get(props, "domainEndpointOptions")
        yield from require_true(where, "domainEndpointOptions.enforceHttps", get(endpoint, "enforceHttps"), "enforce_https=True")
        policy = get(endpoint, "tlsSecurityPolicy")
        if policy is not UNKNOWN and policy not in MODERN_OPENSEARCH_TLS:
            yield f"{where}: tlsSecurityPolicy is {policy!r} (OpenSearch.8/ES.8). Fix: 'Policy-Min-TLS-1-2-PFS-2023-10'"
    elif t == KINESIS_STREAM:
        if get(props, "encryptionType") != "KMS":
            yield f"{where}: encryptionType is {get(props, 'encryptionType')!r}, not KMS (Kinesis.1). Fix: encryption_type='KMS' with kms_key_id"
        else:
            yield from require_cmk(where, "kmsKeyId", get(props, "kmsKeyId"), "set kms_key_id to a customer-managed key (not alias/aws/kinesis)")
        hours = get(props, "retentionPeriod")
        if hours is not UNKNOWN and not (isinstance(hours, (int, float)) and hours >= MIN_KINESIS_RETENTION_HOURS):
            yield f"{where}: retentionPeriod is {hours!r} hours, under {MIN_KINESIS_RETENTION_HOURS} (Kinesis.3). Fix: retention_period={MIN_KINESIS_RETENTION_HOURS}"
    elif t == FIREHOSE:
        if get(props, "kinesisSourceConfiguration") is not None or get(props, "mskSourceConfiguration") is not None:
            return  # records stay encrypted by the source stream; Firehose SSE applies to Direct PUT only
        encryption = get(props, "serverSideEncryption")
        if encryption is UNKNOWN:
            return
        if not is_true(get(encryption, "enabled")):
            yield f"{where}: serverSideEncryption is not enabled (DataFirehose.1). Fix: server_side_encryption enabled, key_type CUSTOMER_MANAGED_CMK"
        elif get(encryption, "keyType") != "CUSTOMER_MANAGED_CMK":
            yield f"{where}: serverSideEncryption.keyType is {get(encryption, 'keyType')!r}, an AWS-owned key. Fix: key_type='CUSTOMER_MANAGED_CMK' with key_arn"
        else:
            yield from require_cmk(where, "serverSideEncryption.keyArn", get(encryption, "keyArn"), "set key_arn to the logs key")
    elif t == SAGEMAKER_NOTEBOOK:
        if get(props, "directInternetAccess") != "Disabled":
            yield f"{where}: directInternetAccess is not 'Disabled' (SageMaker.1). Fix: direct_internet_access='Disabled'"
        if get(props, "subnetId") is None:
            yield f"{where}: no subnetId, so the notebook runs outside the VPC (SageMaker.2). Fix: subnet_id in the ML tier"
        if get(props, "rootAccess") != "Disabled":
            yield f"{where}: rootAccess is not 'Disabled' (SageMaker.3). Fix: root_access='Disabled'"
        yield from require_cmk(where, "kmsKeyId", get(props, "kmsKeyId"), "set kms_key_id to the data key")


STORES_HARDENED = resource_policy(
    name="data-stores-hardened",
    description=(
        "Stores and pipelines not used yet are guarded from the start: DAX, OpenSearch/Elasticsearch, Kinesis streams, Firehose"
        " and SageMaker notebooks encrypt with customer keys and stay private (Backup vaults: backup-vault-encrypted-with-cmk)."
    ),
    severity=Severity.HIGH,
    types=(DAX_CLUSTER, *OPENSEARCH_DOMAINS, KINESIS_STREAM, FIREHOSE, SAGEMAKER_NOTEBOOK),
    check=_single_resource_rules,
    remediation="See docs/policies.md (FSBP table: DynamoDB, OpenSearch, Kinesis, DataFirehose, SageMaker rows).",
)

def _serverless_only(model: PolicyResource, resources: list[PolicyResource]) -> bool:
    """Whether every endpoint configuration serving ``model`` runs it serverless (and at least one does).

    AWS documents network isolation and VPC configuration among the features Serverless Inference
    does not support, so such a model cannot be isolated: the one exception to SageMaker.5.
    """
    serving = [
        r for r in resources if r.resource_type == SAGEMAKER_ENDPOINT_CONFIG and any(d.urn == model.urn for d in _deps(r, "productionVariants"))
    ]
    return bool(serving) and all(
        all(get(v, "serverlessConfig") is not None for v in items(get(r.props, "productionVariants"))) for r in serving
    )


def _models(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    for model in (r for r in args.resources if r.resource_type == SAGEMAKER_MODEL):
        flag = get(model.props, "enableNetworkIsolation")
        if flag is UNKNOWN or is_true(flag) or _serverless_only(model, args.resources):
            continue
        shown = "not set" if flag is None else repr(flag)
        yield (
            f"{label(model.resource_type, model.name)}: enableNetworkIsolation is {shown}, so the container "
            "may call out (SageMaker.5). Fix: enable_network_isolation=True (artifacts are still fetched by SageMaker)",
            model.urn,
        )


SAGEMAKER_MODELS_ISOLATED = stack_policy(
    name="sagemaker-models-network-isolated",
    description="SageMaker models run network-isolated (SageMaker.5), except models only a serverless endpoint serves (AWS supports no isolation there).",
    severity=Severity.MEDIUM,
    check=_models,
    remediation="enable_network_isolation=True on every model an instance-based endpoint serves.",
)

POLICIES = [SAGEMAKER_MODELS_ISOLATED, RDS_HARDENED, CACHE_HARDENED, PRODUCTION_RESILIENCE, EFS_HARDENED, SECRETS_ROTATED, DYNAMODB_HARDENED, STORES_HARDENED]

"""Backups and replicas: recovery points under customer-managed keys, production's stores all backed up, and
failover records that can actually fail over.

Spec: "Disaster Recovery" (backups, cross-Region replication) and "Security Architecture"
(everything stateful encrypted with the stack's KMS keys). A backup or a replica is as sensitive
as its source: a vault or a replication destination under an AWS-managed key could not be
shared, audited or revoked like the rest of the data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any, Optional

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from .common import PRODUCTION_STACKS_SCHEMA, UNKNOWN, judged_as_production, get, items, label, require_cmk, resource_policy, stack_policy
from .encryption import EFS_FILE_SYSTEM, RDS_CLUSTER, RDS_INSTANCE
from .tagging import provider_default_tags

BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_SELECTION = "aws:backup/selection:Selection"
RDS_BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
EFS_REPLICATION = "aws:efs/replicationConfiguration:ReplicationConfiguration"
S3_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
EBS_VOLUME = "aws:ebs/volume:Volume"

# Stateful types AWS Backup protects -> (ARN service, resource part before the name) of their ARNs.
STATEFUL_ARNS: dict[str, tuple[str, str]] = {
    RDS_INSTANCE: ("rds", "db:"),
    RDS_CLUSTER: ("rds", "cluster:"),
    EFS_FILE_SYSTEM: ("elasticfilesystem", "file-system/"),
    DYNAMODB_TABLE: ("dynamodb", "table/"),
    EBS_VOLUME: ("ec2", "volume/"),
}
TAG_CONDITION_PREFIX = "aws:ResourceTag/"


# --- vaults and replication destinations ---------------------------------------------------------


def _vault(args: ResourceValidationArgs) -> Iterator[str]:
    yield from require_cmk(
        label(args.resource_type, args.name),
        "kmsKeyArn",
        get(args.props, "kmsKeyArn"),
        "set kms_key_arn to a customer-managed key in the vault's Region (components.dr.Backups makes one per vault)",
    )


BACKUP_VAULT_CMK = resource_policy(
    name="backup-vault-encrypted-with-cmk",
    description="AWS Backup vaults encrypt recovery points with a customer-managed KMS key.",
    severity=Severity.HIGH,
    types=(BACKUP_VAULT,),
    check=_vault,
    remediation="aws.backup.Vault(kms_key_arn=<a customer-managed key in the vault's Region>).",
)


def _replication(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    fix = "a customer-managed key in the destination Region (components.dr.CrossRegionReplication makes them)"
    if args.resource_type == RDS_BACKUP_REPLICATION:
        yield from require_cmk(where, "kmsKeyId", get(props, "kmsKeyId"), f"set kms_key_id to {fix}")
    elif args.resource_type == RDS_INSTANCE:
        yield from _cross_region_replica(args)
    elif args.resource_type == EFS_REPLICATION:
        # Without a key EFS encrypts the replica with the AWS-managed aws/elasticfilesystem key.
        key = get(props, "destination", "kmsKeyId")
        yield from require_cmk(where, "destination.kmsKeyId", key, f"set destination.kms_key_id to {fix}")


    elif args.resource_type == S3_REPLICATION:
        for index, rule in enumerate(items(get(props, "rules"))):
            if rule is UNKNOWN:
                continue
            key = get(rule, "destination", "encryptionConfiguration", "replicaKmsKeyId")
            yield from require_cmk(
                where, f"rules[{index}].destination.encryptionConfiguration.replicaKmsKeyId", key, f"set replica_kms_key_id to {fix}"
            )
            # Without the opt-in S3 skips every SSE-KMS object: the replica would stay empty.
            opted_in = get(rule, "sourceSelectionCriteria", "sseKmsEncryptedObjects", "status")
            if opted_in is not UNKNOWN and opted_in != "Enabled":
                yield (
                    f"{where}: rules[{index}].sourceSelectionCriteria.sseKmsEncryptedObjects.status is {opted_in!r}, so S3 "
                    "replicates no SSE-KMS object. Fix: source_selection_criteria.sse_kms_encrypted_objects.status='Enabled'"
                )


def _arn_region(value: Any, service: str) -> Optional[str]:
    """The Region of an ARN of ``service`` (``arn:aws:<service>:<region>:...``), None for anything else."""
    parts = value.split(":") if isinstance(value, str) else []
    return parts[3] if len(parts) >= 6 and parts[0] == "arn" and parts[2] == service and parts[3] else None


def _cross_region_replica(args: ResourceValidationArgs) -> Iterator[str]:
    """An RDS read replica of a source in another Region (named by ARN) names a customer-managed key of its own
    Region: KMS keys never leave their Region, and without ``kmsKeyId`` RDS refuses a replica of an encrypted
    source (CreateDBInstanceReadReplica, KmsKeyId)."""
    props = args.props
    source = _arn_region(get(props, "replicateSourceDb"), "rds")
    own = get(props, "region")
    if not isinstance(own, str) or not own:
        own = get(args.provider.props, "region") if args.provider is not None else None
    if source is None or not isinstance(own, str) or source == own:
        return  # not a cross-Region replica (or its Region is not known)
    where = label(args.resource_type, args.name)
    fix = f"a customer-managed key in {own}, the replica's Region (components.dr.ReadReplica takes the DR Region's data key)"
    key = get(props, "kmsKeyId")
    yield from require_cmk(where, "kmsKeyId", key, f"set kms_key_id to {fix}")
    key_region = _arn_region(key, "kms")
    if key_region is not None and key_region != own:
        yield f"{where}: kmsKeyId is a key of {key_region}, but the replica is in {own} (its source is in {source}); KMS keys never leave their Region. Fix: {fix}"
    if get(props, "storageEncrypted") is not UNKNOWN and get(props, "storageEncrypted") is not True:
        yield f"{where}: storageEncrypted is not true on a cross-Region replica. Fix: storage_encrypted=True with {fix}"


REPLICATION_DESTINATIONS_CMK = resource_policy(
    name="replication-destinations-encrypted-with-cmk",
    description="Cross-Region copies (replicated RDS automated backups, cross-Region RDS read replicas, EFS replicas, S3 replicas) are encrypted with a customer-managed key of the destination Region.",
    severity=Severity.HIGH,
    types=(RDS_BACKUP_REPLICATION, RDS_INSTANCE, EFS_REPLICATION, S3_REPLICATION),
    check=_replication,
    remediation="kms_key_id (RDS backups and cross-Region replicas) / destination.kms_key_id (EFS) / destination.encryption_configuration.replica_kms_key_id with SSE-KMS objects opted in (S3) = a customer-managed key in the destination Region.",
)


# --- failover records: the primary fails over on something -----------------------------------------

ROUTE53_RECORD = "aws:route53/record:Record"
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
"""The hosted zone of every CloudFront alias target (Route 53 refuses EvaluateTargetHealth for it)."""


def _failover(args: ResourceValidationArgs) -> Iterator[str]:
    where, props = label(args.resource_type, args.name), args.props
    aliases = [a for a in items(get(props, "aliases")) if a is not UNKNOWN]
    for index, alias in enumerate(aliases):
        if get(alias, "zoneId") == CLOUDFRONT_ZONE_ID and get(alias, "evaluateTargetHealth") is True:
            yield (
                f"{where}: aliases[{index}] targets a CloudFront distribution with evaluateTargetHealth true, which "
                "Route 53 refuses. Fix: evaluate_target_health=False and a health_check_id on a failover record"
            )
    kinds = [get(p, "type") for p in items(get(props, "failoverRoutingPolicies"))]
    if "PRIMARY" not in kinds:
        return
    check = get(props, "healthCheckId")
    evaluates = any(get(a, "evaluateTargetHealth") is True and get(a, "zoneId") != CLOUDFRONT_ZONE_ID for a in aliases)
    if (check is None or check == "") and not evaluates:
        yield (
            f"{where}: a PRIMARY failover record with neither a healthCheckId nor an alias that evaluates its target's "
            "health is always healthy to Route 53: it never fails over. Fix: health_check_id=<a Route 53 health "
            "check of the endpoint> (components.dr.EndpointHealthChecks)"
        )


FAILOVER_PRIMARY_CHECKED = resource_policy(
    name="route53-failover-primary-health-checked",
    description="A PRIMARY failover record carries a health check (or an alias evaluating a target that can be evaluated), and no alias asks Route 53 to evaluate a CloudFront target.",
    severity=Severity.MEDIUM,
    types=(ROUTE53_RECORD,),
    check=_failover,
    remediation="aws.route53.Record(failover_routing_policies=[PRIMARY], health_check_id=<a health check of the endpoint>); evaluate_target_health=False for CloudFront aliases.",
)


# --- production: a backup plan covers every stateful store -------------------------------------


def _provider_region(resource: PolicyResource) -> Any:
    region = get(resource.props, "region")
    if isinstance(region, str) and region:
        return region
    return get(resource.provider.props, "region") if resource.provider is not None else None


def pattern_selects(pattern: Any, resource: PolicyResource) -> bool:
    """Whether an AWS Backup resource pattern (an ARN with ``*``) takes in ``resource``'s type."""
    if not isinstance(pattern, str):
        return False
    if pattern == "*":
        return True
    service, kind = STATEFUL_ARNS[resource.resource_type]
    parts = pattern.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    region = _provider_region(resource)
    region_ok = fnmatchcase(region, parts[3]) if isinstance(region, str) else parts[3] == "*"
    # The account is this stack's (a selection never reaches another account's resources). A pattern
    # narrowed by name (``db:prod-*``) is not judged here: such a store counts only when named by reference.
    return fnmatchcase(service, parts[2]) and region_ok and parts[5] in ("*", kind + "*")


def effective_tags(resource: PolicyResource) -> Optional[dict[str, Any]]:
    """The provider's default tags overlaid with the resource's own (None while unknown)."""
    defaults = provider_default_tags(resource.provider)
    own = get(resource.props, "tags", default={})
    if defaults is UNKNOWN or own is UNKNOWN:
        return None
    tags = dict(defaults)
    if isinstance(own, Mapping):
        tags.update({str(k): get(own, k, default="") for k in own})
    return tags


def _conditions_hold(selection: PolicyResource, tags: Mapping[str, Any]) -> bool:
    """AWS Backup: every condition holds (AND), and one of the selection tags if any (OR)."""
    for condition in items(get(selection.props, "conditions")):
        for equal in items(get(condition, "stringEquals")):
            key, value = get(equal, "key"), get(equal, "value")
            if not isinstance(key, str) or not key.startswith(TAG_CONDITION_PREFIX):
                return False  # a condition this check cannot evaluate counts as not covering
            if tags.get(key[len(TAG_CONDITION_PREFIX) :]) != value:
                return False
        if any(True for kind in ("stringLikes", "stringNotEquals", "stringNotLikes") for _ in items(get(condition, kind))):
            return False
    selection_tags = list(items(get(selection.props, "selectionTags")))
    if selection_tags:
        return any(tags.get(str(get(t, "key"))) == get(t, "value") for t in selection_tags)
    return True


def selects(selection: PolicyResource, resource: PolicyResource) -> bool:
    """Whether ``selection`` backs ``resource`` up: named by reference, or by pattern and tags."""
    if any(dep.urn == resource.urn for dep in selection.property_dependencies.get("resources", [])):
        return True
    if not any(pattern_selects(p, resource) for p in items(get(selection.props, "resources"))):
        return False
    tags = effective_tags(resource)
    return tags is not None and _conditions_hold(selection, tags)


def _has_rule(plan: Optional[PolicyResource]) -> bool:
    return plan is not None and any(True for _ in items(get(plan.props, "rules")))


def _coverage(args: StackValidationArgs) -> Iterator[tuple[str, Optional[str]]]:
    if not judged_as_production(args):
        return
    by_urn = {r.urn: r for r in args.resources}
    selections = []
    for selection in (r for r in args.resources if r.resource_type == BACKUP_SELECTION):
        plans = [by_urn.get(dep.urn) for dep in selection.property_dependencies.get("planId", [])]
        if any(_has_rule(plan) for plan in plans):
            selections.append(selection)
    for resource in args.resources:
        if resource.resource_type not in STATEFUL_ARNS:
            continue
        if resource.resource_type == RDS_INSTANCE and get(resource.props, "replicateSourceDb") not in (None, ""):
            continue  # a read replica's data is its primary's, which is backed up
        if not any(selects(s, resource) for s in selections):
            yield (
                f"{label(resource.resource_type, resource.name)}: no AWS Backup plan selects it (by reference, or by "
                "resource type and tags). Fix: give it the tags of an existing selection, or add a selection for it "
                "(components.dr.backup_plan.selections)",
                resource.urn,
            )


PRODUCTION_BACKUP_COVERAGE = stack_policy(
    name="production-backup-plan-covers-stateful",
    description="In production, an AWS Backup plan with a rule selects every stateful store (databases, file systems, tables, volumes).",
    severity=Severity.HIGH,
    check=_coverage,
    remediation="aws.backup.Selection on a plan with a rule, selecting the store by ARN or by resource pattern and tag conditions.",
    config_schema=PRODUCTION_STACKS_SCHEMA,
)

POLICIES = [BACKUP_VAULT_CMK, REPLICATION_DESTINATIONS_CMK, FAILOVER_PRIMARY_CHECKED, PRODUCTION_BACKUP_COVERAGE]

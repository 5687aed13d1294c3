"""Velero in both stacks: the pinned chart with the AWS plugin for its Velero version, on the system nodes,
with IRSA and one schedule over the platform's namespaces; its bucket (storage key, versioned, lifecycle
after the TTL, logged) replicated to us-west-2 in production; its role scoped to that bucket, that key and
the EBS snapshots Velero tags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from components.dr.velero_plan import (
    AWS_PLUGIN_IMAGE,
    VELERO,
    VELERO_VERSION,
    bucket_lifecycle,
    cron_problem,
    velero_policy,
    velero_values,
)
from components.eks import SYSTEM
from preflight.harness import Plan, Resource
from tests.dr.test_backup import _region_of
from tests.observability.test_tracing import helm_merge
from tests.test_chart_values import chart_values, unknown_keys

RELEASE = "kubernetes:helm.sh/v3:Release"
BUCKET = "aws:s3/bucket:Bucket"
VENDOR = Path(__file__).resolve().parent.parent / "vendor" / "charts" / "velero" / VELERO.version
ACCOUNT = "123456789012"


def _release(plan: Plan) -> Resource:
    [found] = [r for r in plan.of_type(RELEASE) if r.inputs["chart"] == "velero"]
    return found


def _values(plan: Plan) -> dict[str, Any]:
    return dict(_release(plan).inputs["values"])


def _bucket(plan: Plan) -> Resource:
    [found] = [b for b in plan.of_type(BUCKET) if b.name == f"betterprompts-{plan.stack}-velero-bucket"]
    return found


def _children(plan: Plan, parent: Resource, kind: str) -> list[Resource]:
    return [r for r in plan.of_type(kind) if r.parent == parent.urn]


def _policy(plan: Plan) -> dict[str, Any]:
    [policy] = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == f"betterprompts-{plan.stack}-velero-server"]
    return {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}


# --- the release ---------------------------------------------------------------------------------


def test_the_official_chart_is_pinned_with_the_plugin_its_velero_needs(plan: Plan) -> None:
    release = _release(plan)
    assert release.inputs["repositoryOpts"]["repo"] == "https://vmware-tanzu.github.io/helm-charts"
    assert release.inputs["version"] == "12.1.0" and release.inputs["namespace"] == "velero"
    # The chart's default image is the Velero the plugin's compatibility row is read for: 1.18 -> 1.14.
    assert chart_values("velero", "12.1.0")["image"]["tag"] == VELERO_VERSION == "v1.18.1"
    [plugin] = _values(plan)["initContainers"]
    assert plugin["image"] == AWS_PLUGIN_IMAGE == "velero/velero-plugin-for-aws:v1.14.4"
    assert plugin["volumeMounts"] == [{"mountPath": "/target", "name": "plugins"}]


def test_velero_runs_on_the_system_nodes_with_irsa_not_a_secret(plan: Plan) -> None:
    values = _values(plan)
    assert values["nodeSelector"] == SYSTEM.node_selector() == {"betterprompts.io/node-pool": "system"}
    assert values["tolerations"] == SYSTEM.tolerations()
    assert values["credentials"] == {"useSecret": False}
    account = values["serviceAccount"]["server"]
    assert account["name"] == "velero-server"
    assert account["annotations"]["eks.amazonaws.com/role-arn"] == f"arn:aws:iam::{ACCOUNT}:role/" + _role_name(plan)
    assert values["deployNodeAgent"] is False


def _role_name(plan: Plan) -> str:
    [role] = [r for r in plan.of_type("aws:iam/role:Role") if r.name == f"betterprompts-{plan.stack}-velero-server"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert any(v == "system:serviceaccount:velero:velero-server" for v in trust.values())
    # The role is auto-named: its inline policy's registration names it.
    [policy] = [p for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.parent == role.urn]
    return str(policy.inputs["role"])


def test_the_backup_location_is_the_velero_bucket_under_the_storage_key(plan: Plan) -> None:
    [location] = _values(plan)["configuration"]["backupStorageLocation"]
    assert location["bucket"] == f"betterprompts-{plan.stack}-velero-{ACCOUNT}-us-east-1" == _bucket(plan).inputs["bucket"]
    assert location["provider"] == "aws" and location["default"] is True
    assert location["config"]["region"] == "us-east-1"
    assert location["config"]["kmsKeyId"].startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/")


def test_one_schedule_backs_up_the_platforms_namespaces(production: Plan, staging: Plan) -> None:
    expected = ["betterprompts", "logging", "ml-inference", "monitoring", "telemetry"]
    schedules = {}
    for plan in (production, staging):
        [(name, schedule)] = _values(plan)["schedules"].items()
        assert name == "platform" and schedule["template"]["includedNamespaces"] == expected
        assert schedule["template"]["snapshotVolumes"] is True and schedule["template"]["storageLocation"] == "default"
        schedules[plan.stack] = (schedule["schedule"], schedule["template"]["ttl"])
    assert schedules == {"production": ("0 */6 * * *", "720h0m0s"), "staging": ("0 5 * * *", "168h0m0s")}


def test_values_use_keys_the_chart_reads_and_satisfy_its_schema(plan: Plan) -> None:
    defaults = chart_values("velero", VELERO.version)
    values = _values(plan)
    assert list(unknown_keys(values, defaults, {})) == []
    schema = json.loads((VENDOR / "values.schema.json").read_text())
    jsonschema.validate(helm_merge(defaults, values), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(helm_merge(defaults, {**values, "deployNodeAgent": "no"}), schema)


def test_the_release_waits_for_the_bucket_and_the_role_policy(plan: Plan) -> None:
    release = _release(plan)
    bucket = _bucket(plan)
    needed = {bucket.urn, *(c.urn for c in _children(plan, bucket, "aws:s3/bucketVersioning:BucketVersioning"))}
    needed |= {p.urn for p in plan.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == f"betterprompts-{plan.stack}-velero-server"}
    assert needed <= set(release.dependencies)


def test_the_namespace_enforces_baseline(plan: Plan) -> None:
    [namespace] = [n for n in plan.of_type("kubernetes:core/v1:Namespace") if n.name == f"betterprompts-{plan.stack}-velero-namespace"]
    labels = namespace.inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"


# --- the bucket --------------------------------------------------------------------------------


def test_the_bucket_is_a_secure_bucket_whose_lifecycle_follows_the_ttl(production: Plan, staging: Plan) -> None:
    for plan, ttl_days in ((production, 30), (staging, 7)):
        bucket = _bucket(plan)
        assert bucket.protect is (plan.stack == "production")
        [encryption] = _children(plan, bucket, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        [rule] = encryption.inputs["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms" and rule["bucketKeyEnabled"]
        [versioning] = _children(plan, bucket, "aws:s3/bucketVersioning:BucketVersioning")
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
        [lifecycle] = _children(plan, bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        rules = {r["id"]: r for r in lifecycle.inputs["rules"]}
        assert rules["velero-backups-ttl"]["filter"] == {"prefix": "backups/"}
        assert rules["velero-backups-ttl"]["expiration"]["days"] == ttl_days + 2
        assert rules["velero-versions"]["noncurrentVersionExpiration"]["noncurrentDays"] == 7
        [logging] = _children(plan, bucket, "aws:s3/bucketLogging:BucketLogging")
        assert logging.inputs["targetPrefix"] == "velero/"
        assert logging.inputs["targetBucket"] == f"betterprompts-{plan.stack}-access-logs-{ACCOUNT}-us-east-1"


def test_the_access_log_destination_admits_the_velero_bucket(plan: Plan) -> None:
    [policy] = [p for p in plan.of_type("aws:s3/bucketPolicy:BucketPolicy") if p.name == f"betterprompts-{plan.stack}-storage-access-logs-policy"]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    velero = statements["ServerAccessLogsVelero"]
    assert velero["Resource"].endswith("/velero/*")
    assert velero["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::betterprompts-{plan.stack}-velero-{ACCOUNT}-us-east-1"}


def test_production_replicates_the_velero_bucket_with_rtc_staging_does_not(production: Plan, staging: Plan) -> None:
    configs = {c.name.rsplit("-", 1)[-1]: c for c in production.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")}
    assert set(configs) == {"assets", "models", "backups", "velero"}
    velero = configs["velero"]
    assert velero.inputs["bucket"] == _bucket(production).inputs["bucket"]
    [rule] = velero.inputs["rules"]
    assert rule["destination"]["bucket"] == f"arn:aws:s3:::betterprompts-production-velero-{ACCOUNT}-us-west-2"
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"].startswith("arn:aws:kms:us-west-2:")
    assert rule["destination"]["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    [replica] = [b for b in production.of_type(BUCKET) if b.name == "betterprompts-production-dr-buckets-velero"]
    assert _region_of(production, replica) == "us-west-2" and replica.protect
    [lifecycle] = _children(production, replica, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert {r["id"] for r in lifecycle.inputs["rules"]} == {"velero-backups-ttl", "velero-versions"}
    assert staging.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig") == []


# --- the role ----------------------------------------------------------------------------------


def test_the_role_is_the_plugins_published_policy_scoped(plan: Plan) -> None:
    statements = _policy(plan)
    bucket = f"arn:aws:s3:::betterprompts-{plan.stack}-velero-{ACCOUNT}-us-east-1"
    assert statements["BackupObjects"]["Resource"] == f"{bucket}/*"
    assert statements["ListBucket"]["Resource"] == bucket
    snapshots = "arn:aws:ec2:us-east-1::snapshot/*"
    volumes = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/*"
    assert statements["CreateVeleroSnapshots"] == {
        "Sid": "CreateVeleroSnapshots",
        "Effect": "Allow",
        "Action": "ec2:CreateSnapshot",
        "Resource": snapshots,
        "Condition": {"Null": {"aws:RequestTag/velero.io/backup": "false"}},
    }
    assert statements["DeleteVeleroSnapshots"]["Condition"] == {"Null": {"aws:ResourceTag/velero.io/backup": "false"}}
    assert statements["SnapshotVolumes"]["Resource"] == volumes
    assert statements["TagOnCreate"]["Condition"] == {"StringEquals": {"ec2:CreateAction": ["CreateSnapshot", "CreateVolume"]}}
    # Only the describe calls (no resource-level permissions in EC2) name every resource.
    unscoped = [sid for sid, s in statements.items() if s["Resource"] == "*"]
    assert unscoped == ["DescribeVolumesAndSnapshots"]
    assert statements["BucketKey"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    assert statements["EncryptedVolumeGrants"]["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}


def test_every_action_of_the_published_policy_is_granted() -> None:
    # velero-plugin-for-aws README, "Set permissions for Velero" (s3:PutObjectTagging only for config.tagging, unused).
    published = {
        "ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot",
        "s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucket",
    }  # fmt: skip
    document = json.loads(velero_policy(bucket_arn="arn:aws:s3:::b", kms_key_arn="arn:aws:kms:us-east-1:1:key/k", region="us-east-1", account_id="1"))
    granted = {a for s in document["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert published <= granted
    assert not [a for a in granted if a.endswith("*")]


# --- pure rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("expression", ["0 */6 * * *", "0 5 * * *", "15,45 1-5 * * 1-5", "*/30 * * * *"])
def test_cron_velero_accepts(expression: str) -> None:
    assert cron_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "problem"),
    [("0 5 * *", "five fields"), ("@daily", "five fields"), ("0 5 * * MON?", "not a number"), ("cron(0 5 * * ? *)", "five fields")],
)
def test_cron_velero_refuses(expression: str, problem: str) -> None:
    assert problem in (cron_problem(expression) or "")


def test_the_lifecycle_expires_backups_only_after_velero_deleted_them() -> None:
    [backups, versions] = bucket_lifecycle(30)
    assert (backups.prefix, backups.expiration_days) == ("backups/", 32)
    assert versions.prefix == "" and versions.expiration_days is None and versions.noncurrent_version_expiration_days == 7


def test_a_misplaced_key_would_fail_the_chart_check() -> None:
    values = velero_values(
        region="us-east-1", bucket="b", kms_key_arn="k", role_arn="r", schedule="0 5 * * *", ttl_days=7, namespaces=["a"], snapshot_volumes=False
    )
    assert values["snapshotsEnabled"] is False and values["schedules"]["platform"]["template"]["snapshotVolumes"] is False
    misplaced = {**values, "serviceAccount": {"annotations": {"eks.amazonaws.com/role-arn": "r"}}}
    defaults = yaml.safe_load((VENDOR / "values.yaml").read_text())
    assert list(unknown_keys(misplaced, defaults, {})) == ["serviceAccount.annotations"]


# --- the pilot light: Velero restoring from the replica (VeleroRestore) ----------------------------


def test_the_pilot_light_s_velero_reads_production_s_velero_replica_read_only(dr: Plan, production: Plan) -> None:
    values = _values(dr)
    replica = production.outputs["replicaBucketNames"]["velero"]
    key = production.outputs["drKeyArns"]["storage"]
    assert values["configuration"]["backupStorageLocation"] == [
        {
            "name": "default",
            "provider": "aws",
            "bucket": replica,
            "default": True,
            # Velero's "disaster case": no backup is created or garbage-collected in the replica.
            "accessMode": "ReadOnly",
            "config": {"region": "us-west-2", "kmsKeyId": key},
        }
    ]
    # No schedule, no volume snapshots: production's EBS snapshots are in us-east-1.
    assert "schedules" not in values and "volumeSnapshotLocation" not in values["configuration"]
    assert values["snapshotsEnabled"] is False
    # The same chart, plugin and placement as production's.
    production_values = _values(production)
    for same in ("initContainers", "credentials", "nodeSelector", "tolerations", "podSecurityContext", "containerSecurityContext"):
        assert values[same] == production_values[same], same
    assert _release(dr).inputs["version"] == _release(production).inputs["version"]


def test_the_pilot_light_s_velero_reads_backups_and_writes_only_restore_results(dr: Plan, production: Plan) -> None:
    replica = f"arn:aws:s3:::{production.outputs['replicaBucketNames']['velero']}"
    statements = _policy(dr)
    assert statements["ReadBackups"] == {"Sid": "ReadBackups", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{replica}/*"}
    assert statements["WriteRestoreResults"]["Resource"] == f"{replica}/restores/*"
    assert "s3:DeleteObject" not in json.dumps(statements)
    assert statements["ReplicaKey"]["Resource"] == production.outputs["drKeyArns"]["storage"]
    assert statements["ReplicaKey"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}
    # No EC2 at all: it restores no snapshot.
    assert not any(str(a).startswith("ec2:") for s in statements.values() for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))


def test_the_restoring_values_satisfy_the_chart(dr: Plan) -> None:
    defaults = chart_values("velero", VELERO.version)
    values = _values(dr)
    assert list(unknown_keys(values, defaults, {})) == []
    jsonschema.validate(helm_merge(defaults, values), json.loads((VENDOR / "values.schema.json").read_text()))


def test_without_the_toggle_or_a_cluster_the_pilot_light_has_no_velero() -> None:
    from preflight.harness import run_stack
    from tests.stack_config import config_of

    config = config_of("dr")
    config["betterprompts:pilotLight"]["veleroRestore"] = False
    assert run_stack("dr", config=config).of_type("betterprompts:dr:VeleroRestore") == []
    config = config_of("dr")
    config["betterprompts:pilotLight"]["cluster"] = "off"
    assert run_stack("dr", config=config).of_type("betterprompts:dr:VeleroRestore") == []

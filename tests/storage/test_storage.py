"""The storage layer in both stacks: the seed's buckets, the model bucket's move, EFS, snapshots."""

from __future__ import annotations

import json
import re

import pytest

from components.storage.plan import SNAPSHOT_TAG_KEY
from preflight.harness import Plan, Resource

SECURE_BUCKET = "betterprompts:storage:SecureBucket"
BUCKET = "aws:s3/bucket:Bucket"
SEED = ("models", "assets", "backups", "logs")


def _bucket(plan: Plan, purpose: str) -> Resource:
    suffix = "inference-models" if purpose == "models" else f"storage-{purpose}"
    [bucket] = [r for r in plan.of_type(BUCKET) if r.name == f"betterprompts-{plan.stack}-{suffix}"]
    return bucket


def _child(plan: Plan, bucket: Resource, token: str) -> Resource:
    [found] = [r for r in plan.children(bucket.urn) if r.type == token]
    return found


# --- the model bucket moved from InferenceEndpoint to PlatformStorage without replacement ------


def test_model_bucket_alias_is_exactly_its_old_urn(plan: Plan) -> None:
    old = (
        f"urn:pulumi:{plan.stack}::betterprompts::betterprompts:ml:InferenceEndpoint"
        f"$betterprompts:storage:SecureBucket::betterprompts-{plan.stack}-inference-models"
    )
    [component] = [r for r in plan.of_type(SECURE_BUCKET) if r.name.endswith("-inference-models")]
    assert component.aliases == [old]
    assert component.parent == f"urn:pulumi:{plan.stack}::betterprompts::pulumi:pulumi:Stack$betterprompts:storage:PlatformStorage::betterprompts-{plan.stack}-storage"
    # The children keep their names and types, so the engine's inherited aliases (old parent URN
    # + same type and name) find every one of them: nothing under the bucket is replaced.
    children = sorted(r.name for r in plan.descendants(component.urn))
    name = f"betterprompts-{plan.stack}-inference-models"
    assert children == sorted(
        [name, *(f"{name}-{k}" for k in ("access-logging", "encryption", "lifecycle", "ownership", "policy", "public-access", "versioning"))]
    )
    # Auto-named as before (a name input would replace the bucket).
    assert "bucket" not in _bucket(plan, "models").inputs


def test_inference_and_torchserve_use_the_storage_model_bucket(plan: Plan) -> None:
    assert plan.outputs["modelBucketName"] == plan.outputs["bucketNames"]["models"]
    assert plan.outputs["modelBucketArn"] == plan.outputs["bucketArns"]["models"]
    assert not [r for r in plan.of_type(SECURE_BUCKET) if "InferenceEndpoint" in r.parent]


# --- the seed's buckets ---------------------------------------------------------------------


def test_bucket_names_carry_prefix_purpose_account_and_region(plan: Plan) -> None:
    names = plan.outputs["bucketNames"]
    assert set(names) == {*SEED, "access-logs"}
    for purpose in ("assets", "backups", "logs", "access-logs"):
        assert re.fullmatch(rf"betterprompts-{plan.stack}-{purpose}-\d{{12}}-us-east-1", names[purpose]), names[purpose]
        assert len(names[purpose]) <= 63


def test_seed_buckets_use_the_storage_key_and_log_under_their_own_prefix(plan: Plan) -> None:
    storage_key = plan.outputs["kmsKeyArns"]["storage"]
    destination = plan.outputs["bucketNames"]["access-logs"]
    for purpose in SEED:
        bucket = _bucket(plan, purpose)
        sse = _child(plan, bucket, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": storage_key}
        logging = _child(plan, bucket, "aws:s3/bucketLogging:BucketLogging")
        assert logging.inputs["targetBucket"] == destination
        assert logging.inputs["targetPrefix"] == f"{purpose}/"


def test_access_log_destination_is_sse_s3_and_admits_only_log_delivery_for_these_buckets(plan: Plan) -> None:
    bucket = _bucket(plan, "access-logs")
    sse = _child(plan, bucket, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    assert not [r for r in plan.children(bucket.urn) if r.type == "aws:s3/bucketLogging:BucketLogging"]
    policy = json.loads(_child(plan, bucket, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    deny, *grants = policy["Statement"]
    assert deny["Sid"] == "DenyInsecureTransport"
    # The load balancer's grant is the edge layer's (tests/edge/test_load_balancer.py); the rest are S3's.
    grants = [g for g in grants if g.get("Sid") != "LoadBalancerAccessLogs"]
    account = plan.outputs["bucketNames"]["assets"].split("-")[-4]
    destination = f"arn:aws:s3:::{plan.outputs['bucketNames']['access-logs']}"
    sources = {
        g["Resource"]: g["Condition"]["ArnLike"]["aws:SourceArn"] for g in grants
    }
    assert {g["Principal"]["Service"] for g in grants} == {"logging.s3.amazonaws.com"}
    assert {g["Action"] for g in grants} == {"s3:PutObject"}
    assert {g["Condition"]["StringEquals"]["aws:SourceAccount"] for g in grants} == {account}
    assert sources == {
        f"{destination}/models/*": f"arn:aws:s3:::betterprompts-{plan.stack}-inference-models-*",
        f"{destination}/assets/*": plan.outputs["bucketArns"]["assets"],
        f"{destination}/backups/*": plan.outputs["bucketArns"]["backups"],
        f"{destination}/logs/*": plan.outputs["bucketArns"]["logs"],
        # The DR layer's Velero bucket (log_sources): named before it exists.
        f"{destination}/velero/*": f"arn:aws:s3:::betterprompts-{plan.stack}-velero-{account}-us-east-1",
    }


def _rules(plan: Plan, purpose: str) -> dict[str, object]:
    config = _child(plan, _bucket(plan, purpose), "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    [rule] = config.inputs["rules"]
    return rule


def test_production_lifecycles_are_the_seeds(production: Plan) -> None:
    assert _rules(production, "models")["transitions"] == [{"days": 0, "storageClass": "INTELLIGENT_TIERING"}]
    assert _rules(production, "assets")["transitions"] == [{"days": 0, "storageClass": "INTELLIGENT_TIERING"}]
    assert _rules(production, "backups")["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"},
        {"days": 90, "storageClass": "GLACIER"},
    ]
    assert _rules(production, "logs")["transitions"] == [{"days": 30, "storageClass": "STANDARD_IA"}]
    assert _rules(production, "logs")["expiration"] == {"days": 365}
    for purpose in (*SEED, "access-logs"):
        assert _rules(production, purpose)["abortIncompleteMultipartUpload"]["daysAfterInitiation"] >= 1
        assert _rules(production, purpose)["noncurrentVersionExpiration"]["noncurrentDays"] >= 1


def test_staging_keeps_less(production: Plan, staging: Plan) -> None:
    assert _rules(staging, "logs")["expiration"] == {"days": 30}
    assert _rules(staging, "access-logs")["expiration"] == {"days": 30}
    assert _rules(staging, "backups")["expiration"] == {"days": 60}
    assert "GLACIER" not in json.dumps(_rules(staging, "backups"))
    assert _rules(staging, "assets")["noncurrentVersionExpiration"] == {"noncurrentDays": 7}
    assert _rules(production, "assets")["noncurrentVersionExpiration"] == {"noncurrentDays": 30}


def test_production_buckets_are_protected_and_staging_destroyable(plan: Plan) -> None:
    for purpose in (*SEED, "access-logs"):
        bucket = _bucket(plan, purpose)
        assert bucket.protect is (plan.stack == "production")
        assert bucket.inputs["forceDestroy"] is (plan.stack == "staging")


# --- EFS ------------------------------------------------------------------------------------


def test_efs_is_encrypted_elastic_tiered_backed_up_and_protected_in_production(plan: Plan) -> None:
    [fs] = plan.of_type("aws:efs/fileSystem:FileSystem")
    assert fs.inputs["encrypted"] is True
    assert fs.inputs["kmsKeyId"] == plan.outputs["kmsKeyArns"]["storage"]
    assert fs.inputs["throughputMode"] == "elastic"
    ia = "AFTER_30_DAYS" if plan.stack == "production" else "AFTER_7_DAYS"
    assert fs.inputs["lifecyclePolicies"] == [{"transitionToIa": ia}, {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]
    assert fs.protect is (plan.stack == "production")
    [backup] = plan.of_type("aws:efs/backupPolicy:BackupPolicy")
    assert backup.inputs["backupPolicy"] == {"status": "ENABLED"}
    assert plan.outputs["efsFileSystemId"] == fs.id
    assert re.fullmatch(r"fs-[0-9a-f]{17}", fs.id)
    assert re.fullmatch(r"fsap-[0-9a-f]{17}", plan.outputs["efsAccessPointId"])


def test_efs_mount_targets_in_every_az_admit_nfs_only_from_the_nodes(plan: Plan) -> None:
    targets = plan.of_type("aws:efs/mountTarget:MountTarget")
    assert sorted(t.name.removeprefix(f"betterprompts-{plan.stack}-efs-") for t in targets) == ["us-east-1a", "us-east-1b", "us-east-1c"]
    app_subnets = set(plan.outputs["subnetIds"]["app"])
    assert {t.inputs["subnetId"] for t in targets} == app_subnets
    [group] = [g for g in plan.of_type("aws:ec2/securityGroup:SecurityGroup") if g.name.endswith("-efs-nfs")]
    [rule] = group.inputs["ingress"]
    assert (rule["protocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 2049, 2049)
    assert rule["securityGroups"] == [plan.outputs["nodeSecurityGroupId"]]
    assert not rule.get("cidrBlocks")
    assert group.inputs["egress"] == []


def test_efs_access_point_and_storage_class_for_the_csi_driver(plan: Plan) -> None:
    [ap] = plan.of_type("aws:efs/accessPoint:AccessPoint")
    assert ap.inputs["posixUser"] == {"uid": 1000, "gid": 1000}
    assert ap.inputs["rootDirectory"] == {
        "path": "/models",
        "creationInfo": {"ownerUid": 1000, "ownerGid": 1000, "permissions": "0755"},
    }
    [sc] = [s for s in plan.of_type("kubernetes:storage.k8s.io/v1:StorageClass") if s.inputs["provisioner"] == "efs.csi.aws.com"]
    assert sc.inputs["metadata"]["name"] == plan.outputs["efsStorageClassName"] == "efs-sc"
    assert sc.inputs["parameters"] == {
        "provisioningMode": "efs-ap",
        "fileSystemId": plan.outputs["efsFileSystemId"],
        "directoryPerms": "700",
        "gidRangeStart": "50000",
        "gidRangeEnd": "50999",
        "basePath": "/dynamic",
    }
    assert sc.inputs["mountOptions"] == ["tls"]
    assert sc.inputs["reclaimPolicy"] == ("Retain" if plan.stack == "production" else "Delete")


# --- snapshots ------------------------------------------------------------------------------


def test_dlm_policy_deletes_snapshots_after_the_configured_days(plan: Plan) -> None:
    [policy] = plan.of_type("aws:dlm/lifecyclePolicy:LifecyclePolicy")
    details = policy.inputs["policyDetails"]
    assert details["policyType"] == "EBS_SNAPSHOT_MANAGEMENT"
    assert details["resourceTypes"] == ["VOLUME"]
    assert details["targetTags"] == {SNAPSHOT_TAG_KEY: f"betterprompts-{plan.stack}"}
    [schedule] = details["schedules"]
    assert schedule["retainRule"] == {"interval": 30 if plan.stack == "production" else 7, "intervalUnit": "DAYS"}
    assert schedule["createRule"] == {"interval": 24, "intervalUnit": "HOURS", "times": "03:00"}
    assert re.fullmatch(r"[0-9A-Za-z _-]+", policy.inputs["description"])
    [attachment] = [a for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a.name.endswith("-snapshots-dlm")]
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole"
    [role] = [r for r in plan.of_type("aws:iam/role:Role") if r.name.endswith("-snapshots-dlm")]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"Service": "dlm.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"


def test_prometheus_volumes_carry_the_snapshot_tag(plan: Plan) -> None:
    [sc] = [s for s in plan.of_type("kubernetes:storage.k8s.io/v1:StorageClass") if s.inputs["provisioner"] == "ebs.csi.aws.com"]
    assert sc.inputs["parameters"]["tagSpecification_1"] == f"{SNAPSHOT_TAG_KEY}=betterprompts-{plan.stack}"


@pytest.mark.parametrize("key", ["bucketNames", "bucketArns", "efsFileSystemId", "efsAccessPointId", "efsStorageClassName", "snapshotPolicyArn"])
def test_storage_exports(plan: Plan, key: str) -> None:
    assert plan.outputs[key]


def test_the_storage_classes_are_valid_kubernetes_objects(plan: Plan) -> None:
    import kubernetes_validate

    from tests.ml.test_torchserve_chart import kubernetes_version

    for sc in plan.of_type("kubernetes:storage.k8s.io/v1:StorageClass"):
        doc = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", **{k: v for k, v in sc.inputs.items() if k != "apiVersion" and k != "kind"}}
        kubernetes_validate.validate(doc, kubernetes_version(plan.stack), strict=True)


def test_the_starter_archive_goes_into_the_storage_model_bucket(staging: Plan) -> None:
    [archive] = staging.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
    assert archive.inputs["bucket"] == staging.outputs["bucketNames"]["models"]
    # It waits for the whole bucket (its policy and versioning), not just the bucket resource.
    bucket = _bucket(staging, "models")
    for token in ("aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketVersioning:BucketVersioning"):
        assert _child(staging, bucket, token).urn in archive.dependencies


# --- ELB access logs join the destination (the edge layer's load balancer) -----------------


@pytest.mark.parametrize("prefix", ["", "/alb", "alb/", "alb/AWSLogs"])
def test_a_load_balancer_log_prefix_elb_would_refuse_fails_before_any_child(prefix: str) -> None:
    from components.storage import PlatformStorage, PlatformStorageArgs
    from components.storage.bucket_plan import LifecyclePolicy
    from components.storage.plan import BucketPurpose

    args = PlatformStorageArgs(
        account_id="123456789012",
        region="us-east-1",
        bucket_name_prefix="betterprompts-test",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        lifecycles={p: LifecyclePolicy() for p in BucketPurpose},
        load_balancer_log_prefix=prefix,
    )
    with pytest.raises(ValueError, match="load balancer log prefix"):
        PlatformStorage("storage", args)


@pytest.mark.parametrize("key", ["models", "logs", "alb"])
def test_a_log_source_may_not_take_a_seed_buckets_or_the_load_balancers_prefix(key: str) -> None:
    from components.storage import PlatformStorage, PlatformStorageArgs
    from components.storage.bucket_plan import LifecyclePolicy
    from components.storage.plan import BucketPurpose

    args = PlatformStorageArgs(
        account_id="123456789012",
        region="us-east-1",
        bucket_name_prefix="betterprompts-test",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        lifecycles={p: LifecyclePolicy() for p in BucketPurpose},
        load_balancer_log_prefix="alb",
        log_sources={key: "some-bucket"},
    )
    with pytest.raises(ValueError, match="would share a seed bucket's or the load balancer's prefix"):
        PlatformStorage("storage", args)


def test_load_balancer_log_statement_is_put_object_under_the_account_prefix() -> None:
    from components.storage.bucket_plan import load_balancer_log_statements

    [statement] = load_balancer_log_statements("arn:aws:s3:::dest", "alb", "123456789012", "us-west-2")
    assert statement["Principal"] == {"AWS": "arn:aws:iam::797873946194:root"}
    assert (statement["Action"], statement["Resource"]) == ("s3:PutObject", "arn:aws:s3:::dest/alb/AWSLogs/123456789012/*")


# --- CloudFront reads the assets bucket through OAC (the edge layer's distribution) ----------------


def test_cloudfront_read_statement_names_the_distribution() -> None:
    from components.storage.bucket_plan import cloudfront_read_statements

    arn = "arn:aws:cloudfront::123456789012:distribution/E1"
    [statement] = cloudfront_read_statements("arn:aws:s3:::assets", [arn])
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert (statement["Action"], statement["Resource"]) == ("s3:GetObject", "arn:aws:s3:::assets/*")
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": [arn]}}
    assert cloudfront_read_statements("arn:aws:s3:::assets", []) == []


@pytest.mark.parametrize(("purpose", "message"), [("access-logs", "never a CloudFront origin"), ("models", "adopted bucket keeps its policy")])
def test_cloudfront_readers_only_on_buckets_that_can_take_them(purpose: str, message: str) -> None:
    from components.storage import AdoptedBucket, PlatformStorage, PlatformStorageArgs
    from components.storage.bucket_plan import LifecyclePolicy
    from components.storage.plan import BucketPurpose

    args = PlatformStorageArgs(
        account_id="123456789012",
        region="us-east-1",
        bucket_name_prefix="betterprompts-test",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        lifecycles={p: LifecyclePolicy() for p in BucketPurpose},
        adopted={BucketPurpose.MODELS: AdoptedBucket(logical_name="m", previous_parent_urn="urn:x")},
        cdn_readers={BucketPurpose(purpose): ["arn:aws:cloudfront::123456789012:distribution/E1"]},
    )
    with pytest.raises(ValueError, match=message):
        PlatformStorage("storage", args)

"""S3 cross-Region replication in production: replicas in us-west-2 under a us-west-2 key, private and
versioned, logging in their Region, one least-privilege role, RTC rules; staging replicates no bucket."""

from __future__ import annotations

import json

from components.dr.replication_plan import ReplicatedPair, replication_role_policy
from preflight.harness import Plan, Resource
from tests.dr.test_backup import _region_of

REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
BUCKET = "aws:s3/bucket:Bucket"


def _replicas(plan: Plan) -> dict[str, Resource]:
    return {b.name.rsplit("-", 1)[-1]: b for b in plan.of_type(BUCKET) if b.name.startswith(f"betterprompts-{plan.stack}-dr-buckets-")}


def test_replicas_of_assets_models_and_backups_live_in_us_west_2(production: Plan) -> None:
    replicas = _replicas(production)
    # "logs": the access-log destination (…-access-logs); "velero": Velero's bucket (tests/dr/test_velero.py).
    assert set(replicas) == {"assets", "models", "backups", "velero", "logs"}
    assert replicas["models"].inputs["bucket"] == "betterprompts-production-models-123456789012-us-west-2"
    assert replicas["logs"].inputs["bucket"] == "betterprompts-production-access-logs-123456789012-us-west-2"
    for bucket in replicas.values():
        assert _region_of(production, bucket) == "us-west-2" and bucket.protect
    for kind in ("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",):
        configs = {c.parent: c for c in production.of_type(f"aws:s3/{kind}")}
        for key in ("assets", "models", "backups"):
            [rule] = configs[replicas[key].urn].inputs["rules"]
            assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
            assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith("arn:aws:kms:us-west-2:")
    blocks = {b.parent: b for b in production.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")}
    for bucket in replicas.values():
        block = blocks[bucket.urn].inputs
        assert all(block[flag] for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    loggings = {b.parent: b for b in production.of_type("aws:s3/bucketLogging:BucketLogging")}
    assert loggings[replicas["models"].urn].inputs["targetBucket"] == replicas["logs"].inputs["bucket"]


def test_each_source_replicates_everything_with_rtc_under_the_replica_key(production: Plan) -> None:
    configs = {c.name.rsplit("-", 1)[-1]: c for c in production.of_type(REPLICATION)}
    assert set(configs) == {"assets", "models", "backups", "velero"}
    for key, config in configs.items():
        assert _region_of(production, config) == "us-east-1"
        [rule] = config.inputs["rules"]
        assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
        assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
        assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
        destination = rule["destination"]
        assert destination["bucket"] == f"arn:aws:s3:::betterprompts-production-{key}-123456789012-us-west-2"
        assert destination["encryptionConfiguration"]["replicaKmsKeyId"].startswith("arn:aws:kms:us-west-2:")
        assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
        assert destination["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}
    sources = {b.inputs.get("bucket") for b in production.of_type(BUCKET)}
    assert configs["backups"].inputs["bucket"] in sources


def test_the_role_reads_sources_writes_replicas_and_uses_each_key_through_s3_in_its_region(production: Plan) -> None:
    [policy] = [p for p in production.of_type("aws:iam/rolePolicy:RolePolicy") if "dr-buckets" in p.name]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["WriteReplicas"]["Resource"] == [
        "arn:aws:s3:::betterprompts-production-assets-123456789012-us-west-2/*",
        "arn:aws:s3:::betterprompts-production-backups-123456789012-us-west-2/*",
        "arn:aws:s3:::betterprompts-production-models-123456789012-us-west-2/*",
        "arn:aws:s3:::betterprompts-production-velero-123456789012-us-west-2/*",
    ]
    assert statements["DecryptSources"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    assert statements["DecryptSources"]["Resource"].startswith("arn:aws:kms:us-east-1:")
    assert statements["EncryptReplicas"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}
    assert statements["EncryptReplicas"]["Resource"].startswith("arn:aws:kms:us-west-2:")


def test_staging_replicates_no_bucket(staging: Plan) -> None:
    assert staging.of_type(REPLICATION) == []


def test_only_the_assets_replica_admits_cloudfront_and_only_to_read(production: Plan) -> None:
    # The static site's secondary origin (docs/edge.md, "Origin failover"): one read grant for the distribution.
    [distribution] = production.of_type("aws:cloudfront/distribution:Distribution")
    arn = f"arn:aws:cloudfront::123456789012:distribution/{distribution.id}"
    policies = {p.parent: json.loads(p.inputs["policy"]) for p in production.of_type("aws:s3/bucketPolicy:BucketPolicy")}
    for key, replica in _replicas(production).items():
        granted = [s for s in policies[replica.urn]["Statement"] if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
        if key != "assets":
            assert granted == [], key
            continue
        assert granted == [
            {
                "Sid": "CloudFrontReadsThroughOac",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{replica.inputs['bucket']}/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": [arn]}},
            }
        ]
        # The TLS-only deny stays first.
        assert policies[replica.urn]["Statement"][0]["Effect"] == "Deny"
    # The distribution reads the replica by its us-west-2 REST endpoint: it waits for the bucket (a real dependency).
    assert _replicas(production)["assets"].urn in distribution.dependencies


def test_cloudfront_readers_of_a_bucket_that_is_not_replicated_are_refused() -> None:
    import pulumi
    import pytest

    from components.dr import BucketReplication, BucketReplicationArgs, ReplicationSource

    args = BucketReplicationArgs(
        sources={"models": ReplicationSource(name="m", arn="arn:aws:s3:::m", replica_name="m-west")},
        region="us-east-1",
        dr_region="us-west-2",
        account_id="123456789012",
        dr_provider=None,  # type: ignore[arg-type]
        source_kms_key_arn="k",
        replica_kms_key_arn="k2",
        access_log_bucket_name="logs",
        cdn_readers={"assets": ["arn:aws:cloudfront::123456789012:distribution/E1"]},
    )
    with pytest.raises(ValueError, match=r"CloudFront readers for \['assets'\], which are not replicated"):
        BucketReplication("r", args, pulumi.ResourceOptions())


def test_the_role_policy_scopes_keys_by_encryption_context_with_and_without_bucket_keys() -> None:
    document = json.loads(
        replication_role_policy(
            [ReplicatedPair("arn:aws:s3:::src", "arn:aws:s3:::dst")],
            source_key_arn="arn:aws:kms:us-east-1:1:key/a",
            replica_key_arn="arn:aws:kms:us-west-2:1:key/b",
            region="us-east-1",
            dr_region="us-west-2",
        )
    )
    statements = {s["Sid"]: s for s in document["Statement"]}
    assert statements["DecryptSources"]["Condition"]["StringLike"] == {"kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::src", "arn:aws:s3:::src/*"]}
    assert statements["DecryptSources"]["Action"] == "kms:Decrypt"
    assert statements["EncryptReplicas"]["Action"] == ["kms:Encrypt", "kms:GenerateDataKey"]
    assert statements["ReadSourceVersions"]["Resource"] == ["arn:aws:s3:::src/*"]


def test_each_rule_alarms_past_rtc_and_on_failed_objects_in_the_sources_region(production: Plan) -> None:
    configurations = production.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    alarms = [a for a in production.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.parent in {c.urn for c in configurations}]
    topic = production.outputs["alarmTopicArn"]
    assert len(alarms) == 2 * len(configurations) == 8
    for configuration in configurations:
        (rule,) = configuration.inputs["rules"]
        mine = {a.name.rsplit("-replication-", 1)[1]: a.inputs for a in alarms if a.parent == configuration.urn}
        assert set(mine) == {"latency", "failed"}
        for alarm in mine.values():
            assert alarm["namespace"] == "AWS/S3" and alarm["alarmActions"] == [topic] and alarm["treatMissingData"] == "notBreaching"
            assert alarm["dimensions"] == {
                "SourceBucket": configuration.inputs["bucket"],
                "DestinationBucket": rule["destination"]["bucket"].rsplit(":", 1)[1],
                "RuleId": rule["id"],
            }
        # Past RTC's 15 minutes is past the RPO; any failed object never arrives by itself.
        assert (mine["latency"]["metricName"], mine["latency"]["statistic"], mine["latency"]["threshold"]) == ("ReplicationLatency", "Maximum", 900)
        assert (mine["failed"]["metricName"], mine["failed"]["statistic"], mine["failed"]["threshold"]) == ("OperationsFailedReplication", "Sum", 0)
        # Published where the source is: the alarms go through the stack's own (us-east-1) provider.
        assert _region_of(production, alarms[0]) == "us-east-1"

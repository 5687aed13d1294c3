"""The compliance layer in both stacks: what production registers, what staging leaves out, and the
grants each service needs from the bucket, the keys and the alarm topic."""

from __future__ import annotations

import json

import pytest

from preflight.harness import Plan, Resource, run_stack

TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PREFIX = "betterprompts-production"
ACCOUNTS = ("123456789012",)


def _one(plan: Plan, token: str) -> Resource:
    [found] = plan.of_type(token)
    return found


def _typed(plan: Plan, token: str, name: str) -> Resource:
    [found] = [r for r in plan.of_type(token) if r.name == name]
    return found


def _key(plan: Plan, name: str) -> Resource:
    return _typed(plan, "aws:kms/key:Key", name)


def _logs_bucket_policy(plan: Plan) -> dict:
    policy = _typed(plan, BUCKET_POLICY, f"betterprompts-{plan.stack}-storage-logs-policy")
    return json.loads(policy.inputs["policy"])


def _statements(document: dict) -> dict[str, dict]:
    return {s.get("Sid"): s for s in document["Statement"]}


def test_production_trail_is_multi_region_validated_and_encrypted(production: Plan) -> None:
    trail = _one(production, TRAIL)
    inputs = trail.inputs
    assert inputs["name"] == f"{PREFIX}-audit"
    assert inputs["isMultiRegionTrail"] is True
    assert inputs["includeGlobalServiceEvents"] is True
    assert inputs["enableLogFileValidation"] is True
    key = _key(production, f"{PREFIX}-compliance-trail-key")
    assert inputs["kmsKeyId"] == key.id or inputs["kmsKeyId"].endswith(key.id.split("/")[-1])
    assert inputs["s3BucketName"] == production.outputs["bucketNames"]["logs"]
    assert inputs["cloudWatchLogsGroupArn"].endswith(":*")
    assert trail.protect
    # CreateTrail checks the bucket's policy: the trail waits for it.
    policy = _typed(production, BUCKET_POLICY, f"{PREFIX}-storage-logs-policy")
    assert policy.urn in trail.dependencies


def test_data_events_cover_the_platform_buckets_but_not_the_logs_bucket(production: Plan) -> None:
    [selector] = _one(production, TRAIL).inputs["eventSelectors"]
    assert selector["includeManagementEvents"] is True and selector["readWriteType"] == "All"
    [resource] = selector["dataResources"]
    arns = production.outputs["bucketArns"]
    assert resource["type"] == "AWS::S3::Object"
    assert resource["values"] == sorted(f"{arns[p]}/" for p in ("models", "assets", "backups"))


def test_the_trail_key_policy_names_the_trail(production: Plan) -> None:
    key = _key(production, f"{PREFIX}-compliance-trail-key")
    statements = _statements(json.loads(key.inputs["policy"]))
    trail_arn = statements["CloudTrailEncryptsLogs"]["Condition"]["StringEquals"]["aws:SourceArn"]
    assert trail_arn.endswith(f":trail/{PREFIX}-audit")
    assert key.inputs["enableKeyRotation"] is True and key.protect


def test_the_logs_bucket_admits_cloudtrail_and_config(production: Plan) -> None:
    statements = _statements(_logs_bucket_policy(production))
    write = statements["CloudTrailWrite"]
    logs_arn = production.outputs["bucketArns"]["logs"]
    assert write["Resource"].startswith(f"{logs_arn}/AWSLogs/")
    assert write["Condition"]["StringEquals"]["aws:SourceArn"].endswith(f":trail/{PREFIX}-audit")
    assert statements["ConfigDelivery"]["Resource"].endswith("/Config/*")
    # The TLS-only statement the storage layer writes stays first.
    assert _logs_bucket_policy(production)["Statement"][0]["Effect"] == "Deny"


def test_trail_log_group_is_encrypted_and_expires(production: Plan) -> None:
    group = _typed(production, "aws:cloudwatch/logGroup:LogGroup", f"{PREFIX}-compliance-trail-events")
    assert group.inputs["retentionInDays"] == 365
    assert group.inputs["kmsKeyId"] == production.outputs["kmsKeyArns"]["logs"]


def test_cis_filters_alarm_on_the_alarm_topic(production: Plan) -> None:
    filters = production.of_type("aws:cloudwatch/logMetricFilter:LogMetricFilter")
    assert len(filters) == 5
    alarms = [a for a in production.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.inputs.get("namespace") == "BetterPrompts/CloudTrail"]
    assert sorted(a.inputs["metricName"] for a in alarms) == sorted(f.inputs["metricTransformation"]["name"] for f in filters)
    assert all(a.inputs["alarmActions"] == [production.outputs["alarmTopicArn"]] for a in alarms)


def test_guardduty_features_and_findings_route(production: Plan) -> None:
    detector = _one(production, "aws:guardduty/detector:Detector")
    assert detector.inputs["enable"] is True
    features = {f.inputs["name"]: f for f in production.of_type("aws:guardduty/detectorFeature:DetectorFeature")}
    assert set(features) == {"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "RUNTIME_MONITORING", "LAMBDA_NETWORK_LOGS"}
    assert features["RUNTIME_MONITORING"].inputs["additionalConfigurations"] == [{"name": "EKS_ADDON_MANAGEMENT", "status": "ENABLED"}]
    rule = _typed(production, "aws:cloudwatch/eventRule:EventRule", f"{PREFIX}-compliance-threats-findings")
    assert json.loads(rule.inputs["eventPattern"])["detail"]["severity"] == [{"numeric": [">=", 7.0]}]
    [target] = [t for t in production.of_type("aws:cloudwatch/eventTarget:EventTarget") if t.parent == rule.urn]
    assert target.inputs["arn"] == production.outputs["alarmTopicArn"]


def test_eventbridge_may_publish_to_the_alarm_topic(production: Plan) -> None:
    topic_policy = json.loads(_one(production, "aws:sns/topicPolicy:TopicPolicy").inputs["policy"])
    events = _statements(topic_policy)["EventsPublish"]
    assert events["Principal"] == {"Service": "events.amazonaws.com"}
    assert events["Condition"]["ArnLike"]["aws:SourceArn"].endswith(f":rule/{PREFIX}-*")
    key = _key(production, f"{PREFIX}-alarms")
    principals = [s["Principal"] for s in json.loads(key.inputs["policy"])["Statement"]]
    assert {"Service": "events.amazonaws.com"} in principals


def test_security_hub_with_its_standards_after_the_recorder(production: Plan) -> None:
    hub = _one(production, "aws:securityhub/account:Account")
    assert hub.inputs["enableDefaultStandards"] is False
    standards = sorted(s.inputs["standardsArn"] for s in production.of_type("aws:securityhub/standardsSubscription:StandardsSubscription"))
    assert standards == [
        "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
    ]
    status = _one(production, "aws:cfg/recorderStatus:RecorderStatus")
    assert status.urn in hub.dependencies


def test_config_records_everything_into_the_logs_bucket(production: Plan) -> None:
    recorder = _one(production, "aws:cfg/recorder:Recorder")
    assert recorder.inputs["recordingGroup"]["allSupported"] is True
    assert recorder.inputs["recordingGroup"]["includeGlobalResourceTypes"] is True
    channel = _one(production, "aws:cfg/deliveryChannel:DeliveryChannel")
    assert channel.inputs["s3BucketName"] == production.outputs["bucketNames"]["logs"]
    assert _one(production, "aws:cfg/recorderStatus:RecorderStatus").inputs["isEnabled"] is True
    rules = {r.inputs["source"]["sourceIdentifier"] for r in production.of_type("aws:cfg/rule:Rule")}
    assert {"CLOUD_TRAIL_ENCRYPTION_ENABLED", "REQUIRED_TAGS", "CLOUDWATCH_LOG_GROUP_ENCRYPTED", "RDS_STORAGE_ENCRYPTED"} <= rules


def test_staging_creates_no_account_level_service(staging: Plan) -> None:
    for token in (TRAIL, "aws:guardduty/detector:Detector", "aws:securityhub/account:Account", "aws:cfg/recorder:Recorder"):
        assert staging.of_type(token) == []
    assert "CloudTrailWrite" not in _statements(_logs_bucket_policy(staging))
    assert "EventsPublish" not in _statements(json.loads(_one(staging, "aws:sns/topicPolicy:TopicPolicy").inputs["policy"]))


@pytest.fixture(scope="module")
def staging_in_own_account() -> Plan:
    compliance = {
        "cloudTrail": {"enabled": True, "s3DataEvents": False},
        "guardDuty": {"enabled": True, "alarmSeverity": "medium"},
        "securityHub": {"enabled": True},
        "config": {"enabled": True},
    }
    return run_stack("staging", overrides={"betterprompts:compliance": compliance})


def test_staging_can_turn_every_service_on(staging_in_own_account: Plan) -> None:
    plan = staging_in_own_account
    trail = _one(plan, TRAIL)
    assert trail.inputs["name"] == "betterprompts-staging-audit"
    # Without data events the selector records management events only.
    assert not trail.inputs["eventSelectors"][0].get("dataResources")
    [rule] = [r for r in plan.of_type("aws:cloudwatch/eventRule:EventRule") if "guardduty" in r.inputs.get("eventPattern", "")]
    assert json.loads(rule.inputs["eventPattern"])["detail"]["severity"] == [{"numeric": [">=", 4.0]}]
    # Staging's trail key is not protected (protectStatefulResources is off there).
    assert not _key(plan, "betterprompts-staging-compliance-trail-key").protect


def test_cloudtrail_role_writes_only_the_trail_log_group(production: Plan) -> None:
    role = _typed(production, "aws:iam/role:Role", f"{PREFIX}-compliance-trail-to-logs")
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    policy = _typed(production, "aws:iam/rolePolicy:RolePolicy", f"{PREFIX}-compliance-trail-to-logs")
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Resource"].endswith(":log-stream:123456789012_CloudTrail_us-east-1*")
    assert _one(production, TRAIL).inputs["cloudWatchLogsRoleArn"] == role.id or "cloudWatchLogsRoleArn" in _one(production, TRAIL).inputs

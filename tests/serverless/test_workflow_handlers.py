"""The bulk-transform task functions' real handlers against moto's S3 (through boto3)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.serverless.functions_support import REGION, load_handler

validator = load_handler("manifest_validator")
post = load_handler("transform_post_processor")
failures = load_handler("workflow_failure_handler")

BUCKET = "betterprompts-models-test"
ENV = {"BUCKET": BUCKET, "INPUT_PREFIX": "batch-transform/input/", "OUTPUT_PREFIX": "batch-transform/output/", "MAX_OBJECTS": "3"}


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    return client


def _manifest(s3: Any, entries: list[Any], key: str = "batch-transform/input/run1/manifest.json") -> str:
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(entries).encode())
    return key


def _objects(s3: Any, *keys: str) -> None:
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=f"batch-transform/input/run1/data/{key}", Body=b'{"prompt": "x"}\n' * 10)


PREFIX = {"prefix": f"s3://{BUCKET}/batch-transform/input/run1/data/"}


# --- the manifest validator ---------------------------------------------------------------------


def test_a_valid_manifest_is_described(s3: Any) -> None:
    _objects(s3, "a.jsonl", "b.jsonl")
    key = _manifest(s3, [PREFIX, "a.jsonl", "b.jsonl"])
    result = validator.handler({"input": {"manifestKey": key}, "jobName": "job"}, None, s3=s3, environ=ENV)
    assert result == {"manifestKey": key, "manifestUri": f"s3://{BUCKET}/{key}", "objectCount": 2, "totalBytes": 2 * 160}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([PREFIX], "at least one key"),
        ({"prefix": "x"}, "at least one key"),
        ([{"prefix": f"s3://{BUCKET}/models/"}, "a.jsonl"], "the first entry must be"),
        ([{"prefix": f"s3://other/batch-transform/input/"}, "a.jsonl"], "the first entry must be"),
        ([PREFIX, "../../models/m.tar.gz"], "not a key relative"),
        ([PREFIX, "/a.jsonl"], "not a key relative"),
        ([PREFIX, "a.jsonl", "a.jsonl"], "listed twice"),
        ([PREFIX, "a.jsonl", "b.jsonl", "c.jsonl", "d.jsonl"], "at most 3"),
        ([PREFIX, "a.jsonl", "missing.jsonl"], "1 listed object(s) missing"),
    ],
)
def test_an_invalid_manifest_is_refused(s3: Any, entries: Any, message: str) -> None:
    _objects(s3, "a.jsonl", "b.jsonl", "c.jsonl", "d.jsonl")
    key = _manifest(s3, entries)
    with pytest.raises(validator.ManifestInvalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        validator.handler({"input": {"manifestKey": key}}, None, s3=s3, environ=ENV)


def test_a_manifest_outside_the_input_prefix_or_missing_is_refused(s3: Any) -> None:
    outside = _manifest(s3, [PREFIX, "a.jsonl"], key="models/manifest.json")
    with pytest.raises(validator.ManifestInvalid, match="an object under batch-transform/input/"):
        validator.handler({"input": {"manifestKey": outside}}, None, s3=s3, environ=ENV)
    with pytest.raises(validator.ManifestInvalid, match="needs \"manifestKey\""):
        validator.handler({"input": {}}, None, s3=s3, environ=ENV)
    with pytest.raises(validator.ManifestInvalid, match="does not exist"):
        validator.handler({"input": {"manifestKey": "batch-transform/input/none.json"}}, None, s3=s3, environ=ENV)
    s3.put_object(Bucket=BUCKET, Key="batch-transform/input/bad.json", Body=b"[not json")
    with pytest.raises(validator.ManifestInvalid, match="not JSON"):
        validator.handler({"input": {"manifestKey": "batch-transform/input/bad.json"}}, None, s3=s3, environ=ENV)


# --- the post-processor ---------------------------------------------------------------------------


def _results(s3: Any, job: str, *keys: str) -> None:
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=f"batch-transform/output/{job}/{key}.out", Body=b'{"intent": "y"}\n')


def test_every_result_present_writes_the_summary(s3: Any) -> None:
    key = _manifest(s3, [PREFIX, "a.jsonl", "b.jsonl"])
    _results(s3, "job1", "a.jsonl", "b.jsonl")
    event = {"jobName": "job1", "manifestKey": key, "outputUri": f"s3://{BUCKET}/batch-transform/output/job1/"}
    result = post.handler(event, None, s3=s3, environ=ENV)
    assert result["summaryKey"] == "batch-transform/output/job1/_SUMMARY.json"
    assert (result["inputs"], result["results"], result["missing"], result["resultBytes"]) == (2, 2, 0, 2 * 16)
    summary = json.loads(s3.get_object(Bucket=BUCKET, Key=result["summaryKey"])["Body"].read())
    assert summary["firstMissing"] == [] and summary["jobName"] == "job1"


def test_a_missing_result_fails_after_writing_the_summary(s3: Any) -> None:
    key = _manifest(s3, [PREFIX, "a.jsonl", "b.jsonl"])
    _results(s3, "job2", "a.jsonl")
    event = {"jobName": "job2", "manifestKey": key, "outputUri": f"s3://{BUCKET}/batch-transform/output/job2/"}
    with pytest.raises(post.OutputIncomplete, match=r"1 of 2 inputs have no result, first: \['b.jsonl.out'\]"):
        post.handler(event, None, s3=s3, environ=ENV)
    summary = json.loads(s3.get_object(Bucket=BUCKET, Key="batch-transform/output/job2/_SUMMARY.json")["Body"].read())
    assert summary["missing"] == 1 and summary["firstMissing"] == ["b.jsonl.out"]


def test_an_output_outside_the_output_prefix_is_refused(s3: Any) -> None:
    key = _manifest(s3, [PREFIX, "a.jsonl"])
    with pytest.raises(ValueError, match="outside"):
        post.handler({"jobName": "j", "manifestKey": key, "outputUri": f"s3://{BUCKET}/models/j/"}, None, s3=s3, environ=ENV)


# --- the failure handler ------------------------------------------------------------------------


def test_a_failure_is_recorded_and_worded_for_the_topic(s3: Any) -> None:
    cause = json.dumps({"errorMessage": "1 listed object(s) missing", "errorType": "ManifestInvalid"})
    event = {"execution": "arn:aws:states:us-east-1:1:execution:m:e", "jobName": "job3", "error": {"Error": "ManifestInvalid", "Cause": cause}}
    notice = failures.handler(event, None, s3=s3, environ={**ENV, "WORKFLOW": "betterprompts-production-bulk-transform"})
    assert notice["subject"] == "betterprompts-production-bulk-transform: ManifestInvalid"
    assert "Cause: 1 listed object(s) missing" in notice["message"]
    assert f"s3://{BUCKET}/batch-transform/output/job3/_FAILURE.json" in notice["message"]
    record = json.loads(s3.get_object(Bucket=BUCKET, Key="batch-transform/output/job3/_FAILURE.json")["Body"].read())
    assert record["error"] == "ManifestInvalid" and record["cause"] == "1 listed object(s) missing"


def test_subjects_fit_sns_and_long_causes_are_cut(s3: Any) -> None:
    event = {"execution": "e", "jobName": "job4", "error": {"Error": "States.TaskFailed\nwith é" + "x" * 200, "Cause": "y" * 10_000}}
    notice = failures.handler(event, None, s3=s3, environ={**ENV, "WORKFLOW": "wf"})
    assert len(notice["subject"]) <= 100 and notice["subject"].isascii() and "\n" not in notice["subject"]
    assert len(notice["message"]) < 5_000 and "[cut; the record has all of it]" in notice["message"]
    record = json.loads(s3.get_object(Bucket=BUCKET, Key="batch-transform/output/job4/_FAILURE.json")["Body"].read())
    assert len(record["cause"]) == 10_000

"""Bulk transform, after the job: check that every object of the manifest has its result and write the
job's summary next to the results.

Input: ``{"jobName", "manifestKey", "outputUri"}``. SageMaker writes the result of ``<prefix><key>`` as
``<outputUri><key>.out``. The summary (``<outputUri>_SUMMARY.json``) lists counts, bytes and the first
missing results; when any result is missing the function raises ``OutputIncomplete`` after writing it
(the state machine routes that to the failure handler). Returns the summary without the missing list's
tail. Environment: ``BUCKET``, ``INPUT_PREFIX``, ``OUTPUT_PREFIX``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

SUMMARY = "_SUMMARY.json"
RESULT_SUFFIX = ".out"
LISTED_MISSING = 100


class OutputIncomplete(Exception):
    """The job succeeded but some inputs have no result."""


def _split(uri: str, bucket: str) -> str:
    head = f"s3://{bucket}/"
    if not uri.startswith(head):
        raise ValueError(f"{uri!r} is not in s3://{bucket}/")
    return uri[len(head) :]


def handler(event: dict[str, Any], context: Any, *, s3: Any = None, environ: Any = None) -> dict[str, Any]:
    env = environ if environ is not None else os.environ
    bucket, input_prefix, output_prefix = env["BUCKET"], env["INPUT_PREFIX"], env["OUTPUT_PREFIX"]
    client = s3 or boto3.client("s3")
    manifest_key = event["manifestKey"]
    output = _split(event["outputUri"], bucket)
    if not manifest_key.startswith(input_prefix) or not output.startswith(output_prefix):
        raise ValueError(f"manifest {manifest_key!r} or output {output!r} outside {input_prefix} / {output_prefix}")
    output = output if output.endswith("/") else output + "/"
    manifest = json.loads(client.get_object(Bucket=bucket, Key=manifest_key)["Body"].read())
    expected = {f"{key}{RESULT_SUFFIX}" for key in manifest[1:]}
    found: dict[str, int] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=output):
        for item in page.get("Contents", []):
            found[item["Key"][len(output) :]] = item["Size"]
    missing = sorted(expected - set(found))
    summary = {
        "jobName": event["jobName"],
        "manifestKey": manifest_key,
        "inputs": len(expected),
        "results": len(expected) - len(missing),
        "resultBytes": sum(size for name, size in found.items() if name in expected),
        "missing": len(missing),
        "firstMissing": missing[:LISTED_MISSING],
    }
    summary_key = output + SUMMARY
    client.put_object(Bucket=bucket, Key=summary_key, Body=json.dumps(summary, indent=2).encode(), ContentType="application/json")
    if missing:
        raise OutputIncomplete(f"{len(missing)} of {len(expected)} inputs have no result, first: {missing[:5]} (s3://{bucket}/{summary_key})")
    return {**{k: v for k, v in summary.items() if k != "firstMissing"}, "summaryKey": summary_key}

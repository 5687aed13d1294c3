"""Bulk transform, first step: check the execution's manifest before a transform job is paid for.

Input (from the state machine): ``{"input": <the execution input>, "jobName": "<job>"}``; the execution input
is ``{"manifestKey": "<INPUT_PREFIX>.../manifest.json"}``. The manifest is SageMaker's manifest file (a JSON
array: ``{"prefix": "s3://<bucket>/<prefix>/"}`` first, then object keys relative to it). It must:

- live under ``INPUT_PREFIX`` of ``BUCKET`` (the only place the validator and the model may read), as must
  its prefix, so a job never reads outside the input prefix;
- list 1 to ``MAX_OBJECTS`` distinct relative keys, none escaping the prefix (``..``, a leading ``/``);
- name objects that exist (HEAD each).

Any violation raises ``ManifestInvalid`` (the state machine does not retry it and routes it to the failure
handler). Returns ``{"manifestKey", "manifestUri", "objectCount", "totalBytes"}``. Environment: ``BUCKET``,
``INPUT_PREFIX``, ``MAX_OBJECTS``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from botocore.exceptions import ClientError

MAX_MANIFEST_BYTES = 64 * 2**20
"""A manifest larger than this is not a list of keys (a million keys of 60 characters is ~64 MiB)."""


class ManifestInvalid(Exception):
    """The manifest cannot be transformed as it is: fix it and start a new execution."""


def _relative_key(entry: Any, index: int) -> str:
    if not isinstance(entry, str) or not entry or entry.startswith("/") or ".." in entry.split("/"):
        raise ManifestInvalid(f"entry {index}: {entry!r} is not a key relative to the manifest's prefix")
    return entry


def parse_manifest(body: bytes, *, bucket: str, input_prefix: str, max_objects: int) -> tuple[str, list[str]]:
    """(the prefix key, the relative keys) of a SageMaker manifest file, or ManifestInvalid."""
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestInvalid(f"not JSON: {error}") from None
    if not isinstance(manifest, list) or len(manifest) < 2:
        raise ManifestInvalid("a manifest is a JSON array: {\"prefix\": \"s3://...\"} and at least one key")
    head = manifest[0]
    prefix = head.get("prefix") if isinstance(head, dict) else None
    expected = f"s3://{bucket}/{input_prefix}"
    if not isinstance(prefix, str) or not prefix.startswith(expected) or not prefix.endswith("/"):
        raise ManifestInvalid(f"the first entry must be {{\"prefix\": \"{expected}.../\"}}, not {head!r}")
    keys = [_relative_key(entry, index) for index, entry in enumerate(manifest[1:], start=1)]
    if len(keys) > max_objects:
        raise ManifestInvalid(f"{len(keys)} objects; at most {max_objects} a job (split the manifest)")
    if len(set(keys)) != len(keys):
        raise ManifestInvalid("an object is listed twice (it would be transformed twice)")
    return prefix[len(f"s3://{bucket}/") :], keys


def handler(event: dict[str, Any], context: Any, *, s3: Any = None, environ: Any = None) -> dict[str, Any]:
    env = environ if environ is not None else os.environ
    bucket, input_prefix = env["BUCKET"], env["INPUT_PREFIX"]
    client = s3 or boto3.client("s3")
    execution_input = event.get("input")
    key = execution_input.get("manifestKey") if isinstance(execution_input, dict) else None
    if not isinstance(key, str) or not key.startswith(input_prefix) or key.endswith("/"):
        raise ManifestInvalid(f"the execution input needs \"manifestKey\": an object under {input_prefix}, not {key!r}")
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise ManifestInvalid(f"s3://{bucket}/{key} does not exist") from None
        raise
    if head["ContentLength"] > MAX_MANIFEST_BYTES:
        raise ManifestInvalid(f"the manifest is {head['ContentLength']} bytes; at most {MAX_MANIFEST_BYTES}")
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    prefix, keys = parse_manifest(body, bucket=bucket, input_prefix=input_prefix, max_objects=int(env["MAX_OBJECTS"]))
    total, missing = 0, []
    for relative in keys:
        try:
            total += client.head_object(Bucket=bucket, Key=prefix + relative)["ContentLength"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
            missing.append(relative)
    if missing:
        raise ManifestInvalid(f"{len(missing)} listed object(s) missing under s3://{bucket}/{prefix}, first: {missing[:5]}")
    print(f"{event.get('jobName')}: manifest {key} lists {len(keys)} objects, {total} bytes")
    return {"manifestKey": key, "manifestUri": f"s3://{bucket}/{key}", "objectCount": len(keys), "totalBytes": total}

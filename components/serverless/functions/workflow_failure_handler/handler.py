"""Bulk transform, on any failure: keep a record of it next to where the results would have been and
word the alarm the state machine publishes to the platform's alarm topic.

Input: ``{"execution": "<execution ARN>", "jobName": "<job>", "error": {"Error": ..., "Cause": ...}}`` (what
a Catch puts in ``$.error``). Writes ``<OUTPUT_PREFIX><job>/_FAILURE.json`` and returns
``{"subject", "message"}``: an SNS subject (ASCII, one line, at most 100 characters) and a message that
stays well under SNS's 256 KB (the cause is cut to ``MAX_CAUSE`` characters; the record keeps all of it).
Environment: ``BUCKET``, ``OUTPUT_PREFIX``, ``WORKFLOW``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

FAILURE_RECORD = "_FAILURE.json"
SUBJECT_LIMIT = 100
MAX_CAUSE = 4000


def subject_line(workflow: str, error: str) -> str:
    """SNS subjects: printable ASCII, no line breaks, at most 100 characters."""
    text = f"{workflow}: {error or 'failed'}"
    clean = "".join(c if 32 <= ord(c) < 127 else " " for c in text)
    return clean if len(clean) <= SUBJECT_LIMIT else clean[: SUBJECT_LIMIT - 3] + "..."


def _cause(raw: Any) -> str:
    """A Catch's Cause is a string, often JSON of the failed call's answer (errorMessage, FailureReason)."""
    if not isinstance(raw, str):
        return json.dumps(raw, default=str)
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    if isinstance(parsed, dict):
        for field in ("errorMessage", "FailureReason", "Message", "message"):
            if isinstance(parsed.get(field), str):
                return parsed[field]
    return raw


def handler(event: dict[str, Any], context: Any, *, s3: Any = None, environ: Any = None) -> dict[str, Any]:
    env = environ if environ is not None else os.environ
    error = event.get("error") or {}
    name = str(error.get("Error") or "Unknown")
    cause = _cause(error.get("Cause", ""))
    job = str(event.get("jobName") or "unnamed")
    record = {"execution": event.get("execution"), "jobName": job, "error": name, "cause": cause}
    key = f"{env['OUTPUT_PREFIX']}{job}/{FAILURE_RECORD}"
    (s3 or boto3.client("s3")).put_object(
        Bucket=env["BUCKET"], Key=key, Body=json.dumps(record, indent=2).encode(), ContentType="application/json"
    )
    short = cause if len(cause) <= MAX_CAUSE else cause[:MAX_CAUSE] + " [cut; the record has all of it]"
    message = "\n".join(
        [
            f"Bulk transform {job} failed: {name}",
            f"Execution: {event.get('execution')}",
            f"Cause: {short}",
            f"Record: s3://{env['BUCKET']}/{key}",
            "Runbook: docs/serverless.md, 'Bulk transform'",
        ]
    )
    return {"subject": subject_line(env.get("WORKFLOW", "bulk-transform"), name), "message": message}

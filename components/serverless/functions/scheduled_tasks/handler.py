"""Scheduled tasks, invoked by EventBridge Scheduler with the task's name as input.

``{"task": "cleanup-expired-uploads"}``: delete objects under ``UPLOADS_PREFIX`` of ``BUCKET``
older than ``UPLOAD_EXPIRY_DAYS`` (originals whose variants exist; abandoned uploads). Deletes
in batches of 1,000 (S3's DeleteObjects maximum). An unknown task raises, so the invocation fails
and is retried, then lands in the dead-letter queue.
"""

from __future__ import annotations

import datetime
import os
from typing import Any, Callable

import boto3

DELETE_BATCH = 1000


def cleanup_expired_uploads(s3: Any, environ: Any, now: datetime.datetime) -> dict[str, Any]:
    bucket = environ["BUCKET"]
    prefix = environ["UPLOADS_PREFIX"]
    cutoff = now - datetime.timedelta(days=int(environ["UPLOAD_EXPIRY_DAYS"]))
    expired: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        expired.extend(o["Key"] for o in page.get("Contents", []) if o["LastModified"] < cutoff)
    errors: list[dict[str, Any]] = []
    for start in range(0, len(expired), DELETE_BATCH):
        batch = [{"Key": key} for key in expired[start : start + DELETE_BATCH]]
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        errors.extend(answer.get("Errors", []))
    if errors:
        # Fail the run: the scheduler's retry policy tries again, then the dead-letter queue keeps it.
        raise RuntimeError(f"{len(errors)} of {len(expired)} deletions failed, first: {errors[0]}")
    return {"deleted": len(expired), "cutoff": cutoff.isoformat()}


TASKS: dict[str, Callable[[Any, Any, datetime.datetime], dict[str, Any]]] = {
    "cleanup-expired-uploads": cleanup_expired_uploads,
}


def handler(
    event: dict[str, Any],
    context: Any,
    *,
    s3: Any = None,
    environ: Any = None,
    now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.timezone.utc),
) -> dict[str, Any]:
    task = event.get("task")
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; known: {sorted(TASKS)}")
    result = TASKS[task](s3 or boto3.client("s3"), environ if environ is not None else os.environ, now())
    print(f"{task}: {result}")
    return {"task": task, **result}

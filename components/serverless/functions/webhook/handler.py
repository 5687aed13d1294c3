"""Webhook processing behind API Gateway (REST, Lambda proxy integration): verify the sender's
HMAC-SHA256 signature with a secret from Secrets Manager, refuse what is too large or unsigned,
enqueue the event on the intent classifier's work queue and answer at once.

Status codes (the sender's retry logic depends on them):

- 202: accepted and enqueued (the body names the SQS message id);
- 400: the body is not a JSON object;
- 401: no signature, a bad signature, or a timestamp outside the tolerance (replay);
- 413: the body is larger than ``MAX_BODY_BYTES``;
- 500: the queue or the secret could not be reached (the sender should retry).

The signature is ``X-Signature-256: sha256=<hex HMAC of "<timestamp>.<raw body>">`` with the
timestamp (Unix seconds) in ``X-Signature-Timestamp``. Environment: ``SECRET_ARN``, ``QUEUE_URL``,
``MAX_BODY_BYTES``, ``TIMESTAMP_TOLERANCE_SECONDS``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from typing import Any, Callable

import boto3

SIGNATURE_HEADER = "x-signature-256"
TIMESTAMP_HEADER = "x-signature-timestamp"
SIGNATURE_PREFIX = "sha256="

_clients: dict[str, Any] = {}
_secret: dict[str, bytes] = {}


def _client(service: str) -> Any:
    if service not in _clients:
        _clients[service] = boto3.client(service)
    return _clients[service]


def signing_secret(secret_arn: str, secrets: Any = None) -> bytes:
    """The shared secret, read once per execution environment (Secrets Manager charges per call)."""
    if secret_arn not in _secret:
        client = secrets or _client("secretsmanager")
        _secret[secret_arn] = client.get_secret_value(SecretId=secret_arn)["SecretString"].encode()
    return _secret[secret_arn]


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The header value a sender computes: ``sha256=<hex>`` over ``<timestamp>.<body>``."""
    return SIGNATURE_PREFIX + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _response(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": message, **extra}),
    }


def _raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()


def handler(
    event: dict[str, Any],
    context: Any,
    *,
    sqs: Any = None,
    secrets: Any = None,
    environ: Any = None,
    now: Callable[[], float] = time.time,
) -> dict[str, Any]:
    env = environ if environ is not None else os.environ
    limit = int(env.get("MAX_BODY_BYTES", "262144"))
    tolerance = int(env.get("TIMESTAMP_TOLERANCE_SECONDS", "300"))
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    body = _raw_body(event)
    if len(body) > limit:
        return _response(413, f"body larger than {limit} bytes")
    signature = headers.get(SIGNATURE_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not signature.startswith(SIGNATURE_PREFIX) or not timestamp.isdigit():
        return _response(401, f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header")
    if abs(now() - int(timestamp)) > tolerance:
        return _response(401, "signature timestamp outside the allowed window")
    try:
        secret = signing_secret(env["SECRET_ARN"], secrets)
    except Exception as error:  # noqa: BLE001 - any failure to read the secret is the service's, not the sender's
        print(f"cannot read the signing secret: {error}")
        return _response(500, "temporarily unable to verify signatures")
    if not hmac.compare_digest(sign(secret, timestamp, body), signature):
        return _response(401, "bad signature")
    try:
        payload = json.loads(body)
    except ValueError:
        return _response(400, "body is not JSON")
    if not isinstance(payload, dict):
        return _response(400, "body is not a JSON object")
    request_id = (event.get("requestContext") or {}).get("requestId", "")
    try:
        sent = (sqs or _client("sqs")).send_message(
            QueueUrl=env["QUEUE_URL"],
            MessageBody=json.dumps({"source": "webhook", "receivedAt": int(now()), "requestId": request_id, "event": payload}),
        )
    except Exception as error:  # noqa: BLE001 - the sender retries on 5xx
        print(f"cannot enqueue: {error}")
        return _response(500, "temporarily unable to accept events")
    return _response(202, "accepted", messageId=sent["MessageId"])

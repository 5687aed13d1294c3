"""The three functions' real handlers against moto (S3, SQS, Secrets Manager through boto3), and
the image library doing real work on a generated image."""

from __future__ import annotations

import base64
import datetime
import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from PIL import Image

from tests.serverless.functions_support import REGION, load_handler

images = load_handler("image_optimizer")
webhook = load_handler("webhook")
scheduled = load_handler("scheduled_tasks")

BUCKET = "betterprompts-assets-test"


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    image = Image.new(mode, (width, height), (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _s3_event(key: str) -> dict[str, Any]:
    return {"Records": [{"s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}]}


IMAGE_SETTINGS = images.Settings(
    uploads_prefix="uploads/",
    variants_prefix="variants/",
    widths=(320, 640, 1280),
    quality=80,
    max_source_bytes=5 * 2**20,
    max_source_pixels=20_000_000,
)


# --- image optimization ------------------------------------------------------------------------


def test_image_variants_are_resized_webp_never_enlarged(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    # A key with a space arrives URL-encoded ('+') in the event.
    s3.put_object(Bucket=BUCKET, Key="uploads/team/cover photo.png", Body=_png(1000, 500))
    result = images.handler(_s3_event("uploads/team/cover+photo.png"), None, s3=s3, settings=IMAGE_SETTINGS)
    expected = [f"variants/team/cover photo/{w}.webp" for w in (320, 640, 1280)]
    assert result == {"written": expected, "rejected": []}
    sizes = {}
    for key in expected:
        obj = s3.get_object(Bucket=BUCKET, Key=key)
        assert obj["ContentType"] == "image/webp"
        with Image.open(io.BytesIO(obj["Body"].read())) as variant:
            assert variant.format == "WEBP"
            sizes[key] = variant.size
    assert sizes[expected[0]] == (320, 160)
    assert sizes[expected[1]] == (640, 320)
    assert sizes[expected[2]] == (1000, 500)  # not enlarged past the original


def test_transparency_survives_and_exif_rotation_is_applied() -> None:
    variants = images.make_variants(_png(400, 200, "RGBA"), IMAGE_SETTINGS)
    with Image.open(io.BytesIO(variants[320])) as variant:
        assert variant.mode == "RGBA"
    rotated = Image.new("RGB", (400, 200), (0, 0, 255))
    exif = rotated.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    out = io.BytesIO()
    rotated.save(out, format="JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(images.make_variants(out.getvalue(), IMAGE_SETTINGS)[320])) as variant:
        assert variant.size == (200, 400)  # portrait after the EXIF rotation


def test_not_an_image_or_too_large_is_rejected_not_retried(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="uploads/notes.txt", Body=b"hello")
    s3.put_object(Bucket=BUCKET, Key="uploads/huge.png", Body=_png(6000, 4000))
    small = images.Settings(**{**IMAGE_SETTINGS.__dict__, "max_source_pixels": 1_000_000})
    event = {"Records": _s3_event("uploads/notes.txt")["Records"] + _s3_event("uploads/huge.png")["Records"]}
    result = images.handler(event, None, s3=s3, settings=small)
    assert result == {"written": [], "rejected": ["uploads/notes.txt", "uploads/huge.png"]}
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="variants/")["KeyCount"] == 0


def test_objects_outside_the_uploads_prefix_are_ignored(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    assert images.handler(_s3_event("variants/a/320.webp"), None, s3=s3, settings=IMAGE_SETTINGS) == {"written": [], "rejected": []}


def test_image_settings_from_the_environment() -> None:
    settings = images.Settings.from_environment(
        {"UPLOADS_PREFIX": "uploads/", "VARIANTS_PREFIX": "variants/", "VARIANT_WIDTHS": "640, 320,640", "WEBP_QUALITY": "75"}
    )
    assert settings.widths == (320, 640)
    with pytest.raises(ValueError, match="WEBP_QUALITY"):
        images.Settings.from_environment({"UPLOADS_PREFIX": "u/", "VARIANTS_PREFIX": "v/", "VARIANT_WIDTHS": "1", "WEBP_QUALITY": "0"})


# --- webhook -----------------------------------------------------------------------------------

SECRET = "whsec-test-0123456789"
NOW = 1_790_000_000


@pytest.fixture
def hook(aws: None) -> Iterator[dict[str, Any]]:
    webhook._secret.clear()
    webhook._clients.clear()
    secrets = boto3.client("secretsmanager", region_name=REGION)
    arn = secrets.create_secret(Name="betterprompts-test-webhook", SecretString=SECRET)["ARN"]
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="betterprompts-test-intent-classification")["QueueUrl"]
    yield {"sqs": sqs, "secrets": secrets, "environ": {"SECRET_ARN": arn, "QUEUE_URL": url, "MAX_BODY_BYTES": "1024"}, "url": url}
    webhook._secret.clear()


def _request(body: bytes, *, timestamp: int = NOW, secret: str = SECRET, signature: str | None = None, b64: bool = False) -> dict[str, Any]:
    sig = signature if signature is not None else webhook.sign(secret.encode(), str(timestamp), body)
    return {
        "headers": {"Content-Type": "application/json", "X-Signature-256": sig, "X-Signature-Timestamp": str(timestamp)},
        "body": base64.b64encode(body).decode() if b64 else body.decode(),
        "isBase64Encoded": b64,
        "requestContext": {"requestId": "req-1"},
    }


def _call(hook: dict[str, Any], event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    answer = webhook.handler(event, None, sqs=hook["sqs"], secrets=hook["secrets"], environ=hook["environ"], now=lambda: NOW)
    return answer["statusCode"], json.loads(answer["body"])


def test_a_signed_event_is_enqueued_and_accepted(hook: dict[str, Any]) -> None:
    body = json.dumps({"type": "prompt.created", "id": "p-1"}).encode()
    status, answer = _call(hook, _request(body, b64=True))
    assert status == 202
    [message] = hook["sqs"].receive_message(QueueUrl=hook["url"], MaxNumberOfMessages=10)["Messages"]
    assert answer["messageId"] == message["MessageId"]
    queued = json.loads(message["Body"])
    assert queued == {"source": "webhook", "receivedAt": NOW, "requestId": "req-1", "event": {"type": "prompt.created", "id": "p-1"}}


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"secret": "another-secret"}, 401, "bad signature"),
        ({"signature": ""}, 401, "missing"),
        ({"signature": "md5=abc"}, 401, "missing"),
        ({"timestamp": NOW - 301}, 401, "outside the allowed window"),
    ],
)
def test_bad_signatures_are_refused_and_nothing_is_enqueued(hook: dict[str, Any], change: dict[str, Any], status: int, message: str) -> None:
    got, answer = _call(hook, _request(b'{"a": 1}', **change))
    assert (got, message in answer["message"]) == (status, True)
    assert "Messages" not in hook["sqs"].receive_message(QueueUrl=hook["url"])


def test_oversized_and_malformed_bodies(hook: dict[str, Any]) -> None:
    assert _call(hook, _request(b'{"a": "' + b"x" * 1100 + b'"}'))[0] == 413
    assert _call(hook, _request(b"not json")) == (400, {"message": "body is not JSON"})
    assert _call(hook, _request(b"[1, 2]")) == (400, {"message": "body is not a JSON object"})


def test_an_unreachable_queue_is_a_500_the_sender_retries(hook: dict[str, Any]) -> None:
    hook["environ"]["QUEUE_URL"] = hook["url"] + "-missing"
    assert _call(hook, _request(b'{"a": 1}'))[0] == 500


def test_the_secret_is_read_once_per_environment(hook: dict[str, Any]) -> None:
    _call(hook, _request(b'{"a": 1}'))
    hook["secrets"].put_secret_value(SecretId=hook["environ"]["SECRET_ARN"], SecretString="rotated")
    # Still the cached secret: a warm environment does not call Secrets Manager per request.
    assert _call(hook, _request(b'{"a": 2}'))[0] == 202


# --- scheduled tasks ---------------------------------------------------------------------------


def test_cleanup_deletes_only_expired_uploads(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    for key in ("uploads/a.png", "uploads/b.png", "variants/a/320.webp"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    environ = {"BUCKET": BUCKET, "UPLOADS_PREFIX": "uploads/", "UPLOAD_EXPIRY_DAYS": "7"}
    # Nothing is old enough yet.
    today = datetime.datetime.now(datetime.timezone.utc)
    result = scheduled.handler({"task": "cleanup-expired-uploads"}, None, s3=s3, environ=environ, now=lambda: today)
    assert result["deleted"] == 0
    later = today + datetime.timedelta(days=8)
    result = scheduled.handler({"task": "cleanup-expired-uploads"}, None, s3=s3, environ=environ, now=lambda: later)
    assert result["deleted"] == 2
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["variants/a/320.webp"]


def test_an_unknown_task_fails_the_run(aws: None) -> None:
    with pytest.raises(ValueError, match="unknown task"):
        scheduled.handler({"task": "nope"}, None, s3=boto3.client("s3", region_name=REGION), environ={})

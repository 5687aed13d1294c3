"""Image optimization (seed "5. Serverless Components"): a new object under the uploads prefix of the
assets bucket becomes resized WebP variants under the variants prefix.

S3 invokes the function asynchronously (the bucket's notification filters on the uploads prefix, so
the variants it writes never invoke it again). Configuration comes from the environment:

- ``UPLOADS_PREFIX`` / ``VARIANTS_PREFIX``: where originals arrive and variants go (``uploads/``, ``variants/``);
- ``VARIANT_WIDTHS``: comma-separated widths in pixels (``320,640,1280``); an image is never enlarged;
- ``WEBP_QUALITY``: 1-100;
- ``MAX_SOURCE_BYTES`` / ``MAX_SOURCE_PIXELS``: larger originals are refused (decompression bombs).

An original ``uploads/a/b.png`` becomes ``variants/a/b/<width>.webp`` for every width.
"""

from __future__ import annotations

import io
import os
import urllib.parse
from dataclasses import dataclass
from typing import Any

import boto3
from PIL import Image, ImageOps


@dataclass(frozen=True)
class Settings:
    uploads_prefix: str
    variants_prefix: str
    widths: tuple[int, ...]
    quality: int
    max_source_bytes: int
    max_source_pixels: int

    @staticmethod
    def from_environment(environ: Any = os.environ) -> "Settings":
        widths = tuple(sorted({int(w) for w in environ["VARIANT_WIDTHS"].split(",") if w.strip()}))
        if not widths or widths[0] < 1:
            raise ValueError("VARIANT_WIDTHS needs at least one positive width")
        quality = int(environ.get("WEBP_QUALITY", "80"))
        if not 1 <= quality <= 100:
            raise ValueError("WEBP_QUALITY must be 1-100")
        return Settings(
            uploads_prefix=environ["UPLOADS_PREFIX"],
            variants_prefix=environ["VARIANTS_PREFIX"],
            widths=widths,
            quality=quality,
            max_source_bytes=int(environ.get("MAX_SOURCE_BYTES", str(25 * 2**20))),
            max_source_pixels=int(environ.get("MAX_SOURCE_PIXELS", str(50_000_000))),
        )


class RejectedImage(ValueError):
    """An original the function will not process (too large, not an image): logged, not retried."""


def variant_key(key: str, width: int, settings: Settings) -> str:
    stem = key[len(settings.uploads_prefix) :].rsplit(".", 1)[0]
    return f"{settings.variants_prefix}{stem}/{width}.webp"


def make_variants(data: bytes, settings: Settings) -> dict[int, bytes]:
    """WebP variants of ``data`` no wider than each configured width (and never enlarged)."""
    if len(data) > settings.max_source_bytes:
        raise RejectedImage(f"{len(data)} bytes, more than {settings.max_source_bytes}")
    Image.MAX_IMAGE_PIXELS = settings.max_source_pixels
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            # Phones store rotation in EXIF: apply it before the metadata is dropped.
            image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.UnidentifiedImageError, OSError) as error:
        raise RejectedImage(str(error)) from None
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    variants: dict[int, bytes] = {}
    for width in settings.widths:
        target = min(width, image.width)
        height = max(1, round(image.height * target / image.width))
        resized = image if target == image.width else image.resize((target, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        resized.save(out, format="WEBP", quality=settings.quality, method=4)
        variants[width] = out.getvalue()
    return variants


def handler(event: dict[str, Any], context: Any, *, s3: Any = None, settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or Settings.from_environment()
    s3 = s3 or boto3.client("s3")
    written: list[str] = []
    rejected: list[str] = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # S3 URL-encodes keys in event notifications (spaces as '+').
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        if not key.startswith(settings.uploads_prefix) or key.endswith("/"):
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        try:
            variants = make_variants(body, settings)
        except RejectedImage as error:
            print(f"rejected s3://{bucket}/{key}: {error}")
            rejected.append(key)
            continue
        for width, data in variants.items():
            target = variant_key(key, width, settings)
            s3.put_object(Bucket=bucket, Key=target, Body=data, ContentType="image/webp", CacheControl="public, max-age=31536000, immutable")
            written.append(target)
    return {"written": written, "rejected": rejected}

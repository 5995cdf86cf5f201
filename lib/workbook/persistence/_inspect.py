"""Byte and key inspectors: what a blob of bytes or a returned URL really is.

Each inspector looks only at the evidence handed to it (the bytes, the URL, the files on disk)
and returns facts or a list of problems naming the defect; none of them prints or raises for a
defect, so a check lists every problem it found.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

from PIL import Image

from ._errors import PresignedUrlError
from ._presign import parse_presigned_url

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Decoded sizes are integers: a ratio within 2 % is the requested one.
RATIO_TOLERANCE = 0.02


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ratio_of(aspect_ratio: str) -> float | None:
    """`"16:9"` -> 1.777...; None for anything that is not two positive numbers W:H."""
    width, separator, height = aspect_ratio.partition(":")
    try:
        ratio = float(width) / float(height)
    except (ValueError, ZeroDivisionError):
        return None
    return ratio if separator and ratio > 0 else None


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of an image Pillow can decode; None if it cannot."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # any decoder error means "not an image"
        return None


def png_problems(data: bytes, aspect_ratio: str) -> list[str]:
    """Why `data` is not a valid PNG of `aspect_ratio` (empty when it is one)."""
    if not data.startswith(PNG_SIGNATURE):
        return ["is not a PNG (no PNG signature)"]
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception as error:  # any decoder error means "not a valid PNG"
        return [f"does not decode as PNG ({error})"]
    expected = ratio_of(aspect_ratio)
    if expected and abs(width / height - expected) > RATIO_TOLERANCE * expected:
        return [f"is {width}x{height}, not aspect ratio {aspect_ratio}"]
    return []


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def key_of(url: object, bucket: str) -> str | None:
    """The object key a returned URL points at (presigned http(s) or s3://bucket/key), else None."""
    text = str(url)
    if text.startswith(f"s3://{bucket}/"):
        return text[len(f"s3://{bucket}/") :]
    try:
        return parse_presigned_url(text).key_in_bucket(bucket)
    except PresignedUrlError:
        return None


def convert_image(data: bytes, pillow_format: str) -> bytes:
    """`data` re-encoded as `pillow_format` (PNG, JPEG, WEBP, GIF)."""
    with Image.open(io.BytesIO(data)) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format=pillow_format)
        return buffer.getvalue()


def file_hashes(base: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below `base`."""
    return {p.relative_to(base).as_posix(): sha256_hex(p.read_bytes()) for p in sorted(base.rglob("*")) if p.is_file()}


# Pillow format -> the content type an image of that format is served as.
FORMAT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


def image_format(data: bytes) -> str | None:
    """The content type of the image `data` decodes as (from its bytes, not its name); None if none."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return FORMAT_TYPES.get(str(image.format))
    except Exception:  # any decoder error means "not an image"
        return None

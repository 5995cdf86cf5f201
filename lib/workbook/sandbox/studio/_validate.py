"""ORFEAS's upload validation, layer by layer, with its own error words (validation_enhanced.py).

Extension, magic number, dimensions read from the header (32..4096 px, at most 4096x4096 pixels,
compression ratio), embedded script or executable patterns, then a full decode. The first layer
that fails gives the message ORFEAS answers as `400 {"error": "Security validation failed: <msg>"}`.
"""

from __future__ import annotations

import io
import struct
import uuid

from PIL import Image

ALLOWED_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "bmp", "tiff", "webp")
MAGIC = {
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "gif": b"GIF89a",
    "bmp": b"BM",
    "tiff": b"II*\x00",
    "webp": b"RIFF",
}
MIN_SIDE, MAX_SIDE = 32, 4096
MAX_PIXELS = MAX_SIDE * MAX_SIDE
MAX_BYTES = 50 * 1024 * 1024
SUSPICIOUS = (b"<script", b"<?php", b"<?xml", b"<!DOCTYPE", b"javascript:", b"data:text/html")
EXECUTABLE_HEADERS = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe")


def header_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header of a PNG, JPEG, GIF or BMP, or None (left to the decoder)."""
    if data.startswith(MAGIC["png"]) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index < len(data) - 8:
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker in (0xC0, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + struct.unpack(">H", data[index + 2 : index + 4])[0]
    return None


def _extension_and_magic(data: bytes, filename: str) -> str:
    if len(data) < 12:
        return "File too small to be valid image"
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in ALLOWED_EXTENSIONS:
        return f"Invalid file extension: {ext}"
    if data.startswith(MAGIC[ext]) or (ext in ("jpg", "jpeg") and data.startswith(b"\xff\xd8")):
        return ""
    return f"File magic number doesn't match {ext} format (possible spoofing)"


def _dimensions(data: bytes) -> str:
    size = header_size(data)
    if size is None:
        return ""
    width, height = size
    if width < MIN_SIDE or height < MIN_SIDE:
        return f"Image too small: {width}x{height} (min {MIN_SIDE}x{MIN_SIDE})"
    if width > MAX_SIDE or height > MAX_SIDE:
        return f"Image too large: {width}x{height} (max {MAX_SIDE}x{MAX_SIDE})"
    if width * height > MAX_PIXELS:
        return f"Too many pixels: {width * height:,} (max {MAX_PIXELS:,})"
    ratio = width * height * 3 / len(data)
    if ratio > 1000:
        return f"Suspicious compression ratio: {ratio:.1f}x (possible decompression bomb)"
    return ""


def _content(data: bytes) -> str:
    for pattern in SUSPICIOUS:
        if pattern in data:
            return f"Suspicious content pattern detected: {pattern.decode('latin-1')[:20]}"
    if not data.startswith(b"BM") and len(data) > 10240 and data.count(b"\x00") / len(data) > 0.85:
        return "Excessive null bytes detected"
    if any(header in data[12:1024] for header in EXECUTABLE_HEADERS):
        return "Executable code detected in image file"
    return ""


def _decodes(data: bytes) -> str:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # a truncated file fails here, not at open
    except Exception as error:  # Pillow raises many types for "not an image"
        return f"Invalid or corrupted image file: {error}"
    return ""


def validation_error(data: bytes, filename: str) -> str:
    """The first failing layer's message, or '' for an image ORFEAS accepts."""
    for layer in (_extension_and_magic, _dimensions_layer, _content_layer, _decode_layer):
        problem = layer(data, filename)
        if problem:
            return problem
    return ""


def _dimensions_layer(data: bytes, filename: str) -> str:
    if len(data) > MAX_BYTES:
        return f"File too large: {len(data) / (1024 * 1024):.2f}MB (max {MAX_BYTES / (1024 * 1024)}MB)"
    return _dimensions(data)


def _content_layer(data: bytes, filename: str) -> str:
    return _content(data)


def _decode_layer(data: bytes, filename: str) -> str:
    return _decodes(data)


def image_info(data: bytes) -> dict[str, object]:
    """What ORFEAS's `analyze_image` reports for an accepted upload."""
    with Image.open(io.BytesIO(data)) as image:
        return {
            "size": list(image.size),
            "format": image.format,
            "mode": image.mode,
            "has_transparency": image.mode in ("RGBA", "LA"),
            "file_size": len(data),
        }


def is_uuid(value: str) -> bool:
    """ORFEAS's `is_valid_uuid` (main.py:697): whatever `uuid.UUID` parses (dashes optional)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True

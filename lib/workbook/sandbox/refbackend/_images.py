"""Deterministic character-reference images: the same description and index give the same PNG."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

# aspect ratio -> (width, height); small so generation and upload stay fast.
ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (256, 256),
    "16:9": (384, 216),
    "9:16": (216, 384),
    "4:3": (320, 240),
    "3:4": (240, 320),
}


def image_size(aspect_ratio: str) -> tuple[int, int]:
    try:
        return ASPECT_RATIOS[aspect_ratio]
    except KeyError:
        raise ValueError(
            f"aspect_ratio {aspect_ratio!r} is not supported; expected one of {sorted(ASPECT_RATIOS)}"
        ) from None


def render_png(description: str, index: int, aspect_ratio: str) -> bytes:
    """A PNG whose colours and shapes derive from a hash of (description, index)."""
    width, height = image_size(aspect_ratio)
    digest = hashlib.sha256(f"{description}\x00{index}".encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    draw = ImageDraw.Draw(image)
    for shape in range(6):
        offset = 3 + shape * 4
        x0, y0 = digest[offset] * width // 256, digest[offset + 1] * height // 256
        x1, y1 = x0 + width // 3, y0 + height // 3
        colour = (digest[offset + 2], digest[offset + 3], digest[(offset + 4) % 32])
        draw.ellipse((x0, y0, x1, y1), fill=colour)
    draw.text((8, 8), f"#{index} {description[:40]}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()

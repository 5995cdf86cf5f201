"""The image model the reference backend calls (Imagen 4 through Replicate in the real backend), in-process.

Deterministic: the same description, index, aspect ratio and format give the same bytes. Like the real
model it validates its own inputs: the backend passes `aspect_ratio` and `output_format` through
unchecked (mv/image_generator.py:201-207), so an unknown value is refused here, by the model.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

# aspect ratio -> (width, height): the ratios Imagen 4 accepts, small so generation and upload stay fast.
ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (256, 256),
    "16:9": (384, 216),
    "9:16": (216, 384),
    "4:3": (320, 240),
    "3:4": (240, 320),
}
# output_format -> Pillow format
OUTPUT_FORMATS: dict[str, str] = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


class ModelRejectedError(ValueError):
    """The model refused its input (Replicate answers such a prediction with status `failed`)."""


def render(description: str, index: int, aspect_ratio: str, output_format: str = "png") -> bytes:
    """An image whose colours and shapes derive from a hash of (description, index)."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise ModelRejectedError(
            f"aspect_ratio: aspect_ratio must be one of the following: {', '.join(ASPECT_RATIOS)} "
            f"(got {aspect_ratio!r})"
        )
    if output_format not in OUTPUT_FORMATS:
        raise ModelRejectedError(
            f"output_format: output_format must be one of the following: {', '.join(OUTPUT_FORMATS)} "
            f"(got {output_format!r})"
        )
    width, height = ASPECT_RATIOS[aspect_ratio]
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
    image.save(buffer, format=OUTPUT_FORMATS[output_format])
    return buffer.getvalue()

"""What the studio makes and accepts: preview PNGs, small real meshes, and the image check on uploads."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import trimesh
from PIL import Image, ImageDraw

STYLES = ("realistic", "anime", "cartoon", "sketch")
FORMATS = ("stl", "obj", "glb")
MEDIA_TYPES = {"stl": "model/stl", "obj": "model/obj", "glb": "model/gltf-binary"}
# Formats Pillow may report for an accepted upload.
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
STYLE_COLOURS = {
    "realistic": (96, 120, 140),
    "anime": (230, 120, 170),
    "cartoon": (250, 200, 60),
    "sketch": (200, 200, 200),
}


def verified_image(data: bytes) -> tuple[str, int, int]:
    """(format, width, height) of an image Pillow decodes and verifies; raises ValueError otherwise."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() does not decode pixel data; a truncated file fails here
            kind, (width, height) = str(image.format), image.size
    except Exception as error:  # Pillow raises many types for "not an image"
        raise ValueError(f"not a decodable image: {error}") from error
    if kind not in IMAGE_FORMATS:
        raise ValueError(f"image format {kind} is not accepted; expected one of {', '.join(IMAGE_FORMATS)}")
    return kind, width, height


def preview_png(prompt: str, style: str | None, size: int = 128) -> bytes:
    """A deterministic picture for a prompt: the style's colour with a pattern from the prompt's hash."""
    colour = STYLE_COLOURS.get(style or "realistic", STYLE_COLOURS["realistic"])
    digest = hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).digest()
    image = Image.new("RGB", (size, size), colour)
    draw = ImageDraw.Draw(image)
    for index in range(0, 16, 2):
        x, y = digest[index] % size, digest[index + 1] % size
        draw.ellipse((x - 12, y - 12, x + 12, y + 12), fill=(digest[index], digest[index + 1], 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def mesh_for(source: bytes, quality: int) -> trimesh.Trimesh:
    """A small real mesh: an icosphere (finer with quality) stretched by the source image's hash."""
    subdivisions = 1 + min(quality, 10) // 4  # 1..3: 80 to 1280 faces
    mesh = trimesh.creation.icosphere(subdivisions=subdivisions, radius=1.0)
    digest = hashlib.sha256(source).digest()
    scale = np.array([1.0 + digest[0] / 255.0, 1.0 + digest[1] / 255.0, 1.0 + digest[2] / 255.0])
    mesh.apply_scale(scale)
    return mesh


def export_mesh(mesh: trimesh.Trimesh, file_format: str) -> bytes:
    """The mesh as a file of `file_format` (stl binary, obj text, glb binary)."""
    exported = mesh.export(file_type=file_format)
    return exported.encode() if isinstance(exported, str) else bytes(exported)

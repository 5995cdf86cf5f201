"""What the studio makes: the text-to-image picture and real meshes in the format asked (trimesh)."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import trimesh
from PIL import Image, ImageDraw

FORMATS = ("stl", "obj", "glb", "ply")
STYLE_COLOURS = {
    "realistic": (96, 120, 140),
    "artistic": (180, 90, 60),
    "anime": (230, 120, 170),
    "cyberpunk": (40, 220, 200),
    "fantasy": (120, 80, 200),
    "minimalist": (220, 220, 220),
}
IMAGE_SIDE = 512  # ORFEAS's text-to-image default width and height


def generated_png(prompt: str, style: str) -> bytes:
    """A deterministic 512x512 picture for a prompt: the style's colour with a pattern from its hash."""
    colour = STYLE_COLOURS.get(style, STYLE_COLOURS["realistic"])
    digest = hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).digest()
    image = Image.new("RGB", (IMAGE_SIDE, IMAGE_SIDE), colour)
    draw = ImageDraw.Draw(image)
    for index in range(0, 16, 2):
        x, y = digest[index] * 2, digest[index + 1] * 2
        draw.ellipse((x - 40, y - 40, x + 40, y + 40), fill=(digest[index], digest[index + 1], 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def mesh_for(source: bytes, dimensions: dict[str, int], quality: int) -> trimesh.Trimesh:
    """A small real mesh: an icosphere (finer with quality) of the asked dimensions, shaped by the image's hash."""
    mesh = trimesh.creation.icosphere(subdivisions=1 + min(max(quality, 1), 10) // 4, radius=0.5)
    digest = hashlib.sha256(source).digest()
    wobble = np.array([1.0 + digest[0] / 1020.0, 1.0 + digest[1] / 1020.0, 1.0 + digest[2] / 1020.0])
    size = np.array([dimensions["width"], dimensions["height"], dimensions["depth"]], dtype=float)
    mesh.apply_scale(size * wobble)
    return mesh


def export_mesh(mesh: trimesh.Trimesh, file_format: str) -> bytes:
    """The mesh as a file of `file_format` (stl binary, obj text, glb binary, ply binary)."""
    exported = mesh.export(file_type=file_format)
    return exported.encode() if isinstance(exported, str) else bytes(exported)

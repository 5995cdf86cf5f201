"""Request bodies the checks send: real images of known size, and things that only look like images."""

from __future__ import annotations

import io
import math
import random

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
    b'<script>alert("svg")</script><rect width="8" height="8"/></svg>'
)
HTML = b"<!doctype html><html><body><script>alert('html')</script></body></html>"


def png(width: int = 64, height: int = 64, *, seed: int = 0) -> bytes:
    """A small valid PNG (a gradient; `seed` changes its colour)."""
    image = Image.new("RGB", (width, height))
    image.putdata(
        [((x * 4 + seed) % 256, (y * 4) % 256, (seed * 37) % 256) for y in range(height) for x in range(width)]
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def large_png(min_bytes: int, *, seed: int = 1) -> bytes:
    """A valid PNG of at least `min_bytes` (random noise, which PNG cannot compress)."""
    side = max(8, math.isqrt(min_bytes // 3) + 8)
    rng = random.Random(seed)
    while True:
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        data = out.getvalue()
        if len(data) >= min_bytes:
            return data
        side = int(side * 1.1) + 1


def fake_png(size: int = 2048, *, seed: int = 2) -> bytes:
    """The PNG signature followed by random bytes: a file that only claims to be a PNG."""
    return PNG_SIGNATURE + random.Random(seed).randbytes(size)


def truncated_png() -> bytes:
    """A real PNG cut off halfway: header and part of its data, no end."""
    data = png(96, 96, seed=5)
    return data[: len(data) // 2]

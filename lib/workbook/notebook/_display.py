"""Figures returned by `lib/` helpers render as images in notebooks, headless ones included.

matplotlib picks its backend lazily, so a `matplotlib.figure.Figure` returned from a cell shows
as text until the inline backend has registered its formatters. Importing it does that.
"""

from __future__ import annotations

import contextlib
import sys


def enable_inline_figures() -> None:
    if "ipykernel" not in sys.modules:
        return
    with contextlib.suppress(ImportError):
        import matplotlib_inline.backend_inline  # noqa: F401 - imported for its side effect

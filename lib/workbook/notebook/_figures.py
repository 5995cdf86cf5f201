"""The one way a notebook keeps a figure as evidence: a PNG in its evidence folder, shown inline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURE_DPI = 100


def save_figure(figure: Figure, path: Path | str) -> Path:
    """Write `figure` as a PNG at `path` (folders created) and release it from pyplot."""
    import matplotlib.pyplot as plt

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(figure)
    return target


def keep_figure(figure: Figure, path: Path | str) -> Any:
    """Save `figure` as evidence and return it as an image, so the cell shows exactly the saved file
    (headless and in JupyterLab alike) and the figure is not drawn a second time by pyplot."""
    from IPython.display import Image

    return Image(filename=str(save_figure(figure, path)))

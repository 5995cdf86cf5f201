"""Showing a run report: a table of jobs and a figure of each job's grid beside its upscale."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from ._report import RunReport


def report_table(report: RunReport) -> pd.DataFrame:
    import pandas as pd

    rows = [
        {
            "job": j.key,
            "prompt": j.prompt if len(j.prompt) <= 48 else j.prompt[:47] + "…",
            "status": j.status,
            "reason": j.failure or "",
            "hash": (j.job_hash or "")[:8],
            "grid msg": j.grid_message_id or "",
            "grid by": j.grid_match or "",
            "U": j.upscale_index,
            "upscale msg": j.upscale_message_id or "",
            "upscale by": j.upscale_match or "",
            "grid px": f"{j.grid.width}x{j.grid.height}" if j.grid else "",
            "upscale px": f"{j.upscale.width}x{j.upscale.height}" if j.upscale else "",
            "mode": j.mode or "",
        }
        for j in report.jobs
    ]
    return pd.DataFrame(rows)


def thumbnails(report: RunReport, *, size: float = 2.2) -> Figure:
    """Grid and upscale side by side for every job (failed jobs show their reason)."""
    import matplotlib.pyplot as plt
    from PIL import Image

    count = max(len(report.jobs), 1)
    figure, axes = plt.subplots(count, 2, figsize=(2 * size, count * size), squeeze=False)
    for row, job in enumerate(report.jobs):
        for col, image in enumerate((job.grid, job.upscale)):
            axis = axes[row][col]
            axis.set_axis_off()
            if image is not None:
                with Image.open(image.path) as picture:
                    picture.thumbnail((256, 256))
                    axis.imshow(picture.convert("RGB"))
                label = f"{job.key} grid" if col == 0 else f"U{job.upscale_index}"
                axis.set_title(label, fontsize=8)
            elif col == 0:
                axis.text(0, 0.5, f"{job.key}: {job.failure_kind or 'no image'}", fontsize=8, wrap=True)
    figure.tight_layout()
    return figure

"""What a notebook cell uses besides its checks: settings built from its namespace, the parameter
form, progress lines (widgets in the lab), figures kept as evidence, inline figure display. It
knows nothing of checks (a check's row is drawn by `workbook.checks`)."""

from ._display import enable_inline_figures
from ._figures import FIGURE_DPI, keep_figure, save_figure
from ._forms import params_form
from ._live import (
    BINDING_KEY,
    ProgressBar,
    enable_widgets,
    in_kernel,
    show_log,
    widgets_enabled,
)
from ._progress import PREFIX, Progress, log
from ._settings import NotebookSettings, describe_validation_error

__all__ = [
    "BINDING_KEY",
    "FIGURE_DPI",
    "PREFIX",
    "NotebookSettings",
    "Progress",
    "ProgressBar",
    "describe_validation_error",
    "enable_inline_figures",
    "enable_widgets",
    "in_kernel",
    "keep_figure",
    "log",
    "params_form",
    "save_figure",
    "show_log",
    "widgets_enabled",
]

"""workbook: notebook-driven checks for AI media-generation platforms.

The public API notebooks use; everything else lives in capability sub-packages.
"""

from .checks import Checks, CheckSpec, CouldNotCheck, ErrorReason
from .credentials import read_secret
from .errors import (
    ParamsError,
    SandboxError,
    SecretMissingError,
    ServiceNotReadyError,
    SyncTimeoutError,
    UsageError,
    WorkbookError,
)
from .interactive import interactive_params
from .notebook import NotebookSettings, Progress, keep_figure, log, params_form, save_figure
from .notebook import enable_inline_figures as _enable_inline_figures
from .runtime import LoopThread, evidence_dir, is_managed_run, repo_root, run_sync

_enable_inline_figures()

__all__ = [
    "CheckSpec",
    "Checks",
    "CouldNotCheck",
    "ErrorReason",
    "LoopThread",
    "NotebookSettings",
    "ParamsError",
    "Progress",
    "SandboxError",
    "SecretMissingError",
    "ServiceNotReadyError",
    "SyncTimeoutError",
    "UsageError",
    "WorkbookError",
    "evidence_dir",
    "interactive_params",
    "is_managed_run",
    "keep_figure",
    "log",
    "params_form",
    "read_secret",
    "repo_root",
    "run_sync",
    "save_figure",
]

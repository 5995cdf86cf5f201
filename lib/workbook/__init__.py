"""workbook: notebook-driven checks for AI media-generation platforms.

The public API notebooks use; everything else lives in capability sub-packages.
"""

from ._context import evidence_dir, is_managed_run, repo_root
from ._display import enable_inline_figures as _enable_inline_figures
from ._errors import (
    ParamsError,
    SandboxError,
    SecretMissingError,
    ServiceNotReadyError,
    SyncTimeoutError,
    UsageError,
    WorkbookError,
)
from ._figures import keep_figure, save_figure
from ._forms import params_form
from ._progress import Progress, log
from ._secrets import read_secret
from ._settings import NotebookSettings
from ._sync import LoopThread, run_sync
from .checks import Checks, CheckSpec, CouldNotCheck, ErrorReason
from .interactive import interactive_params

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

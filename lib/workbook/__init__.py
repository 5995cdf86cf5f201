"""workbook: notebook-driven checks for AI media-generation platforms.

The public API notebooks use; everything else lives in capability sub-packages.
"""

from ._context import evidence_dir, is_managed_run, repo_root
from ._display import enable_inline_figures
from ._errors import (
    ParamsError,
    SandboxError,
    SecretMissingError,
    ServiceNotReadyError,
    WorkbookError,
)
from ._forms import params_form
from ._progress import Progress, log
from ._secrets import read_secret
from .checks import Checks

enable_inline_figures()

__all__ = [
    "Checks",
    "ParamsError",
    "Progress",
    "SandboxError",
    "SecretMissingError",
    "ServiceNotReadyError",
    "WorkbookError",
    "evidence_dir",
    "is_managed_run",
    "log",
    "params_form",
    "read_secret",
    "repo_root",
]

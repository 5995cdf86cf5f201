"""What the runner tells a notebook kernel about the run it belongs to (through environment variables).

Notebooks run by the runner get `WORKBOOK_EVIDENCE_DIR` (their folder in the bundle) and
`WORKBOOK_RUN_ID`. Run interactively, a notebook writes under `outputs/interactive/<notebook>/`.
"""

from __future__ import annotations

import os
from pathlib import Path

EVIDENCE_DIR_ENV = "WORKBOOK_EVIDENCE_DIR"
RUN_ID_ENV = "WORKBOOK_RUN_ID"


def repo_root() -> Path:
    """The checkout holding `lib/`, `notebooks/` and `params/`."""
    return Path(__file__).resolve().parents[3]  # lib/workbook/runtime/_context.py -> the checkout


def evidence_dir(notebook: str = "interactive") -> Path:
    """Folder for this notebook's evidence files; created if missing."""
    configured = os.environ.get(EVIDENCE_DIR_ENV)
    path = Path(configured) if configured else repo_root() / "outputs" / "interactive" / notebook
    path.mkdir(parents=True, exist_ok=True)
    return path


def is_managed_run() -> bool:
    """True when the runner (not a person in JupyterLab) is executing this kernel."""
    return EVIDENCE_DIR_ENV in os.environ

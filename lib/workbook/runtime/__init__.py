"""Where the workbook runs: the one bridge from a cell to async code, environment overlays, what the
runner tells a kernel (evidence folder, run id, repository root), and the Dask client for remote runs."""

from ._context import EVIDENCE_DIR_ENV, RUN_ID_ENV, evidence_dir, is_managed_run, repo_root
from ._dask import dask_client, worker_addresses
from ._env import env_overlay
from ._sync import LoopThread, run_sync

__all__ = [
    "EVIDENCE_DIR_ENV",
    "RUN_ID_ENV",
    "LoopThread",
    "dask_client",
    "env_overlay",
    "evidence_dir",
    "is_managed_run",
    "repo_root",
    "run_sync",
    "worker_addresses",
]

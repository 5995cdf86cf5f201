"""Starting a notebook's kernel: the runner -> kernel channel, passed explicitly.

What a kernel must know about its run (evidence folder, run id, sandbox credentials) travels as
the environment of the kernel process only; the runner's own `os.environ` is never changed, so
two notebooks (or two runs in one process) cannot see each other's values.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Dict, Unicode

KERNEL_NAME = "workbook"
KERNEL_START_TIMEOUT_S = 120


class RunKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel process gets `run_env` on top of the parent's environment."""

    run_env = Dict(config=True, help="variables added to the kernel's environment (never to the parent's)")
    stderr_path = Unicode("", config=True, help="file that receives the kernel process's own stderr")

    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        kw.setdefault("env", {**os.environ, **self.run_env})
        if not self.stderr_path:
            await super().start_kernel(**kw)
            return
        # The kernel's own complaints (e.g. a traceback while it is shut down after a timeout) are
        # evidence for the bundle, not noise for the console. The child keeps its copy of the file.
        with open(self.stderr_path, "ab") as stderr:
            await super().start_kernel(stderr=stderr, **kw)


def execute_with_papermill(
    notebook: Path,
    output: Path,
    *,
    parameters: Mapping[str, Any],
    env: Mapping[str, str],
    cell_timeout_s: float | None,
    kernel_name: str = KERNEL_NAME,
    stdout: IO[str] | None = None,
    kernel_log: Path | None = None,
) -> None:
    """Execute `notebook` into `output` with papermill in a fresh kernel that sees `env`.

    Kernel channels use Unix sockets in a private folder: unlike loopback TCP ports (which ipykernel
    warns about on every start), no other local user can connect to them.
    """
    import papermill
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="workbook-kernel-") as sockets:
        # nbclient creates (and so owns, shuts down and cleans up) the manager from this class and config.
        config = Config(
            {
                "KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")},
                "RunKernelManager": {"run_env": dict(env), "stderr_path": str(kernel_log or "")},
            }
        )
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name=kernel_name,
            progress_bar=False,
            stdout_file=stdout,
            cwd=str(notebook.parent),
            execution_timeout=cell_timeout_s,
            start_timeout=KERNEL_START_TIMEOUT_S,
            kernel_manager_class=RunKernelManager,
            config=config,
        )

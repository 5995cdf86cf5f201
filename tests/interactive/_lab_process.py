"""Start `python -m workbook lab` as `make lab` would, on a free 127.0.0.1 port with a token, and stop it
the way a terminal's Ctrl-C does (SIGINT to its whole process group); report every pid it ran."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from wb_testing import REPO, live_pids

# JupyterLab settings for an unattended browser: every cell in the DOM (no windowing), no autosave (the
# committed notebooks must stay clean), the notebook's own kernel without asking, no news or update
# checks (the network is closed).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LabProcess:
    process: subprocess.Popen[bytes]
    url: str
    token: str
    sandbox_dir: Path
    log: Path
    seen_pids: set[int] = field(default_factory=set)

    def api(self, path: str, method: str = "GET") -> httpx.Response:
        return httpx.request(method, f"{self.url}{path}", headers={"Authorization": f"token {self.token}"}, timeout=10)

    def state(self) -> dict[str, object] | None:
        path = self.sandbox_dir / "state.json"
        return json.loads(path.read_text()) if path.exists() else None

    def sandbox_pids(self) -> list[int]:
        state = self.state() or {}
        services = state.get("services", {})
        assert isinstance(services, dict)
        return [int(info["pid"]) for info in services.values()]

    def stopped_stand_ins(self, lines: int = 30) -> dict[str, str]:
        """The tail of the log of each sandbox stand-in that is no longer running (a failure's why)."""
        state = self.state() or {}
        services = state.get("services", {})
        assert isinstance(services, dict)
        return {
            name: _tail(Path(info["log"]), lines)
            for name, info in services.items()
            if not live_pids([int(info["pid"])])
        }

    def remember_pids(self) -> list[int]:
        """Every process now running under the launcher (JupyterLab, kernels) and the sandbox's trees."""
        roots = [self.process.pid, *self.sandbox_pids()]
        for root in roots:
            try:
                parent = psutil.Process(root)
                self.seen_pids.update([parent.pid, *(child.pid for child in parent.children(recursive=True))])
            except psutil.NoSuchProcess:
                pass
        return sorted(self.seen_pids)

    def ctrl_c(self, timeout_s: float = 60) -> int:
        self.remember_pids()
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout_s)

    def kill(self) -> None:
        """Last resort for a failed test: nothing of it may outlive the test session."""
        pids = self.remember_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def left_running(self) -> list[int]:
        return live_pids(sorted(self.seen_pids))

    def tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)


def _tail(path: Path, lines: int) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})"


def start_lab(
    workdir: Path, *, services: Sequence[str] = (), sandbox_dir: Path | None = None, timeout_s: float = 180
) -> LabProcess:
    """Start the lab launcher in its own process group and wait until JupyterLab answers."""
    port, token = free_port(), secrets.token_hex(16)
    settings = workdir / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    sandbox_dir = sandbox_dir or workdir / "sandbox"
    env = {
        **os.environ,
        "WORKBOOK_SANDBOX_DIR": str(sandbox_dir),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "lab-workspaces"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "jupyter-runtime"),
    }
    env.pop("WORKBOOK_EVIDENCE_DIR", None)
    argv = [sys.executable, "-m", "workbook", "lab"]
    if services:
        argv += ["--services", ",".join(services)]
    argv += ["--", f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    log = workdir / "lab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = LabProcess(process, f"http://127.0.0.1:{port}", token, sandbox_dir, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the lab launcher exited with {process.returncode}:\n{lab.tail()}")
        try:
            if lab.api("/api/status").status_code == 200:
                lab.remember_pids()
                return lab
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    lab.kill()
    raise AssertionError(f"JupyterLab did not answer within {timeout_s:g} s:\n{lab.tail()}")

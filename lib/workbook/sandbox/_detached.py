"""`sandbox up|down|status`: stand-ins that outlive the command, tracked in `.sandbox/state.json`.

`WORKBOOK_SANDBOX_DIR` moves that folder (tests, a second lab); kernels started by `make lab` get
the same value, so `read_state()` in a notebook finds the sandbox the lab started.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from ..errors import SandboxError
from ..runtime import repo_root
from ._launcher import Sandbox
from ._process import alive, terminate

SANDBOX_DIR_ENV = "WORKBOOK_SANDBOX_DIR"


def state_root() -> Path:
    configured = os.environ.get(SANDBOX_DIR_ENV)
    return Path(configured) if configured else repo_root() / ".sandbox"


def up(services: list[str], *, time_scale: float = 1.0, detach: bool = True) -> int:
    """Start `services` and record them in the state folder.

    `detach=False` ties the stand-ins to this process (they get SIGTERM if it dies outright): used by
    `make lab`, which stops them with `down()` when the lab exits.
    """
    root = state_root()
    if (root / "state.json").exists():
        raise SandboxError(
            f"a sandbox is already up (see {root / 'state.json'}); run `python -m workbook sandbox down`"
        )
    root.mkdir(exist_ok=True)
    sandbox = Sandbox(services, state_dir=root / "state", time_scale=time_scale, detach=detach, report=print)
    sandbox.start()
    state: dict[str, Any] = {
        # Identify this sandbox to notebooks bound to it: a restart gives a new start time.
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "time_scale": time_scale,
        "owner_pid": None if detach else os.getpid(),
        "services": {
            name: {
                "pid": sandbox.pids[name],
                "ready_url": spec.ready_url,
                "stop_timeout_s": spec.stop_timeout_s,
                "outputs": sandbox.outputs[name],
                "log": str(sandbox.log_file(name)),
            }
            for name, spec in sandbox.specs.items()
        },
    }
    (root / "state.json").write_text(json.dumps(state, indent=2))
    env_file = root / "sandbox.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in sandbox.secrets.items()))
    env_file.chmod(0o600)
    for name, info in state["services"].items():
        print(f"{name}: " + ", ".join(f"{key}={value}" for key, value in info["outputs"].items()))
    print(f"credentials: {env_file} (notebooks in `make lab` load them; or export them in your shell)")
    return 0


def down() -> int:
    root = state_root()
    state = read_state(root)
    if state is None:
        print("no sandbox is up")
        return 0
    for name, info in reversed(list(state["services"].items())):
        terminate(info["pid"], info.get("stop_timeout_s", 5.0))
        print(f"stopped {name} (pid {info['pid']})")
    shutil.rmtree(root, ignore_errors=True)
    return 0


def status() -> int:
    state = read_state()
    if state is None:
        print("no sandbox is up")
        return 1
    healthy = True
    for name, info in state["services"].items():
        running = alive(info["pid"])
        answering = False
        if running:
            try:
                httpx.get(info["ready_url"], timeout=2.0)
                answering = True
            except httpx.HTTPError:
                pass
        healthy &= running and answering
        state_word = "up" if running and answering else ("not answering" if running else "dead")
        print(f"{name:11} pid {info['pid']:>7}  {state_word:14} {info['ready_url']}")
    return 0 if healthy else 1


def read_state(root: Path | None = None) -> dict[str, Any] | None:
    """The state of the sandbox `up` started (services, pids, outputs, logs); None if none is up."""
    path = (root or state_root()) / "state.json"
    return json.loads(path.read_text()) if path.exists() else None

"""`make lab`: JupyterLab on notebooks/ next to a sandbox, and nothing left running after it.

It uses the sandbox `sandbox up` started (the state folder) or starts one (the params file's
stand-ins, or the ones named), and stops the one it started when the lab ends: stopped from its
menu, Ctrl-C, SIGTERM or SIGHUP. JupyterLab and the stand-ins it starts are tied to it, so even if
it is killed outright they get SIGTERM, and the next `make lab` clears the state they left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil

from ..errors import UsageError
from ..params import load_plan
from ..runtime import repo_root
from ..sandbox import (
    SANDBOX_DIR_ENV,
    SERVICES,
    die_with_parent,
    down,
    process_alive,
    state_root,
    up,
    with_dependencies,
)
from ._resolve import SandboxRef

KERNEL_NAME = "workbook"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SIGINT_HEADSTART_S = 3.0
Reporter = Callable[[str], None]


def lab_command(jupyter_args: Sequence[str] = (), *, notebooks_dir: Path | None = None) -> list[str]:
    """The JupyterLab command line: loopback only, the workbook kernel, no confirmation prompt on Ctrl-C."""
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ip=127.0.0.1",
        "--no-browser",
        f"--notebook-dir={notebooks_dir or repo_root() / 'notebooks'}",
        f"--MultiKernelManager.default_kernel_name={KERNEL_NAME}",
        "--ServerApp.answer_yes=True",
    ]
    if os.geteuid() == 0:
        argv.append("--allow-root")  # containers and CI machines often run as root
    return [*argv, *jupyter_args]


def parse_services(text: str) -> list[str]:
    """`s3,refbackend` (or spaces): the stand-ins to start, each checked against the registry."""
    names = [name for name in text.replace(",", " ").split() if name]
    unknown = [name for name in names if name not in SERVICES]
    if unknown:
        raise UsageError(f"SANDBOX={text!r}: unknown service(s) {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    return names


def ensure_sandbox(services: Sequence[str], params_file: Path, report: Reporter) -> bool:
    """Use the running sandbox or start one; True when this call started it (and so must stop it)."""
    root = state_root()
    current = SandboxRef.read(root)
    if current is not None:
        dead = [name for name, pid in current.pids.items() if not process_alive(pid)]
        if len(dead) == len(current.pids):
            report(f"lab: {current.state_file} describes a sandbox that is gone; clearing it")
            down()
            current = None
        elif dead:
            report(f"lab: the running sandbox has lost {', '.join(dead)}; `make sandbox-down` and retry to restart it")
    if current is not None:
        report(f"lab: using the running sandbox {current.state_file} (started {current.started_at})")
        missing = sorted(set(services) - set(current.pids))
        if missing:
            report(f"lab: it does not run {', '.join(missing)}; `make sandbox-down` first to start a new one")
        return False
    plan = load_plan(params_file, notebooks_dir=repo_root() / "notebooks")
    names = with_dependencies(list(services)) if services else list(plan.sandbox)
    report(f"lab: starting the sandbox ({', '.join(names)}, time_scale {plan.time_scale:g}); it stops with the lab")
    up(names, time_scale=plan.time_scale, detach=False)
    return True


def run_lab(
    services: Sequence[str] = (),
    *,
    params_file: Path,
    jupyter_args: Sequence[str] = (),
    command: Sequence[str] | None = None,
    grace_s: float = 20.0,
    report: Reporter = print,
) -> int:
    """Run JupyterLab until it exits; stop the sandbox this call started, whatever ended the lab."""
    started = False
    try:
        started = ensure_sandbox(services, params_file, report)
        env = {**os.environ, SANDBOX_DIR_ENV: str(state_root())}
        return supervise(list(command or lab_command(jupyter_args)), env, grace_s=grace_s, report=report)
    finally:
        if started:
            report("lab: stopping the sandbox it started")
            # A second Ctrl-C must not cut the stop short and leave stand-ins behind.
            ignored = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
            try:
                down()
            finally:
                for sig, handler in ignored.items():
                    signal.signal(sig, handler)


def supervise(argv: Sequence[str], env: dict[str, str], *, grace_s: float, report: Reporter) -> int:
    """Run `argv` until it exits. A stop signal is passed on as SIGTERM; after `grace_s` the process
    and everything it started are killed. Its descendants are tracked so none outlives it."""
    requested: list[tuple[int, float]] = []
    previous = {
        sig: signal.signal(sig, lambda signum, frame: requested.append((signum, time.monotonic())))
        for sig in STOP_SIGNALS
    }
    try:
        # Same process group: a terminal's Ctrl-C reaches JupyterLab directly as well. Tied to this
        # process: if it is killed outright, JupyterLab gets SIGTERM and shuts its kernels down.
        process = subprocess.Popen(list(argv), env=env, preexec_fn=die_with_parent)
        descendants: dict[int, psutil.Process] = {}
        deadline: float | None = None
        killed = False
        last_scan = 0.0
        while process.poll() is None:
            now = time.monotonic()
            if requested and deadline is None:
                signum, at = requested[0]
                # A terminal's Ctrl-C already reached JupyterLab, which stops by itself; a second signal
                # while it shuts down could cut that short, so SIGTERM follows only if it has not.
                if signum != signal.SIGINT or now - at >= SIGINT_HEADSTART_S:
                    report(f"lab: stopping JupyterLab ({signal.Signals(signum).name})")
                    process.send_signal(signal.SIGTERM)
                    deadline = now + grace_s
            if deadline is not None and now > deadline and not killed:
                report(f"lab: JupyterLab did not stop within {grace_s:g} s; killing it")
                descendants.update(_tree(process.pid))
                process.kill()
                killed = True
            if now - last_scan >= 1.0:
                descendants.update(_tree(process.pid))
                last_scan = now
            time.sleep(0.1)
        _stop_all(list(descendants.values()))
        if requested:
            return 1 if killed else 0  # the lab ended because it was asked to
        return process.returncode if process.returncode >= 0 else 128 - process.returncode
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _tree(pid: int) -> dict[int, psutil.Process]:
    try:
        return {child.pid: child for child in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return {}


def _stop_all(processes: list[psutil.Process], timeout_s: float = 5.0) -> None:
    """Terminate whatever JupyterLab left behind (kernels whose shutdown it never finished), then kill."""
    running = [proc for proc in processes if proc.is_running()]
    for proc in running:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _gone, alive = psutil.wait_procs(running, timeout=timeout_s)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()

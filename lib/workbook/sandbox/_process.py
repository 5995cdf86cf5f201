"""Starting and stopping one stand-in process: own process group, log file, no orphans."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """A `preexec_fn`: if the parent is killed outright, Linux sends this child SIGTERM."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    argv: Sequence[str],
    env: Mapping[str, str],
    log_file: Path,
    *,
    tied_to_parent: bool,
    pass_fds: Sequence[int] = (),
) -> subprocess.Popen[bytes]:
    """Start `argv` in a new session (so Ctrl-C in the terminal goes to the launcher, which stops it)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,
            preexec_fn=die_with_parent if tied_to_parent else None,
            pass_fds=tuple(pass_fds),
        )


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive now."""
    try:
        root = psutil.Process(pid)
        return [root.pid, *(child.pid for child in root.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def listening_ports(pids: Sequence[int]) -> set[int] | None:
    """The TCP ports the processes `pids` listen on (those still alive); None if the system won't say."""
    ports: set[int] = set()
    for pid in pids:
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        except psutil.AccessDenied:
            return None
        ports.update(conn.laddr.port for conn in connections if conn.status == psutil.CONN_LISTEN and conn.laddr)
    return ports


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def terminate(pid: int, timeout_s: float) -> None:
    """SIGTERM the process group of `pid` (and any stray descendant), then SIGKILL what is left."""
    tree = process_tree(pid)
    _signal_group(pid, signal.SIGTERM)
    for member in tree:
        _signal_pid(member, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(alive(member) for member in tree):
        time.sleep(0.05)
    _signal_group(pid, signal.SIGKILL)
    for member in tree:
        if alive(member):
            _signal_pid(member, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(member) for member in tree):
        time.sleep(0.05)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _signal_pid(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)

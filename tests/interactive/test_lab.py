"""`make lab` (python -m workbook lab): the sandbox it starts stops with it, Ctrl-C included; a sandbox
that was already up is used and left up; nothing it ran outlives it (checked pid by pid)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from wb_testing import REPO, live_pids
from workbook import UsageError
from workbook.interactive import parse_services

from ._lab_process import start_lab

pytestmark = pytest.mark.timeout(240)


def _kernel_pid(lab: object, kernel_id: str, timeout_s: float = 60) -> int:
    """The kernel's process, found among the launcher's descendants by its connection file's name."""
    import psutil

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for child in psutil.Process(lab.process.pid).children(recursive=True):  # type: ignore[attr-defined]
            try:
                if any(kernel_id in part for part in child.cmdline()):
                    return child.pid
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.2)
    raise AssertionError(f"no process for kernel {kernel_id}")


def _supervising(child_code: str) -> subprocess.Popen[str]:
    """A process running `supervise` (grace 1 s) over `python -c child_code`; stdout is a pipe."""
    supervisor = textwrap.dedent(
        f"""
        import sys
        from workbook.interactive import supervise
        sys.exit(supervise([sys.executable, "-c", {child_code!r}], {{}}, grace_s=1.0, report=print))
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", supervisor], cwd=REPO, stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )


def test_lab_starts_a_sandbox_and_ctrl_c_leaves_no_process(tmp_path: Path) -> None:
    sandbox_dir = tmp_path / "sandbox"
    sandbox_dir.mkdir()
    # A sandbox recorded by an earlier lab that was killed outright: its pid is long gone.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = {"started_at": "2020-01-01T00:00:00+00:00", "services": {"s3": {"pid": int(gone.stdout), "outputs": {}}}}
    (sandbox_dir / "state.json").write_text(json.dumps(stale))
    lab = start_lab(tmp_path, services=["s3"], sandbox_dir=sandbox_dir)
    try:
        state = lab.state()
        assert state is not None and list(state["services"]) == ["s3"] and state["started_at"] != stale["started_at"]
        assert "describes a sandbox that is gone; clearing it" in lab.tail(200)
        kernel = lab.api("/api/kernels", method="POST").json()
        kernel_pid = _kernel_pid(lab, kernel["id"])
        # Kernels find the lab's sandbox through the same state folder.
        environ = Path(f"/proc/{kernel_pid}/environ").read_bytes().split(b"\0")
        assert f"WORKBOOK_SANDBOX_DIR={sandbox_dir}".encode() in environ
        pids = lab.remember_pids()
        running = set(live_pids(pids))
        assert kernel_pid in running and lab.process.pid in running and set(lab.sandbox_pids()) <= running
        assert lab.ctrl_c() == 0, lab.tail()
        assert lab.left_running() == [], f"left running: {lab.left_running()}\n{lab.tail()}"
        assert lab.state() is None and not (sandbox_dir / "sandbox.env").exists()
    finally:
        if lab.process.poll() is None:
            lab.kill()


# `sandbox up` leaves its services running by design; Python warns when it forgets their Popen objects.
@pytest.mark.filterwarnings("ignore:subprocess .* is still running:ResourceWarning")
def test_a_running_sandbox_is_used_and_left_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook.sandbox import down, up

    sandbox_dir = tmp_path / "sandbox"
    monkeypatch.setenv("WORKBOOK_SANDBOX_DIR", str(sandbox_dir))
    assert up(["s3"]) == 0
    try:
        before = json.loads((sandbox_dir / "state.json").read_text())
        pid = before["services"]["s3"]["pid"]
        lab = start_lab(tmp_path, sandbox_dir=sandbox_dir)
        try:
            assert f"using the running sandbox {sandbox_dir / 'state.json'}" in lab.tail(200)
            assert lab.ctrl_c() == 0, lab.tail()
            assert [p for p in lab.left_running() if p != pid] == []
        finally:
            if lab.process.poll() is None:
                lab.kill()
        assert live_pids([pid]) == [pid], "the lab stopped a sandbox it did not start"
        assert json.loads((sandbox_dir / "state.json").read_text()) == before
    finally:
        down()
    assert live_pids([pid]) == []


def test_a_lab_that_ignores_sigterm_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    """The supervisor's last resort: after the grace period the child and its children are killed."""
    stubborn = textwrap.dedent(
        """
        import signal, subprocess, sys, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
        print(child.pid, flush=True)
        time.sleep(300)
        """
    )
    process = _supervising(stubborn)
    assert process.stdout is not None
    grandchild = int(process.stdout.readline())
    import psutil

    child = psutil.Process(grandchild).parent()
    assert child is not None
    time.sleep(1.2)  # the supervisor scans the process tree once a second
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 1, out
    assert "did not stop within 1 s; killing it" in out
    assert live_pids([child.pid, grandchild]) == []


def test_sandbox_selection_is_checked() -> None:
    assert parse_services("s3,refbackend") == ["s3", "refbackend"]
    assert parse_services(" s3  refbackend ") == ["s3", "refbackend"]
    assert parse_services("") == []
    with pytest.raises(UsageError, match=r"unknown service\(s\) s4; known: s3, refbackend"):
        parse_services("s3,s4")


def test_jupyterlab_gets_sigterm_when_the_lab_launcher_is_killed_outright(tmp_path: Path) -> None:
    """SIGKILL leaves the supervisor no chance to clean up: the child must be tied to it (PDEATHSIG)."""
    child_code = "import os, time; print(os.getpid(), flush=True); time.sleep(300)"
    process = _supervising(child_code)
    assert process.stdout is not None
    child = int(process.stdout.readline())
    assert live_pids([child]) == [child]
    process.kill()
    process.wait(timeout=10)
    process.stdout.close()
    deadline = time.monotonic() + 10
    while live_pids([child]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_pids([child]) == [], "the lab's child outlived a launcher killed with SIGKILL"

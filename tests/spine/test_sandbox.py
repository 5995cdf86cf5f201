"""Sandbox lifecycle: readiness, clear startup errors, and no orphan process, ever."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import psutil
import pytest

from spine.fake_services import SQUATTED_PORT_ENV
from wb_testing import FIXTURE_NOTEBOOKS, live_pids
from workbook import SandboxError, ServiceNotReadyError
from workbook.sandbox import DEPENDS_ON, SERVICES, Sandbox, ServiceContext, _spec, start_waves

HERE = Path(__file__).parent


@pytest.fixture
def fake_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))
    for name in ("never_ready", "exits_at_once", "with_child", "slow_ready", "port_taken"):
        monkeypatch.setitem(SERVICES, name, f"fake_services:{name}_stand_in")


def test_start_waves_put_each_service_after_what_it_depends_on() -> None:
    assert start_waves(list(SERVICES)) == [
        ["s3", "discord", "brain", "studio", "redis", "upstream"],
        ["refbackend", "faultproxy", "characters", "taskservice"],
        ["repackager", "story"],
    ]
    # A dependency not asked for is not waited for (the caller adds dependencies, `with_dependencies`).
    assert start_waves(["repackager", "redis"]) == [["redis"], ["repackager"]]


def test_independent_services_start_side_by_side_and_a_dependent_waits_for_readiness(
    fake_services: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(DEPENDS_ON, "with_child", ("slow_ready",))
    lines: list[str] = []
    with Sandbox(["slow_ready", "with_child", "s3"], report=lines.append) as sandbox:
        pids = sandbox.all_pids()
    events = [" ".join(line.split()[1:3]) for line in lines if "stopped" not in line]
    # Independent services start side by side: both are started before either is ready.
    assert max(events.index("starting s3"), events.index("starting slow_ready")) < min(
        events.index("s3 ready"), events.index("slow_ready ready")
    ), events
    assert events.index("slow_ready ready") < events.index("starting with_child"), events
    stopped = [line.split()[-1] for line in lines if "stopped" in line]
    assert stopped.index("with_child") < stopped.index("slow_ready"), "a dependent is stopped first"
    assert live_pids(pids) == []
    sandbox.cleanup()


def test_s3_starts_on_loopback_exports_credentials_and_stops_without_orphans() -> None:
    before = os.environ.get("SANDBOX_S3_ACCESS_KEY")  # another suite's sandbox may be up in this process
    with Sandbox(["s3"]) as sandbox:
        endpoint = sandbox.outputs["s3"]["endpoint"]
        assert endpoint.startswith("http://127.0.0.1:")
        assert os.environ["SANDBOX_S3_ACCESS_KEY"] == sandbox.secrets["SANDBOX_S3_ACCESS_KEY"]
        pids = sandbox.all_pids()
        assert pids and live_pids(pids) == pids
        listening = {
            conn.laddr.ip
            for pid in pids
            for conn in psutil.Process(pid).net_connections("inet")
            if conn.status == psutil.CONN_LISTEN
        }
        assert listening == {"127.0.0.1"}, f"a listener is not on loopback: {listening}"
        assert httpx.get(endpoint + "/").status_code == 403  # real S3: anonymous access denied
    assert live_pids(pids) == []
    assert os.environ.get("SANDBOX_S3_ACCESS_KEY") == before, "the block's credentials must be taken back"
    sandbox.cleanup()


def test_not_ready_names_service_and_log_and_leaves_nothing(fake_services: None) -> None:
    sandbox = Sandbox(["never_ready"])
    with pytest.raises(ServiceNotReadyError) as raised:
        sandbox.start()
    message = str(raised.value)
    assert "'never_ready'" in message and "never_ready.log" in message
    assert sandbox.pids == {}
    sandbox.cleanup()


def test_service_that_exits_shows_its_log(fake_services: None) -> None:
    sandbox = Sandbox(["exits_at_once"])
    with pytest.raises(SandboxError, match="exited during startup") as raised:
        sandbox.start()
    assert "bad config" in str(raised.value)
    sandbox.cleanup()


def test_an_answer_from_another_program_on_the_services_port_is_not_readiness(
    fake_services: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in sleeps before binding; meanwhile the test's own server answers on that port."""
    squatter = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=squatter.serve_forever, daemon=True)
    thread.start()
    port = squatter.server_address[1]
    monkeypatch.setenv(SQUATTED_PORT_ENV, str(port))
    sandbox = Sandbox(["port_taken"])
    try:
        with pytest.raises(SandboxError, match=f"port {port} is held by another program") as raised:
            sandbox.start()
        assert "port_taken.log" in str(raised.value)
        assert sandbox.pids == {}
    finally:
        squatter.shutdown()
        squatter.server_close()
        sandbox.cleanup()


def test_free_port_never_hands_out_a_port_twice_even_when_the_os_offers_it_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The OS is made to offer the same closed port again; the second caller must get another one."""
    first = ServiceContext.free_port()
    # Port 1 is never an ephemeral port, so no earlier call can have handed it out.
    offers = iter([first, first, 1])

    class RepeatingSocket:
        def __init__(self, *args: object) -> None:
            self.port = next(offers)

        def __enter__(self) -> RepeatingSocket:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def bind(self, address: tuple[str, int]) -> None:
            return None

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    # Only _spec's view of the socket module is replaced, not the module every thread shares.
    monkeypatch.setattr(_spec, "socket", SimpleNamespace(socket=RepeatingSocket, AF_INET=0, SOCK_STREAM=0))
    assert ServiceContext.free_port() == 1


def test_grandchildren_are_stopped_too(fake_services: None) -> None:
    with Sandbox(["with_child"]) as sandbox:
        deadline = time.monotonic() + 5
        while len(sandbox.all_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = sandbox.all_pids()
        assert len(pids) == 2
    assert live_pids(pids) == []
    sandbox.cleanup()


def test_unknown_service_is_rejected() -> None:
    with pytest.raises(KeyError, match="unknown sandbox service 'nope'"):
        Sandbox(["nope"])


def test_ctrl_c_during_a_run_leaves_interrupted_bundle_and_no_process(tmp_path: Path) -> None:
    # A notebook that sleeps in a cell, run with a real sandbox so both kernel and stand-in must go.
    params = tmp_path / "p.yaml"
    params.write_text(
        "profile: ctrlc\nsandbox: [s3]\ncell_timeout_s: 120\nnotebooks:\n  sleeps:\n    api_url: http://127.0.0.1:1\n"
    )
    script = (
        "import sys; from pathlib import Path; from workbook.params import load_plan; from workbook.runner import run;"
        f"plan = load_plan(Path({str(params)!r}), notebooks_dir=Path({str(FIXTURE_NOTEBOOKS)!r}));"
        f"out = Path({str(tmp_path / 'out')!r});"
        "sys.exit(run(plan, outputs_dir=out, emit=lambda s: print(s, flush=True)).exit_code)"
    )
    runner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert runner.stdout is not None
    seen = []
    deadline = time.monotonic() + 90
    for line in runner.stdout:
        seen.append(line)
        if "started" in line and "▶" in line:
            break
        assert time.monotonic() < deadline, "".join(seen)
    time.sleep(3)  # let the kernel start and enter the sleeping cell
    family = [runner.pid, *(child.pid for child in psutil.Process(runner.pid).children(recursive=True))]
    os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group
    output, _ = runner.communicate(timeout=60)
    assert runner.returncode == 130, "".join(seen) + output
    bundles = [path for path in (tmp_path / "out").iterdir() if path.is_dir() and not path.is_symlink()]
    manifest = json.loads((bundles[0] / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["notebooks"][0]["status"] == "interrupted"
    sandbox_pids = list(manifest["sandbox"]["pids"].values())
    time.sleep(0.5)
    assert live_pids(family + sandbox_pids) == []


# `sandbox up` leaves its services running by design; Python warns when it forgets their Popen objects.
@pytest.mark.filterwarnings("ignore:subprocess .* is still running:ResourceWarning")
def test_detached_up_status_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbook.sandbox import _detached

    monkeypatch.setattr(_detached, "state_root", lambda: tmp_path / ".sandbox")
    assert _detached.up(["s3"]) == 0
    state = json.loads((tmp_path / ".sandbox/state.json").read_text())
    pid = state["services"]["s3"]["pid"]
    assert live_pids([pid]) == [pid]
    assert oct((tmp_path / ".sandbox/sandbox.env").stat().st_mode)[-3:] == "600"
    with pytest.raises(SandboxError, match="already up"):
        _detached.up(["s3"])
    assert _detached.status() == 0
    assert _detached.down() == 0
    assert live_pids([pid]) == []
    assert _detached.status() == 1
    assert "no sandbox is up" in capsys.readouterr().out


def test_free_ports_lie_below_the_ephemeral_range() -> None:
    """No outgoing connection can take a handed-out port as its local port before the binary binds it."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = [ServiceContext.free_port() for _ in range(20)]
    assert all(1024 <= port < low for port in ports), ports
    assert len(set(ports)) == 20

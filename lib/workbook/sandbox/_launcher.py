"""The sandbox launcher: build stand-in specs, start them, wait until ready, stop them all.

A service starts as soon as the services it depends on are ready, and readiness is awaited side by
side, so the sandbox is up in about the time of its slowest chain (s3 -> refbackend, redis ->
faultproxy -> tasks, brain -> characters -> story) rather than the sum of all. Stopping goes through
`start_waves` backwards: dependents first, each group side by side.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from ..errors import SandboxError, ServiceNotReadyError
from ..runtime import env_overlay
from ._faults import FAULTS_ENV, TIME_SCALE_ENV
from ._process import alive, listening_ports, process_tree, spawn, terminate
from ._registry import depends_on, in_start_order, service_factory, start_waves
from ._spec import ServiceContext, ServiceSpec

Reporter = Callable[[str], None]


class Sandbox:
    """Local stand-ins for the platform's services.

    `with Sandbox(["s3", "refbackend"]) as sb:` builds, starts and waits for each service, exports
    their credentials to `os.environ` for the duration of the block, and stops every process on
    exit (also on error or Ctrl-C).
    """

    def __init__(
        self,
        services: Iterable[str],
        *,
        state_dir: Path | None = None,
        time_scale: float = 1.0,
        faults: Mapping[str, Mapping[str, Any]] | None = None,
        detach: bool = False,
        report: Reporter | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        requested = list(services)
        self.names = in_start_order(requested)
        unknown = sorted(set(requested) - set(self.names))
        if unknown:
            service_factory(unknown[0])  # raises KeyError naming the known services
        self._own_state_dir = state_dir is None
        self.state_dir = state_dir or Path(tempfile.mkdtemp(prefix="workbook-sandbox-"))
        self.time_scale = time_scale
        self.faults = {name: dict(switches) for name, switches in (faults or {}).items()}
        self.detach = detach
        # Extra environment for every stand-in process (never set in this process's os.environ).
        self.env = dict(env or {})
        self._report = report or (lambda message: None)
        self.specs: dict[str, ServiceSpec] = {}
        self.outputs: dict[str, dict[str, str]] = {}
        self.secrets: dict[str, str] = {}
        self.pids: dict[str, int] = {}
        self._processes: dict[str, Any] = {}
        self._exported = contextlib.ExitStack()

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    def log_file(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def build(self) -> None:
        """Allocate ports and credentials for every service; starts nothing."""
        ctx = ServiceContext(state_dir=self.state_dir, time_scale=self.time_scale)
        for name in self.names:
            spec = service_factory(name)(ctx)
            self.specs[name] = spec
            self.outputs[name] = dict(spec.outputs)
            self.secrets.update(spec.secrets)
            ctx.outputs[name] = dict(spec.outputs)
            ctx.secrets.update(spec.secrets)

    def start(self) -> None:
        if not self.specs:
            self.build()
        try:
            self._start_all()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every started service, dependents before what they depend on. Safe to call twice."""
        for wave in reversed(start_waves(list(self.pids))):
            # Each wave is stopped side by side: a stand-in's graceful stop (SeaweedFS: 2.5 s) is waited once.
            with ThreadPoolExecutor(max_workers=len(wave), thread_name_prefix="sandbox-stop") as pool:
                list(pool.map(self._stop_one, wave))
            for name in wave:
                self._report(f"sandbox: stopped {name}")
        self.pids.clear()

    def all_pids(self) -> list[int]:
        return [pid for root in self.pids.values() for pid in process_tree(root)]

    def cleanup(self) -> None:
        """Close sockets of services never started; remove the state dir if the launcher created it."""
        for spec in self.specs.values():
            for sock in spec.sockets:
                sock.close()
        if self._own_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        self.start()
        self._exported.enter_context(env_overlay(self.secrets))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.stop()
        finally:
            self._exported.close()

    def _start_all(self) -> None:
        """Spawn each service as soon as the services it depends on are ready, wait for them side by
        side, and report each as it becomes ready."""
        pending = list(self.names)
        ready: set[str] = set()
        started: dict[str, float] = {}
        waits: dict[Future[None], str] = {}
        # Not a `with` block: on Ctrl-C the caller stops the processes first, which ends every poll.
        pool = ThreadPoolExecutor(max_workers=len(pending) or 1, thread_name_prefix="sandbox-ready")
        try:
            while pending or waits:
                for name in [n for n in pending if set(depends_on(n)) & set(self.names) <= ready]:
                    pending.remove(name)
                    started[name] = self._spawn(name, self.specs[name])
                    waits[pool.submit(wait_until_ready, self.specs[name], self.pids[name], self.log_file(name))] = name
                if not waits:
                    raise SandboxError(f"sandbox services wait on each other in a circle: {', '.join(pending)}")
                done, _ = wait(waits, return_when=FIRST_COMPLETED)
                for future in done:
                    name = waits.pop(future)
                    future.result()
                    ready.add(name)
                    seconds = time.monotonic() - started[name]
                    self._report(f"sandbox: {name} ready in {seconds:.1f}s at {self.specs[name].ready_url}")
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _spawn(self, name: str, spec: ServiceSpec) -> float:
        """Start `name`'s process; returns the monotonic time it was started."""
        env = {
            **os.environ,
            **self.env,
            **spec.env,
            TIME_SCALE_ENV: str(self.time_scale),
            FAULTS_ENV: json.dumps(self.faults.get(name, {})),
        }
        self._report(f"sandbox: starting {name}")
        started = time.monotonic()
        process = spawn(
            spec.argv,
            env,
            self.log_file(name),
            tied_to_parent=not self.detach,
            pass_fds=[sock.fileno() for sock in spec.sockets],
        )
        for sock in spec.sockets:
            sock.close()  # the stand-in holds it now; the launcher's copy would keep the port after it stops
        self._processes[name] = process
        self.pids[name] = process.pid
        return started

    def _stop_one(self, name: str) -> None:
        spec = self.specs.get(name)
        terminate(self.pids[name], spec.stop_timeout_s if spec else 5.0)
        process = self._processes.pop(name, None)
        if process is not None:
            process.wait(timeout=5)


def wait_until_ready(spec: ServiceSpec, pid: int, log_file: Path) -> None:
    """Poll until `spec.ready_url` answers from the service's own process and `spec.ready_check`
    passes, or raise naming the log."""
    started = time.monotonic()
    deadline = started + spec.ready_timeout_s
    last_error = "no attempt yet"
    owner_confirmed = False
    while time.monotonic() < deadline:
        if not alive(pid):
            raise SandboxError(
                f"sandbox service {spec.name!r} exited during startup; see its log: {log_file}\n" + tail(log_file)
            )
        try:
            httpx.get(spec.ready_url, timeout=1.0)
            # Asked once: a port's holder does not change while the service keeps running.
            owner_confirmed = owner_confirmed or _holds_ready_port(spec, pid)
            if owner_confirmed and spec.ready_check is not None:
                spec.ready_check()
        except Exception as error:
            last_error = f"{type(error).__name__}: {error}"[:200]
        else:
            if not owner_confirmed:
                port = httpx.URL(spec.ready_url).port
                raise SandboxError(
                    f"sandbox service {spec.name!r}: {spec.ready_url} answered, but port {port} is held by another "
                    f"program, not by the service (pid {pid}); start the sandbox again. Its log: {log_file}\n"
                    + tail(log_file)
                )
            return
        time.sleep(0.1)
    raise ServiceNotReadyError(spec.name, time.monotonic() - started, log_file, last_error)


def _holds_ready_port(spec: ServiceSpec, pid: int) -> bool:
    """Whether the service's processes listen on `ready_url`'s port. A port picked free can be taken
    by another program before the stand-in binds it, and that program's /health would otherwise pass
    for ours while ours fails to bind and exits. True when the system won't say (no telling)."""
    port = httpx.URL(spec.ready_url).port
    held = listening_ports(process_tree(pid))
    return port is None or held is None or port in held


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""

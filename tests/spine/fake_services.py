"""Stand-ins that misbehave on purpose, registered by the sandbox tests."""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from workbook.sandbox import ServiceContext, ServiceSpec, no_faults


def never_ready(ctx: ServiceContext) -> ServiceSpec:
    port = ctx.free_port()  # nothing ever listens here
    return ServiceSpec(
        name="never_ready",
        argv=[sys.executable, "-c", "import time; time.sleep(60)"],
        ready_url=f"http://127.0.0.1:{port}/",
        outputs={},
        ready_timeout_s=1.5,
    )


def exits_at_once(ctx: ServiceContext) -> ServiceSpec:
    return ServiceSpec(
        name="exits_at_once",
        argv=[sys.executable, "-c", "print('bad config'); raise SystemExit(3)"],
        ready_url=f"http://127.0.0.1:{ctx.free_port()}/",
        outputs={},
        ready_timeout_s=10,
    )


def with_child(ctx: ServiceContext) -> ServiceSpec:
    port = ctx.free_port()
    code = (
        "import subprocess, sys, http.server; subprocess.Popen([sys.executable, '-c', 'import time; "
        f"time.sleep(300)']); http.server.HTTPServer(('127.0.0.1', {port}), "
        "http.server.SimpleHTTPRequestHandler).serve_forever()"
    )
    return ServiceSpec(
        name="with_child",
        argv=[sys.executable, "-c", code],
        ready_url=f"http://127.0.0.1:{port}/",
        outputs={"url": f"http://127.0.0.1:{port}"},
        stop_timeout_s=2,
    )


def _http_server_after(name: str, port: int, delay_s: float) -> ServiceSpec:
    """A stand-in that sleeps `delay_s`, then serves HTTP on `port`."""
    code = (
        f"import time, http.server; time.sleep({delay_s}); http.server.HTTPServer(('127.0.0.1', "
        f"{port}), http.server.SimpleHTTPRequestHandler).serve_forever()"
    )
    return ServiceSpec(
        name=name,
        argv=[sys.executable, "-c", code],
        ready_url=f"http://127.0.0.1:{port}/",
        outputs={"url": f"http://127.0.0.1:{port}"},
        ready_timeout_s=10,
        stop_timeout_s=2,
    )


def slow_ready(ctx: ServiceContext) -> ServiceSpec:
    return _http_server_after("slow_ready", ctx.free_port(), delay_s=1)


SQUATTED_PORT_ENV = "FAKE_SERVICES_SQUATTED_PORT"


def port_taken(ctx: ServiceContext) -> ServiceSpec:
    """Told a port another program already answers on (the test's), it sleeps before binding it."""
    return _http_server_after("port_taken", int(os.environ[SQUATTED_PORT_ENV]), delay_s=3)


# Registry entries `fake_services:<name>`: each an object with the stand-in contract's two names.
stand_ins = {
    name: SimpleNamespace(service=factory, faults=no_faults)
    for name, factory in {
        "never_ready": never_ready,
        "exits_at_once": exits_at_once,
        "with_child": with_child,
        "slow_ready": slow_ready,
        "port_taken": port_taken,
    }.items()
}
never_ready_stand_in = stand_ins["never_ready"]
exits_at_once_stand_in = stand_ins["exits_at_once"]
with_child_stand_in = stand_ins["with_child"]
slow_ready_stand_in = stand_ins["slow_ready"]
port_taken_stand_in = stand_ins["port_taken"]

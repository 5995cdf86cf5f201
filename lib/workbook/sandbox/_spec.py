"""The contract between the launcher and each stand-in service.

A stand-in is a module exposing `service(ctx: ServiceContext) -> ServiceSpec`. Building a spec
allocates ports and credentials but starts nothing, so params can be resolved and validated
before any process runs. The launcher then starts `argv`, waits for `ready_url`, and publishes
`outputs` (to params as `${sandbox.<name>.<key>}`) and `secrets` (to kernels as environment
variables, scrubbed from evidence).
"""

from __future__ import annotations

import random
import secrets as _secrets
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SandboxError

# Ports handed out by `free_port` in this process: the OS may offer a closed port again at once,
# and two stand-ins given one port would have the second answer nothing or, worse, the first's /health.
_handed_out: set[int] = set()
_handed_out_lock = threading.Lock()


def _candidate_port() -> int:
    """A random port below the ephemeral range (where no outgoing connection takes its local port),
    or 0 — any port the OS picks — when that range leaves no room below it."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default
    floor = max(1024, low - 16384)
    return random.randrange(floor, low) if low - floor >= 1024 else 0


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    argv: Sequence[str]
    ready_url: str
    outputs: Mapping[str, str]
    env: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    ready_timeout_s: float = 30.0
    # Called after ready_url answers; raises until the service is really usable (e.g. bucket exists).
    ready_check: Callable[[], object] | None = None
    # Seconds to wait after SIGTERM before SIGKILL.
    stop_timeout_s: float = 8.0
    # Listening sockets bound by `ctx.listening_socket()`, handed to the process (their fds stay
    # the same numbers in the child: pass them on its command line, e.g. `uvicorn --fd N`). A
    # connection made while the server boots waits in the kernel's backlog instead of being refused.
    sockets: Sequence[socket.socket] = ()


@dataclass
class ServiceContext:
    """What a stand-in may use while building its spec."""

    state_dir: Path
    # Published outputs of the services built before this one, e.g. outputs["s3"]["endpoint"].
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    # Environment variables holding credentials of services built before this one.
    secrets: dict[str, str] = field(default_factory=dict)
    # Sandbox time runs this many times faster (tests use large values).
    time_scale: float = 1.0
    # Fault switches to turn on at startup, per service name.
    faults: dict[str, list[str]] = field(default_factory=dict)

    def service_dir(self, name: str) -> Path:
        path = self.state_dir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def free_port() -> int:
        """A port free on 127.0.0.1 right now (never a fixed port), never one handed out before here.

        Taken from below the kernel's ephemeral range: a port handed to a binary that binds it later
        (SeaweedFS, redis-server) must not be picked meanwhile as the local port of some outgoing
        connection — with a dozen stand-ins starting side by side, that happened (`weed mini`: "port
        ... is not available").
        """
        for _ in range(1000):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", _candidate_port()))
                except OSError:
                    continue
                port = int(sock.getsockname()[1])
            with _handed_out_lock:
                if port not in _handed_out:
                    _handed_out.add(port)
                    return port
        raise SandboxError("no free 127.0.0.1 port left that this process has not handed out already")

    @staticmethod
    def listening_socket(backlog: int = 512) -> socket.socket:
        """A socket bound to a free 127.0.0.1 port and listening, inheritable by the stand-in's process."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(backlog)
        sock.set_inheritable(True)
        return sock

    @staticmethod
    def new_secret(length: int = 32) -> str:
        return _secrets.token_urlsafe(length)[:length]

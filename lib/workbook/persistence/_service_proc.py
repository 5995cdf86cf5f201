"""The platform's persistence service in its own Python process, called across a small boundary.

`ServiceProcess.start(...)` runs `_service_runner.py` with `service_python` (the platform's own
interpreter; the workbook's when empty), hands it the environment before the service's module is
imported, and constructs the service with no arguments as the seed's scripts do. `call(method,
**kwargs)` calls one async method by keyword and returns a `ServiceCall` (value, seconds, the
uploads botocore sent, when the runner could see them).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ._errors import ServiceCallError, ServiceImportError

RUNNER = Path(__file__).with_name("_service_runner.py")
# Lines of the service's stderr kept for error messages.
STDERR_LINES = 40


@dataclass(frozen=True)
class SentUpload:
    """One upload request the service's botocore client sent (recorded inside its process)."""

    operation: str
    url: str
    content_type: str | None


@dataclass(frozen=True)
class ServiceCall:
    method: str
    value: Any
    seconds: float
    sent: list[SentUpload] = field(default_factory=list)


class ServiceProcess:
    """One running service; every call waits at most `timeout_s` for its answer."""

    def __init__(self, process: subprocess.Popen[str], *, timeout_s: float) -> None:
        self._process = process
        self.timeout_s = timeout_s
        self._stderr: deque[str] = deque(maxlen=STDERR_LINES)
        self._lock = threading.Lock()
        threading.Thread(target=self._drain, args=(process.stderr,), daemon=True).start()
        self.info: dict[str, Any] = {}

    @classmethod
    def start(
        cls,
        import_path: str,
        *,
        python: str = "",
        sys_path: str = "",
        env: Mapping[str, str] | None = None,
        timeout_s: float = 120.0,
    ) -> ServiceProcess:
        interpreter = python or sys.executable
        if not Path(interpreter).is_file():
            raise ServiceImportError(f"service_python {interpreter!r} is not a file (expected the platform's python)")
        cwd = str(Path(sys_path).expanduser().resolve()) if sys_path else ""
        if cwd and not Path(cwd).is_dir():
            raise ServiceImportError(f"service_sys_path {sys_path!r} is not a directory")
        process = subprocess.Popen(
            [interpreter, "-u", str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd or None,
            # The variables go in the start message, set before the import; the process itself
            # starts from the workbook's environment (PATH, HOME, proxies).
            env=dict(os.environ),
        )
        running = cls(process, timeout_s=timeout_s)
        message = {
            "op": "start",
            "env": dict(env or {}),
            "sys_path": [cwd] if cwd else [],
            "cwd": cwd,
            "import": import_path,
        }
        try:
            running.info = running._ask(message)
        except ServiceCallError as error:
            running.close()
            raise ServiceImportError(f"{import_path} in {interpreter}: {error}") from error
        return running

    def _drain(self, stream: IO[str] | None) -> None:
        for line in stream or ():
            self._stderr.append(line.rstrip())

    def stderr_tail(self) -> str:
        return "\n".join(self._stderr)

    def _ask(self, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            stdin, stdout = self._process.stdin, self._process.stdout
            if stdin is None or stdout is None or self._process.poll() is not None:
                raise ServiceCallError("ProcessExited", f"the service process has exited: {self.stderr_tail()[-600:]}")
            stdin.write(json.dumps(message) + "\n")
            stdin.flush()
            line = _readline(stdout, self.timeout_s)
        if line is None:
            self.close()
            raise ServiceCallError(
                "Timeout", f"no answer to {message.get('op')} {message.get('method', '')} within {self.timeout_s} s"
            )
        if not line:
            raise ServiceCallError("ProcessExited", f"the service process exited: {self.stderr_tail()[-600:]}")
        reply = json.loads(line)
        if not reply.get("ok"):
            error = reply.get("error", {})
            raise ServiceCallError(str(error.get("type")), str(error.get("message")))
        return dict(reply)

    def call(self, method: str, **kwargs: Any) -> ServiceCall:
        reply = self._ask({"op": "call", "method": method, "kwargs": kwargs})
        sent = [SentUpload(**item) for item in reply.get("sent", [])]
        return ServiceCall(method, reply.get("value"), float(reply.get("seconds", 0.0)), sent)

    def repeat(self, method: str, count: int, *, max_s: float, **kwargs: Any) -> dict[str, Any]:
        """Call `method` `count` times inside the service's process (timed there), stopping after `max_s`."""
        return self._ask({"op": "repeat", "method": method, "kwargs": kwargs, "count": count, "max_s": max_s})

    @property
    def records_uploads(self) -> bool:
        return bool(self.info.get("records_uploads"))

    def close(self) -> None:
        """Ask the runner to stop (kill it after 5 s) and close its pipes."""
        process = self._process
        if process.poll() is None:
            try:
                if process.stdin:
                    process.stdin.write(json.dumps({"op": "stop"}) + "\n")
                    process.stdin.flush()
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                process.kill()
                process.wait(timeout=5)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _readline(stream: IO[str], timeout_s: float) -> str | None:
    """One line from `stream`, or None after `timeout_s` (the reader thread is left to finish)."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    return box[0] if box else None

"""Run a platform's persistence service in its own Python: a JSON-lines runner over stdin/stdout.

Executed as a script by the platform's interpreter (`service_python`), so it imports nothing but the
standard library: the platform's pinned packages never meet the workbook's. Protocol, one JSON
object per line:

    -> {"op": "start", "env": {...}, "sys_path": [...], "cwd": "...", "import": "module:Class"}
    <- {"ok": true, "python": "3.12.1 ...", "methods": [...]}
    -> {"op": "call", "method": "get_character_reference_url", "kwargs": {...}}
    <- {"ok": true, "value": ..., "seconds": 0.01, "sent": [{"operation", "url", "content_type"}]}
    -> {"op": "repeat", "method": ..., "kwargs": {...}, "count": 100, "max_s": 60}
    <- {"ok": true, "values": [...], "seconds": [...], "stopped_early": false}
    <- {"ok": false, "error": {"type": "FileNotFoundError", "message": "..."}}   (any op)

The environment is set before the service's module is imported (its settings may be read at
import); methods are called by keyword, as the seed's scripts do. Replies go to a private copy of
the original stdout; whatever the service prints lands on stderr. When botocore is importable,
every botocore session (boto3, and aiobotocore underneath s3fs) records the Content-Type of the
uploads it sends, as evidence of what the service asked the store to keep.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import platform
import sys
import time
import traceback
from typing import Any

SENT: list[dict[str, Any]] = []


def _on_send(request: Any = None, event_name: str = "", **_: Any) -> None:
    headers = getattr(request, "headers", {}) or {}
    value = headers.get("Content-Type")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    url = str(getattr(request, "url", "")).split("?", 1)[0]
    SENT.append({"operation": event_name.rsplit(".", 1)[-1], "url": url, "content_type": value})


def _hook_botocore() -> bool:
    try:
        from botocore.session import Session
    except ImportError:
        return False
    original = Session.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        for operation in ("PutObject", "CreateMultipartUpload"):
            self.register(f"before-send.s3.{operation}", _on_send)

    Session.__init__ = init
    return True


def _plain(value: Any) -> Any:
    """`value` as JSON can carry it (paths and other objects as text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    return str(value)


async def _awaited(result: Any) -> Any:
    return await result


def _invoke(service: Any, method: str, kwargs: dict[str, Any]) -> Any:
    result = getattr(service, method)(**kwargs)
    return asyncio.run(_awaited(result)) if inspect.isawaitable(result) else result


class Runner:
    def __init__(self) -> None:
        self.service: Any = None
        self.hooked = False

    def start(self, message: dict[str, Any]) -> dict[str, Any]:
        os.environ.update({str(k): str(v) for k, v in message.get("env", {}).items()})
        if message.get("cwd"):
            os.chdir(message["cwd"])
        for entry in reversed(message.get("sys_path", [])):
            if entry not in sys.path:
                sys.path.insert(0, entry)
        self.hooked = _hook_botocore()
        module_name, _, class_name = message["import"].partition(":")
        module = importlib.import_module(module_name)
        self.service = getattr(module, class_name)()
        methods = sorted(
            name for name in dir(self.service) if not name.startswith("_") and callable(getattr(self.service, name))
        )
        return {
            "python": f"{platform.python_version()} {sys.executable}",
            "methods": methods,
            "records_uploads": self.hooked,
        }

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        SENT.clear()
        started = time.perf_counter()
        value = _invoke(self.service, message["method"], message.get("kwargs", {}))
        return {"value": _plain(value), "seconds": time.perf_counter() - started, "sent": list(SENT)}

    def repeat(self, message: dict[str, Any]) -> dict[str, Any]:
        values: list[Any] = []
        seconds: list[float] = []
        deadline = time.monotonic() + float(message.get("max_s", 60))
        for _ in range(int(message["count"])):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            values.append(_plain(_invoke(self.service, message["method"], message.get("kwargs", {}))))
            seconds.append(time.perf_counter() - started)
        return {"values": values, "seconds": seconds, "stopped_early": len(values) < int(message["count"])}


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the service's prints go to stderr, never into the protocol
    sys.stdout = sys.stderr
    runner = Runner()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            op = message.get("op")
            if op == "stop":
                break
            if op not in ("start", "call", "repeat"):
                raise ValueError(f"unknown op {op!r}")
            reply = {"ok": True, **getattr(runner, op)(message)}
        except BaseException as error:  # every failure is the caller's evidence, the runner goes on
            if isinstance(error, KeyboardInterrupt):
                raise
            traceback.print_exc(file=sys.stderr)
            reply = {"ok": False, "error": {"type": type(error).__name__, "message": str(error)}}
        replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()

"""A webhook receiver the workbook runs on 127.0.0.1 (a free port): every POST it gets is kept
(path, JSON body, headers, arrival time) as evidence recorded outside the task service.

Each task gets its own path (`/hook/<nonce>`), so a webhook is tied to the submission that asked
for it even when a platform's body names another task. Live, the task service must reach this
address: `webhook_public_url` names what to hand out instead (a tunnel or forwarder to it).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 4 * 1024 * 1024


@dataclass(frozen=True)
class Delivery:
    path: str
    body: Any
    headers: dict[str, str]
    at: float  # wall clock


@dataclass
class _Store:
    deliveries: list[Delivery] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)


class WebhookReceiver:
    def __init__(self, host: str = "127.0.0.1", public_url: str = "") -> None:
        store = self._store = _Store()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = min(int(self.headers.get("Content-Length", 0) or 0), MAX_BODY)
                raw = self.rfile.read(length)
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                delivery = Delivery(self.path, body, dict(self.headers.items()), time.time())
                with store.cond:
                    store.deliveries.append(delivery)
                    store.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True)
        self._thread.start()
        port = self._server.server_address[1]
        self.base_url = (public_url or f"http://{host}:{port}").rstrip("/")

    def url_for(self, nonce: str) -> str:
        return f"{self.base_url}/hook/{nonce}"

    def wait(self, nonce: str, timeout_s: float) -> Delivery | None:
        """The first delivery to `nonce`'s path, waiting up to `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        with self._store.cond:
            while True:
                found = self.deliveries(nonce)
                remaining = deadline - time.monotonic()
                if found or remaining <= 0:
                    return found[0] if found else None
                self._store.cond.wait(remaining)

    def deliveries(self, nonce: str) -> list[Delivery]:
        suffix = f"/hook/{nonce}"
        return [d for d in self._store.deliveries if d.path.split("?", 1)[0].endswith(suffix)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

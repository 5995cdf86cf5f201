"""The studio starts race-free: the launcher's pre-bound socket queues requests sent while the
process is still importing, and a switch set at startup (WORKBOOK_FAULTS) does not stop it starting."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from workbook.sandbox import Sandbox, ServiceContext
from workbook.sandbox.studio import service


def test_a_request_sent_before_the_server_runs_waits_in_the_backlog(tmp_path: Path) -> None:
    spec = service(ServiceContext(state_dir=tmp_path))
    (sock,) = spec.sockets
    process = subprocess.Popen(
        list(spec.argv),
        pass_fds=[sock.fileno()],
        env={**os.environ, **spec.env, "WORKBOOK_FAULTS": "{}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sock.close()
    try:
        # Sent at once: the interpreter has not even imported uvicorn yet. A free-port-then-start
        # launcher gets ConnectionRefusedError here; a listening socket queues the connection.
        health = httpx.get(spec.outputs["url"] + "/health", timeout=60)
        assert health.status_code == 200
        # Like ORFEAS, it serves no OpenAPI document: its description is a file (openapi_path).
        assert httpx.get(spec.outputs["url"] + "/openapi.json", timeout=10).status_code == 404
        assert Path(spec.outputs["openapi_path"]).read_text().startswith("openapi: 3.0.3")
    finally:
        process.terminate()
        process.wait(10)


def test_the_studio_starts_with_a_hang_switch_already_on(tmp_path: Path) -> None:
    with Sandbox(["studio"], state_dir=tmp_path, faults={"studio": {"hang_after": 1}}) as sandbox:
        url = sandbox.outputs["studio"]["url"]
        faults = httpx.get(sandbox.outputs["studio"]["admin_url"] + "/_sandbox/faults", timeout=5).json()
        assert faults["faults"] == {"hang_after": 1}
        assert httpx.post(url + "/api/text-to-image", json={"prompt": "one"}, timeout=5).status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url + "/api/text-to-image", json={"prompt": "two"}, timeout=0.5)
        assert json.loads(httpx.get(url + "/ready", timeout=5).text)["status"] == "ready"

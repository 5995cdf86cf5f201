"""The launcher's factory for the studio: one pre-bound loopback socket, a state folder, nothing started."""

from __future__ import annotations

import functools
import json
import sys

import httpx

from .._faults import TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec
from ._app import layout
from ._switches import API_KEY_ENV

NAME = "studio"
# Models "load" this long after the process listens; generate-3d and /ready answer 503 meanwhile
# (wall seconds, not scaled: the readiness check must be able to see the window).
BOOT_S = 1.0
CORS_ORIGINS = ["http://localhost:3000"]


def service(ctx: ServiceContext) -> ServiceSpec:
    sock = ctx.listening_socket()
    port = int(sock.getsockname()[1])
    base_url = f"http://127.0.0.1:{port}"
    state_dir = ctx.service_dir(NAME)
    places = layout(state_dir)
    # The key `api_key_required` asks for (ORFEAS has none): a profile names it as its secret_env.
    api_key = ctx.new_secret()
    argv = [
        sys.executable,
        "-m",
        "workbook.sandbox.studio",
        "--fd",
        str(sock.fileno()),
        "--state-dir",
        str(state_dir),
        "--boot-s",
        str(BOOT_S),
        "--cors-origins",
        json.dumps(CORS_ORIGINS),
    ]
    return ServiceSpec(
        name=NAME,
        argv=argv,
        ready_url=f"{base_url}/health",
        # The process answers /health at once; the studio is ready when /ready says 200 (models loaded).
        ready_check=functools.partial(_ready, f"{base_url}/ready"),
        outputs={
            "url": base_url,
            "admin_url": base_url,
            "openapi_path": str(places["openapi"]),
            "upload_dir": str(places["uploads"]),
            "output_dir": str(places["outputs"]),
        },
        env={TIME_SCALE_ENV: str(ctx.time_scale), API_KEY_ENV: api_key},
        secrets={API_KEY_ENV: api_key},
        sockets=[sock],
        stop_timeout_s=5.0,
    )


def _ready(url: str) -> None:
    httpx.get(url, timeout=2.0).raise_for_status()

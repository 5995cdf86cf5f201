"""The studio's fault switches (one per real ORFEAS defect) and its one shape option.

Each switch is caught by one named check of notebook 40 (in brackets). The seed's five bugs:

* `hang_after` (integer >= 0, `true` = 2): after that many API requests every further one is read
  and never answered [soak]. The seed's "server hangs after 2 sequential requests". Counting starts
  when the switch is set; turning it off releases the held requests. Health, readiness and
  `/_sandbox/*` are never held.
* `accept_fake_image`: uploads skip the image validation, so bytes that only claim to be a PNG get
  200 [upload_cases] (the seed's test-mode upload before its "Fix 3").
* `accept_empty_prompt`: text-to-image accepts an empty or blank prompt [text_cases].
* `health_before_routes`: `/ready` answers 200 while generate-3d still answers 503 because the
  models are loading [readiness] (the seed's "health check passes but endpoint requests fail").
* `missing_file_500`: an upload without the `image` field answers 500 `{"error": "Upload failed"}`
  instead of 400 [upload_cases].

Defect classes seen when ORFEAS ran from its own code (reference section 002):

* `malformed_id_500`: generate-3d with a job id that is not a dashed lowercase UUID answers 500
  `{"error": "3D generation failed"}` (its pydantic error holds a ValueError that jsonify cannot
  encode) instead of 400 [generate_cases].
* `no_json_500`: text-to-image and generate-3d without a JSON body answer 500 (Flask's
  `get_json()` raises 415/400 inside the handler's catch-all) [text_cases].
* `always_obj`: every 3D job writes `model_<id>.obj` (an OBJ) whatever format was asked, and the
  job status names that file (the fallback processor's `with_suffix(".obj")`) [outputs].
* `download_traversal`: the path-parameter routes (download, download-base64, preview-output,
  preview) take `..` as a job id or name and check containment against the job's own folder,
  so `/api/download/%2e%2e/openapi.yaml` serves a file from outside the output folder [download_safety].
* `cors_any_origin`: CORS as with `CORS_ORIGINS` unset: every Origin is echoed back [upload_security].
* `undocumented_routes`: the OpenAPI file lists neither `/health` nor `/ready` (nor download-base64
  and preview-output), as ORFEAS's own `backend/openapi.yaml` [routes: a minor documentation finding].
* `health_degraded`: `/api/health` answers 200 with `"status": "degraded"` [health: the body is read].

Verdict switches (issue 20; not ORFEAS defects — each makes the workbook unable to check, and the
affected checks must end `error` with the right reason, never `fail`):

* `drop_route` (a route path as listed in `ROUTE_PATHS`, e.g. `/api/text-to-image`): the route is
  gone, as if ORFEAS had no such rule: Werkzeug's HTML 404 for GET, 405 for other methods (its
  catch-all static route takes GET) [routes and every check that uses it: error/dialect].
* `api_key_required`: every `/api/` request must carry `X-API-Key` with the key in
  `SANDBOX_STUDIO_API_KEY` (a gateway in front of ORFEAS; ORFEAS itself has no auth), else 401
  `{"error": "API key required"}` [every check that calls /api/: error/auth].

Shape options (correct behaviour a client must read, never a defect), set with
`WORKBOOK_STUDIO_OPTIONS` or `{admin_url}/_sandbox/options`:

* `keep_alive` — answers without `Connection: close` (Werkzeug's development server closes every
  connection; a production WSGI server keeps them).
* `no_gpu` — ORFEAS on a machine without a GPU, as it ran from its code: every 3D job ends
  `failed` with "Cannot allocate job <id>: insufficient resources" (gpu_manager.py:414-416, 456).
  Off by default, where the stand-in is kinder than that machine: its jobs succeed on the CPU.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .._faults import FaultSwitches

KNOWN = (
    "hang_after",
    "accept_fake_image",
    "accept_empty_prompt",
    "health_before_routes",
    "missing_file_500",
    "malformed_id_500",
    "no_json_500",
    "always_obj",
    "download_traversal",
    "cors_any_origin",
    "undocumented_routes",
    "health_degraded",
    "drop_route",
    "api_key_required",
)
# The studio's API routes (`_routes.routes` serves exactly these); `drop_route` names one of them.
ROUTE_PATHS = (
    "/api/health",
    "/health",
    "/ready",
    "/api/upload-image",
    "/api/text-to-image",
    "/api/generate-3d",
    "/api/job-status/{job_id}",
    "/api/download/{job_id}/{filename}",
    "/api/download-base64/{job_id}/{filename}",
    "/api/preview/{filename}",
    "/api/preview-output/{job_id}/{filename}",
)
API_KEY_ENV = "SANDBOX_STUDIO_API_KEY"
API_KEY_HEADER = "x-api-key"
# Switches that take a number; `true` means this default.
NUMBER_DEFAULTS = {"hang_after": 2}
NUMBER_LIMITS = {"hang_after": (0, 1_000_000)}
OPTIONS = ("keep_alive", "no_gpu")
OPTIONS_ENV = "WORKBOOK_STUDIO_OPTIONS"
OPTIONS_PATH = "/_sandbox/options"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class StudioFaults(FaultSwitches):
    """The switches, validated, plus the request counter behind `hang_after`."""

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._seen = 0
        # Called after every change (the app rewrites its OpenAPI file for `undocumented_routes`).
        self.on_change: list[Callable[[], None]] = []
        super().__init__(KNOWN, initial)

    def update(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            if value is None or value is False or name not in KNOWN:
                continue  # turning off, or an unknown name the base class rejects with the known list
            if name in NUMBER_DEFAULTS:
                low, high = NUMBER_LIMITS[name]
                if value is not True and not (_is_int(value) and low <= value <= high):
                    raise ValueError(f"{name} must be true or an integer in {low}..{high}, got {value!r}")
            elif name == "drop_route":
                if value not in ROUTE_PATHS:
                    raise ValueError(f"drop_route names a route path, one of {list(ROUTE_PATHS)}; got {value!r}")
            elif value is not True:
                raise ValueError(f"{name} is an on/off switch: expected true, false or null, got {value!r}")
        super().update(changes)
        if "hang_after" in changes:
            with self._lock:
                self._seen = 0
        self._changed()

    def clear(self) -> None:
        super().clear()
        with self._lock:
            self._seen = 0
        self._changed()

    def _changed(self) -> None:
        for callback in self.on_change:
            callback()

    def number(self, name: str) -> int | None:
        """The value of a numeric switch (its default when set to `true`), None when off."""
        value = self.value(name)
        if value is None:
            return None
        return NUMBER_DEFAULTS[name] if value is True else int(value)

    def admit(self) -> bool:
        """Count one request; False when `hang_after` says it must hang."""
        limit = self.number("hang_after")
        if limit is None:
            return True
        with self._lock:
            self._seen += 1
            return self._seen <= limit


class StudioOptions:
    """Shape options: booleans, all off by default (Werkzeug's behaviour)."""

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, bool] = dict.fromkeys(OPTIONS, False)
        raw = os.environ.get(OPTIONS_ENV, "")
        self.update(initial if initial is not None else (json.loads(raw) if raw else {}))

    def update(self, changes: Mapping[str, Any]) -> None:
        unknown = sorted(set(changes) - set(OPTIONS))
        if unknown:
            raise ValueError(f"unknown studio option(s) {unknown}; known: {list(OPTIONS)}")
        bad = {name: value for name, value in changes.items() if not isinstance(value, bool)}
        if bad:
            raise ValueError(f"studio options are true/false, got {bad}")
        self._values.update(changes)

    def reset(self) -> None:
        self._values = dict.fromkeys(OPTIONS, False)

    def on(self, name: str) -> bool:
        return self._values[name]

    def snapshot(self) -> dict[str, Any]:
        return {"options": dict(self._values), "known": list(OPTIONS)}


def faults(initial: Mapping[str, Any]) -> StudioFaults:
    """The registry's validating constructor: these switches with `initial` set."""
    return StudioFaults(initial)

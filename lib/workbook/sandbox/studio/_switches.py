"""The studio stand-in's defect switches: one per bug of the ORFEAS seed (002) and a few it hints at.

Each switch is caught by one named check of notebook 40 (in brackets):

* `health_not_json`: `/health` answers `OK` as text/plain, not JSON [health] (the seed's JSON-format test).
* `hang_after` (integer >= 0, `true` = 2): after that many API requests, every further one is
  read and never answered; the connection stays open [soak]. The seed's "server hangs after 2
  sequential requests". Counting starts when the switch is set; turning it off releases the
  hung requests. `/health`, `/ready`, the OpenAPI document and `/_sandbox/*` are never held.
* `accept_fake_image`: uploads are not decoded, so fake, truncated, SVG or HTML "images" get 200
  [upload_cases].
* `missing_file_500`: an upload without the `image` field crashes (500) instead of 400 [upload_cases].
* `repeated_job_ids`: every upload returns the same job id [upload_cases].
* `accept_empty_prompt`: text-to-image accepts a missing or empty prompt with 200 [text_cases].
* `missing_job_id_500`: generate-3d without a job id crashes (500) instead of 400 [generate_cases].
* `no_api_prefix`: routes are served only without `/api` (`/upload-image`); `/api/...` is 404 [routes].
* `health_before_routes`: `/ready` answers 200 while the routes still answer 503 [readiness].
* `slow_first_request` (ms, `true` = 3000): the first API request after start waits that long,
  the seed's blocking metrics initialisation [readiness].
* `corrupt_mesh`: 3D results are cut in half and no longer parse [outputs].
* `wrong_mesh_format`: 3D results are always STL whatever format was asked [outputs].
* `stack_trace_errors`: error bodies carry the Python traceback with file paths [upload_security].
* `path_traversal`: an upload's filename is used as given, so `../x.png` is written outside the
  upload folder (never outside the sandbox's own state folder) [upload_security].
* `no_size_limit`: uploads over the size limit are accepted instead of 413 [upload_security].
* `cors_wildcard`: CORS allows every origin (`Access-Control-Allow-Origin: *`) [upload_security].
* `schema_violation`: text-to-image answers 200 with `status: 1` and no `image_url`, which its
  own OpenAPI document forbids [schemathesis].
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from .._faults import FaultSwitches

KNOWN = (
    "health_not_json",
    "missing_job_id_500",
    "hang_after",
    "accept_fake_image",
    "missing_file_500",
    "repeated_job_ids",
    "accept_empty_prompt",
    "no_api_prefix",
    "health_before_routes",
    "slow_first_request",
    "corrupt_mesh",
    "wrong_mesh_format",
    "stack_trace_errors",
    "path_traversal",
    "no_size_limit",
    "cors_wildcard",
    "schema_violation",
)
# Switches that take a number; `true` means this default.
NUMBER_DEFAULTS = {"hang_after": 2, "slow_first_request": 3000}
NUMBER_LIMITS = {"hang_after": (0, 1_000_000), "slow_first_request": (0, 60_000)}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class StudioFaults(FaultSwitches):
    """The switches, validated, plus the request counter behind `hang_after`."""

    def __init__(self, initial: Mapping[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._seen = 0
        super().__init__(KNOWN, initial)

    def update(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            if value is None or value is False or name not in KNOWN:
                continue  # turning off, or an unknown name the base class rejects with the known list
            if name in NUMBER_DEFAULTS:
                low, high = NUMBER_LIMITS[name]
                if value is not True and not (_is_int(value) and low <= value <= high):
                    raise ValueError(f"{name} must be true or an integer in {low}..{high}, got {value!r}")
            elif value is not True:
                raise ValueError(f"{name} is an on/off switch: expected true, false or null, got {value!r}")
        super().update(changes)
        if "hang_after" in changes:
            with self._lock:
                self._seen = 0

    def clear(self) -> None:
        super().clear()
        with self._lock:
            self._seen = 0

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


def faults(initial: Mapping[str, Any]) -> StudioFaults:
    """The registry's validating constructor: these switches with `initial` set."""
    return StudioFaults(initial)

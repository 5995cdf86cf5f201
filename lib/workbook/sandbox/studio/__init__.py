"""Sandbox stand-in `studio`: the ORFEAS 2D->3D studio backend of seed 002, in ORFEAS's own dialect.

A replica of `apapadopoulos22/orfeas-ai-studio` `backend/` at 37860d3 (facts with file:line in
the shared reference, section 002), as an ASGI app under uvicorn, started race-free on a socket
the launcher binds. Routes: `/api/health`, `/health`, `/ready`, `POST /api/upload-image`,
`/api/text-to-image`, `/api/generate-3d` (asynchronous jobs), `/api/job-status/{id}`,
`/api/download/{id}/{name}`, `/api/download-base64/{id}/{name}`, `/api/preview/{name}`,
`/api/preview-output/{id}/{name}`; `{"error": ...}` bodies, `Connection: close` on every answer,
flask-cors's CORS. Its OpenAPI description is a file it does not serve (`openapi_path`).

Outputs: `url`, `admin_url` (`/_sandbox/faults`, `/_sandbox/options`, `/_sandbox/restart`),
`openapi_path`, `upload_dir`, `output_dir`; secret `SANDBOX_STUDIO_API_KEY` (the key the
`api_key_required` switch asks for). Switches and the shape options: `_switches.py`.

Kinder than the real thing (written down, not hidden): it runs on uvicorn, not Werkzeug's
development server (so requests are served concurrently and `hang_after` is a switch, not a
property of the server); 3D jobs succeed without a GPU (ORFEAS's fail "insufficient resources":
the `no_gpu` option replays that); its OpenAPI file lists every route it serves (ORFEAS's omits
`/health` and `/ready`: `undocumented_routes`); no result cache, no Socket.IO, no rate limiter
(off by default in ORFEAS too).
"""

from ._service import service
from ._switches import faults

__all__ = ["faults", "service"]

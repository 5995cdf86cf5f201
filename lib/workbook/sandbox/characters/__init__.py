"""`characters` stand-in: the movie platform's character service (REST, SQLite) that registers every
character with the brain over MCP.

`POST/GET /projects/{project}/characters`, `GET/PATCH/DELETE /projects/{project}/characters/{id}`,
`GET /projects/{project}/characters/{id}/similar`; each write reaches the brain (`create_character`
with the row's id, `update_character`, `delete_character`) before it is committed, so a brain
failure answers 503 naming the brain and leaves no row. Correlation ids (`X-Request-ID`) go into
every MCP call's `params._meta`. Outputs: `url`, `admin_url` (same port: `/health`,
`/_sandbox/faults`, `/_sandbox/requests`). Switches: see `_switches.py`.
"""

from ._service import service
from ._switches import faults

__all__ = ["faults", "service"]

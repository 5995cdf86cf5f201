"""`story` stand-in: the movie platform's story service (REST) that casts characters through the
brain's similarity search.

`POST/GET /projects/{project}/stories`, `GET /projects/{project}/stories/{id}`,
`POST /projects/{project}/stories/{id}/cast` (each role's description -> the brain's
`find_similar_characters` in the story's project -> the best match joins the cast). A story's
character ids are checked against the character service when they are set, and again whenever
the story is read (a deleted character leaves the cast and is listed under `dropped`).
Correlation ids (`X-Request-ID`) reach the brain in `params._meta` and the character service in
the header. Outputs: `url`, `admin_url` (same port). Switches: see `_switches.py`.
"""

from ._service import service
from ._switches import faults

__all__ = ["faults", "service"]

"""The `upstream` stand-in: a mock external API (the seed's marketplace / GitHub mock) whose
answers can be switched to 500, 503, 429 with Retry-After, a hang past the client's timeout, or a
slow body, for the next N requests. For the repackaging platform (seed 003) it is the download
source: `.difypkg` packages at `/packages/<variant>/<name>.difypkg` (HEAD and GET) and a PEP 503
simple index at `/simple/` of small wheels it builds itself (`_packages.py`). It logs every
request (time, kind, method, path, status, user agent, task id header), which the checks read as
evidence recorded outside the platform.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

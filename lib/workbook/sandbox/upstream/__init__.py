"""The `upstream` stand-in: a mock external API (the seed's marketplace / GitHub mock) whose
answers can be switched to 500, 503, 429 with Retry-After, a hang past the client's timeout, or a
slow body, for the next N requests. It logs every request (time, path, status, task id header),
which the task-pipeline checks read as evidence recorded outside the task service.
"""

from ._service import faults, service

__all__ = ["faults", "service"]

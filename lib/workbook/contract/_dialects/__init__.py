"""The studio client's dialect seam: one small interface, one module per platform dialect.

`StudioDialect` is what the checks call: upload, text-to-image, generate-3d, follow a job to a
terminal state, fetch its result or image, the health and readiness paths, the routes that take
path parameters. `orfeas.py` speaks ORFEAS (asynchronous jobs, the result name only in the job
status); `synchronous.py` speaks the job-resource dialect the workbook spoke before (results at a
URL the submit answer gives). What varies inside a dialect are its pydantic options.
"""

from ._base import FollowedJob, JobOptions, StudioDialect, Submitted
from .orfeas import OrfeasDialect, OrfeasOptions
from .synchronous import SynchronousDialect, SynchronousOptions

DIALECTS: dict[str, type[StudioDialect]] = {"orfeas": OrfeasDialect, "synchronous": SynchronousDialect}
# Spoken when neither the `dialect` parameter nor the service profile's `dialect:` names one.
DEFAULT_DIALECT = "orfeas"

__all__ = [
    "DEFAULT_DIALECT",
    "DIALECTS",
    "FollowedJob",
    "JobOptions",
    "OrfeasDialect",
    "OrfeasOptions",
    "StudioDialect",
    "Submitted",
    "SynchronousDialect",
    "SynchronousOptions",
]

"""API contract checks for the ORFEAS 2D->3D studio (seed 002; notebook 40_api_contract).

Owns the dialect seam (`_dialects/`: ORFEAS's asynchronous jobs, and the synchronous job-resource
dialect), the case table whose acceptable answers come from the platform's published contract
(`_spec.py`), the mesh inspector (format read from the bytes and the name the platform gave it,
parsed by trimesh), Schemathesis against the live server (the spec from a URL or a file), the
sequential soak (connection reuse measured, not assumed), readiness timing, download safety
(path-traversal probes on every path-parameter route) and the upload security probes. The
connection is the `studio` service profile (`workbook.connect`); an answer that shows the request
never reached the platform ends the check `error` with its reason (`reached`). Live needs only the
profile's URL (and optionally the spec's URL or path).
"""

from ._cases import (
    Cases,
    FamilyResult,
    MeshJob,
    Row,
    failures,
    frame,
    generate_rows,
    judge,
    repeat_row,
    text_rows,
    upload_rows,
)
from ._checks import (
    CHECK_FUNCTIONS,
    check_download_safety,
    check_generate_cases,
    check_health,
    check_readiness,
    check_routes,
    check_schemathesis,
    check_soak,
    check_text_cases,
    check_upload_cases,
    check_upload_security,
)
from ._client import Exchange, StudioClient, reached
from ._declared import CHECKS
from ._dialects import (
    DEFAULT_DIALECT,
    DIALECTS,
    FollowedJob,
    OrfeasDialect,
    StudioDialect,
    Submitted,
    SynchronousDialect,
)
from ._downloads import DownloadSafety, Probe, path_routes, probe_downloads, targets_for, unserved_routes
from ._fuzz import Finding, FuzzReport, binary_upload_operations, engine_config, run_schemathesis
from ._health import Readiness, Tick, health_problems, measure_readiness
from ._mesh import MeshReport, inspect_mesh, sniff_format
from ._outputs import check_outputs
from ._paths import RouteProbes, document_problems, probe_routes, unserved_operations
from ._plots import plot_soak
from ._run import ContractRun
from ._security import SecurityResult, cors_problems, leak, probe_uploads, traversal_problems
from ._settings import ContractSettings
from ._soak import Reuse, Sample, Series, SoakPlan, connection_reuse, outcome, run_series, samples_frame, soak, summary
from ._spec import Expectation, documented_statuses, expectation, load_document

__all__ = [
    "CHECKS",
    "CHECK_FUNCTIONS",
    "DEFAULT_DIALECT",
    "DIALECTS",
    "Cases",
    "ContractRun",
    "ContractSettings",
    "DownloadSafety",
    "Exchange",
    "Expectation",
    "FamilyResult",
    "Finding",
    "FollowedJob",
    "FuzzReport",
    "MeshJob",
    "MeshReport",
    "OrfeasDialect",
    "Probe",
    "Readiness",
    "Reuse",
    "RouteProbes",
    "Row",
    "Sample",
    "SecurityResult",
    "Series",
    "SoakPlan",
    "StudioClient",
    "StudioDialect",
    "Submitted",
    "SynchronousDialect",
    "Tick",
    "binary_upload_operations",
    "check_download_safety",
    "check_generate_cases",
    "check_health",
    "check_outputs",
    "check_readiness",
    "check_routes",
    "check_schemathesis",
    "check_soak",
    "check_text_cases",
    "check_upload_cases",
    "check_upload_security",
    "connection_reuse",
    "cors_problems",
    "document_problems",
    "documented_statuses",
    "engine_config",
    "expectation",
    "failures",
    "frame",
    "generate_rows",
    "health_problems",
    "inspect_mesh",
    "judge",
    "leak",
    "load_document",
    "measure_readiness",
    "outcome",
    "path_routes",
    "plot_soak",
    "probe_downloads",
    "probe_routes",
    "probe_uploads",
    "reached",
    "repeat_row",
    "run_schemathesis",
    "run_series",
    "samples_frame",
    "sniff_format",
    "soak",
    "summary",
    "targets_for",
    "text_rows",
    "traversal_problems",
    "unserved_operations",
    "unserved_routes",
    "upload_rows",
]

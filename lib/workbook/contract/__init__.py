"""API contract checks for the ORFEAS 2D->3D studio (seed 002, issue 9; notebook 40_api_contract).

Owns the explicit case table (upload, text-to-image, generate-3d), the mesh inspector (the format
read from the bytes, parsed by trimesh), the Schemathesis engine run against the live server, the
sequential soak (keep-alive and fresh connections, first stall), readiness timing, and the upload
security probes. The same code runs against the sandbox's `studio` and a live deployment; live
needs only `base_url` (and `openapi_url` for the Schemathesis check).
"""

from ._cases import FamilyResult, MeshJob, Row, failures, frame, generate_rows, judge, text_rows, upload_rows
from ._checks import (
    CHECK_FUNCTIONS,
    CHECKS,
    check_generate_cases,
    check_health,
    check_outputs,
    check_readiness,
    check_routes,
    check_schemathesis,
    check_soak,
    check_text_cases,
    check_upload_cases,
    check_upload_security,
)
from ._client import Exchange, StudioClient
from ._fuzz import Finding, FuzzReport, binary_upload_operations, engine_config, fetch_document, run_schemathesis
from ._health import Readiness, Tick, health_problems, measure_readiness
from ._mesh import MeshReport, inspect_mesh, sniff_format
from ._paths import document_problems, probe_problems
from ._plots import plot_soak
from ._run import ContractRun
from ._security import SecurityResult, cors_problems, leak, probe_uploads, traversal_problems
from ._settings import ContractSettings
from ._soak import Sample, Series, outcome, run_series, samples_frame, soak, summary

__all__ = [
    "CHECKS",
    "CHECK_FUNCTIONS",
    "ContractRun",
    "ContractSettings",
    "Exchange",
    "FamilyResult",
    "Finding",
    "FuzzReport",
    "MeshJob",
    "MeshReport",
    "Readiness",
    "Row",
    "Sample",
    "SecurityResult",
    "Series",
    "StudioClient",
    "Tick",
    "binary_upload_operations",
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
    "cors_problems",
    "document_problems",
    "engine_config",
    "failures",
    "fetch_document",
    "frame",
    "generate_rows",
    "health_problems",
    "inspect_mesh",
    "judge",
    "leak",
    "measure_readiness",
    "outcome",
    "plot_soak",
    "probe_problems",
    "probe_uploads",
    "run_schemathesis",
    "run_series",
    "samples_frame",
    "sniff_format",
    "soak",
    "summary",
    "text_rows",
    "traversal_problems",
    "upload_rows",
]

"""One notebook run against one studio: settings, client, dialect, the published contract, evidence,
and what each check found."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from ..runtime import evidence_dir
from ._cases import Cases, FamilyResult, frame
from ._client import StudioClient
from ._dialects import StudioDialect
from ._downloads import DownloadSafety
from ._fuzz import FuzzReport
from ._health import RESTART_PATH, Readiness
from ._mesh import MeshReport
from ._security import SecurityResult
from ._settings import ContractSettings
from ._soak import Reuse, Series, summary
from ._spec import load_document

NOTEBOOK = "40_api_contract"


@dataclass
class ContractRun:
    settings: ContractSettings
    client: StudioClient
    dialect: StudioDialect
    evidence: Path
    document: dict[str, Any] | None = None
    document_error: str = ""
    families: dict[str, FamilyResult] = field(default_factory=dict)
    readiness: Readiness | None = None
    meshes: list[MeshReport] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    reuse: Reuse | None = None
    soak: list[Series] = field(default_factory=list)
    fuzz: FuzzReport | None = None
    downloads: DownloadSafety | None = None
    security: SecurityResult | None = None

    @classmethod
    def open(
        cls,
        settings: ContractSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        evidence: Path | None = None,
    ) -> ContractRun:
        """The run's client (from the studio's service profile), dialect, published contract and evidence folder."""
        folder = evidence or evidence_dir(NOTEBOOK)
        folder.mkdir(parents=True, exist_ok=True)
        client = StudioClient(settings.profile, transport=transport)
        dialect = settings.dialect_class(client, settings.dialect_options)
        run = cls(settings, client, dialect, folder)
        if settings.openapi_url:
            try:
                run.document = load_document(settings.openapi_url, settings.request_timeout_s, client.http)
            except Exception as error:  # kept and reported by the checks that need it
                run.document_error = f"{type(error).__name__}: {error}"[:300]
        return run

    @property
    def cases(self) -> Cases:
        return Cases(self.dialect, self.document, self.settings)

    def restart(self) -> None:
        """Sandbox only: put the server back into its boot phase (its admin endpoint)."""
        # The admin endpoint is the sandbox's, not the platform's: no profile, no credentials.
        url = self.settings.admin_url + RESTART_PATH
        answer = httpx.post(url, timeout=self.settings.request_timeout_s)
        if answer.status_code != 200:
            raise RuntimeError(f"POST {url} answered {answer.status_code} {answer.text[:200]}")

    def case_table(self, family: str | None = None) -> pd.DataFrame:
        """Every case row run so far (or one family's), expected against what came back."""
        rows = [row for name, result in self.families.items() if family in (None, name) for row in result.rows]
        return frame(rows)

    def soak_table(self) -> pd.DataFrame:
        return summary(self.soak)

    def findings_table(self) -> pd.DataFrame:
        findings = self.fuzz.findings if self.fuzz else []
        columns = ["operation", "check", "code", "title", "status", "phase", "reproducer"]
        return pd.DataFrame([asdict(f) for f in findings], columns=[*columns, "message"])[columns]

    def downloads_table(self) -> pd.DataFrame:
        probes = self.downloads.probes if self.downloads else []
        rows = [
            {
                "route": p.route,
                "form": p.form,
                "request": p.target,
                "status": p.answer.status,
                "bytes": len(p.answer.body),
                "matched": p.matched,
            }
            for p in probes
        ]
        return pd.DataFrame(rows, columns=["route", "form", "request", "status", "bytes", "matched"])

    def outputs_table(self) -> pd.DataFrame:
        rows = [
            {
                "asked": m.asked,
                "written": m.name,
                "found": m.found,
                "bytes": m.size_bytes,
                "vertices": m.vertices,
                "faces": m.faces,
                "sha256": m.sha256[:16],
                "ok": m.ok,
                "problems": "; ".join(m.problems),
            }
            for m in self.meshes
        ]
        columns = ["asked", "written", "found", "bytes", "vertices", "faces", "sha256", "ok", "problems"]
        return pd.DataFrame(rows, columns=columns)

    def save_case_table(self) -> pd.DataFrame:
        """The whole case table, also written to the evidence folder as case_table.csv."""
        table = self.case_table()
        table.to_csv(self.evidence / "case_table.csv", index=False)
        return table

    def save_json(self, name: str, value: Any) -> Path:
        path = self.evidence / name
        path.write_text(json.dumps(value, indent=2, default=str))
        return path

    def close(self) -> None:
        self.client.close()

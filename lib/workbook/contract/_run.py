"""One notebook run against one studio API: settings, client, evidence folder, and what each check found."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from .._context import evidence_dir
from ._cases import FamilyResult, frame
from ._client import StudioClient
from ._fuzz import FuzzReport
from ._health import RESTART_PATH, Readiness
from ._mesh import MeshReport
from ._security import SecurityResult
from ._settings import ContractSettings
from ._soak import Series, summary

NOTEBOOK = "40_api_contract"


@dataclass
class ContractRun:
    settings: ContractSettings
    client: StudioClient
    evidence: Path
    families: dict[str, FamilyResult] = field(default_factory=dict)
    readiness: Readiness | None = None
    meshes: list[MeshReport] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    soak: list[Series] = field(default_factory=list)
    fuzz: FuzzReport | None = None
    security: SecurityResult | None = None

    @classmethod
    def open(
        cls, settings: ContractSettings, *, transport: httpx.BaseTransport | None = None, evidence: Path | None = None
    ) -> ContractRun:
        folder = evidence or evidence_dir(NOTEBOOK)
        folder.mkdir(parents=True, exist_ok=True)
        return cls(settings, StudioClient(settings, transport=transport), folder)

    def restart(self) -> None:
        """Sandbox only: put the server back into its boot phase (its admin endpoint)."""
        answer = self.client.request("POST", self.settings.admin_url + RESTART_PATH)
        if not answer.ok:
            raise RuntimeError(f"POST {self.settings.admin_url}{RESTART_PATH} answered {answer.brief()}")

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

    def outputs_table(self) -> pd.DataFrame:
        rows = [
            {
                "asked": m.asked,
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
        return pd.DataFrame(rows, columns=["asked", "found", "bytes", "vertices", "faces", "sha256", "ok", "problems"])

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

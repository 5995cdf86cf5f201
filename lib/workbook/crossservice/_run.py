"""One notebook run: settings, clients, the evaluation set, and what earlier checks left for later ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._context import evidence_dir
from ..embeddings import EvalSet, load_eval_set
from ._brain import BrainTools
from ._http import Reply, Rest
from ._settings import CrossServiceSettings

NOTEBOOK = "60_cross_service"


@dataclass
class CrossServiceRun:
    settings: CrossServiceSettings
    rest: Rest
    brain: BrainTools
    eval_set: EvalSet
    evidence: Path
    # Filled by the flow check, read by later ones (a later check skips when it is missing).
    flow: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: CrossServiceSettings, *, evidence: Path | None = None) -> CrossServiceRun:
        eval_set = load_eval_set(settings.eval_set_path or None)
        return cls(
            settings=settings,
            rest=Rest(timeout_s=settings.request_timeout_s),
            brain=BrainTools(settings.brain_ws_url, timeout_s=settings.request_timeout_s),
            eval_set=eval_set,
            evidence=evidence or evidence_dir(NOTEBOOK),
        )

    # --- the services' routes, in one place ---------------------------------------------------

    def characters(self, project: str) -> str:
        return f"{self.settings.characters_url}/projects/{project}/characters"

    def stories(self, project: str) -> str:
        return f"{self.settings.story_url}/projects/{project}/stories"

    def create_character(self, project: str, name: str, description: str, rid: str) -> Reply:
        return self.rest.call(
            "POST", self.characters(project), rid=rid, json_body={"name": name, "description": description}
        )

    def list_characters(self, project: str, rid: str, q: str | None = None) -> Reply:
        return self.rest.call("GET", self.characters(project), rid=rid, params={"q": q} if q else None)

    def brain_ids(self, project: str, rid: str | None = None) -> dict[str, dict[str, Any]]:
        """Every character the brain holds for `project` (a similarity search ranks them all, <= 100)."""
        return {r["id"]: r for r in self.brain.similar(project, query="character", top_k=100, rid=rid)}

    def close(self) -> None:
        self.rest.close()
        self.brain.close()

"""One notebook run: settings, clients, the webhook receiver, the evaluation set, the characters
each project holds, and what earlier checks left for later ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .._context import evidence_dir
from .._errors import UsageError
from .._secrets import read_secret
from ..embeddings import EvalSet, load_eval_set
from ._brain import BrainTools
from ._brainlog import BrainCall, calls_between, read_calls
from ._dialects import DIALECTS
from ._settings import CrossServiceSettings
from ._taskservice import TaskService
from ._webhooks import WebhookReceiver

NOTEBOOK = "60_cross_service"


@dataclass(frozen=True)
class Character:
    name: str
    personality: str
    appearance: str
    query: str  # a paraphrase that shares few words with the descriptions


def open_task_service(settings: CrossServiceSettings) -> TaskService:
    if settings.taskservice_dialect not in DIALECTS:
        raise UsageError(
            f"taskservice_dialect {settings.taskservice_dialect!r} is not known; known: {', '.join(sorted(DIALECTS))}"
        )
    dialect = DIALECTS[settings.taskservice_dialect]
    options = dialect.Options(**settings.taskservice_options)
    key = read_secret(settings.taskservice_api_key_env) if settings.taskservice_api_key_env else None
    headers = {"X-API-Key": key} if key else {}
    client = httpx.Client(
        base_url=settings.taskservice_url, headers=headers, timeout=settings.request_timeout_s, trust_env=False
    )
    return dialect(client, options)


@dataclass
class CrossServiceRun:
    settings: CrossServiceSettings
    tasks: TaskService
    brain: BrainTools
    receiver: WebhookReceiver
    eval_set: EvalSet
    evidence: Path
    tag: str
    # Characters created in the brain per project: name -> brain id.
    characters: dict[str, dict[str, str]] = field(default_factory=dict)
    # Filled by the flow check, read by later ones (a later check skips when it is missing).
    flow: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: CrossServiceSettings, *, evidence: Path | None = None) -> CrossServiceRun:
        eval_set = load_eval_set(settings.eval_set_path or None)
        return cls(
            settings=settings,
            tasks=open_task_service(settings),
            brain=BrainTools(settings.brain_ws_url, timeout_s=settings.request_timeout_s),
            receiver=WebhookReceiver(settings.webhook_host, settings.webhook_public_url),
            eval_set=eval_set,
            evidence=evidence or evidence_dir(NOTEBOOK),
            # The brain has no delete tool: every run works in projects of its own.
            tag=settings.run_tag or uuid.uuid4().hex[:8],
        )

    def project(self, which: str) -> str:
        s = self.settings
        base = {"a": s.project_a, "b": s.project_b, "eval": s.eval_project}.get(which, f"{s.eval_project}-{which}")
        return f"{base}-{self.tag}"

    def ensure_characters(self, project: str, cast: tuple[Character, ...]) -> dict[str, str]:
        """Create `cast` in the brain's `project` once per run; name -> the id the brain made."""
        held = self.characters.setdefault(project, {})
        for character in cast:
            if character.name not in held:
                held[character.name] = self.brain.create(
                    project, character.name, character.personality, character.appearance
                )
        return {character.name: held[character.name] for character in cast}

    def brain_calls(self, since: float, until: float) -> list[BrainCall] | None:
        """What the brain itself recorded in [since, until]; None when no record is reachable (live)."""
        if not self.settings.brain_admin_url:
            return None
        return calls_between(read_calls(self.settings.brain_admin_url), since, until)

    def close(self) -> None:
        self.brain.close()
        self.receiver.close()
        self.tasks.client.close()

"""One notebook run: settings, clients, the webhook receiver, the evaluation set, the characters
each project holds, and what earlier checks left for later ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..connect import ServiceProfile, pick_dialect, profile
from ..embeddings import EvalSet, load_eval_set
from ..runtime import evidence_dir
from ._brain import Brain
from ._brainlog import BrainCall, calls_between, read_calls
from ._dialects import DIALECTS
from ._settings import DEFAULT_DIALECT, CrossServiceSettings
from ._taskservice import TaskService
from ._webhooks import WebhookReceiver

NOTEBOOK = "60_cross_service"


@dataclass(frozen=True)
class Character:
    name: str
    personality: str
    appearance: str
    query: str  # a paraphrase that shares few words with the descriptions


def open_task_service(settings: CrossServiceSettings, name: str = "") -> TaskService:
    """The task service of profile `name` (default: `taskservice_service`), in the profile's dialect."""
    service = profile(settings.services, name or settings.taskservice_service)
    param = f"services.{service.name}.dialect"
    dialect = pick_dialect(DIALECTS, service.dialect or DEFAULT_DIALECT, param=param)
    return dialect(service.http_client(), dialect.Options(**settings.taskservice_options), service)


def open_brain(settings: CrossServiceSettings) -> Brain:
    """The brain of profile `brain_service`, spoken in `brain_protocol` (default: the profile's dialect)."""
    service = profile(settings.services, settings.brain_service)
    return Brain(
        service.ws_target(),
        timeout_s=settings.request_timeout_s,
        protocol=settings.brain_protocol or service.dialect or "tool-json",
        brain_tools=settings.brain_tools,
        headers=service.auth_headers(),
    )


def optional_url(settings: CrossServiceSettings, name: str) -> str:
    """The HTTP base URL of an optional profile; "" when it is not named or has no URL."""
    if not name:
        return ""
    service: ServiceProfile = profile(settings.services, name)
    return service.base_url.rstrip("/")


@dataclass
class CrossServiceRun:
    settings: CrossServiceSettings
    tasks: TaskService
    brain: Brain
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
            brain=open_brain(settings),
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


def describe_run(run: CrossServiceRun | Any) -> str:
    """One line for the notebook: the evaluation set, the projects, where webhooks go (or why not)."""
    if not isinstance(run, CrossServiceRun):
        return f"not opened: {run!r}"
    return (
        f"evaluation set {run.eval_set.name}: {len(run.eval_set.documents)} documents, "
        f"{len(run.eval_set.queries)} queries; projects {run.project('a')}, {run.project('b')}; "
        f"task service dialect {run.tasks.name}; webhooks to {run.receiver.base_url}"
    )


def close_run(run: CrossServiceRun | Any) -> None:
    if isinstance(run, CrossServiceRun):
        run.close()

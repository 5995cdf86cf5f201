"""Job type `produce_scene` (notebook 60): the orchestrator reads a story and its cast from the
story and character services and writes `scene.json`.

The task's correlation id (from the Celery message headers, see `_worker.execute`) goes out as
`X-Request-ID` on every call, with `X-Caller: orchestrator`, so both services log the job's calls
under the id of the request that started it. A hop that is unreachable or answers 5xx fails the
job with an error naming that hop; a cast member the character service no longer has fails it as
a dangling reference. The scene names the project, the story and each cast member's id, name and
description sha256, as the character service holds them now.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
from celery.utils.log import get_task_logger
from pydantic import BaseModel, ConfigDict, Field

from ._jobs import JobContext, JobFailed, JobType, ResultFile, register

log = get_task_logger(__name__)
URL = r"^https?://[^\s]+$"
ID = r"^[A-Za-z0-9_.:\-]{1,200}$"


class SceneParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: str = Field(pattern=ID)
    story_id: str = Field(pattern=ID)
    story_url: str = Field(pattern=URL)
    characters_url: str = Field(pattern=URL)


def _get(client: httpx.Client, hop: str, url: str, headers: dict[str, str]) -> httpx.Response:
    try:
        response = client.get(url, headers=headers)
    except httpx.HTTPError as error:
        raise JobFailed(f"{hop} is unreachable ({type(error).__name__}: {error})") from None
    if response.status_code >= 500:
        raise JobFailed(f"{hop} answered {response.status_code}: {response.text[:200]}")
    return response


def produce_scene(ctx: JobContext, params: SceneParams) -> ResultFile:
    headers = {"X-Request-ID": ctx.correlation_id, "X-Caller": "orchestrator", "X-Task-Id": ctx.task_id}
    # The worker's log line for this hop, keyed like every other service's.
    log.info(
        json.dumps(
            {
                "service": "orchestrator",
                "request_id": ctx.correlation_id,
                "hop": "produce_scene",
                "task_id": ctx.task_id,
                "project_id": params.project_id,
                "story_id": params.story_id,
            }
        )
    )
    story_url = f"{params.story_url.rstrip('/')}/projects/{params.project_id}/stories/{params.story_id}"
    with httpx.Client(timeout=10.0, trust_env=False) as client:
        ctx.progress(5, "reading the story")
        story = _get(client, "story", story_url, headers)
        if story.status_code != 200:
            raise JobFailed(f"story answered {story.status_code} for {params.story_id!r}: {story.text[:200]}")
        cast: list[dict[str, Any]] = []
        members = story.json().get("cast", [])
        for index, member in enumerate(members, start=1):
            character_id = member["character_id"]
            url = f"{params.characters_url.rstrip('/')}/projects/{params.project_id}/characters/{character_id}"
            response = _get(client, "characters", url, headers)
            if response.status_code == 404:
                raise JobFailed(f"characters has no {character_id!r}: the story holds a dangling reference")
            if response.status_code != 200:
                raise JobFailed(f"characters answered {response.status_code} for {character_id!r}")
            row = response.json()
            digest = hashlib.sha256(str(row["description"]).encode("utf-8")).hexdigest()
            cast.append(
                {
                    "role": member.get("role"),
                    "character_id": character_id,
                    "name": row["name"],
                    "description_sha256": digest,
                }
            )
            ctx.progress(5 + 90 * index / max(len(members), 1), f"read {character_id}")
    scene = {
        "project_id": params.project_id,
        "story_id": params.story_id,
        "title": story.json().get("title"),
        "correlation_id": ctx.correlation_id,
        "task_id": ctx.task_id,
        "cast": cast,
        "lines": [f"{m['name']} enters as the {m['role'] or 'extra'}." for m in cast],
    }
    return ctx.write_result("scene.json", [json.dumps(scene, indent=1).encode("utf-8")])


register(JobType("produce_scene", SceneParams, produce_scene, "read a story and its cast, write scene.json"))

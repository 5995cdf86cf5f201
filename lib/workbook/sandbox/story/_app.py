"""The story service's REST API (FastAPI); stories live in memory, keyed by project."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from .._faults import FaultSwitches
from .._faults_http import faults_router
from .._requestlog import RequestLog, requests_router
from .._xservice import HopError, call_brain_tool, call_peer, install_middleware, project_path, request_id


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=2000)


class NewStory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    synopsis: str = Field(default="", max_length=5000)
    character_ids: list[str] = Field(default_factory=list, max_length=100)
    roles: list[Role] = Field(default_factory=list, max_length=50)


def create_app(brain_ws_url: str, characters_url: str, switches: FaultSwitches) -> FastAPI:
    app = FastAPI(title="sandbox story service")
    log = RequestLog("story")
    app.include_router(faults_router(switches))
    app.include_router(requests_router(log))
    install_middleware(app, "story", log, switches)
    stories: dict[str, dict[str, dict[str, Any]]] = {}
    client = httpx.AsyncClient(timeout=5.0, trust_env=False)
    base = characters_url.rstrip("/")

    async def character(request: Request, project_id: str, character_id: str) -> dict[str, Any] | None:
        """The character as the character service has it now, None if it does not exist there."""
        response = await call_peer(
            client,
            "characters",
            "GET",
            f"{base}/projects/{project_id}/characters/{character_id}",
            rid=request_id(request),
            log=log,
            caller="story",
        )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise HopError("characters", f"characters answered {response.status_code}", status=424)
        return dict(response.json())

    def snapshot(row: dict[str, Any]) -> dict[str, Any]:
        return {key: row[key] for key in ("id", "name", "description_sha256")}

    async def resolved(request: Request, story: dict[str, Any]) -> dict[str, Any]:
        """The story with every referenced character checked against the character service now."""
        cast, dropped = [], []
        for member in story["cast"]:
            row = await character(request, story["project_id"], member["character_id"])
            if row is None and not switches.on("keep_deleted_characters"):
                dropped.append(member["character_id"])
                continue
            cast.append({**member, "character": snapshot(row) if row else member["character"]})
        return {**story, "cast": cast, "dropped": dropped}

    def stored(project_id: str, story_id: str) -> dict[str, Any]:
        story = stories.get(project_id, {}).get(story_id)
        if story is None:
            raise HTTPException(404, f"no story {story_id!r} in project {project_id!r}")
        return story

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "pass", "service": "story", "brain": brain_ws_url, "characters": characters_url}

    @app.post("/projects/{project_id}/stories", status_code=201)
    async def create(request: Request, body: NewStory, project_id: str = project_path()) -> dict[str, Any]:
        cast, missing = [], []
        for character_id in dict.fromkeys(body.character_ids):
            row = await character(request, project_id, character_id)
            if row is None:
                missing.append(character_id)
            else:
                cast.append({"role": None, "character_id": character_id, "score": None, "character": snapshot(row)})
        if missing:
            raise HTTPException(422, f"unknown character id(s) in project {project_id!r}: {missing}")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        story_id = f"st_{uuid.uuid4().hex[:12]}"
        story: dict[str, Any] = {
            "id": story_id,
            "project_id": project_id,
            "title": body.title,
            "synopsis": body.synopsis,
            "roles": [role.model_dump() for role in body.roles],
            "cast": cast,
            "created_at": now,
        }
        stories.setdefault(project_id, {})[story_id] = story
        return {**story, "dropped": []}

    @app.get("/projects/{project_id}/stories")
    async def list_stories(project_id: str = project_path()) -> dict[str, Any]:
        chosen = list(stories.get(project_id, {}).values())
        return {"project_id": project_id, "count": len(chosen), "stories": chosen}

    @app.get("/projects/{project_id}/stories/{story_id}")
    async def get_story(request: Request, story_id: str, project_id: str = project_path()) -> dict[str, Any]:
        return await resolved(request, stored(project_id, story_id))

    @app.post("/projects/{project_id}/stories/{story_id}/cast")
    async def cast_roles(
        request: Request, story_id: str, project_id: str = project_path(), top_k: int = Query(default=3, ge=1, le=20)
    ) -> dict[str, Any]:
        """Each role's description goes to the brain's similarity search in this project; the best
        match not already cast takes the role."""
        story = stored(project_id, story_id)
        taken = {member["character_id"] for member in story["cast"]}
        candidates: dict[str, list[dict[str, Any]]] = {}
        cast = [member for member in story["cast"] if member["role"] is None]
        for role in story["roles"]:
            found = await call_brain_tool(
                brain_ws_url,
                "find_similar_characters",
                {"project_id": project_id, "query": role["description"], "top_k": top_k},
                rid=request_id(request),
                log=log,
            )
            results = found.get("results", [])
            candidates[role["role"]] = results
            pick = next((r for r in results if r["id"] not in taken), None)
            if pick is None:
                continue
            row = await character(request, project_id, pick["id"])
            if row is None:
                raise HopError(
                    "brain", f"the brain offered {pick['id']!r}, which the character service lacks", status=424
                )
            taken.add(pick["id"])
            cast.append(
                {
                    "role": role["role"],
                    "character_id": pick["id"],
                    "score": pick.get("score"),
                    "character": snapshot(row),
                }
            )
        story["cast"] = cast
        return {**(await resolved(request, story)), "candidates": candidates}

    return app

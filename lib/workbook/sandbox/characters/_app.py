"""The character service's REST API (FastAPI).

Write protocol: open a SQLite transaction, change the row, make the brain change (MCP), commit;
a brain failure rolls the row back and answers 503 (unreachable/failing) or 424 (refused), with
`failed_hop: "brain"`. Deletes go to the brain first: an embedding never outlives its row.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from .._faults import FaultSwitches
from .._faults_http import faults_router
from .._requestlog import RequestLog, requests_router
from .._xservice import HopError, call_brain_tool, install_middleware, project_path, request_id
from ._db import CharacterDb


class NewCharacter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)


class CharacterChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, min_length=1, max_length=5000)


def create_app(db: CharacterDb, brain_ws_url: str, switches: FaultSwitches) -> FastAPI:
    app = FastAPI(title="sandbox character service")
    log = RequestLog("characters")
    app.include_router(faults_router(switches))
    app.include_router(requests_router(log))
    install_middleware(app, "characters", log, switches)
    writes = asyncio.Lock()

    async def brain(request: Request, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        rid = None if switches.on("drop_request_id") else request_id(request)
        return await call_brain_tool(brain_ws_url, tool, arguments, rid=rid, log=log)

    def found(project_id: str, character_id: str) -> dict[str, Any]:
        row = db.get(project_id, character_id)
        if row is None:
            raise HTTPException(404, f"no character {character_id!r} in project {project_id!r}")
        return row

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "pass", "service": "characters", "brain": brain_ws_url}

    @app.post("/projects/{project_id}/characters", status_code=201, response_model=None)
    async def create(
        request: Request, body: NewCharacter, project_id: str = project_path()
    ) -> dict[str, Any] | JSONResponse:
        async with writes:
            if switches.on("no_rollback_on_brain_error"):
                return await _create_without_rollback(request, body, project_id)
            with db.transaction() as tx:
                row = db.insert(tx, project_id, body.name, body.description)
                if not switches.on("partial_write"):
                    await brain(
                        request,
                        "create_character",
                        {
                            "project_id": project_id,
                            "character_id": row["id"],
                            "name": row["name"],
                            "description": row["description"],
                        },
                    )
            return row

    async def _create_without_rollback(request: Request, body: NewCharacter, project_id: str) -> Any:
        # The defect: commit first, call the brain after, and let its failure escape as a 500.
        with db.transaction() as tx:
            row = db.insert(tx, project_id, body.name, body.description)
        try:
            await brain(
                request,
                "create_character",
                {
                    "project_id": project_id,
                    "character_id": row["id"],
                    "name": row["name"],
                    "description": row["description"],
                },
            )
        except HopError:
            return JSONResponse({"detail": "Internal Server Error"}, status_code=500)
        return row

    @app.get("/projects/{project_id}/characters")
    async def list_characters(
        project_id: str = project_path(), q: str | None = Query(default=None, max_length=200)
    ) -> dict[str, Any]:
        rows = db.list(project_id, q)
        return {"project_id": project_id, "count": len(rows), "characters": rows}

    @app.get("/projects/{project_id}/characters/{character_id}")
    async def get_character(character_id: str, project_id: str = project_path()) -> dict[str, Any]:
        return found(project_id, character_id)

    @app.patch("/projects/{project_id}/characters/{character_id}")
    async def update(
        request: Request, character_id: str, body: CharacterChange, project_id: str = project_path()
    ) -> dict[str, Any]:
        async with writes:
            row = found(project_id, character_id)
            name = body.name or row["name"]
            description = body.description or row["description"]
            with db.transaction() as tx:
                db.update(tx, project_id, character_id, name, description)
                if not switches.on("stale_embedding_on_update"):
                    await brain(
                        request,
                        "update_character",
                        {
                            "project_id": project_id,
                            "character_id": character_id,
                            "name": name,
                            "description": description,
                        },
                    )
            return found(project_id, character_id)

    @app.delete("/projects/{project_id}/characters/{character_id}")
    async def delete(request: Request, character_id: str, project_id: str = project_path()) -> dict[str, Any]:
        async with writes:
            found(project_id, character_id)
            try:
                await brain(request, "delete_character", {"project_id": project_id, "character_id": character_id})
            except HopError as error:
                if error.status != 424:  # 424: the brain holds no such embedding; the row may still go
                    raise
            with db.transaction() as tx:
                db.delete(tx, project_id, character_id)
            return {"deleted": character_id, "project_id": project_id}

    @app.get("/projects/{project_id}/characters/{character_id}/similar")
    async def similar(
        request: Request,
        character_id: str,
        project_id: str = project_path(),
        top_k: int = Query(default=5, ge=1, le=100),
    ) -> dict[str, Any]:
        found(project_id, character_id)
        result = await brain(
            request, "find_similar_characters", {"project_id": project_id, "character_id": character_id, "top_k": top_k}
        )
        return {"project_id": project_id, "character_id": character_id, "results": result.get("results", [])}

    return app

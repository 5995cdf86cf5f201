"""The real brain's REST routes under `/api/v1` (src/api_routes.py of jomapps/mcp-brain-service
d15715b) that the workbook uses, with their shapes, status codes and auth:

* auth: `Authorization: Bearer <key>` (or the bare key; the real code strips "Bearer "). The header
  is a required FastAPI `Header(...)`: without it the answer is 422 (not 401); a wrong key is 401
  `{"detail": "Invalid API key"}`. `GET /api/v1/health` needs none.
* `POST /nodes` `{type, content, projectId, properties}` -> `{"node": {id, type, content,
  projectId, properties}}`; content validation (empty, error-looking patterns, < 10 chars) -> 400
  `{"detail": {"error": "validation_failed", ...}}`.
* `GET /nodes/{id}` -> `{"node": {id, type, content, properties}}` with NO project filter (the real
  Cypher is `MATCH (n {id: $node_id})`): any node of any project, characters included with both
  embeddings; 404 `{"detail": "Node not found"}`.
* `DELETE /nodes/{id}?project_id=` -> `{status, message, deleted_count, node_id}`; 404 with
  `{"detail": {"error": "node_not_found", ...}}`.
* `POST /search`, `POST /search/semantic` `{query, project_id, type?, top_k=10, threshold?}` ->
  `{results: [{id, type, text, content, score, similarity, metadata, relationships}], total_count,
  query_time_ms}`.
* `GET /stats` -> `{totalNodes, totalRelationships, nodesByType}` (each type counted 0, and zeros
  instead of an error when the store fails, as the real route does).

Real quirks reproduced as they are: a node read says `"type": "unknown"` for every node (the type
lives inside the metadata JSON string); search results carry `text` and `content` empty (read
from metadata, which has no content). Not served: `nodes/batch`, `search/duplicates`,
`context/department`, `analyze/coverage` (404 here).
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query
from pydantic import BaseModel, Field

from ._characters import ProviderError, StoreUnavailable, now_iso
from ._protocol import BrainApp
from ._store import StoreFullError

ERROR_PATTERNS = ("error:", "no user message", "undefined", "null", "[object object]")
MIN_CONTENT = 10


class AddNodeRequest(BaseModel):
    type: str
    content: str
    projectId: str
    properties: dict[str, Any] | None = Field(default_factory=dict)


class SearchRequest(BaseModel):
    query: str
    project_id: str
    type: str | None = None
    top_k: int = 10
    threshold: float | None = None


def _invalid(message: str, details: dict[str, Any]) -> HTTPException:
    return HTTPException(400, detail={"error": "validation_failed", "message": message, "details": details})


def _check_content(content: str) -> None:
    if not content:
        raise _invalid("Content cannot be empty", {"field": "content"})
    lowered = content.lower()
    for pattern in ERROR_PATTERNS:
        if pattern in lowered:
            raise _invalid(
                "Invalid content: Cannot store error messages or invalid data",
                {
                    "field": "content",
                    "pattern_matched": pattern,
                    "reason": "Error messages and invalid data are not allowed",
                },
            )
    if len(content) < MIN_CONTENT:
        raise _invalid(
            "Content too short: minimum 10 characters required",
            {"field": "content", "current_length": len(content), "minimum_length": MIN_CONTENT},
        )


def rest_router(app: BrainApp) -> APIRouter:
    router = APIRouter(prefix="/api/v1")

    async def verify_api_key(authorization: str = Header(...)) -> bool:
        if authorization.replace("Bearer ", "").strip() != app.api_key:
            raise HTTPException(status_code=401, detail="Invalid API key")
        return True

    @router.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "healthy", "service": "MCP Brain Service", "version": "1.0.0", "timestamp": now_iso() + "Z"}

    @router.post("/nodes")
    async def add_node(request: AddNodeRequest, _: bool = Depends(verify_api_key)) -> dict[str, Any]:
        content = request.content.strip() if request.content else ""
        _check_content(content)
        properties = request.properties or {}
        metadata = {**properties, "type": request.type, "project_id": request.projectId}
        try:
            vector = (await app.provider.embed([content]))[0]
            app.characters.check_store()
            document = app.store.add_document(request.projectId, request.type, content, metadata, vector)
        except (ProviderError, StoreUnavailable, StoreFullError) as error:
            raise HTTPException(500, detail=f"Failed to store document: {error}") from None
        node = {"id": document.id, "type": request.type, "content": content, "projectId": request.projectId}
        return {"node": {**node, "properties": properties}}

    @router.delete("/nodes/{node_id}")
    async def delete_node(
        node_id: str,
        project_id: str = Query(..., description="Project ID for isolation"),
        _: bool = Depends(verify_api_key),
    ) -> dict[str, Any]:
        try:
            app.characters.check_store()
        except StoreUnavailable as error:
            detail = {"error": "deletion_failed", "message": f"Failed to delete node: {error}"}
            raise HTTPException(500, detail={**detail, "details": {"node_id": node_id}}) from None
        deleted = app.store.delete_document(node_id, project_id)
        if deleted == 0:
            message = f"Node with ID '{node_id}' not found in project '{project_id}'"
            details = {"node_id": node_id, "project_id": project_id}
            raise HTTPException(404, detail={"error": "node_not_found", "message": message, "details": details})
        return {
            "status": "success",
            "message": "Node deleted successfully",
            "deleted_count": deleted,
            "node_id": node_id,
        }

    @router.get("/nodes/{node_id}")
    async def get_node(node_id: str, _: bool = Depends(verify_api_key)) -> dict[str, Any]:
        try:
            app.characters.check_store()
        except StoreUnavailable as error:
            raise HTTPException(500, detail=f"Neo4j query failed: {error}") from None
        properties = _node_properties(app, node_id)
        if properties is None:
            raise HTTPException(404, detail="Node not found")
        node = {
            "id": properties.get("id"),
            "type": properties.get("type", "unknown"),
            "content": properties.get("content"),
        }
        return {"node": {**node, "properties": properties}}

    async def search(request: SearchRequest) -> dict[str, Any]:
        started = time.time()
        try:
            vector = (await app.provider.embed([request.query]))[0]
            app.characters.check_store()
        except (ProviderError, StoreUnavailable) as error:
            raise HTTPException(500, detail=f"Failed to search embeddings: {error}") from None
        everywhere = app.faults.on("leak_projects")
        found = app.store.search_documents(request.project_id, vector, request.top_k, everywhere=everywhere)
        if request.type:
            found = [(d, s) for d, s in found if d.metadata.get("type") == request.type]
        if request.threshold:
            found = [(d, s) for d, s in found if s and s >= request.threshold]
        results = [
            {
                "id": document.id,
                "type": document.metadata.get("type", "unknown"),
                "text": document.metadata.get("content", ""),
                "content": document.metadata.get("content", ""),
                "score": score,
                "similarity": score,
                "metadata": document.metadata,
                "relationships": None,
            }
            for document, score in found
        ]
        return {"results": results, "total_count": len(results), "query_time_ms": (time.time() - started) * 1000}

    @router.post("/search")
    async def search_nodes(request: SearchRequest, _: bool = Depends(verify_api_key)) -> dict[str, Any]:
        return await search(request)

    @router.post("/search/semantic")
    async def semantic_search(request: SearchRequest, _: bool = Depends(verify_api_key)) -> dict[str, Any]:
        return await search(request)

    @router.get("/stats")
    async def stats(_: bool = Depends(verify_api_key)) -> dict[str, Any]:
        if app.faults.on("store_down") or app.store.node_count() == 0:
            # The real route answers zeros instead of its error (api_routes.py:413-420).
            return {"totalNodes": 0, "totalRelationships": 0, "nodesByType": {}}
        labels = (["Document"] if app.store.documents else []) + (["Character"] if len(app.store) else [])
        return {"totalNodes": app.store.node_count(), "totalRelationships": 0, "nodesByType": dict.fromkeys(labels, 0)}

    return router


def _node_properties(app: BrainApp, node_id: str) -> dict[str, Any] | None:
    """Every property of the node with this id, whatever its project and label."""
    document = app.store.documents.get(node_id)
    if document is not None:
        return {
            "id": document.id,
            "content": document.content,
            "metadata": json.dumps(document.metadata),
            "project_id": document.project_id,
            "document_type": document.metadata.get("document_type", "unknown"),
            "embedding": [float(x) for x in document.embedding],
            "created_at": document.created_at,
        }
    found = app.store.find_anywhere(node_id)
    return found[0].node(found[1], found[2]) if found is not None else None

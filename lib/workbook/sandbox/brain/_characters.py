"""The brain's character service over the store and the embedding provider, as the real one
behaves (jomapps/mcp-brain-service d15715b, services/character_service.py), shared by both
WebSocket dialects and the REST routes.

* create: ONE provider call embeds `[personality, appearance]` (two embeddings per character),
  then the store is written; the id is a server-made uuid4.
* find: an empty (blank) query answers `[]` without embedding; else the query is embedded once
  and every character of the project scored `0.7 * cos(personality) + 0.3 * cos(appearance)`,
  sorted, at most `limit` (10) returned. Each score goes through the real result model
  (`similarity_score` in [0, 1]) only with the `reject_negative_scores` switch (then one negative
  score fails the search, as in the real brain); otherwise it is clamped into [0, 1].
* The store's own failure (`store_down`) raises the Neo4j driver's words; the provider's
  (`embedding_provider_hangs`) the Jina client's, after its timeouts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from ._embeddings import Embedder, Vectors, embed_queries
from ._store import Character, CharacterStore
from ._switches import BrainFaults

JINA_API_URL = "https://api.jina.ai/v1/embeddings"
NEO4J_URI = "bolt://localhost:7687"
# The Neo4j driver's words when the database is unreachable (neo4j.exceptions.ServiceUnavailable).
STORE_DOWN_MESSAGE = (
    "Couldn't connect to localhost:7687 (resolved to ('127.0.0.1:7687',)):\n"
    "Failed to establish connection to ResolvedIPv4Address(('127.0.0.1', 7687)) "
    "(reason [Errno 111] Connection refused)"
)
FIND_LIMIT = 10
HEALTH_TEXT = "health check"


class StoreUnavailable(Exception):
    """The graph database cannot be reached (the `store_down` switch)."""


class ProviderError(Exception):
    """The embedding provider failed (the `embedding_provider_hangs` switch)."""


class CharacterSearchResult(BaseModel):
    """The real brain's result model, so a rejected score fails with pydantic's own message."""

    id: str
    name: str
    similarity_score: float = Field(..., ge=0.0, le=1.0, description="Similarity score between 0 and 1")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()


class EmbeddingProvider:
    """The embedder as the brain's remote embedding API: slow calls off the event loop, the hang
    switch waiting out the real client's timeouts, and the health probe the real `/health` makes."""

    def __init__(self, embedder: Embedder, faults: BrainFaults, *, time_scale: float = 1.0) -> None:
        self.embedder = embedder
        self.faults = faults
        self.time_scale = time_scale
        self.calls = 0
        self._health_vector: Vectors | None = None

    @property
    def model(self) -> str:
        return str(self.embedder.label.get("name", "unknown"))

    async def embed(self, texts: Sequence[str], *, query: bool = False) -> Vectors:
        self.calls += 1
        hang = self.faults.provider_hang_s(self.time_scale)
        if hang is not None:
            await asyncio.sleep(hang)
            raise ProviderError(f"Jina API timeout after 3 retries. Check network connectivity to {JINA_API_URL}")

        def encode() -> Vectors:
            return embed_queries(self.embedder, list(texts)) if query else self.embedder.embed(list(texts))

        # A model encode takes ~15 ms of CPU: keep the event loop free for other connections.
        return await asyncio.to_thread(encode) if self.embedder.blocking else encode()

    async def health(self) -> dict[str, Any]:
        """The real `JinaEmbeddingService.health_check`: one embedding of "health check". Kinder
        than the real one: the vector is computed once (the real brain makes a billed API call
        per health request), unless the hang switch is on."""
        try:
            if self.faults.on("embedding_provider_hangs") or self._health_vector is None:
                self._health_vector = (await self.embed([HEALTH_TEXT]))[0]
        except ProviderError as error:
            return {"status": "unhealthy", "model": self.model, "error": str(error), "timestamp": now_iso()}
        return {"status": "healthy", "model": self.model, "timestamp": now_iso()}


class CharacterService:
    def __init__(self, store: CharacterStore, provider: EmbeddingProvider, faults: BrainFaults) -> None:
        self.store = store
        self.provider = provider
        self.faults = faults

    def check_store(self) -> None:
        if self.faults.on("store_down"):
            raise StoreUnavailable(STORE_DOWN_MESSAGE)

    def store_health(self) -> dict[str, Any]:
        """The real `Neo4jClient.health_check` component."""
        if self.faults.on("store_down"):
            return {"status": "unhealthy", "error": STORE_DOWN_MESSAGE, "uri": NEO4J_URI, "timestamp": now_iso()}
        return {"status": "healthy", "uri": NEO4J_URI, "timestamp": now_iso()}

    async def create(
        self, project_id: str, name: str, personality: str, appearance: str, *, character_id: str | None = None
    ) -> Character:
        vectors = await self.provider.embed([personality, appearance])
        self.check_store()
        return self.store.create(
            project_id, name, (personality, vectors[0]), (appearance, vectors[1]), character_id=character_id
        )

    async def query_vector(self, query: str) -> Vectors:
        return (await self.provider.embed([query], query=True))[0]

    def rank(
        self, project_id: str, vector: Vectors, *, limit: int = FIND_LIMIT, exclude: str | None = None
    ) -> list[tuple[Character, float]]:
        """The project's characters by weighted score, best first, at most `limit`; see the module doc."""
        self.check_store()
        ranked = self.store.similar(project_id, vector, exclude=exclude, everywhere=self.faults.on("leak_projects"))
        if self.faults.on("reject_negative_scores"):
            # Raises pydantic's ValidationError for the first score outside [0, 1], like the real brain.
            ranked = [
                (c, CharacterSearchResult(id=c.id, name=c.name, similarity_score=s).similarity_score) for c, s in ranked
            ]
        else:
            ranked = [(c, min(max(s, 0.0), 1.0)) for c, s in ranked]
        if self.faults.on("misrank_results"):
            # The least similar first: what a sign error in the distance makes a backend do.
            ranked.reverse()
        return ranked[:limit]

    async def find(self, project_id: str, query: str, *, limit: int = FIND_LIMIT) -> list[tuple[Character, float]]:
        if not query.strip():
            return []
        return self.rank(project_id, await self.query_vector(query), limit=limit)

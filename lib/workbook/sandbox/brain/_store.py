"""In-memory stand-in for the brain's Neo4j graph: `Character` nodes (two embeddings each, as the
real brain stores them) and `Document` nodes (what the REST `/api/v1/nodes` routes store).

Characters are kept per project (a search reads one project's characters, as the real Cypher
`MATCH (c:Character {project_id: $project_id})` does); a node is found by id across projects,
as the real `GET /api/v1/nodes/{id}` (`MATCH (n {id: $node_id})`) finds it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._embeddings import Vectors

# The real brain's weighting of a query's cosine to the personality and to the appearance
# embedding (character_service.py:213).
PERSONALITY_WEIGHT, APPEARANCE_WEIGHT = 0.7, 0.3


class StoreFullError(Exception):
    """The stand-in keeps everything in memory, so it caps what a load test can make it hold."""


class DuplicateIdError(Exception):
    """A caller-chosen id that the project already holds."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat()


@dataclass(frozen=True)
class Character:
    id: str
    project_id: str
    name: str
    personality_description: str
    appearance_description: str
    created_at: str

    def public(self) -> dict[str, str]:
        """The character as the MCP (`/mcp`) tools show it: one `description` (the personality)."""
        return {
            "id": self.id,
            "project_id": self.project_id,
            "name": self.name,
            "description": self.personality_description,
            "created_at": self.created_at,
        }

    def node(self, personality: Vectors, appearance: Vectors) -> dict[str, Any]:
        """Every property of the `Character` node, embeddings included (what a node read returns)."""
        return {
            "id": self.id,
            "project_id": self.project_id,
            "name": self.name,
            "personality_description": self.personality_description,
            "appearance_description": self.appearance_description,
            "embedding_personality": [float(x) for x in personality],
            "embedding_appearance": [float(x) for x in appearance],
            "created_at": self.created_at,
            "updated_at": self.created_at,
        }


@dataclass(frozen=True)
class Document:
    """A `Document` node of the REST API: content, its embedding, metadata as a JSON-able dict."""

    id: str
    project_id: str
    type: str
    content: str
    metadata: dict[str, Any]
    embedding: Vectors
    created_at: str


@dataclass
class _Project:
    characters: list[Character] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    personality: list[Vectors] = field(default_factory=list)
    appearance: list[Vectors] = field(default_factory=list)


class CharacterStore:
    def __init__(self, *, max_characters: int = 100_000) -> None:
        self.max_characters = max_characters
        self._projects: dict[str, _Project] = {}
        self._count = 0
        self.documents: dict[str, Document] = {}

    def __len__(self) -> int:
        return self._count

    @property
    def project_count(self) -> int:
        return len(self._projects)

    def create(
        self,
        project_id: str,
        name: str,
        personality: tuple[str, Vectors],
        appearance: tuple[str, Vectors],
        *,
        character_id: str | None = None,
    ) -> Character:
        """Store a character with its two (text, vector) pairs; the id is a uuid4 unless the caller
        brings its own (the `/mcp` tools accept one, e.g. the character service's row id)."""
        if self._count + len(self.documents) >= self.max_characters:
            raise StoreFullError(f"the stand-in holds at most {self.max_characters} nodes")
        project = self._projects.setdefault(project_id, _Project())
        if character_id is not None and character_id in project.by_id:
            raise DuplicateIdError(f"character {character_id!r} already exists in project {project_id!r}")
        character = Character(
            id=character_id or str(uuid.uuid4()),
            project_id=project_id,
            name=name,
            personality_description=personality[0],
            appearance_description=appearance[0],
            created_at=_now(),
        )
        project.by_id[character.id] = len(project.characters)
        project.characters.append(character)
        project.personality.append(np.asarray(personality[1], dtype=np.float32))
        project.appearance.append(np.asarray(appearance[1], dtype=np.float32))
        self._count += 1
        return character

    def get(self, project_id: str, character_id: str) -> tuple[Character, Vectors, Vectors] | None:
        """The character and its two vectors, only if it belongs to `project_id`."""
        project = self._projects.get(project_id)
        if project is None or character_id not in project.by_id:
            return None
        index = project.by_id[character_id]
        return project.characters[index], project.personality[index], project.appearance[index]

    def find_anywhere(self, character_id: str) -> tuple[Character, Vectors, Vectors] | None:
        """A character by id in whichever project holds it (a node read by id has no project filter)."""
        for project_id, project in self._projects.items():
            if character_id in project.by_id:
                return self.get(project_id, character_id)
        return None

    def update(self, project_id: str, character_id: str, name: str, description: str, vector: Vectors) -> Character:
        """Replace a character's name and both descriptions/vectors (same id, same creation time)."""
        project = self._projects[project_id]
        index = project.by_id[character_id]
        old = project.characters[index]
        project.characters[index] = Character(old.id, project_id, name, description, description, old.created_at)
        project.personality[index] = project.appearance[index] = np.asarray(vector, dtype=np.float32)
        return project.characters[index]

    def delete(self, project_id: str, character_id: str) -> bool:
        """Remove a character and its vectors; False if the project holds no such id."""
        project = self._projects.get(project_id)
        if project is None or character_id not in project.by_id:
            return False
        index = project.by_id.pop(character_id)
        for column in (project.characters, project.personality, project.appearance):
            del column[index]
        project.by_id = {c.id: i for i, c in enumerate(project.characters)}
        self._count -= 1
        return True

    def similar(
        self, project_id: str, vector: Vectors, *, exclude: str | None = None, everywhere: bool = False
    ) -> list[tuple[Character, float]]:
        """Every character of the project with its weighted score
        `0.7 * cos(q, personality) + 0.3 * cos(q, appearance)` (vectors are unit length), best first;
        equal scores keep creation order. `everywhere` reads every project: the isolation defect a
        fault switch injects."""
        projects = list(self._projects.values()) if everywhere else [self._projects.get(project_id)]
        present = [project for project in projects if project is not None]
        characters = [c for project in present for c in project.characters]
        if not characters:
            return []
        query = np.asarray(vector, dtype=np.float32)
        personality = np.stack([v for project in present for v in project.personality]) @ query
        appearance = np.stack([v for project in present for v in project.appearance]) @ query
        scores = PERSONALITY_WEIGHT * personality + APPEARANCE_WEIGHT * appearance
        order = np.argsort(-scores, kind="stable")
        return [(characters[i], float(scores[i])) for i in order if characters[i].id != exclude]

    # --- Document nodes (REST) -----------------------------------------------------------------

    def add_document(
        self, project_id: str, type_: str, content: str, metadata: dict[str, Any], vector: Vectors
    ) -> Document:
        if self._count + len(self.documents) >= self.max_characters:
            raise StoreFullError(f"the stand-in holds at most {self.max_characters} nodes")
        document = Document(
            str(uuid.uuid4()), project_id, type_, content, metadata, np.asarray(vector, dtype=np.float32), _now()
        )
        self.documents[document.id] = document
        return document

    def delete_document(self, node_id: str, project_id: str) -> int:
        """`MATCH (n {id, project_id}) DETACH DELETE n` for documents and characters: the count deleted."""
        document = self.documents.get(node_id)
        if document is not None and document.project_id == project_id:
            del self.documents[node_id]
            return 1
        return 1 if self.delete(project_id, node_id) else 0

    def search_documents(
        self, project_id: str, vector: Vectors, limit: int, *, everywhere: bool = False
    ) -> list[tuple[Document, float]]:
        """Documents of the project by cosine similarity, best first, at most `limit`."""
        documents = [d for d in self.documents.values() if everywhere or d.project_id == project_id]
        if not documents or limit <= 0:
            return []
        scores = np.stack([d.embedding for d in documents]) @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [(documents[i], float(scores[i])) for i in order]

    def node_count(self) -> int:
        return self._count + len(self.documents)

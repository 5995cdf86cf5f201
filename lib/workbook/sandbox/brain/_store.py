"""In-memory character store, one namespace per project (a project never sees another's characters)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

import numpy as np

from ._embeddings import Vectors


class StoreFullError(Exception):
    """The stand-in keeps everything in memory, so it caps what a load test can make it hold."""


class DuplicateIdError(Exception):
    """A caller-chosen id that the project already holds."""


@dataclass(frozen=True)
class Character:
    id: str
    project_id: str
    name: str
    description: str
    created_at: str

    def public(self) -> dict[str, str]:
        return {
            "id": self.id,
            "project_id": self.project_id,
            "name": self.name,
            "description": self.description,
            "created_at": self.created_at,
        }


@dataclass
class _Project:
    characters: list[Character] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    vectors: list[Vectors] = field(default_factory=list)


class CharacterStore:
    def __init__(self, *, max_characters: int = 100_000) -> None:
        self.max_characters = max_characters
        self._projects: dict[str, _Project] = {}
        self._count = 0
        self._ids = itertools.count(1)

    def __len__(self) -> int:
        return self._count

    @property
    def project_count(self) -> int:
        return len(self._projects)

    def create(
        self, project_id: str, name: str, description: str, vector: Vectors, *, character_id: str | None = None
    ) -> Character:
        """Store a character; `character_id` is the caller's own id (e.g. the character service's row id)."""
        if self._count >= self.max_characters:
            raise StoreFullError(f"the stand-in holds at most {self.max_characters} characters")
        project = self._projects.setdefault(project_id, _Project())
        if character_id is not None and character_id in project.by_id:
            raise DuplicateIdError(f"character {character_id!r} already exists in project {project_id!r}")
        character = Character(
            id=character_id or f"chr_{next(self._ids):06d}",
            project_id=project_id,
            name=name,
            description=description,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        )
        project.by_id[character.id] = len(project.characters)
        project.characters.append(character)
        project.vectors.append(np.asarray(vector, dtype=np.float32))
        self._count += 1
        return character

    def get(self, project_id: str, character_id: str) -> tuple[Character, Vectors] | None:
        """The character and its vector, only if it belongs to `project_id`."""
        project = self._projects.get(project_id)
        if project is None or character_id not in project.by_id:
            return None
        index = project.by_id[character_id]
        return project.characters[index], project.vectors[index]

    def update(self, project_id: str, character_id: str, name: str, description: str, vector: Vectors) -> Character:
        """Replace a character's name, description and vector (same id, same creation time)."""
        project = self._projects[project_id]
        index = project.by_id[character_id]
        old = project.characters[index]
        project.characters[index] = Character(old.id, project_id, name, description, old.created_at)
        project.vectors[index] = np.asarray(vector, dtype=np.float32)
        return project.characters[index]

    def delete(self, project_id: str, character_id: str) -> bool:
        """Remove a character and its vector; False if the project holds no such id."""
        project = self._projects.get(project_id)
        if project is None or character_id not in project.by_id:
            return False
        index = project.by_id.pop(character_id)
        del project.characters[index]
        del project.vectors[index]
        project.by_id = {c.id: i for i, c in enumerate(project.characters)}
        self._count -= 1
        return True

    def similar(
        self, project_id: str, vector: Vectors, top_k: int, *, exclude: str | None = None, everywhere: bool = False
    ) -> list[tuple[Character, float]]:
        """Cosine similarity (vectors are unit length) within one project, best first; ties by age.

        `everywhere` ranks every project's characters: the isolation defect a fault switch injects.
        """
        projects = list(self._projects.values()) if everywhere else [self._projects.get(project_id)]
        characters = [c for project in projects if project is not None for c in project.characters]
        vectors = [v for project in projects if project is not None for v in project.vectors]
        if not characters:
            return []
        scores = np.stack(vectors) @ np.asarray(vector, dtype=np.float32)
        # Stable sort on -score keeps creation order among equal scores: deterministic ranking.
        order = np.argsort(-scores, kind="stable")
        ranked = [(characters[i], float(scores[i])) for i in order]
        return [(c, s) for c, s in ranked if c.id != exclude][:top_k]

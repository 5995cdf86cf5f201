"""The character service's SQLite table (one file; every write in a transaction the caller commits
only after the brain accepted the change)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS characters (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS characters_project ON characters (project_id);
"""


def description_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def public(row: sqlite3.Row) -> dict[str, Any]:
    body = {key: row[key] for key in row.keys()}  # noqa: SIM118 - sqlite3.Row is not a dict
    body["description_sha256"] = description_sha256(body["description"])
    return body


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.row_factory = sqlite3.Row
    return db


class CharacterDb:
    """Two connections: writes (one transaction at a time: the app serialises them with an asyncio
    lock, because a transaction stays open across the awaited brain call) and reads, which in WAL
    mode see committed rows only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = _connect(path)
        self._writer.execute("PRAGMA journal_mode=WAL")
        self._writer.executescript(SCHEMA)
        self._db = _connect(path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN ... COMMIT, or ROLLBACK when the block raises (the brain call runs inside it)."""
        self._writer.execute("BEGIN IMMEDIATE")
        try:
            yield self._writer
        except BaseException:
            self._writer.execute("ROLLBACK")
            raise
        self._writer.execute("COMMIT")

    def insert(self, db: sqlite3.Connection, project_id: str, name: str, description: str) -> dict[str, Any]:
        now = _now()
        row_id = f"ch_{uuid.uuid4().hex[:12]}"
        db.execute(
            "INSERT INTO characters VALUES (?, ?, ?, ?, ?, ?)", (row_id, project_id, name, description, now, now)
        )
        return self.get(project_id, row_id, db=db) or {}

    def update(self, db: sqlite3.Connection, project_id: str, row_id: str, name: str, description: str) -> None:
        db.execute(
            "UPDATE characters SET name = ?, description = ?, updated_at = ? WHERE id = ? AND project_id = ?",
            (name, description, _now(), row_id, project_id),
        )

    def delete(self, db: sqlite3.Connection, project_id: str, row_id: str) -> None:
        db.execute("DELETE FROM characters WHERE id = ? AND project_id = ?", (row_id, project_id))

    def get(self, project_id: str, row_id: str, *, db: sqlite3.Connection | None = None) -> dict[str, Any] | None:
        row = (
            (db or self._db)
            .execute("SELECT * FROM characters WHERE id = ? AND project_id = ?", (row_id, project_id))
            .fetchone()
        )
        return public(row) if row else None

    def list(self, project_id: str, query: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM characters WHERE project_id = ?", [project_id]
        if query:
            sql += " AND (instr(lower(name), lower(?)) > 0 OR instr(lower(description), lower(?)) > 0)"
            args += [query, query]
        rows = self._db.execute(sql + " ORDER BY created_at, id LIMIT ?", (*args, limit)).fetchall()
        return [public(row) for row in rows]

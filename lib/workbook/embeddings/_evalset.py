"""The evaluation set: character descriptions in groups, paraphrased queries with graded relevance.

Ours (`data/characters_eval.json`, written for this workbook) is the default; a user's own file in
the same shape may replace it (`load_eval_set(path)`). Validation names every problem at once.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import UsageError
from ..notebook import describe_validation_error

DEFAULT_SET = "characters_eval.json"


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")
    group: str = Field(min_length=1)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    text: str = Field(min_length=1, max_length=5000)
    relevance: dict[str, int]


class EvalSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    license: str = Field(min_length=1)
    description: str = ""
    grades: dict[str, str] = Field(default_factory=dict)
    documents: tuple[Document, ...] = Field(min_length=2)
    queries: tuple[Query, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> EvalSet:
        ids = [d.id for d in self.documents]
        problems = []
        if len(set(ids)) != len(ids):
            problems.append("document ids repeat")
        if len({q.id for q in self.queries}) != len(self.queries):
            problems.append("query ids repeat")
        known = set(ids)
        for query in self.queries:
            unknown = sorted(set(query.relevance) - known)
            if unknown:
                problems.append(f"query {query.id!r} grades unknown document(s) {unknown[:5]}")
            if not any(grade > 0 for grade in query.relevance.values()):
                problems.append(f"query {query.id!r} has no relevant document")
            if any(grade < 0 for grade in query.relevance.values()):
                problems.append(f"query {query.id!r} has a negative grade")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def top_grade(self) -> int:
        return max(grade for query in self.queries for grade in query.relevance.values())

    @property
    def groups(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for document in self.documents:
            groups.setdefault(document.group, []).append(document.id)
        return groups

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)


def load_eval_set(path: str | Path | None = None) -> EvalSet:
    """Our set when `path` is empty, else the user's JSON file; UsageError naming what is wrong."""
    if path:
        file = Path(path).expanduser()
        if not file.is_file():
            raise UsageError(f"eval_set_path={str(path)!r}: no such file (expected a JSON evaluation set)")
        text = file.read_text(encoding="utf-8")
        where = str(file)
    else:
        text = resources.files(__package__).joinpath("data", DEFAULT_SET).read_text(encoding="utf-8")
        where = DEFAULT_SET
    try:
        raw: Any = json.loads(text)
    except ValueError as error:
        raise UsageError(f"evaluation set {where}: not JSON ({error})") from None
    try:
        return EvalSet.model_validate(raw)
    except ValidationError as error:
        raise UsageError(describe_validation_error(f"evaluation set {where}", error)) from None

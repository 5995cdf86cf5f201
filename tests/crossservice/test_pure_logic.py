"""Pure pieces of notebook 60 without a network: tool result shapes, failed-hop answers, the
correlation rule, the per-hop table, settings errors."""

from __future__ import annotations

import json

import pytest

from workbook import UsageError
from workbook import crossservice as x
from workbook.crossservice._failures import answer_problems
from workbook.crossservice._flow import correlation_problems
from workbook.crossservice._http import Reply

RESULT = {"id": "c1", "project_id": "p", "name": "A", "description": "d", "score": 0.9}


def test_tool_payload_reads_every_shape_correct_servers_send() -> None:
    structured = {"content": [{"type": "text", "text": "{}"}], "structuredContent": {"results": [RESULT]}}
    # FastMCP (MCP Python SDK) returning a list: wrapped under "result", one text item per element
    fastmcp = {"content": [{"type": "text", "text": json.dumps(RESULT)}], "structuredContent": {"result": [RESULT]}}
    text_only = {"content": [{"type": "text", "text": json.dumps({"results": [RESULT]})}], "isError": False}
    by_distance = {"structuredContent": {"results": [{**{k: v for k, v in RESULT.items() if k != "score"},
                                                      "distance": 0.25}]}}  # fmt: skip
    for body in (structured, fastmcp, text_only):
        assert x.tool_payload(body)["results"][0]["id"] == "c1"
    assert x.tool_payload(by_distance)["results"][0]["score"] == pytest.approx(0.75)
    flat = {"content": [{"type": "text", "text": json.dumps({"id": "c1", "name": "A"})}], "isError": False}
    assert x.tool_payload(flat) == {"id": "c1", "name": "A"}


def reply(status: int, body: object, elapsed: float = 0.1) -> Reply:
    return Reply(status, body, elapsed, "rid", "rid")


def test_answer_problems_want_503_or_424_naming_the_hop_in_time() -> None:
    assert answer_problems(reply(503, {"failed_hop": "brain"}), "brain", "POST", 5) == []
    assert answer_problems(reply(424, {"failed_hop": "brain"}), "brain", "POST", 5) == []
    assert "answered 500" in answer_problems(reply(500, {"detail": "Internal Server Error"}), "brain", "POST", 5)[0]
    assert "without naming brain" in answer_problems(reply(503, {"error": "x"}), "brain", "POST", 5)[0]
    assert "took 9.0 s" in answer_problems(reply(503, {"failed_hop": "brain"}, 9.0), "brain", "POST", 5)[0]


def test_correlation_needs_each_expected_hop_in_each_service_log() -> None:
    logs = {"characters": [{"hop": "POST /projects/p/characters"}], "brain": []}
    problems = correlation_problems(
        logs, {"characters": ["POST /projects/", "mcp create_character"], "brain": ["tools/call"], "story": ["x"]}, "r"
    )
    assert problems == [
        "characters recorded no 'mcp create_character' with X-Request-ID r (correlation id dropped)",
        "brain recorded no 'tools/call' with X-Request-ID r (correlation id dropped)",
    ]  # a service without a log endpoint (story here) is not judged


def test_hop_table_groups_hops_without_ids() -> None:
    entries = [
        {"service": "characters", "hop": "GET /projects/p/characters/ch_1", "duration_ms": 2.0},
        {"service": "characters", "hop": "GET /projects/p/characters/ch_2", "duration_ms": 4.0},
        {"service": "brain", "hop": "tools/call find_similar_characters", "duration_ms": 10.0},
    ]
    table = x.hop_table(entries)
    rows = {row.hop: (row.calls, row.p50_ms) for row in table.itertuples()}
    assert rows == {"characters: GET characters/{id}": (2, 3.0), "brain: tools/call find_similar_characters": (1, 10.0)}
    assert list(x.hop_table([]).columns) == ["hop", "service", "calls", "p50_ms", "max_ms"]


def test_settings_name_each_bad_value() -> None:
    with pytest.raises(UsageError) as raised:
        x.CrossServiceSettings.of(characters_url="ftp://x", story_url="http://s", brain_ws_url="http://b")
    text = str(raised.value)
    assert "characters_url" in text and "brain_ws_url" in text and "ws://" in text
    with pytest.raises(UsageError, match="three different projects"):
        x.CrossServiceSettings.of(
            characters_url="http://c", story_url="http://s", brain_ws_url="ws://b", project_b="proj-a"
        )
    with pytest.raises(UsageError, match=r"story_url.*base URL"):
        x.CrossServiceSettings.of(characters_url="http://c", story_url="", brain_ws_url="ws://b")

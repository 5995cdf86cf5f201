"""The real brain's `{"tool": ...}` dialect without a network: replies, messages, the character
service behind it (two embeddings, weighted score, at most 10, empty query) and the switches."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import numpy as np
import pytest

from workbook.sandbox.brain import faults as BrainFaults
from workbook.sandbox.brain._embeddings import HashingEmbedder
from workbook.sandbox.brain._protocol import BrainApp

PROJECT = "tj"


def make_app(faults: dict[str, Any] | None = None) -> BrainApp:
    return BrainApp(HashingEmbedder(), BrainFaults(faults or {}))


def reply(app: BrainApp, message: Any) -> dict[str, Any]:
    return asyncio.run(app.tool_json.reply(message if isinstance(message, str) else json.dumps(message)))


def create(app: BrainApp, name: str, personality: str, appearance: str = "plain looks", **extra: Any) -> dict[str, Any]:
    return reply(
        app,
        {
            "tool": "create_character",
            "project_id": PROJECT,
            "name": name,
            "personality_description": personality,
            "appearance_description": appearance,
            **extra,
        },
    )


def find(app: BrainApp, query: Any, project_id: str = PROJECT) -> dict[str, Any]:
    return reply(app, {"tool": "find_similar_characters", "project_id": project_id, "query": query})


def test_create_answers_a_server_made_uuid4_and_ignores_a_request_id() -> None:
    app = make_app()
    answer = create(app, "Mara", "a lighthouse keeper who paints storms", id="mine-1")
    assert set(answer) == {"status", "message", "character_id"} and answer["status"] == "success"
    assert answer["message"] == "Character created successfully."
    assert uuid.UUID(answer["character_id"]).version == 4 and answer["character_id"] != "mine-1"


def test_find_ranks_by_the_weighted_score_of_two_embeddings() -> None:
    app = make_app()
    keeper = create(app, "Mara", "lighthouse keeper storms", "baker apron flour")["character_id"]
    baker = create(app, "Tobin", "baker apron flour", "lighthouse keeper storms")["character_id"]
    results = find(app, "lighthouse keeper storms")["results"]
    assert [r["id"] for r in results] == [keeper, baker]
    assert set(results[0]) == {"id", "name", "similarity_score"}
    # Same two texts, swapped roles: 0.7 * 1 + 0.3 * c against 0.7 * c + 0.3 * 1.
    cosine = float(np.dot(*HashingEmbedder().embed(["lighthouse keeper storms", "baker apron flour"])))
    clamp = lambda score: min(max(score, 0.0), 1.0)  # noqa: E731 - scores are clamped into [0, 1]
    assert results[0]["similarity_score"] == pytest.approx(clamp(0.7 + 0.3 * cosine), abs=1e-5)
    assert results[1]["similarity_score"] == pytest.approx(clamp(0.7 * cosine + 0.3), abs=1e-5)


def test_at_most_ten_results_and_an_empty_query_answers_nothing() -> None:
    app = make_app()
    for i in range(12):
        create(app, f"c{i}", f"character number {i} who sails")
    assert len(find(app, "sails")["results"]) == 10
    assert find(app, "   ") == {"status": "success", "results": []}
    assert app.provider.calls == 13  # 12 creates + 1 query: the blank query embedded nothing


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"name": "x"}, "Missing 'tool' field in message"),
        ({"tool": ""}, "Missing 'tool' field in message"),
        ({"tool": "delete_everything"}, "Unknown tool: delete_everything"),
        (
            {"tool": "create_character", "project_id": "p"},
            "Missing required fields: name, personality_description, appearance_description",
        ),
        ({"tool": "find_similar_characters"}, "Missing required fields: project_id, query"),
        ([1, 2], "Internal error: 'list' object has no attribute 'get'"),
        ("{nope", "Invalid JSON format: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ],
)
def test_error_messages_are_the_real_brains(message: Any, expected: str) -> None:
    assert reply(make_app(), message) == {"status": "error", "message": expected}


def test_bad_types_fail_with_the_models_own_words() -> None:
    app = make_app()
    wrong = reply(
        app,
        {
            "tool": "create_character",
            "project_id": 123,
            "name": None,
            "personality_description": "",
            "appearance_description": "",
        },
    )
    assert wrong["message"].startswith("Failed to create character: 2 validation errors for CharacterCreate")
    assert find(app, 5)["message"] == "Failed to find similar characters: 'int' object has no attribute 'strip'"


def test_one_negative_score_fails_the_whole_search_only_with_the_switch() -> None:
    # "1234 5678 9012" scores below zero against this personality with the hashing embedder.
    for app, fails in ((make_app(), False), (make_app({"reject_negative_scores": True}), True)):
        create(app, "Tobin", "a cheerful baker from a mountain village famous for cinnamon bread", "round face")
        answer = find(app, "1234 5678 9012")
        if fails:
            assert answer["status"] == "error"
            assert answer["message"].startswith(
                "Failed to find similar characters: 1 validation error for CharacterSearchResult"
            )
            assert "greater than or equal to 0" in answer["message"]
        else:
            assert answer["status"] == "success" and answer["results"][0]["similarity_score"] == 0.0  # clamped


def test_leak_misrank_and_hidden_argument_switches() -> None:
    app = make_app({"leak_projects": True})
    create(app, "Mara", "lighthouse keeper")
    assert find(app, "lighthouse keeper", project_id="other")["results"]
    app = make_app({"hide_tool_argument": True})
    answer = reply(app, {"tool": "create_character"})
    assert answer["message"] == "Missing required fields: name, personality_description, appearance_description"
    app = make_app({"misrank_results": True})
    keeper = create(app, "Mara", "lighthouse keeper storms")["character_id"]
    create(app, "Tobin", "baker bread flour")
    assert find(app, "lighthouse keeper storms")["results"][-1]["id"] == keeper


def test_accept_invalid_calls_and_error_rate() -> None:
    app = make_app({"accept_invalid_tool_calls": True})
    assert reply(app, {"tool": "nope"})["status"] == "success"
    assert reply(app, {"tool": "create_character"})["status"] == "success"
    app = make_app({"error_rate": 1})
    answer = create(app, "Mara", "lighthouse keeper")
    assert answer["message"].startswith("Failed to create character: Jina embedding failed: Jina API error 503")


def test_store_down_fails_after_embedding_and_the_requests_are_logged() -> None:
    app = make_app({"store_down": True})
    answer = create(app, "Mara", "lighthouse keeper")
    assert answer["message"].startswith("Failed to create character: Couldn't connect to localhost:7687")
    assert app.provider.calls == 1  # embedded first, as the real service does, then the store failed
    entry = app.requests.entries()[-1]
    assert entry["hop"] == "ws create_character" and entry["project_id"] == PROJECT and "error" in entry

"""The character and story stand-ins over real HTTP: correlation ids in and out, failed-hop errors,
project scoping, switch validation (brain + characters + story; one sandbox for the module)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from workbook.sandbox import Sandbox, clear_faults, fault_switches, set_faults


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, str]]:
    with Sandbox(["brain", "characters", "story"], time_scale=1.0) as running:
        o = running.outputs
        yield {"characters": o["characters"]["url"], "story": o["story"]["url"], "brain": o["brain"]["admin_url"]}


def test_correlation_id_in_and_out(services: dict[str, str]) -> None:
    url = services["characters"] + "/projects/p1/characters"
    sent = httpx.post(url, json={"name": "A", "description": "a lighthouse keeper"}, headers={"X-Request-ID": "rid-1"})
    assert sent.status_code == 201 and sent.headers["X-Request-ID"] == "rid-1"
    made = httpx.get(url)
    assert made.headers["X-Request-ID"].startswith("req-")  # none sent: one is made
    seen = httpx.get(services["brain"] + "/_sandbox/requests", params={"request_id": "rid-1"}).json()["entries"]
    assert [(e["hop"], e["character_id"]) for e in seen] == [("tools/call create_character", sent.json()["id"])]


def test_brain_down_is_a_503_naming_the_brain_and_writes_nothing(services: dict[str, str]) -> None:
    url = services["characters"] + "/projects/p2/characters"
    set_faults(services["brain"], {"drop_connections": 1})
    try:
        reply = httpx.post(url, json={"name": "B", "description": "a courier"}, timeout=30)
    finally:
        clear_faults(services["brain"])
    assert reply.status_code == 503
    assert reply.json()["failed_hop"] == "brain" and "unreachable" in reply.json()["error"]
    assert httpx.get(url).json()["count"] == 0


def test_story_rejects_unknown_and_other_projects_characters(services: dict[str, str]) -> None:
    made = httpx.post(services["characters"] + "/projects/p3/characters", json={"name": "C", "description": "a chef"})
    own = made.json()["id"]
    stories = services["story"] + "/projects/p4/stories"
    reply = httpx.post(stories, json={"title": "t", "character_ids": [own]})
    assert reply.status_code == 422 and own in reply.json()["detail"]
    reply = httpx.post(services["story"] + "/projects/p3/stories", json={"title": "t", "character_ids": [own]})
    assert reply.status_code == 201 and reply.json()["cast"][0]["character"]["id"] == own
    assert httpx.get(f"{stories}/{reply.json()['id']}").status_code == 404


def test_outage_answers_503_but_admin_stays_up(services: dict[str, str]) -> None:
    set_faults(services["story"], {"outage": True})
    try:
        down = httpx.get(services["story"] + "/projects/p1/stories")
        health = httpx.get(services["story"] + "/health")
    finally:
        clear_faults(services["story"])
    assert down.status_code == 503 and down.json()["failed_hop"] == "story"
    assert health.status_code == 200


def test_switches_are_validated_by_the_stand_ins_own_rule(services: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="unknown fault switch"):
        fault_switches("characters", {"partial_writes": True})
    with pytest.raises(ValueError, match="on \\(true\\) or off"):
        fault_switches("story", {"keep_deleted_characters": 3})
    bad = httpx.put(services["characters"] + "/_sandbox/faults", json={"nope": True})
    assert bad.status_code == 400 and "nope" in bad.text
    bad_project = httpx.get(services["characters"] + "/projects/bad project/characters")
    assert bad_project.status_code == 422

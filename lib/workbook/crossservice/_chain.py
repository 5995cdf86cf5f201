"""Check `character_story`: the optional REST extension character service -> brain -> story.

The movie platform's real character service (jomapps/mcp-character-service) and story service
(jomapps/mcp-story-service) speak MCP over stdio and never call the brain, so the real topology has
no such chain; the check runs only when `characters_service` and `story_service` name profiles of
services that offer it (the sandbox's `characters` and `story` stand-ins do): a character created
over REST is cast by the story service for a role that paraphrases it, under the same id.
"""

from __future__ import annotations

import httpx

from ..checks import CheckContext
from ._flow import FLOW_CAST
from ._run import CrossServiceRun, optional_url

NOT_CONFIGURED = (
    "not configured (characters_service / story_service name no profile with a URL): the movie platform's "
    "character and story services speak MCP over stdio and call no brain (jomapps/mcp-character-service, "
    "mcp-story-service); name two profiles to test a REST character -> brain -> story extension"
)


def check_character_story(c: CheckContext, run: CrossServiceRun) -> None:
    s = run.settings
    characters_url, story_url = optional_url(s, s.characters_service), optional_url(s, s.story_service)
    if not (characters_url and story_url):
        c.skip(NOT_CONFIGURED)
        return
    project = run.project("a")
    hero = FLOW_CAST[0]
    with httpx.Client(timeout=s.request_timeout_s, trust_env=False) as http:
        made = http.post(
            f"{characters_url}/projects/{project}/characters",
            json={"name": hero.name, "description": hero.personality},
        )
        c.expect(made.status_code == 201, f"POST characters answered {made.status_code} {made.text[:300]}")
        if made.status_code != 201:
            return
        character_id = made.json()["id"]
        story = http.post(
            f"{story_url}/projects/{project}/stories",
            json={"title": "chain", "roles": [{"role": "hero", "description": hero.query}]},
        )
        c.expect(story.status_code == 201, f"POST stories answered {story.status_code} {story.text[:300]}")
        if story.status_code != 201:
            return
        cast = http.post(f"{story_url}/projects/{project}/stories/{story.json()['id']}/cast")
    members = cast.json().get("cast", []) if cast.status_code == 200 else []
    chosen = [m.get("character_id") for m in members if m.get("role") == "hero"]
    c.measure(character_id=character_id, cast=chosen, cast_status=cast.status_code)
    c.expect(
        chosen == [character_id], f"the story cast {chosen} as the hero, expected {character_id}: {cast.text[:300]}"
    )

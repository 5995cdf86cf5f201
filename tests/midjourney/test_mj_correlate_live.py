"""Correlation on the live bot's message shapes (issue 13, items 1-6): rewritten prompts without a
nonce, finals that reply to the job's own waiting message, a hash learned from previews kept apart
from the grid's, action grids of the same prompt, "Slow Down!", unknown notices, legacy upscales."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbook.midjourney._jobstate import Phase

from ._messages import (
    CH,
    T0,
    UID,
    hashes,
    msg,
    setup,
    sid,
    slow_down,
    upscale,
    upscale_ack,
    v7_final,
    v7_progress,
    waiting,
)

CAPTURES = Path(__file__).parent / "fixtures" / "captures"
BIRD = (
    "a small bird pixel-art sprite, single centered character, clean transparent background --ar 1:1 --v 7 "
    "--style raw --no background scenery, drop shadow, frame"
)
BIRD_ECHO = (
    "a small bird pixel-art sprite, single centered character, clean transparent background --ar 1:1 --v 7.0 "
    "--no background scenery, drop shadow, frame --raw"
)
FOX = "a fox --sref https://example.com/a.png https://example.com/b.png"
FOX_ECHO = "a fox --sref <https://s.mj.run/aaaaaaaaaaa> <https://s.mj.run/bbbbbbbbbbb> --v 7.0"


def captured(name: str, echo: str) -> dict[str, Any]:
    """A captured v7 message moved into the test channel, mentioning the test user, echoing `echo`."""
    message = json.loads((CAPTURES / name).read_text())
    content = message["content"].replace("<@1502242966100639815>", f"<@{UID}>")
    message["content"] = f"**{echo}**" + content.split("**", 2)[2]
    message["channel_id"] = CH
    message["id"] = sid(20)
    return dict(message)


def test_rewritten_prompts_are_matched_by_their_canonical_parameters_without_a_nonce() -> None:
    """Polling: no nonce, v7 rewrites (`--v 7.0`, trailing `--raw`, multi-word `--no`, two sref URLs)."""
    corr, jobs = setup([BIRD, BIRD, FOX])
    digests = hashes(3)
    waits = [sid(1 + i) for i in range(3)]
    echoes = [BIRD_ECHO, BIRD_ECHO, FOX_ECHO]
    # First replies appear out of order; interaction ids follow the submission order.
    for i in (1, 2, 0):
        corr.handle("MESSAGE_CREATE", waiting(waits[i], echoes[i], iid=f"50{i}"), T0)
    assert [j.progress_message_id for j in jobs] == waits
    assert [j.phase for j in jobs] == [Phase.RUNNING] * 3
    for i in reversed(range(3)):
        corr.handle("MESSAGE_DELETE", {"id": waits[i], "channel_id": CH}, T0)
        corr.handle("MESSAGE_CREATE", v7_final(sid(10 + 2 - i), echoes[i], digests[i], waits[i]), T0)
    assert [j.grid_hash for j in jobs] == digests
    assert [j.grid_match for j in jobs] == ["reference"] * 3


def test_finals_reply_to_the_jobs_own_waiting_message_when_nothing_else_tells_them_apart() -> None:
    """Identical prompts, no hash in any preview, no interaction metadata on the finals, progress
    messages still present, finals in reverse order: only the reply chain tells them apart."""
    prompt = "a lighthouse at dusk"
    corr, jobs = setup([prompt] * 3, index=2)
    digests = hashes(3)
    waits = [sid(1 + i) for i in range(3)]
    for i, job in enumerate(jobs):
        corr.handle("MESSAGE_CREATE", waiting(waits[i], prompt + " --v 7.0", nonce=job.nonce), T0)
        corr.handle("MESSAGE_UPDATE", v7_progress(waits[i], prompt + " --v 7.0", 27), T0)
    grids = [sid(12 - i) for i in range(3)]
    for i in reversed(range(3)):
        corr.handle("MESSAGE_CREATE", v7_final(grids[i], prompt + " --v 7.0", digests[i], waits[i]), T0)
    assert [j.grid_hash for j in jobs] == digests
    assert [j.grid_match for j in jobs] == ["reference"] * 3
    assert not any(j.ambiguous for j in jobs)
    for i, job in enumerate(jobs):
        corr.upscale_submitted(job, f"up-{i}", T0 + 20)
    for i in reversed(range(3)):
        corr.handle("MESSAGE_CREATE", upscale(sid(30 - i), prompt, 2, grids[i]), T0)
    assert [j.upscale["message_reference"]["message_id"] for j in jobs if j.upscale] == grids


def test_the_hash_learned_from_previews_is_kept_apart_from_the_grid_hash() -> None:
    prompt = "twin previews"
    corr, jobs = setup([prompt] * 2)
    digests = hashes(2)
    for i, job in enumerate(jobs):
        wait = sid(1 + i)
        corr.handle("MESSAGE_CREATE", waiting(wait, prompt, nonce=job.nonce), T0)
        corr.handle("MESSAGE_UPDATE", v7_progress(wait, prompt, 47, digests[i]), T0)
    assert [j.preview_hash for j in jobs] == digests
    corr.handle("MESSAGE_CREATE", v7_final(sid(9), prompt, digests[1], None), T0)
    assert jobs[1].grid_hash == digests[1] and jobs[1].grid_match == "job_hash"
    # A grid whose hash no preview showed, taken by prompt, leaves the preview hash as it was.
    corr.handle("MESSAGE_CREATE", v7_final(sid(10), prompt, "eeeeeeee-0000-4000-8000-000000000000", None), T0)
    assert jobs[0].grid is None and jobs[0].preview_hash == digests[0]


def test_action_grids_of_the_same_prompt_are_not_taken_as_the_imagine_grid() -> None:
    corr, (job,) = setup([BIRD])
    wait = sid(1)
    corr.handle("MESSAGE_CREATE", waiting(wait, BIRD_ECHO, nonce=job.nonce, iid="700"), T0)
    solo = sid(-5)  # an older upscale of the same prompt, whose buttons someone pressed
    for name in ("v7_variation_strong_final.json", "v7_zoom_out_final.json", "v7_pan_right_final.json"):
        assert corr.handle("MESSAGE_CREATE", captured(name, BIRD_ECHO), T0) == set(), name
    remix = v7_final(sid(21), BIRD_ECHO, hashes(4)[3], solo, phrase="Remix (Subtle) by ")
    reroll = v7_final(sid(22), BIRD_ECHO, hashes(5)[4], None, iid="701", itype=3)  # the 🔄 button's grid
    for other in (remix, reroll):
        assert corr.handle("MESSAGE_CREATE", other, T0) == set()
    assert job.grid is None
    own = v7_final(sid(30), BIRD_ECHO, hashes(1)[0], None)  # no reply, no metadata: only the prompt
    corr.handle("MESSAGE_CREATE", own, T0)
    assert job.grid is not None and job.grid["id"] == own["id"] and job.grid_match == "prompt"


def test_without_its_waiting_message_only_the_action_phrase_keeps_an_action_grid_out() -> None:
    """Polling missed the job's short-lived waiting message; the action grids reply to a message
    nobody owns and carry no interaction metadata: the phrase is what tells them apart."""
    corr, (job,) = setup([BIRD])
    unseen = sid(0.5)
    for phrase in ("Variations (Strong) by ", "Zoom Out by ", "Pan Right by ", "Remix (Subtle) by "):
        action = v7_final(sid(3), BIRD_ECHO, hashes(9)[8], unseen, phrase=phrase)
        assert corr.handle("MESSAGE_CREATE", action, T0) == set()
    assert job.grid is None
    own = v7_final(sid(4), BIRD_ECHO, hashes(1)[0], unseen)
    corr.handle("MESSAGE_CREATE", own, T0)
    assert job.grid is not None and job.grid["id"] == own["id"]


def test_slow_down_on_the_upscale_asks_for_a_retry_and_unknown_notices_are_recorded() -> None:
    prompt = "slow prompt"
    corr, (job,) = setup([prompt])
    wait, grid_id = sid(1), sid(5)
    corr.handle("MESSAGE_CREATE", waiting(wait, prompt, nonce=job.nonce), T0)
    notice = msg(sid(2), "", nonce=job.nonce, embeds=[{"title": "Midjourney V8 Alpha", "description": "Try it"}])
    corr.handle("MESSAGE_CREATE", notice, T0)
    assert job.phase is not Phase.FAILED and job.notices == ["unknown notice 'Midjourney V8 Alpha': Try it"]
    assert corr.unknown_notices == [f"{notice['id']}: Midjourney V8 Alpha"]
    corr.handle("MESSAGE_CREATE", v7_final(grid_id, prompt, hashes(1)[0], wait), T0)
    corr.upscale_submitted(job, "up-1", T0 + 6)
    corr.handle("MESSAGE_CREATE", slow_down(sid(7), grid_id, 1774990054), T0)
    assert job.phase is Phase.UPSCALING and job.failure is None
    assert job.upscale_retry_at == 1774990054.0
    # A second press gets the upscale.
    corr.upscale_submitted(job, "up-2", T0 + 8)
    assert job.upscale_retry_at is None and job.upscale_presses == 2
    corr.handle("MESSAGE_CREATE", upscale(sid(9), prompt, 1, grid_id), T0)
    assert job.upscale is not None and job.phase is Phase.UPSCALED


def test_legacy_upscaled_by_is_an_upscale_and_the_acknowledgement_is_not_a_notice() -> None:
    prompt = "a castle --niji 4"
    corr, (job,) = setup([prompt], index=3)
    wait, grid_id = sid(1), sid(5)
    corr.handle("MESSAGE_CREATE", waiting(wait, prompt, nonce=job.nonce), T0)
    corr.handle("MESSAGE_CREATE", v7_final(grid_id, prompt, hashes(1)[0], None), T0)
    corr.upscale_submitted(job, "up-1", T0 + 6)
    ack = upscale_ack(sid(7), prompt, 3, nonce="up-1")
    corr.handle("MESSAGE_CREATE", ack, T0)
    assert job.phase is Phase.UPSCALING and job.failure is None and job.upscale is None
    assert job.upscale_ack_id == ack["id"]
    legacy = msg(
        sid(9),
        f"**{prompt}** - Upscaled by <@{UID}> (fast)",
        type=19,
        message_reference={"message_id": grid_id, "channel_id": CH},
        attachments=[{"id": "9", "filename": "u_castle.png", "url": "https://cdn.test/u/castle.png"}],
    )
    corr.handle("MESSAGE_CREATE", legacy, T0)
    assert job.upscale is not None and job.upscale["id"] == legacy["id"] and job.phase is Phase.UPSCALED

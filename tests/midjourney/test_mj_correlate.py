"""Correlation: strongest key first, identical prompts out of order, stale history, no double use."""

from __future__ import annotations

from workbook.midjourney._jobstate import Phase

from ._messages import CH, T0, UID, grid, hashes, msg, progress, setup, sid, upscale


def test_identical_prompts_finish_in_reverse_order_gateway_keys() -> None:
    prompt = "a lighthouse at dusk"
    corr, jobs = setup([prompt] * 3)
    digests = hashes(3)
    waits = [sid(1 + i) for i in range(3)]
    for i, job in enumerate(jobs):
        corr.handle("INTERACTION_SUCCESS", {"id": f"9000{i}", "nonce": job.nonce}, T0)
        corr.handle(
            "MESSAGE_CREATE",
            {
                **msg(waits[i], f"**{prompt}** - <@{UID}> (Waiting to start)"),
                "nonce": job.nonce,
                "interaction": {"id": f"9000{i}"},
            },
            T0,
        )
        corr.handle("MESSAGE_UPDATE", progress(waits[i], prompt, 31, digests[i]), T0)
    for i in reversed(range(3)):
        corr.handle("MESSAGE_DELETE", {"id": waits[i], "channel_id": CH}, T0)
        corr.handle("MESSAGE_CREATE", grid(sid(10 + (2 - i)), prompt, digests[i], iid=f"9000{i}"), T0)
    assert [j.job_hash for j in jobs] == digests
    assert all(j.grid_match == "interaction_id" and j.phase is Phase.GRID for j in jobs)
    assert len({j.grid_message_id for j in jobs}) == 3


def test_identical_prompts_without_interaction_metadata_use_progress_hash() -> None:
    prompt = "two red apples"
    corr, jobs = setup([prompt] * 2)
    digests = hashes(2)
    waits = [sid(1), sid(2)]
    for i, job in enumerate(jobs):
        corr.handle(
            "MESSAGE_CREATE",
            {**msg(waits[i], f"**{prompt}** - <@{UID}> (Waiting to start)"), "nonce": job.nonce},
            T0,
        )
        corr.handle("MESSAGE_UPDATE", progress(waits[i], prompt, 62, digests[i]), T0)
    # Second job finishes first; its grid carries only the hash.
    corr.handle("MESSAGE_CREATE", grid(sid(5), prompt, digests[1]), T0)
    corr.handle("MESSAGE_CREATE", grid(sid(6), prompt, digests[0]), T0)
    assert [j.grid_match for j in jobs] == ["job_hash", "job_hash"]
    assert [j.job_hash for j in jobs] == digests


def test_upscales_of_identical_prompts_matched_by_reply_reference() -> None:
    prompt = "same prompt"
    corr, jobs = setup([prompt] * 2, index=2)
    digests = hashes(2)
    grids = [sid(5), sid(6)]
    for i, job in enumerate(jobs):
        corr.handle(
            "MESSAGE_CREATE",
            {**msg(sid(1 + i), f"**{prompt}** - <@{UID}> (Waiting to start)"), "nonce": job.nonce},
            T0,
        )
        corr.handle("MESSAGE_UPDATE", progress(job.progress_message_id or "", prompt, 50, digests[i]), T0)
        corr.handle("MESSAGE_CREATE", grid(grids[i], prompt, digests[i]), T0)
        corr.upscale_submitted(job, f"up-{i}", T0 + 7)
    # Upscales arrive in reverse order.
    corr.handle("MESSAGE_CREATE", upscale(sid(9), prompt, 2, grids[1]), T0)
    corr.handle("MESSAGE_CREATE", upscale(sid(10), prompt, 2, grids[0]), T0)
    assert [j.upscale["message_reference"]["message_id"] for j in jobs if j.upscale] == grids
    assert all(j.upscale_match == "reference" and j.phase is Phase.UPSCALED for j in jobs)


def test_older_messages_of_the_same_prompt_are_ignored() -> None:
    prompt = "stale history prompt"
    corr, jobs = setup([prompt])
    job = jobs[0]
    old_grid = grid(sid(-3600), prompt, hashes(1)[0])
    old_upscale = upscale(sid(-3590), prompt, 1, old_grid["id"])
    assert corr.handle("MESSAGE_CREATE", old_grid, T0) == set()
    assert corr.handle("MESSAGE_CREATE", old_upscale, T0) == set()
    assert job.grid is None and corr.ignored_old == 2


def test_a_message_is_never_given_to_two_jobs() -> None:
    prompt = "twin"
    corr, jobs = setup([prompt] * 2)
    final = grid(sid(5), prompt, hashes(1)[0])
    corr.handle("MESSAGE_CREATE", final, T0)
    corr.handle("MESSAGE_CREATE", final, T0 + 1)  # the same message again (gateway replay + poll)
    corr.handle("MESSAGE_UPDATE", final, T0 + 2)
    owners = [j.key for j in jobs if j.grid is not None]
    assert owners == ["job01"]
    assert jobs[0].ambiguous and "2 identical jobs" in jobs[0].ambiguous[0]


def test_prompt_fallback_never_contradicts_a_known_hash() -> None:
    prompt = "known hash"
    corr, jobs = setup([prompt] * 2)
    digests = hashes(2)
    for i, job in enumerate(jobs):
        corr.handle(
            "MESSAGE_CREATE",
            {**msg(sid(1 + i), f"**{prompt}** - <@{UID}> (Waiting to start)"), "nonce": job.nonce},
            T0,
        )
    corr.handle("MESSAGE_UPDATE", progress(jobs[0].progress_message_id or "", prompt, 15, digests[0]), T0)
    foreign = grid(sid(5), prompt, "ffffffff-0000-4000-8000-000000000000")
    corr.handle("MESSAGE_CREATE", foreign, T0)
    assert jobs[0].grid is None and jobs[1].grid is not None


def test_job_queued_is_not_terminal_then_runs() -> None:
    corr, (job,) = setup(["queued prompt"])
    queued = msg(sid(1), "", nonce=job.nonce, embeds=[{"title": "Job queued", "description": "…"}])
    corr.handle("MESSAGE_CREATE", queued, T0)
    assert job.phase is Phase.QUEUED and job.failure is None
    corr.handle(
        "MESSAGE_CREATE",
        {**msg(sid(4), f"**queued prompt** - <@{UID}> (Waiting to start)"), "nonce": job.nonce},
        T0,
    )
    assert job.phase is Phase.RUNNING and job.progress_message_id is not None


def test_error_embed_by_nonce_and_by_progress_update_fail_with_reason() -> None:
    corr, (banned, invalid) = setup(["bad words", "cat --use_raw 1"])
    corr.handle(
        "MESSAGE_CREATE",
        msg(
            sid(1),
            "",
            nonce=banned.nonce,
            flags=64,
            embeds=[{"title": "Banned prompt detected", "description": "moderator"}],
        ),
        T0,
    )
    assert banned.phase is Phase.FAILED and banned.failure_kind == "banned_prompt"
    wait = sid(2)
    corr.handle(
        "MESSAGE_CREATE",
        {**msg(wait, f"**cat --use_raw 1** - <@{UID}> (Waiting to start)"), "nonce": invalid.nonce},
        T0,
    )
    corr.handle(
        "MESSAGE_UPDATE",
        msg(
            wait,
            "",
            embeds=[{"title": "Invalid parameter", "description": "Unrecognized parameter(s): `use_raw`"}],
        ),
        T0,
    )
    assert invalid.failure_kind == "invalid_parameter" and "use_raw" in (invalid.failure or "")


def test_polling_without_nonce_assigns_first_replies_in_submission_order() -> None:
    prompt = "polled prompt"
    corr, jobs = setup([prompt] * 2)
    first, second = sid(1), sid(2)
    # REST listings carry no nonce; the interaction ids order like the submissions.
    corr.handle(
        "MESSAGE_CREATE",
        msg(first, f"**{prompt}** - <@{UID}> (Waiting to start)", interaction_metadata={"id": "111"}),
        T0,
    )
    corr.handle(
        "MESSAGE_CREATE",
        msg(second, f"**{prompt}** - <@{UID}> (Waiting to start)", interaction_metadata={"id": "222"}),
        T0,
    )
    assert [j.progress_message_id for j in jobs] == [first, second]
    assert [j.interaction_id for j in jobs] == ["111", "222"]
    corr.handle("MESSAGE_CREATE", grid(sid(8), prompt, hashes(1)[0], iid="222"), T0)
    assert jobs[1].grid is not None and jobs[1].grid_match == "interaction_id" and jobs[0].grid is None


def test_urls_and_em_dashes_match_by_normalised_prompt() -> None:
    sent = "https://example.com/cat.png a cat in the rain —ar 3:2"
    corr, (job,) = setup([sent])
    echoed = "<https://s.mj.run/JWu6jaL1D-8> a cat in the rain --ar 3:2"
    corr.handle("MESSAGE_CREATE", msg(sid(1), f"**{echoed}** - <@{UID}> (Waiting to start)"), T0)
    corr.handle("MESSAGE_CREATE", grid(sid(5), echoed, hashes(1)[0]), T0)
    assert job.progress_message_id is not None and job.grid is not None
    assert job.prompt_echoed is not None and job.prompt_echoed.startswith("<https://s.mj.run/")


def test_other_channels_and_other_authors_are_ignored() -> None:
    corr, (job,) = setup(["x"])
    other = {**grid(sid(5), "x", hashes(1)[0]), "channel_id": "999"}
    human = {**grid(sid(6), "x", hashes(1)[0]), "author": {"id": UID}}
    assert corr.handle("MESSAGE_CREATE", other, T0) == set()
    assert corr.handle("MESSAGE_CREATE", human, T0) == set()
    assert job.grid is None


def test_queued_job_later_started_without_nonce_is_found_by_interaction_id() -> None:
    prompt = "queued twin"
    corr, jobs = setup([prompt] * 2)
    for i, job in enumerate(jobs):
        corr.handle("INTERACTION_SUCCESS", {"id": f"77{i}", "nonce": job.nonce}, T0)
        corr.handle(
            "MESSAGE_CREATE",
            msg(
                sid(1 + i),
                "",
                nonce=job.nonce,
                interaction_metadata={"id": f"77{i}"},
                embeds=[{"title": "Job queued", "description": "later"}],
            ),
            T0,
        )
    # The second job starts first; its "(Waiting to start)" has no nonce, only interaction metadata.
    late = msg(sid(5), f"**{prompt}** - <@{UID}> (Waiting to start)", interaction_metadata={"id": "771"})
    corr.handle("MESSAGE_CREATE", late, T0)
    assert jobs[1].progress_message_id == late["id"] and jobs[0].progress_message_id is None
    assert corr.match_keys["start:interaction_id"] == 1


def test_polled_first_replies_out_of_order_are_settled_by_interaction_id() -> None:
    prompt = "racing twins"
    corr, jobs = setup([prompt] * 3)
    digests = hashes(3)
    # Replies appear in the order 2, 0, 1 but interaction ids follow submission order 100 < 200 < 300.
    for iid, digest in (("300", digests[2]), ("100", digests[0]), ("200", digests[1])):
        mid = sid(1)
        corr.handle(
            "MESSAGE_CREATE",
            msg(mid, f"**{prompt}** - <@{UID}> (Waiting to start)", interaction_metadata={"id": iid}),
            T0,
        )
        corr.handle("MESSAGE_UPDATE", progress(mid, prompt, 15, digest), T0)
    assert [j.interaction_id for j in jobs] == ["100", "200", "300"]
    assert [j.job_hash for j in jobs] == digests
    owners = {corr.owner[j.progress_message_id or ""][0] for j in jobs}
    assert owners == {"job01", "job02", "job03"}


def test_other_users_jobs_of_the_same_prompt_are_never_taken() -> None:
    corr, (job,) = setup(["shared channel prompt"])
    corr.user_id = UID
    theirs = grid(sid(5), "shared channel prompt", hashes(1)[0])
    theirs["content"] = theirs["content"].replace(UID, "222222222222222222")
    assert corr.handle("MESSAGE_CREATE", theirs, T0) == set()
    also_theirs = {
        **grid(sid(6), "shared channel prompt", hashes(2)[1]),
        "interaction_metadata": {"id": "5", "user": {"id": "222222222222222222"}},
    }
    assert corr.handle("MESSAGE_CREATE", also_theirs, T0) == set()
    assert job.grid is None and corr.foreign_ignored == 2
    corr.handle("MESSAGE_CREATE", grid(sid(7), "shared channel prompt", hashes(3)[2]), T0)
    assert job.grid is not None


def test_error_notice_without_nonce_is_matched_by_its_footer_prompt() -> None:
    corr, (ok, banned) = setup(["a calm lake", "something forbidden"])
    notice = msg(
        sid(1),
        "",
        embeds=[
            {"title": "Banned prompt detected", "description": "no", "footer": {"text": "/imagine something forbidden"}}
        ],
    )
    corr.handle("MESSAGE_CREATE", notice, T0)
    assert banned.failure_kind == "banned_prompt" and ok.failure is None


def test_prompt_match_prefers_the_job_whose_own_parameters_were_echoed() -> None:
    # Polling (no nonce): the instant "Invalid parameter" reply for `a calm lake --use_raw 1` can
    # arrive while the plain `a calm lake` job still waits for its first reply. Stripping settings
    # suffixes makes both prompts equal; the job whose own parameters were echoed must win.
    corr, (plain, raw) = setup(["a calm lake", "a calm lake --use_raw 1"])
    notice = msg(
        sid(1),
        "",
        embeds=[
            {
                "title": "Invalid parameter",
                "description": "Unrecognized parameter(s): `use_raw`",
                "footer": {"text": "/imagine a calm lake --use_raw 1"},
            }
        ],
    )
    corr.handle("MESSAGE_CREATE", notice, T0)
    assert raw.failure_kind == "invalid_parameter" and plain.failure is None
    waiting = msg(sid(2), f"**a calm lake --v 6.1** - <@{UID}> (Waiting to start)")
    corr.handle("MESSAGE_CREATE", waiting, T0)
    assert plain.progress_message_id == waiting["id"]

"""Pure logic of the emulator, no network: prompt normalisation, scheduler, completion order,
rate limiter, history paging, snowflakes and images."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from workbook.sandbox.discord._images import grid_png, progress_webp, upscale_png
from workbook.sandbox.discord._prompt import check_prompt, find_marker, image_size, normalise, short_link
from workbook.sandbox.discord._ratelimit import RateLimiter
from workbook.sandbox.discord._scheduler import Admission, CompletionOrder, JobScheduler
from workbook.sandbox.discord._snowflake import SnowflakeGenerator, snowflake_epoch_s
from workbook.sandbox.discord._store import ChannelStore, HistoryQueryError


def test_normalise_rewrites_em_dash_whitespace_and_appends_suffix() -> None:
    assert normalise("a  red\tapple —ar 3:2", "--v 6.1") == "a red apple --ar 3:2 --v 6.1"


def test_normalise_does_not_append_a_parameter_already_given() -> None:
    assert normalise("cat --v 5.2", "--v 6.1 --style raw") == "cat --v 5.2 --raw"


def test_normalise_rewrites_image_urls_to_short_links() -> None:
    url = "https://example.com/ref.png"
    echoed = normalise(f"{url} a cat --cref https://example.com/c.png", "")
    assert echoed == f"<{short_link(url)}> a cat --cref {short_link('https://example.com/c.png')}"
    assert short_link(url).startswith("https://s.mj.run/") and len(short_link(url)) == len("https://s.mj.run/") + 11


def test_check_prompt_rejects_unknown_parameters_and_bad_values() -> None:
    assert check_prompt("cat --use_raw").problem == "Unrecognized parameter(s): `use_raw`"
    assert check_prompt("cat --ar wide").problem is not None
    assert check_prompt("cat --v 9").problem is not None
    good = check_prompt("cat --ar 16:9 --relax", "--v 6.1")
    assert good.problem is None and good.mode == "relaxed"


def test_markers_and_image_sizes() -> None:
    assert find_marker("a MJTEST:Banned cat") == "banned_prompt"
    assert find_marker("a cat") is None
    assert image_size({}) == (1024, 1024)
    width, height = image_size({"ar": "16:9"})
    assert width > height and abs(width * height - 1024 * 1024) < 0.05 * 1024 * 1024


def test_scheduler_runs_three_queues_ten_and_refuses_the_rest() -> None:
    scheduler = JobScheduler(concurrency=3, queue_size=10)
    admissions = [scheduler.submit(f"j{i}") for i in range(14)]
    assert admissions[:3] == [Admission.RUNNING] * 3
    assert admissions[3:13] == [Admission.QUEUED] * 10
    assert admissions[13] is Admission.FULL
    assert scheduler.release("j1") == ["j3"]
    assert scheduler.release("j3") == ["j4"]
    assert scheduler.running == {"j0", "j2", "j4"}


def test_completion_order_holds_earlier_identical_jobs() -> None:
    order = CompletionOrder()
    for job in ("a", "b", "c"):
        order.register(job, "same prompt")
    order.register("x", "other prompt")
    assert not order.may_post("a", "same prompt")
    assert order.may_post("c", "same prompt") and order.may_post("x", "other prompt")
    order.mark_done("c")
    assert order.may_post("b", "same prompt") and not order.may_post("a", "same prompt")
    order.mark_done("b")
    assert order.may_post("a", "same prompt")


def test_rate_limiter_counts_per_bucket_and_resource() -> None:
    now = [100.0]
    limiter = RateLimiter(time_scale=1.0, clock=lambda: now[0], wall=lambda: 1_700_000_000.0)
    route = "GET /channels/{channel_id}/messages"
    decisions = [limiter.check(route, "c1") for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[4].remaining == 0
    refused = decisions[5]
    assert refused.headers()["Retry-After"] == "5" and refused.body()["retry_after"] == 5.0
    assert refused.headers()["X-RateLimit-Scope"] == "user" and "X-RateLimit-Global" not in refused.headers()
    assert limiter.check(route, "c2").allowed  # another channel is another bucket instance
    now[0] += 5.0
    assert limiter.check(route, "c1").allowed


def test_rate_limiter_time_scale_shrinks_windows_and_global_limit_applies() -> None:
    now = [0.0]
    limiter = RateLimiter(time_scale=100.0, clock=lambda: now[0], wall=lambda: 0.0)
    for i in range(50):
        assert limiter.check(f"GET /r{i}", "").allowed
    refused = limiter.check("GET /another", "")
    assert not refused.allowed and refused.is_global and refused.headers()["X-RateLimit-Global"] == "true"
    assert refused.retry_after_s == pytest.approx(0.01)


def _message(message_id: int, flags: int = 0) -> dict[str, object]:
    return {"id": str(message_id), "flags": flags, "content": str(message_id)}


def test_history_paging_matches_discord_semantics() -> None:
    store = ChannelStore()
    for message_id in range(10, 20):
        store.put(_message(message_id))
    store.put(_message(99, flags=64))  # ephemeral: never in history
    assert [m["id"] for m in store.history(limit=3)] == ["19", "18", "17"]
    assert [m["id"] for m in store.history(limit=3, before="15")] == ["14", "13", "12"]
    assert [m["id"] for m in store.history(limit=3, after="15")] == ["18", "17", "16"]
    assert [m["id"] for m in store.history(limit=4, around="15")] == ["16", "15", "14", "13"]
    assert store.get("99") is not None and len(store) == 10
    with pytest.raises(HistoryQueryError):
        store.history(limit=101)
    with pytest.raises(HistoryQueryError):
        store.history(before="15", after="12")


def test_snowflakes_increase_and_encode_time() -> None:
    generator = SnowflakeGenerator(clock=lambda: 1_700_000_000.0)
    first, second = generator.next(), generator.next()
    assert second > first
    assert snowflake_epoch_s(first) == pytest.approx(1_700_000_000.0)
    assert generator.past(1_600_000_000.0) < first


def test_upscale_is_pixel_identical_to_its_grid_quadrant() -> None:
    grid = Image.open(io.BytesIO(grid_png("0f8fad5b-d9cb-469f-a165-70867728950e", 256, 192)))
    assert grid.size == (512, 384) and grid.format == "PNG"
    upscale = Image.open(io.BytesIO(upscale_png("0f8fad5b-d9cb-469f-a165-70867728950e", 4, 256, 192)))
    assert upscale.size == (256, 192)
    assert grid.crop((256, 192, 512, 384)).tobytes() == upscale.tobytes()
    assert grid.crop((0, 0, 256, 192)).tobytes() != upscale.tobytes()
    preview = Image.open(io.BytesIO(progress_webp("0f8fad5b-d9cb-469f-a165-70867728950e", 31)))
    assert preview.format == "WEBP" and preview.size == (512, 512)


def test_count_valued_switches_are_used_up_one_occurrence_at_a_time() -> None:
    from workbook.sandbox.discord import faults

    switches = faults(
        {"rate_limit_storm": {"count": 2, "retry_after": 3}, "server_error_burst": 2, "out_of_order": True}
    )
    switches.count_down("rate_limit_storm")
    assert switches.value("rate_limit_storm") == {"count": 1, "retry_after": 3}
    switches.count_down("rate_limit_storm")
    switches.count_down("server_error_burst")
    switches.count_down("out_of_order")
    assert switches.snapshot()["faults"] == {"server_error_burst": 1}

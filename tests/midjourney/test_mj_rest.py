"""REST client against httpx.MockTransport: auth header, retries, rate limits, stale versions."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from workbook import UsageError
from workbook.midjourney import DiscordConfigError
from workbook.midjourney._errors import (
    CommandNotFoundError,
    DiscordAuthError,
    InvalidRequestBudgetError,
    RetriesExhaustedError,
    StaleCommandVersionError,
)
from workbook.midjourney._ratelimit import RateLimiter, route_key
from workbook.midjourney._rest import DiscordRest

from ._profiles import profile

API = "https://discord.test/api/v10"
TOKEN = "canary-user-token-1234567890"
TOKEN_ENV = "MJ_REST_TEST_TOKEN"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def _token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)


def client(handler: Handler, sleep: Any, *, bot: bool = False, **kwargs: Any) -> DiscordRest:
    user = profile(API, secret_env=TOKEN_ENV, bot=bot)
    return DiscordRest(user, transport=httpx.MockTransport(handler), sleep=sleep, **kwargs)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_user_token_sent_raw_and_me_validates(load: Callable[[str], Any], fake_sleep: Any) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "42", "username": "alex"})

    async def go() -> dict[str, Any]:
        rest = client(handler, fake_sleep)
        try:
            return await rest.me()
        finally:
            await rest.aclose()

    assert run(go())["id"] == "42"
    assert seen[0].url == httpx.URL(f"{API}/users/@me")
    assert seen[0].headers["authorization"] == TOKEN  # no "Bot "/"Bearer " prefix for user tokens


def test_bad_token_is_one_clear_error_and_never_resent(load: Callable[[str], Any], fake_sleep: Any) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json=load("error_401.json"))

    async def go() -> None:
        rest = client(handler, fake_sleep)
        try:
            with pytest.raises(DiscordAuthError, match="401"):
                await rest.me()
            with pytest.raises(DiscordAuthError, match="already rejected"):
                await rest.command_index("1")
        finally:
            await rest.aclose()

    run(go())
    assert calls == 1
    assert TOKEN not in repr(client(lambda r: httpx.Response(200), fake_sleep))


def test_a_bot_profile_sends_its_token_with_the_bot_scheme_and_reads_one_message(fake_sleep: Any) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "7", "content": "x"})

    async def go() -> dict[str, Any]:
        rest = client(handler, fake_sleep, bot=True)
        try:
            return await rest.message("5", "7")
        finally:
            await rest.aclose()

    assert run(go())["id"] == "7"
    assert seen[0].url == httpx.URL(f"{API}/channels/5/messages/7")
    assert seen[0].headers["authorization"] == f"Bot {TOKEN}"


def test_a_profile_without_an_http_url_or_authorization_header_is_refused_by_name() -> None:
    with pytest.raises(DiscordConfigError, match="url of service profile 'discord'"):
        DiscordRest(profile("redis://127.0.0.1:6379", secret_env=TOKEN_ENV))
    from workbook.connect import Auth, ServiceProfile
    from workbook.midjourney import open_dialect

    keyed = ServiceProfile(name="keyed", url=API, auth=Auth(kind="bearer", secret_env=TOKEN_ENV))
    with pytest.raises(DiscordConfigError, match=r"'keyed'.*Authorization"):
        open_dialect("", keyed, None)
    with pytest.raises(DiscordConfigError, match="discord_bot_service"):
        open_dialect("bot-reader", profile(API, secret_env=TOKEN_ENV), None)
    with pytest.raises(UsageError, match="known dialects: bot-reader, user-token"):
        open_dialect("selfbot", profile(API, secret_env=TOKEN_ENV), None)


def test_429_waits_retry_after_then_succeeds(load: Callable[[str], Any], fake_sleep: Any) -> None:
    answers = [httpx.Response(429, json=load("error_429.json"), headers={"X-RateLimit-Scope": "user"})]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0) if answers else httpx.Response(204)

    async def go() -> DiscordRest:
        rest = client(handler, fake_sleep)
        await rest.interact({"type": 2})
        await rest.aclose()
        return rest

    rest = run(go())
    assert rest.calls["POST /interactions"] == 2
    assert fake_sleep.calls and fake_sleep.calls[0] >= 2.06
    assert rest.limiter.rate_limited_total == 1 and rest.limiter.invalid_total == 1


def test_5xx_retried_with_bounded_backoff(fake_sleep: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    async def go() -> DiscordRest:
        rest = client(handler, fake_sleep, max_retries=3)
        with pytest.raises(RetriesExhaustedError, match="HTTP 502 after 4 attempt"):
            await rest.me()
        await rest.aclose()
        return rest

    rest = run(go())
    assert rest.total_calls == 4
    assert len(fake_sleep.calls) == 3 and fake_sleep.calls[0] < fake_sleep.calls[-1]


def test_post_not_resent_after_read_timeout_but_connect_errors_are(fake_sleep: Any) -> None:
    attempts: list[str] = []

    def timeout_handler(request: httpx.Request) -> httpx.Response:
        attempts.append("read")
        raise httpx.ReadTimeout("slow", request=request)

    def connect_handler(request: httpx.Request) -> httpx.Response:
        attempts.append("connect")
        if attempts.count("connect") < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(204)

    async def go() -> None:
        rest = client(timeout_handler, fake_sleep)
        with pytest.raises(RetriesExhaustedError, match="ReadTimeout"):
            await rest.interact({"type": 2})
        await rest.aclose()
        rest = client(connect_handler, fake_sleep)
        await rest.interact({"type": 2})
        await rest.aclose()

    run(go())
    assert attempts == ["read", "connect", "connect", "connect"]


def test_stale_command_version_is_a_clear_error_not_a_retry(load: Callable[[str], Any], fake_sleep: Any) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(400, json=load("error_stale_version.json"))

    async def go() -> None:
        rest = client(handler, fake_sleep)
        with pytest.raises(StaleCommandVersionError, match="outdated"):
            await rest.interact({"type": 2})
        await rest.aclose()

    run(go())
    assert calls == 1 and fake_sleep.calls == []


def test_find_command_from_index(load: Callable[[str], Any], fake_sleep: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v10/guilds/123/application-command-index"
        return httpx.Response(200, json=load("command_index.json"))

    async def go() -> None:
        rest = client(handler, fake_sleep)
        command = await rest.find_command("123", "936929561302675456", "imagine")
        assert (command.id, command.version) == ("938956540159881230", "1237876415471554623")
        with pytest.raises(CommandNotFoundError, match=r"/describe .*\['imagine', 'info'\]"):
            await rest.find_command("123", "936929561302675456", "describe")
        await rest.aclose()

    run(go())


def test_download_never_sends_the_token(fake_sleep: Any) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"png-bytes")

    async def go() -> bytes:
        rest = client(handler, fake_sleep)
        data = await rest.download("https://cdn.discordapp.com/attachments/1/2/x.png?ex=1")
        await rest.aclose()
        return data

    assert run(go()) == b"png-bytes"
    assert "authorization" not in seen[0].headers


def test_channel_messages_query(fake_sleep: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert dict(request.url.params) == {"limit": "100", "after": "555"}
        return httpx.Response(200, json=[{"id": "556"}])

    async def go() -> list[dict[str, Any]]:
        rest = client(handler, fake_sleep)
        messages = await rest.channel_messages("77", after=555)
        await rest.aclose()
        return messages

    assert run(go()) == [{"id": "556"}]


# --- rate limiter (no I/O) ---


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_route_keys_keep_major_parameter_only() -> None:
    assert route_key("get", "/channels/111/messages/222") == "GET /channels/111/messages/{id}"
    assert route_key("GET", "/guilds/9/application-command-index") == "GET /guilds/9/application-command-index"
    assert route_key("POST", "/interactions") == "POST /interactions"


def test_bucket_exhaustion_waits_until_reset() -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    headers = {
        "x-ratelimit-bucket": "b1",
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset-after": "1.5",
    }
    assert limiter.delay_for("GET", "/channels/1/messages") == 0
    limiter.observe("GET", "/channels/1/messages", 200, headers, None)
    assert limiter.delay_for("GET", "/channels/1/messages") == pytest.approx(1.5)
    # Another channel is another bucket instance (major parameter).
    assert limiter.delay_for("GET", "/channels/2/messages") == 0
    clock.now += 2
    assert limiter.delay_for("GET", "/channels/1/messages") == 0


def test_global_429_blocks_every_route(load: Callable[[str], Any]) -> None:
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    wait = limiter.observe("POST", "/interactions", 429, {"x-ratelimit-global": "true"}, load("error_429_global.json"))
    assert wait == 1.5
    assert limiter.delay_for("GET", "/users/@me") == pytest.approx(1.5)


def test_invalid_request_budget_stops_and_shared_429s_do_not_count(load: Callable[[str], Any]) -> None:
    clock = Clock()
    limiter = RateLimiter(invalid_budget=3, clock=clock)
    for _ in range(5):
        limiter.observe("POST", "/interactions", 429, {"x-ratelimit-scope": "shared"}, load("error_429.json"))
    assert limiter.invalid_in_window() == 0
    limiter.observe("GET", "/users/@me", 401, {}, {})
    limiter.observe("GET", "/users/@me", 403, {}, {})
    with pytest.raises(InvalidRequestBudgetError, match="budget of 3"):
        limiter.observe("POST", "/interactions", 429, {}, json.loads('{"retry_after": 1}'))
    clock.now += 601
    assert limiter.invalid_in_window() == 0

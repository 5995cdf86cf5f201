"""Discord REST over httpx: the calls the Midjourney flow needs, with rate limits and bounded retries.

The connection (base URL, the credential, TLS, timeouts) comes from a service profile
(`workbook.connect`): a user token sent raw in `Authorization`, a bot's as `Bot <token>` (the
profile's prefix). Route templates come from the dialect's options; the transport is injectable
(`httpx.MockTransport` in unit tests). The credential is only ever sent to the API base URL;
attachment downloads use a separate client of the same profile without it.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..connect import ServiceProfile
from ._dialect import Routes
from ._errors import (
    CommandNotFoundError,
    DiscordAuthError,
    DiscordConfigError,
    DiscordForbiddenError,
    DiscordHTTPError,
    RetriesExhaustedError,
    StaleCommandVersionError,
)
from ._parse import snowflake_at
from ._ratelimit import RateLimiter, route_key

MIDJOURNEY_APPLICATION_ID = "936929561302675456"
USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
STALE_VERSION_CODE = "INTERACTION_APPLICATION_COMMAND_INVALID_VERSION"

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    """An application command as the command index lists it."""

    id: str
    version: str
    name: str
    application_id: str
    raw: Mapping[str, Any]


def new_nonce() -> str:
    """A unique snowflake-shaped nonce (Discord epoch ms << 22 | random bits), as the web client sends."""
    return str(snowflake_at(time.time()) | secrets.randbits(22))


def check_base_url(name: str, url: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.netloc:
        raise DiscordConfigError(f"{name} must be an absolute {'/'.join(schemes)} URL, got {url!r}")
    return url.rstrip("/")


class DiscordRest:
    """Async Discord REST client for one identity (a service profile). Counts every call per route."""

    def __init__(
        self,
        profile: ServiceProfile,
        *,
        routes: Routes | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: RateLimiter | None = None,
        max_retries: int = 4,
        max_rate_limit_retries: int = 8,
        max_retry_after_s: float = 60.0,
        backoff_base_s: float = 0.25,
        backoff_cap_s: float = 8.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.api_url = check_base_url(f"url of service profile {profile.name!r}", profile.base_url, ("http", "https"))
        self.profile = profile
        self.routes = routes or Routes()
        self.limiter = limiter or RateLimiter()
        self.max_retries = max_retries
        # 429s are waited out as Discord asks, so they get their own (larger) bound than 5xx retries;
        # the invalid-request budget caps them across the whole run.
        self.max_rate_limit_retries = max_rate_limit_retries
        self.max_retry_after_s = max_retry_after_s
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self._sleep = sleep
        self.calls: Counter[str] = Counter()
        self.downloads = 0
        self.retries = 0
        self.status_counts: Counter[int] = Counter()
        agent = {"User-Agent": USER_AGENT}
        self._api = profile.async_http_client(transport=transport, headers=agent)
        self._cdn = profile.without_auth().async_http_client(
            transport=transport, base_url="", headers=agent, follow_redirects=True
        )
        self._auth_failed = False

    def __repr__(self) -> str:
        return f"DiscordRest({self.api_url!r}, {self.profile.credential})"

    @property
    def identity(self) -> str:
        """Which credential this client sends, for messages: profile, how, from which variable."""
        auth = self.profile.auth
        scheme = f', sent as "{auth.prefix}<token>"' if auth is not None and auth.prefix else ""
        return f"service profile {self.profile.name!r} ({self.profile.credential}{scheme})"

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._cdn.aclose()

    # -- core --

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> httpx.Response:
        """Send one API request with rate-limit waits and bounded retries; return the OK response."""
        if self._auth_failed:
            raise DiscordAuthError(
                method, path, 401, {}, f"{self.identity} was already rejected (401); not sending more requests"
            )
        route = route_key(method, path)
        idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE")
        attempt = 0
        limited = 0
        while True:
            delay = self.limiter.delay_for(method, path)
            if delay > 0:
                await self._sleep(delay)
            self.calls[route] += 1
            try:
                response = await self._api.request(method, path, json=json, params=params)
            except httpx.TransportError as error:
                # A POST that may have reached Discord is not resent: it could start a second paid job.
                unsent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
                if attempt >= self.max_retries or not (idempotent or unsent):
                    raise RetriesExhaustedError(
                        f"{method} {path}: {type(error).__name__} after {attempt + 1} attempt(s)"
                    ) from error
                await self._backoff(attempt)
                attempt += 1
                continue
            self.status_counts[response.status_code] += 1
            body = _body(response)
            retry_after = self.limiter.observe(method, path, response.status_code, response.headers, body)
            status = response.status_code
            if status in ok:
                return response
            if status == 429:
                if limited >= self.max_rate_limit_retries or retry_after > self.max_retry_after_s:
                    raise RetriesExhaustedError(
                        f"{method} {path}: still rate limited after {limited + 1} answer(s) 429 "
                        f"(retry_after {retry_after:.3f} s)"
                    )
                self.retries += 1
                limited += 1
                await self._sleep(retry_after + random.uniform(0, 0.05))
                continue
            if status >= 500:
                if attempt >= self.max_retries:
                    raise RetriesExhaustedError(f"{method} {path}: HTTP {status} after {attempt + 1} attempt(s)")
                await self._backoff(attempt)
                attempt += 1
                continue
            raise self._error(method, path, status, body)

    async def _backoff(self, attempt: int) -> None:
        self.retries += 1
        delay = min(self.backoff_cap_s, self.backoff_base_s * 2**attempt)
        await self._sleep(delay * random.uniform(0.8, 1.2))

    def _error(self, method: str, path: str, status: int, body: Any) -> DiscordHTTPError:
        if status == 401:
            self._auth_failed = True
            return DiscordAuthError(
                method, path, status, body, f"{self.identity} was rejected (401 Unauthorized): {body}"
            )
        if status == 403:
            return DiscordForbiddenError(method, path, status, body)
        if status == 400 and STALE_VERSION_CODE in str(body):
            return StaleCommandVersionError(
                method,
                path,
                status,
                body,
                "the /imagine command version is outdated (INTERACTION_APPLICATION_COMMAND_INVALID_VERSION); "
                "re-read the application-command index later — not retrying",
            )
        return DiscordHTTPError(method, path, status, body)

    # -- endpoints --

    async def me(self) -> dict[str, Any]:
        """GET /users/@me: validates the token and returns the user."""
        return dict((await self.request("GET", self.routes.me)).json())

    async def gateway_url(self) -> str:
        """GET /gateway: the URL clients should connect the Gateway to."""
        return str((await self.request("GET", self.routes.gateway)).json()["url"])

    async def command_index(self, guild_id: str) -> dict[str, Any]:
        path = self.routes.command_index.format(guild_id=guild_id)
        return dict((await self.request("GET", path)).json())

    async def find_command(self, guild_id: str, application_id: str, name: str = "imagine") -> Command:
        index = await self.command_index(guild_id)
        for command in index.get("application_commands") or []:
            if str(command.get("application_id")) == application_id and command.get("name") == name:
                return Command(
                    id=str(command["id"]),
                    version=str(command["version"]),
                    name=name,
                    application_id=application_id,
                    raw=command,
                )
        names = sorted(
            {
                str(c.get("name"))
                for c in index.get("application_commands") or []
                if str(c.get("application_id")) == application_id
            }
        )
        raise CommandNotFoundError(
            f"command /{name} of application {application_id} is not in guild {guild_id}'s command index "
            f"(that application has: {names or 'no commands — is the bot in this guild?'})"
        )

    async def interact(self, payload: Mapping[str, Any]) -> None:
        """POST /interactions; Discord answers 204 when it accepted the interaction (not the job)."""
        await self.request("POST", self.routes.interactions, json=dict(payload), ok=(204,))

    async def channel_messages(
        self, channel_id: str, *, after: str | int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        params: dict[str, str | int] = {"limit": limit}
        if after is not None:
            params["after"] = str(after)
        response = await self.request("GET", self.routes.messages.format(channel_id=channel_id), params=params)
        return list(response.json())

    async def message(self, channel_id: str, message_id: str) -> dict[str, Any]:
        """One message by id (bots only: Discord answers a user token 403 20002)."""
        path = self.routes.message.format(channel_id=channel_id, message_id=message_id)
        return dict((await self.request("GET", path)).json())

    async def download(self, url: str) -> bytes:
        """Fetch an attachment (CDN URL) without the token; bounded retries on 5xx/transport errors."""
        check_base_url("attachment url", url, ("http", "https"))
        for attempt in range(self.max_retries + 1):
            self.downloads += 1
            try:
                response = await self._cdn.get(url)
            except httpx.TransportError as error:
                if attempt >= self.max_retries:
                    raise RetriesExhaustedError(f"download {url}: {type(error).__name__}") from error
                await self._backoff(attempt)
                continue
            if response.status_code == 200:
                return response.content
            if response.status_code < 500 and response.status_code != 429:
                raise DiscordHTTPError("GET", url, response.status_code, _body(response))
            if attempt >= self.max_retries:
                break
            await self._backoff(attempt)
        raise RetriesExhaustedError(f"download {url}: failed after {self.max_retries + 1} attempts")


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text[:500]

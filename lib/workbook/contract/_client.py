"""One HTTP exchange as evidence, and the client that makes them (httpx; a transport seam for tests).

A request error (timeout, reset, refused) is an `Exchange` too, with `status=None` and the error
named, so every caller judges answers and failures the same way. `reached` is the one rule for an
exchange that shows the workbook never got to the operation (refused connection, credentials
refused, no such route): the check then ends `error` with that reason, never `fail`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin

import httpx

from .. import connect
from ..checks import CouldNotCheck, ErrorReason

BODY_SHOWN = 160
# Request errors that mean no connection was made (a read timeout after connecting is an answer
# withheld: evidence the soak and the case rows judge).
CONNECT_ERRORS = ("ConnectError", "ConnectTimeout")


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed_s: float = 0.0
    error: str = ""
    client_addr: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def response(self) -> httpx.Response:
        """The exchange as an httpx response (for `workbook.connect.check_access`)."""
        return httpx.Response(
            self.status or 0, headers=self.headers, content=self.body, request=httpx.Request(self.method, self.url)
        )

    def brief(self) -> str:
        """`415 {"detail": ...}` or `ReadTimeout after 2.0 s`: what came back, short."""
        if self.status is None:
            return self.error
        text = self.body[:BODY_SHOWN].decode("utf-8", "replace").replace("\n", " ")
        more = "…" if len(self.body) > BODY_SHOWN else ""
        return f"{self.status} {text}{more}".strip()


def exchange(client: httpx.Client, method: str, url: str, **kwargs: Any) -> Exchange:
    """Send one request; never raises for HTTP or network errors."""
    started = time.perf_counter()
    address = ""
    try:
        response = client.send(client.build_request(method, url, **kwargs), stream=True)
        try:
            address = _client_addr(response)  # before the body is read: a closing connection forgets it
            response.read()
        finally:
            response.close()
    except httpx.TimeoutException as error:
        elapsed = time.perf_counter() - started
        return Exchange(method, url, None, elapsed_s=elapsed, error=f"{type(error).__name__} after {elapsed:.2f} s")
    except httpx.HTTPError as error:
        elapsed = time.perf_counter() - started
        return Exchange(method, url, None, elapsed_s=elapsed, error=f"{type(error).__name__}: {error}"[:200])
    elapsed = time.perf_counter() - started
    return Exchange(
        method,
        url,
        response.status_code,
        {key.lower(): value for key, value in response.headers.items()},
        response.content,
        elapsed,
        client_addr=address,
    )


def reached(
    answer: Exchange,
    *,
    profile: connect.ServiceProfile | None,
    route_param: str = "",
    dialect: str = "",
    answers_about_ids: bool = False,
    allow: tuple[int, ...] = (),
) -> Exchange:
    """`answer`, unless it shows the request never reached the operation.

    A refused connection -> `CouldNotCheck(unreachable)`; 401/403 -> `auth` and 404/405 -> `dialect`
    (`connect.check_access`, naming the credential or METHOD PATH and `route_param`). On a route
    that takes an id (`answers_about_ids`), a 404 with a JSON body is the platform saying "no such
    job": an answer, which the caller judges. `allow` lists further statuses that are answers.
    """
    if answer.status is None:
        if answer.error.startswith(CONNECT_ERRORS):
            raise CouldNotCheck(
                ErrorReason.UNREACHABLE,
                f"could not reach {answer.method} {answer.url}: {answer.error}",
                evidence={"request": f"{answer.method} {answer.url}", "error": answer.error},
            )
        return answer
    if answers_about_ids and isinstance(answer.json(), dict):
        allow = (*allow, 404)
    connect.check_access(answer.response(), profile=profile, route_param=route_param, dialect=dialect, allow=allow)
    return answer


def _client_addr(response: httpx.Response) -> str:
    """The local address of the connection that carried the response (tells reused from fresh)."""
    stream = response.extensions.get("network_stream")
    try:
        address = stream.get_extra_info("client_addr") if stream is not None else None
    except Exception:  # a transport without socket info (tests)
        address = None
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else ""


class StudioClient:
    """HTTP to one studio, connected as its service profile says (base URL, credentials, headers,
    TLS, timeouts): paths are joined to the base URL, every call returns an `Exchange`.

    `raw_target` sends a request line exactly as given (e.g. a literal `..` segment, which httpx
    would otherwise remove before sending), through httpcore's `target` extension.
    """

    def __init__(self, profile: connect.ServiceProfile, *, transport: httpx.BaseTransport | None = None) -> None:
        self.profile = profile
        self.base_url = profile.base_url.rstrip("/")
        self.timeout_s = profile.read_timeout_s
        self.transport = transport
        self.http = self.new_http()

    def new_http(self, **kwargs: Any) -> httpx.Client:
        """A client from the same profile (and transport), e.g. for a soak series with its own limits."""
        client: httpx.Client = self.profile.http_client(transport=self.transport, follow_redirects=False, **kwargs)
        return client

    def absolute(self, url: str) -> str:
        """A path or a URL from a response body (often relative, e.g. /api/download/1/x) made absolute."""
        return urljoin(self.base_url + "/", url)

    def send(self, method: str, path_or_url: str, **kwargs: Any) -> Exchange:
        return exchange(self.http, method, self.absolute(path_or_url), **kwargs)

    def fetch(self, url: str, **kwargs: Any) -> Exchange:
        return self.send("GET", url, **kwargs)

    def raw_target(self, method: str, target: str) -> Exchange:
        """`METHOD target` with the target sent byte for byte; the Exchange names the target as sent."""
        answer = exchange(self.http, method, self.base_url + "/", extensions={"target": target.encode()})
        return replace(answer, url=self.base_url + target)

    def close(self) -> None:
        self.http.close()

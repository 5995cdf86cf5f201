"""A service's connection profile: where it is, how to authenticate, how patient to be.

The params file's `services:` section holds one profile per named service; the secret itself is
never in it — `secret_env` / `username_env` name the environment variables that hold it, read at
the moment a client is built (so the values are known to the scrubber of that process).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..credentials import read_secret, remember_secret
from ..errors import UsageError
from ..notebook import describe_validation_error

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HTTP_SCHEMES = ("http", "https", "redis", "rediss")
_WS_SCHEMES = ("ws", "wss")


def variable_name(value: str) -> str:
    """`value` if it names an environment variable; never echoed otherwise (it may be the secret pasted in)."""
    if value and not _ENV_NAME.fullmatch(value):
        raise ValueError("must name an environment variable (letters, digits, _); the value is not shown")
    return value


AuthKind = Literal["header", "query", "bearer", "basic", "aws", "password"]


class Auth(BaseModel):
    """How a service wants its credentials: the secret is named by variable, never given.

    * `header`: `name: <header>` (e.g. X-API-Key; `Authorization` with `prefix: "Bot "` for a Discord bot)
    * `query`: `name: <parameter>` (e.g. api_key), added to every request's query string
    * `bearer`: `Authorization: Bearer <secret>`
    * `basic`: `username_env` and `secret_env`
    * `aws`: SigV4 by the SDK: `username_env` holds the access key id, `secret_env` the secret key
    * `password`: a bare password (Redis AUTH); `username_env` optional (Redis ACL user)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AuthKind
    secret_env: str
    name: str = ""
    prefix: str = ""
    username_env: str = ""

    @field_validator("secret_env", "username_env")
    @classmethod
    def _variable_name(cls, value: str) -> str:
        return variable_name(value)

    @model_validator(mode="after")
    def _complete(self) -> Auth:
        if self.kind in ("header", "query") and not self.name:
            raise ValueError(f"auth kind {self.kind!r} needs `name` (the header or query parameter to send)")
        if self.kind in ("basic", "aws") and not self.username_env:
            raise ValueError(f"auth kind {self.kind!r} needs `username_env` (the variable holding the user / key id)")
        if not self.secret_env:
            raise ValueError("auth needs `secret_env` (the variable holding the secret)")
        return self

    @property
    def sent_as(self) -> str:
        """How the credential travels, for messages (never the value)."""
        where = {
            "header": f"header {self.name}",
            "query": f"query parameter {self.name}",
            "bearer": "Authorization: Bearer",
            "basic": "HTTP basic auth",
            "aws": "AWS SigV4",
            "password": "password",
        }[self.kind]
        return f"{where} from ${self.secret_env}"

    def secret(self) -> str:
        return str(read_secret(self.secret_env, purpose=f"credential sent as {self.sent_as}"))

    def username(self) -> str:
        return str(read_secret(self.username_env, purpose="user name / access key id"))


class ServiceProfile(BaseModel):
    """One named service: base URL(s), auth, extra headers, TLS, timeouts, health paths, dialect."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    url: str = ""
    # The base URL read from an environment variable instead (e.g. REDIS_URL with the password inside
    # it, as the platform itself is configured); the value is a secret, scrubbed like one.
    url_env: str = ""
    ws_url: str = ""
    # Further named base URLs of the same service (a CDN, a second deployment's admin, ...).
    urls: dict[str, str] = Field(default_factory=dict)
    auth: Auth | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    verify_tls: bool = True
    ca_bundle: str = ""
    connect_timeout_s: float = Field(default=5.0, gt=0, le=600)
    read_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    # Send the credential on the WebSocket handshake too. False where the protocol carries it in its
    # first frame instead (Discord's Gateway IDENTIFY): a token there would go where nobody asked for it.
    ws_auth: bool = True
    # Health endpoints notebook 00 probes: paths relative to `url` (or `ws_url` for ws paths), or absolute URLs.
    health: list[str] = Field(default_factory=list)
    # The dialect the service speaks, for capabilities that know several; "" = the capability's default.
    dialect: str = ""
    region: str = ""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _checked_url(value, _HTTP_SCHEMES)

    @field_validator("ws_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        return _checked_url(value, _WS_SCHEMES)

    @field_validator("url_env")
    @classmethod
    def _url_variable(cls, value: str) -> str:
        return variable_name(value)

    @model_validator(mode="after")
    def _one_url_source(self) -> ServiceProfile:
        if self.url and self.url_env:
            raise ValueError("give `url` or `url_env`, not both")
        return self

    @property
    def base_url(self) -> str:
        """The HTTP (or redis://) base URL: `url`, or the value of the variable `url_env` names."""
        if self.url_env:
            value = str(read_secret(self.url_env, purpose=f"base URL of service {self.name!r}"))
            password = urlsplit(value).password
            if password:
                remember_secret(password)  # the password part alone is scrubbed too
            return value
        return self.url

    @field_validator("headers")
    @classmethod
    def _no_credentials_in_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for header in value:
            if header.lower() in ("authorization", "x-api-key", "cookie", "proxy-authorization"):
                raise ValueError(f"header {header!r} carries a credential: put it in `auth` with a secret_env")
        return value

    def http_url(self, path: str = "") -> str:
        """`path` on the HTTP base URL (an absolute URL is returned as it is)."""
        return _join(self.base_url, path, "url", self.name)

    def ws_target(self, path: str = "") -> str:
        """`path` on the WebSocket base URL, with query-parameter auth applied."""
        from ._clients import ws_target

        return ws_target(self, path)

    def auth_headers(self) -> dict[str, str]:
        from ._clients import auth_headers

        return auth_headers(self)

    def http_client(self, **overrides: Any) -> Any:
        """An `httpx.Client` with base URL, auth, headers, TLS and timeouts of this profile."""
        from ._clients import http_client

        return http_client(self, **overrides)

    def async_http_client(self, **overrides: Any) -> Any:
        from ._clients import async_http_client

        return async_http_client(self, **overrides)

    def ws_connect_kwargs(self, url: str = "") -> dict[str, Any]:
        """Keyword arguments for `websockets.asyncio.client.connect(url, **kwargs)`."""
        from ._clients import ws_connect_kwargs

        return ws_connect_kwargs(self, url or self.ws_url)

    def without_auth(self) -> ServiceProfile:
        """The same profile sending no credentials (for checks that must see the platform refuse)."""
        return self.model_copy(update={"auth": None})

    def with_url(self, url: str) -> ServiceProfile:
        return self.model_copy(update={"url": _checked_url(url, _HTTP_SCHEMES)})

    @property
    def credential(self) -> str:
        """What credential this profile sends, for messages: `header X-API-Key from $VAR`, or `none`."""
        return self.auth.sent_as if self.auth else "no credentials"

    def secret_env_names(self) -> set[str]:
        """The variables holding this profile's secrets (for the scrubber)."""
        names = {self.auth.secret_env, self.auth.username_env} if self.auth else set()
        return {name for name in (*names, self.url_env) if name}


def _checked_url(value: str, schemes: tuple[str, ...]) -> str:
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise ValueError(f"expected an absolute URL with scheme {' or '.join(schemes)}")
    if parts.password:
        raise ValueError("has a password in it: use `url_env` (a variable holding the URL) or `auth` instead")
    return value


def _join(base: str, path: str, field: str, service: str) -> str:
    if "://" in path:
        return path
    if not base:
        raise UsageError(f"service profile {service!r} has no {field!r}; the params file's services: section sets it")
    return base.rstrip("/") + "/" + path.lstrip("/") if path else base


def service_profiles(section: Mapping[str, Any] | None) -> dict[str, ServiceProfile]:
    """Every profile of a `services:` section, validated (UsageError listing every problem)."""
    profiles: dict[str, ServiceProfile] = {}
    problems: list[str] = []
    for name, entry in dict(section or {}).items():
        if isinstance(entry, ServiceProfile):
            profiles[name] = entry
            continue
        if not isinstance(entry, Mapping):
            problems.append(f"services.{name}: expected a mapping (url, ws_url, auth, ...), got {entry!r}")
            continue
        try:
            profiles[name] = ServiceProfile.model_validate({**dict(entry), "name": name})
        except ValidationError as error:
            problems.append(describe_validation_error(f"services.{name}", error))
    if problems:
        raise UsageError("\n".join(problems))
    return profiles


def profile(services: Mapping[str, Any] | None, name: str) -> ServiceProfile:
    """The profile called `name` in a notebook's `services` parameter (UsageError naming the known ones)."""
    known = dict(services or {})
    if name not in known:
        listed = ", ".join(sorted(known)) or "none: the params file has no services: section for this notebook"
        raise UsageError(f"no service profile {name!r}; profiles given: {listed}")
    return service_profiles({name: known[name]})[name]

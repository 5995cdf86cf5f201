"""Secrets: read from the environment by name, remembered so evidence can be scrubbed of them.

Parameters never carry secrets; they carry the *name* of an environment variable
(`discord_token_env: DISCORD_TOKEN`). Code in `lib/` calls `read_secret(name)`.
"""

from __future__ import annotations

import itertools
import os
import re

from ..errors import SecretMissingError

# Values shorter than this are not scrubbed: they would match innocent text everywhere.
MIN_SECRET_LENGTH = 6

_seen_values: set[str] = set()

# The one rule for "this name holds a secret", for params keys and environment variable names alike.
_SECRET_WORDS = frozenset({"token", "secret", "password", "passwd", "credential", "credentials", "apikey"})
_SECRET_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key"), ("auth", "key"), ("signing", "key")})


def looks_secret(name: str) -> bool:
    """True if `name` (a params key or an environment variable) looks like it holds a secret.

    `discord_token`, `AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, `openai_api_key` do; a name ending in
    `_env` names the variable that holds the secret (`discord_token_env`) and does not; counters such
    as `max_tokens` do not.
    """
    words = [word for word in re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()) if word]
    if not words or words[-1] == "env":
        return False
    return any(word in _SECRET_WORDS for word in words) or any(
        pair in _SECRET_PAIRS for pair in itertools.pairwise(words)
    )


def read_secret(env_name: str, *, purpose: str = "", required: bool = True) -> str | None:
    """Return the value of environment variable `env_name`; raise SecretMissingError if unset."""
    value = os.environ.get(env_name)
    if not value:
        if required:
            raise SecretMissingError(env_name, purpose)
        return None
    if len(value) >= MIN_SECRET_LENGTH:
        _seen_values.add(value)
    return value


def remember_secret(value: str) -> None:
    """Scrub `value` from this process's output too (a part of a secret read some other way, such as
    the password inside a URL read with `read_secret`)."""
    if len(value) >= MIN_SECRET_LENGTH:
        _seen_values.add(value)


def seen_secrets() -> frozenset[str]:
    """Every secret value `read_secret` has handed out in this process (for scrubbing output)."""
    return frozenset(_seen_values)


def env_names_in(value: object) -> set[str]:
    """Every variable name a `*_env` key holds, anywhere in a parameter value (nested dicts and lists
    included: a services: profile names its secrets as `auth.secret_env`, `auth.username_env`, `url_env`)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key.endswith("_env") and isinstance(item, str) and item:
                names.add(item)
            else:
                names |= env_names_in(item)
    elif isinstance(value, list):
        for item in value:
            names |= env_names_in(item)
    return names


def secret_values_in_env(env_names: list[str] | set[str]) -> set[str]:
    """The values of the named variables that are set and long enough to scrub."""
    return {value for name in env_names if len(value := os.environ.get(name, "")) >= MIN_SECRET_LENGTH}


def redact(text: str, secrets: set[str] | frozenset[str], mask: str = "***REDACTED***") -> str:
    """Replace every occurrence of each secret in `text`; longest first so overlaps redact fully."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, mask)
    return text

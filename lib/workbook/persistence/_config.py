"""Reading `GET /api/mv/config/debug`: what it claims about serving, what secrets it leaks.

The seed never shows a config/debug response, so nothing here assumes one spelling: keys are
matched case- and separator-insensitively at any depth (`serve_from_cloud`, `SERVE_FROM_CLOUD`,
`serveFromCloud`, `settings.SERVE_FROM_CLOUD`), and the key that was read is named. What the
endpoint claims is only a claim: the checks decide serving from what the GET returns (`_serving`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..credentials import MIN_SECRET_LENGTH, looks_secret, redact
from ._api import DebugConfig

TRUE_WORDS = frozenset({"true", "1", "yes", "on", "enabled"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", "disabled"})
SERVING_KEY = "servefromcloud"
HIDDEN = "(hidden)"
# A shown value counts as masked when a run of mask characters hides all but this many characters
# (the AWS console shows the last 4 of an access key), or when it is a placeholder word.
MASK_RUN = re.compile(r"[*•●#]{3,}")
MAX_SHOWN_OF_MASKED = 4
PLACEHOLDERS = frozenset({"", "redacted", "hidden", "masked", "none", "null", "unset", "not set", "configured"})


@dataclass(frozen=True)
class ConfigClaim:
    """What config/debug says about serving from cloud; `serves_from_cloud` None = unknown."""

    key: str | None
    serves_from_cloud: bool | None
    why: str

    def describe(self) -> str:
        if self.serves_from_cloud is None:
            return self.why
        return f"config/debug key {self.key!r} says {self.serves_from_cloud}"


def walk(value: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted path, key, value) of every entry of nested dicts and lists, parents first."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key), item
            yield from walk(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _depth(path: str) -> int:
    return path.count(".") + path.count("[")


def _normal(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def config_claim(
    body: Mapping[str, Any] | None, problem: str = "", *, keys: tuple[str, ...] = (SERVING_KEY,)
) -> ConfigClaim:
    """The serve-from-cloud claim of a config/debug body (None body: unreadable, says `problem`).

    `keys` are the dialect's claim keys, the effective one first (mvp-1: `cloud_serving_enabled`,
    then `SERVE_FROM_CLOUD`); the first of them present is read."""
    if body is None:
        return ConfigClaim(None, None, problem or "config/debug is unreadable")
    for wanted in (_normal(key) for key in keys):
        found = sorted(
            ((path, value) for path, key, value in walk(body) if _normal(key) == wanted),
            key=lambda item: _depth(item[0]),
        )
        if found:
            return _claim_of(found)
    names = ", ".join(keys)
    return ConfigClaim(None, None, f"config/debug has no serve-from-cloud key (such as {names})")


def _claim_of(found: list[tuple[str, Any]]) -> ConfigClaim:
    for path, value in found:
        if _as_bool(value) is None:
            return ConfigClaim(path, None, f"config/debug key {path!r} holds {str(value)[:40]!r}, not a boolean")
    readings = {_as_bool(value) for _, value in found}
    if len(readings) > 1:
        keys = ", ".join(repr(path) for path, _ in found)
        return ConfigClaim(None, None, f"config/debug keys {keys} disagree about serving from cloud")
    path, value = found[0]
    return ConfigClaim(path, _as_bool(value), "")


def _shown_secret(value: object) -> str:
    """The text a secret-looking key shows: a string, or the `value` of a {"value": ...} wrapper
    (Spring Boot's actuator shape); "" when nothing is shown."""
    if isinstance(value, Mapping):
        value = value.get("value", "")
    return value.strip() if isinstance(value, str) else ""


def is_masked(text: str) -> bool:
    if text.strip("<>[]() ").lower() in PLACEHOLDERS:
        return True
    return bool(MASK_RUN.search(text)) and len(MASK_RUN.sub("", text)) <= MAX_SHOWN_OF_MASKED


def secret_problems(config: DebugConfig, known: Mapping[str, str]) -> list[str]:
    """Secrets config/debug exposes: a secret-looking key with a shown value, or any `known`
    secret value (label -> value) anywhere in the body. Values are never repeated."""
    problems = []
    entries = list(walk(config.body)) if config.body is not None else []
    for path, key, value in entries:
        shown = _shown_secret(value) if looks_secret(key) else ""
        if shown and not is_masked(shown):
            problems.append(
                f"config/debug exposes a value under {path!r} "
                f"(a secret-looking key; {len(shown)} characters, not shown)"
            )
    for label, secret in known.items():
        if len(secret) < MIN_SECRET_LENGTH or secret not in config.text:
            continue
        where = next((path for path, _, value in entries if isinstance(value, str) and secret in value), None)
        problems.append(f"config/debug contains {label}" + (f" at {where!r}" if where else " in its body"))
    return problems


def redacted_config(body: Any, secrets: set[str]) -> Any:
    """`body` safe to show: secret-looking keys' values hidden, known secret values masked."""
    if isinstance(body, Mapping):
        return {
            key: HIDDEN if looks_secret(str(key)) and _shown_secret(item) else redacted_config(item, secrets)
            for key, item in body.items()
        }
    if isinstance(body, list):
        return [redacted_config(item, secrets) for item in body]
    return redact(body, secrets) if isinstance(body, str) else body

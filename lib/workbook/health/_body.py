"""Reading a health body: what the service says about itself, in its own words.

A 200 with `"status": "degraded"` is a degraded service, not a healthy one. `read_health` finds the
status word of the body and of its nested components (`components`, `checks`, `details`,
`dependencies`: IETF health+json, Spring Boot actuator, the movie platform's brain...) and maps each
through a word map — a parameter, since platforms choose their own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "warn", "fail", "unknown"]

# Lower-cased status words and what they mean. IETF health+json: pass | warn | fail; Spring: UP |
# DOWN | OUT_OF_SERVICE; common: healthy | degraded | unhealthy, ok, ready | not_ready.
DEFAULT_WORDS: dict[str, Verdict] = {
    "pass": "pass",
    "ok": "pass",
    "up": "pass",
    "healthy": "pass",
    "ready": "pass",
    "green": "pass",
    "running": "pass",
    "alive": "pass",
    "warn": "warn",
    "warning": "warn",
    "degraded": "warn",
    "yellow": "warn",
    "partial": "warn",
    "fail": "fail",
    "failed": "fail",
    "down": "fail",
    "unhealthy": "fail",
    "not_ready": "fail",
    "notready": "fail",
    "out_of_service": "fail",
    "red": "fail",
    "error": "fail",
    "critical": "fail",
}

_STATUS_KEYS = ("status", "state", "health")
_COMPONENT_KEYS = ("components", "checks", "details", "dependencies", "services")
_RANK: dict[Verdict, int] = {"unknown": 0, "pass": 1, "warn": 2, "fail": 3}


@dataclass(frozen=True)
class HealthReading:
    """The body's verdict, the words that gave it (`status=degraded; jina.status=unhealthy`), and the
    components the body blames (those whose own verdict is warn or fail)."""

    verdict: Verdict
    words: str
    blamed: tuple[str, ...] = ()
    component_verdicts: dict[str, Verdict] = field(default_factory=dict)


def read_health(body: Any, words: Mapping[str, str] | None = None) -> HealthReading:
    """Read a parsed health body (dict); `words` adds to or overrides `DEFAULT_WORDS` (word -> pass|warn|fail)."""
    table: dict[str, str] = {**DEFAULT_WORDS, **{key.lower(): value for key, value in dict(words or {}).items()}}
    if not isinstance(body, Mapping):
        return HealthReading("unknown", "the body is not a JSON object")
    top_word = _status_word(body)
    found: list[str] = [f"status={top_word}"] if top_word is not None else []
    top = _verdict(top_word, table)
    components: dict[str, Verdict] = {}
    for path, word in _component_words(body):
        components[path] = _verdict(word, table)
        if components[path] in ("warn", "fail"):
            found.append(f"{path}={word}")
    worst = max([top, *components.values()], key=_RANK.__getitem__)
    blamed = tuple(path.removesuffix(".status") for path, verdict in components.items() if verdict in ("warn", "fail"))
    if not found:
        return HealthReading("unknown", "the body names no status", blamed, components)
    return HealthReading(worst, "; ".join(found), blamed, components)


def _status_word(body: Mapping[str, Any]) -> str | None:
    for key in _STATUS_KEYS:
        value = body.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "pass" if value else "fail"
    return None


def _component_words(body: Mapping[str, Any], prefix: str = "", depth: int = 0) -> list[tuple[str, str]]:
    """(component path, status word) for every nested component, depth-first, at most 3 levels down."""
    if depth >= 3:
        return []
    found: list[tuple[str, str]] = []
    for key in _COMPONENT_KEYS:
        nested = body.get(key)
        items: list[tuple[str, Any]] = []
        if isinstance(nested, Mapping):
            items = list(nested.items())
        elif isinstance(nested, list):
            items = [
                (str(item.get("name", index)), item) for index, item in enumerate(nested) if isinstance(item, Mapping)
            ]
        for name, value in items:
            path = f"{prefix}{name}"
            if isinstance(value, Mapping):
                word = _status_word(value)
                if word is not None:
                    found.append((path, word))
                found += _component_words(value, f"{path}.", depth + 1)
            elif isinstance(value, str):
                found.append((path, value))
            elif isinstance(value, list):  # IETF health+json: "checks": {"db:responseTime": [{...}, ...]}
                for index, entry in enumerate(value):
                    word = _status_word(entry) if isinstance(entry, Mapping) else None
                    if word is not None:
                        found.append((f"{path}[{index}]", word))
    return found


def _verdict(word: str | None, table: Mapping[str, str]) -> Verdict:
    if word is None:
        return "unknown"
    mapped = table.get(word.strip().lower())
    return mapped if mapped in ("pass", "warn", "fail") else "unknown"  # type: ignore[return-value]

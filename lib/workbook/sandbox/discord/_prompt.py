"""Prompt handling the way Midjourney does it: normalisation of the echoed prompt, parameter
validation, and the test markers that make the emulated bot answer with an error embed.

Pure functions; no I/O. What Midjourney echoes between `**...**` is not what was sent (reference
notes §3.3): em-dash parameter prefixes become `--`, whitespace runs collapse, image URLs become
`<https://s.mj.run/XXXXXXXXXXX>` short links, and the account's settings suffix is appended.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from dataclasses import dataclass, field

# Prompt markers (documented in the package docstring) -> error kind.
MARKERS: dict[str, str] = {
    "mjtest:banned": "banned_prompt",
    "mjtest:credits": "credits_exhausted",
    "mjtest:action_needed": "action_needed",
    "mjtest:invalid_link": "invalid_link",
    "mjtest:invalid_param": "invalid_parameter",
    "mjtest:pending_mod": "pending_mod",
    "mjtest:moderated": "moderated",
    "mjtest:failed": "failed",
    "mjtest:captcha": "captcha",
    "mjtest:slow_down": "slow_down",
    "mjtest:decline": "decline",
    "mjtest:output_filter": "output_filter",
    "mjtest:unknown_notice": "unknown_notice",
}

# Parameters Midjourney accepts (v5-v7 era); aliases included. Anything else -> "Invalid parameter".
KNOWN_PARAMETERS = frozenset(
    {
        "ar",
        "aspect",
        "c",
        "chaos",
        "cref",
        "cw",
        "draft",
        "exp",
        "fast",
        "iw",
        "niji",
        "no",
        "oref",
        "ow",
        "p",
        "personalize",
        "profile",
        "q",
        "quality",
        "r",
        "raw",
        "relax",
        "repeat",
        "s",
        "seed",
        "sameseed",
        "sref",
        "stealth",
        "public",
        "stop",
        "style",
        "stylize",
        "sv",
        "sw",
        "tile",
        "turbo",
        "v",
        "version",
        "video",
        "w",
        "weird",
        "hd",
        "test",
        "testp",
        "uplight",
        "upbeta",
        "upanime",
        "motion",
        "loop",
        "end",
        "bs",
    }
)
URL_VALUED_PARAMETERS = frozenset({"cref", "sref", "oref"})
VALID_VERSIONS = frozenset({"1", "2", "3", "4", "5", "5.0", "5.1", "5.2", "6", "6.0", "6.1", "7", "7.0"})

_URL = re.compile(r"<?(https?://[^\s<>]+)>?")
_EM_DASH_PARAM = re.compile(r"(^|\s)[—–](?=[A-Za-z])")
_WHITESPACE = re.compile(r"\s+")
_RATIO = re.compile(r"^(\d+):(\d+)$")


def short_link(url: str) -> str:
    """Deterministic 11-character s.mj.run link for a URL (Midjourney's shortener, emulated)."""
    digest = hashlib.sha256(url.encode()).digest()
    return "https://s.mj.run/" + base64.urlsafe_b64encode(digest).decode()[:11]


def find_marker(prompt: str) -> str | None:
    lowered = prompt.lower()
    for marker, kind in MARKERS.items():
        if marker in lowered:
            return kind
    return None


def split_parameters(prompt: str) -> tuple[str, list[tuple[str, str]]]:
    """`text --ar 3:2 --v 6` -> ("text", [("ar", "3:2"), ("v", "6")])."""
    parts = re.split(r"(?:^|\s)--(?=[A-Za-z])", prompt)
    text = parts[0].strip()
    parameters: list[tuple[str, str]] = []
    for chunk in parts[1:]:
        name, _, value = chunk.strip().partition(" ")
        parameters.append((name.lower(), value.strip()))
    return text, parameters


def _rewrite_urls(text: str) -> str:
    return _URL.sub(lambda match: f"<{short_link(match.group(1))}>", text)


def normalise(prompt: str, suffix: str = "") -> str:
    """The prompt as the bot echoes it inside `**...**`.

    As the live v7 bot does: `--v 7` is echoed `--v 7.0`, `--style raw` becomes a trailing `--raw`,
    `--sref` URLs become `<https://s.mj.run/...>` links (`--cref`/`--oref` plain links), and the
    account suffix's parameters are appended unless the prompt sets them."""
    collapsed = _WHITESPACE.sub(" ", _EM_DASH_PARAM.sub(r"\1--", prompt)).strip()
    text, parameters = split_parameters(collapsed)
    pieces = [_rewrite_urls(text)] if text else []
    present = {name for name, _ in parameters}
    _, suffix_parameters = split_parameters(_WHITESPACE.sub(" ", suffix).strip())
    wanted = parameters + [
        (name, value)
        for name, value in suffix_parameters
        if name not in present and not (name == "v" and "niji" in present)
    ]
    raw = False
    for name, value in wanted:
        if name == "style" and value.lower() == "raw":
            raw = True
            continue
        if name == "raw":
            raw = True
            continue
        pieces.append(f"--{name} {_echoed_value(name, value)}".rstrip())
    if raw:
        pieces.append("--raw")
    return " ".join(pieces)


def _echoed_value(name: str, value: str) -> str:
    if name in URL_VALUED_PARAMETERS:
        bracket = "<{}>" if name == "sref" else "{}"
        return " ".join(_URL.sub(lambda m: bracket.format(short_link(m.group(1))), v) for v in value.split())
    if name in ("v", "version") and value in ("6", "7"):
        return value + ".0"  # v6 and v7 echo their version with the minor number
    return value


@dataclass(frozen=True)
class PromptCheck:
    """Result of validating a prompt's parameters as Midjourney would."""

    echoed: str
    parameters: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # description for an "Invalid parameter" embed
    mode: str | None = None  # "fast" | "relaxed" | "turbo" when the prompt forces one


def check_prompt(prompt: str, suffix: str = "") -> PromptCheck:
    echoed = normalise(prompt, suffix)
    text, parameters = split_parameters(echoed)
    values = dict(parameters)
    unknown = [name for name, _ in parameters if name not in KNOWN_PARAMETERS]
    mode = next(
        (m for flag, m in (("relax", "relaxed"), ("fast", "fast"), ("turbo", "turbo")) if flag in values),
        None,
    )
    problem: str | None = None
    if unknown:
        problem = "Unrecognized parameter(s): " + ", ".join(f"`{name}`" for name in unknown)
    elif not text and not parameters:
        problem = "Empty prompt"
    else:
        ratio = values.get("ar", values.get("aspect"))
        if ratio is not None and not _valid_ratio(ratio):
            problem = f"Invalid aspect ratio: `{ratio}`"
        version = values.get("v", values.get("version"))
        if version is not None and version not in VALID_VERSIONS:
            problem = f"Invalid value for parameter `--v`: `{version}`"
    return PromptCheck(echoed=echoed, parameters=values, problem=problem, mode=mode)


def _valid_ratio(value: str) -> bool:
    match = _RATIO.match(value)
    return match is not None and int(match.group(1)) > 0 and int(match.group(2)) > 0


def image_size(parameters: dict[str, str], base: int = 1024) -> tuple[int, int]:
    """Size of one upscaled image (the grid is 2x2 of it): ~base² pixels at the prompt's --ar."""
    ratio = parameters.get("ar", parameters.get("aspect", "1:1"))
    match = _RATIO.match(ratio) if ratio else None
    w, h = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
    aspect = max(0.25, min(4.0, w / h))
    width = round(base * math.sqrt(aspect) / 16) * 16
    height = round(base / math.sqrt(aspect) / 16) * 16
    return width, height


def filename_slug(username: str, echoed: str, job_hash: str, limit: int = 48) -> str:
    """`<user>_<prompt words joined by _, truncated>_<uuid>.png` as in real attachment names."""
    text, _ = split_parameters(echoed)
    words = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:limit]
    return f"{username}_{words}_{job_hash}.png"

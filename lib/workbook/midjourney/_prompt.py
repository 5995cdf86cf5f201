"""Prompts as a canonical parameter set, so a prompt matches Midjourney's rewrite of it.

What Midjourney echoes between `**...**` is not what was sent (reference notes §3.3 and the live v7
captures): `--v 7` comes back as `--v 7.0`, `--style raw` as a trailing `--raw`, URLs as
`<https://s.mj.run/...>` links (image prompts may move behind the parameters), whitespace collapses,
an em-dash before a parameter becomes `--`, and the account's settings append parameters
(`--v 6.1`, `--sref <url> <url>`, ...). Parameters can hold several words (`--no background
scenery, drop shadow`) or several values (`--sref URL URL`). So a prompt is parsed into its text,
its number of image prompts and a set of (name, value) pairs with aliases and number formats
folded; a sent prompt matches an echo when text and images agree and every parameter it sent is
echoed with the same value (or was one Midjourney drops: a default value, a mode flag). Pure
functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_URL = re.compile(r"<?https?://[^\s<>]+>?")
_EM_DASH_PARAM = re.compile(r"(^|\s)[—–](?=[A-Za-z])")
_PARAM_START = re.compile(r"(?:^|\s)--(?=[A-Za-z])")
_WHOLE_ZERO = re.compile(r"^(\d+)\.0+$")

# Long names and their short forms (Midjourney accepts both and echoes what it was given).
ALIASES = {
    "aspect": "ar",
    "version": "v",
    "chaos": "c",
    "stylize": "s",
    "quality": "q",
    "weird": "w",
    "repeat": "r",
    "personalize": "p",
    "profile": "p",
}
# Parameters whose values are URLs (or codes) of references rather than image prompts.
URL_VALUED = frozenset({"sref", "cref", "oref", "end"})
# Values Midjourney may leave out of the echo because they are the default.
DEFAULTS = {"s": "100", "c": "0", "q": "1", "w": "0", "iw": "1"}
# Mode flags: they show as the "(fast)"/"(relaxed)"/"(turbo)" status rather than in the prompt.
MODE_FLAGS = frozenset({"fast", "relax", "turbo"})
# Flags whose bare form equals `--flag 1`.
ONE_FLAGS = frozenset({"video"})


@dataclass(frozen=True)
class CanonicalPrompt:
    text: str  # casefolded, whitespace-collapsed, without URLs
    images: int  # image prompts (URLs outside reference parameters)
    params: tuple[tuple[str, str], ...]  # sorted (name, canonical value)

    @property
    def key(self) -> str:
        """Equal for prompts Midjourney would treat alike (used to group identical jobs)."""
        return f"{self.text}|{self.images}|" + " ".join(f"--{name} {value}".rstrip() for name, value in self.params)


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _value(name: str, raw: str) -> tuple[str, int]:
    """A parameter's canonical value, and the image prompts found inside it (moved image chunks)."""
    tokens = raw.split()
    images = 0
    kept: list[str] = []
    for token in tokens:
        if _URL.fullmatch(token):
            if name in URL_VALUED:
                kept.append("<url>")
            else:
                images += 1
            continue
        kept.append(token)
    value = _words(" ".join(kept))
    if name == "no":
        value = ", ".join(sorted(part.strip() for part in value.split(",") if part.strip()))
    elif name in ONE_FLAGS and value == "":
        value = "1"
    elif whole := _WHOLE_ZERO.match(value):
        value = whole.group(1)  # 7.0 == 7
    return value, images


def canonical_prompt(prompt: str) -> CanonicalPrompt:
    text = _EM_DASH_PARAM.sub(r"\1--", prompt)
    chunks = _PARAM_START.split(text)
    images = len(_URL.findall(chunks[0]))
    body = _words(_URL.sub(" ", chunks[0]))
    params: dict[str, str] = {}
    for chunk in chunks[1:]:
        name, _, raw = chunk.strip().partition(" ")
        name = ALIASES.get(name.lower(), name.lower())
        value, moved = _value(name, raw)
        images += moved
        if name == "style" and value == "raw":
            name, value = "raw", ""  # Midjourney echoes `--style raw` as a trailing `--raw`
        params[name] = value
    return CanonicalPrompt(body, images, tuple(sorted(params.items())))


def prompt_match(sent: CanonicalPrompt, echoed: CanonicalPrompt) -> int | None:
    """None when `echoed` cannot be Midjourney's echo of `sent`; otherwise how many of the sent
    parameters the echo carries (the most specific sent prompt wins among several matches)."""
    if sent.text != echoed.text or sent.images != echoed.images:
        return None
    echoed_params = dict(echoed.params)
    carried = 0
    for name, value in sent.params:
        if name in echoed_params:
            if echoed_params[name] != value:
                return None
            carried += 1
        elif name not in MODE_FLAGS and DEFAULTS.get(name) != value:
            return None
    return carried

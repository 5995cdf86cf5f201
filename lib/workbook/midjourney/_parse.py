"""Reading what the Midjourney bot posts: prompt, progress, mode, job hash, buttons, error embeds.

Pure functions on Discord message dicts (the gateway/REST JSON shape), so they are tested
against recorded-shape fixtures without any network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

DISCORD_EPOCH_MS = 1420070400000

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_PROMPT = re.compile(r"\*\*(.*)\*\*", re.DOTALL)
_PERCENT = re.compile(r"\((\d{1,3})%\)")
_MODE = re.compile(r"\((fast|relaxed|relax|turbo)(?:,\s*stealth)?\)", re.IGNORECASE)
_IMAGE_N = re.compile(r"Image #(\d)")
_JOB_LINK = re.compile(
    r"midjourney\.com/jobs/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.IGNORECASE
)
_RELATIVE_TIME = re.compile(r"<t:(\d+)(?::[tTdDfFR])?>")
# The action phrase between ` - ` and the mention says what made a result (reference notes §3.2).
_PHRASES = (
    ("Image #", "upscale"),
    ("Upscaled", "upscaled"),
    ("Upscaling", "upscaling"),
    ("Variations", "variation"),
    ("Remix", "remix"),
    ("Zoom Out", "zoom"),
    ("Pan ", "pan"),
    ("Making variations", "variation_ack"),
)


# --- snowflakes -------------------------------------------------------------------------------


def snowflake_time(snowflake: str | int) -> datetime:
    """UTC creation time encoded in a Discord snowflake."""
    ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def snowflake_at(when: datetime | float, *, worker: int = 0) -> int:
    """Smallest snowflake for a moment (wall-clock seconds or datetime); `worker` fills low bits."""
    seconds = when.timestamp() if isinstance(when, datetime) else when
    ms = int(seconds * 1000) - DISCORD_EPOCH_MS
    return (max(ms, 0) << 22) | (worker & 0x3FFFFF)


# --- content ----------------------------------------------------------------------------------


def echoed_prompt(content: str) -> str | None:
    """The prompt as Midjourney echoes it: between the first and last `**` of the first line."""
    match = _PROMPT.search(content.split("\n", 1)[0])
    return match.group(1) if match else None


def footer_prompt(message: dict[str, Any]) -> str | None:
    """The prompt a notice embed names in its footer (`/imagine <prompt>`), if any."""
    for embed in message.get("embeds") or []:
        text = str((embed.get("footer") or {}).get("text") or "")
        if text.startswith("/imagine "):
            return text[len("/imagine ") :]
    return None


def message_action(content: str) -> str:
    """What made a bot message, from its first line: "imagine" (also reroll and blend: no phrase),
    "upscale" (`Image #N`), "upscaled" (legacy and v7 `Upscaled ... by`), "upscaling" (its
    progress), "variation", "remix", "zoom", "pan", "upscale_ack" (`Upscaling image #N with`),
    "variation_ack", "other" for an unknown phrase and "none" without an echoed prompt."""
    line = content.split("\n", 1)[0]
    if line.count("**") < 2:
        return "none"
    head = line.split("**", 1)[0].strip()
    if head.startswith("Upscaling image #"):
        return "upscale_ack"
    if head.startswith("Making variations"):
        return "variation_ack"
    phrase = line.rsplit("**", 1)[1].split("<@", 1)[0].strip().removeprefix("-").strip()
    if not phrase:
        return "imagine"
    return next((action for prefix, action in _PHRASES if phrase.startswith(prefix)), "other")


@dataclass(frozen=True)
class Progress:
    percent: int | None  # None: not started ("Waiting to start") or finished
    waiting: bool
    stopped: bool
    paused: bool
    mode: str | None


def parse_progress(content: str) -> Progress:
    tail = content.split("**")[-1] if "**" in content else content
    percent = _PERCENT.search(tail)
    mode = _MODE.search(tail)
    mode_name = mode.group(1).lower() if mode else None
    if mode_name == "relax":
        mode_name = "relaxed"
    return Progress(
        percent=int(percent.group(1)) if percent else None,
        waiting="(Waiting to start)" in tail,
        stopped="(Stopped)" in tail,
        paused="(paused)" in tail,
        mode=mode_name,
    )


def upscale_index_in(content: str) -> int | None:
    """N from `**p** - Image #N <@uid>`; None for other messages (legacy `Upscaled by` results do
    not say which image they are, and `Upscaling image #N with` is only the acknowledgement)."""
    if message_action(content) != "upscale":
        return None
    match = _IMAGE_N.search(content.split("\n", 1)[0].rsplit("**", 1)[-1])
    return int(match.group(1)) if match else None


# --- attachments, buttons, hash ---------------------------------------------------------------


def iter_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    buttons: list[dict[str, Any]] = []
    for row in message.get("components") or []:
        buttons.extend(c for c in row.get("components") or [] if c.get("type") == 2)
    return buttons


def button_custom_id(message: dict[str, Any], action: str, index: int) -> str | None:
    """custom_id of a grid button (`action` is 'upsample', 'variation' or 'reroll'), read from the message."""
    for button in iter_buttons(message):
        custom_id = str(button.get("custom_id") or "")
        parts = custom_id.split("::")
        is_action = len(parts) >= 5 and parts[:2] == ["MJ", "JOB"] and parts[2] == action
        if is_action and (action == "reroll" or parts[3] == str(index)):
            return custom_id
    return None


def hash_from_url(url: str) -> str | None:
    """Job uuid from an attachment URL, read from the path (signed CDN query strings ignored)."""
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    found = _UUID.findall(name) or _UUID.findall(path)
    return found[-1].lower() if found else None


def job_hash(message: dict[str, Any]) -> str | None:
    """Job uuid from the buttons' custom_ids, else the first attachment, else the job link in the
    content or a link button (`midjourney.com/jobs/<uuid>`), else a Cancel Job button."""
    buttons = iter_buttons(message)
    for button in buttons:
        parts = str(button.get("custom_id") or "").split("::")
        if len(parts) >= 5 and parts[:2] == ["MJ", "JOB"] and _UUID.fullmatch(parts[4]):
            return parts[4].lower()
    for attachment in message.get("attachments") or []:
        for key in ("url", "filename"):
            if attachment.get(key) and (found := hash_from_url(str(attachment[key]))):
                return found
    links = [str(message.get("content") or "")] + [str(button.get("url") or "") for button in buttons]
    for text in links:
        if link := _JOB_LINK.search(text):
            return link.group(1).lower()
    for button in buttons:
        parts = str(button.get("custom_id") or "").split("::")
        if parts[:3] == ["MJ", "CancelJob", "ByJobid"] and _UUID.fullmatch(parts[-1]):
            return parts[-1].lower()
    return None


def is_grid(message: dict[str, Any]) -> bool:
    """A finished imagine grid: has an image and the U buttons."""
    return bool(message.get("attachments")) and button_custom_id(message, "upsample", 1) is not None


def interaction_id_of(message: dict[str, Any]) -> str | None:
    for key in ("interaction_metadata", "interaction"):
        block = message.get(key)
        if isinstance(block, dict) and block.get("id"):
            return str(block["id"])
    return None


def interaction_type_of(message: dict[str, Any]) -> int | None:
    """2 for a slash command (/imagine), 3 for a button; None when the message does not say."""
    for key in ("interaction_metadata", "interaction"):
        block = message.get(key)
        if isinstance(block, dict) and block.get("type") is not None:
            return int(block["type"])
    return None


def reference_id_of(message: dict[str, Any]) -> str | None:
    reference = message.get("message_reference")
    if isinstance(reference, dict) and reference.get("message_id"):
        return str(reference["message_id"])
    referenced = message.get("referenced_message")
    if isinstance(referenced, dict) and referenced.get("id"):
        return str(referenced["id"])
    return None


# --- error embeds -----------------------------------------------------------------------------


class Notice(StrEnum):
    """What an embed (or error-ish content) from the bot means for the job."""

    INVALID_PARAMETER = "invalid_parameter"
    BANNED_PROMPT = "banned_prompt"
    QUEUE_FULL = "queue_full"
    JOB_QUEUED = "job_queued"  # not terminal: the job starts later
    CREDITS_EXHAUSTED = "credits_exhausted"
    ACTION_NEEDED = "action_needed"
    ACCOUNT_BLOCKED = "account_blocked"
    SLOW_DOWN = "slow_down"  # not terminal for a button press: retry at the time it names
    DECLINED = "declined"  # "Sorry, something went wrong" with a `decline-...` moderation code
    OUTPUT_FILTERED = "output_filtered"
    FAILED = "failed"
    UNKNOWN = "unknown"  # an embed title we do not know: recorded, never ignored silently


_TITLES: dict[str, Notice] = {
    "invalid parameter": Notice.INVALID_PARAMETER,
    "invalid prompt": Notice.INVALID_PARAMETER,
    "invalid link": Notice.INVALID_PARAMETER,
    "empty prompt": Notice.INVALID_PARAMETER,
    "banned prompt": Notice.BANNED_PROMPT,
    "banned prompt detected": Notice.BANNED_PROMPT,
    "banned image prompt": Notice.BANNED_PROMPT,
    "request cancelled due to output filters": Notice.OUTPUT_FILTERED,
    "queue full": Notice.QUEUE_FULL,
    "job queued": Notice.JOB_QUEUED,
    "credits exhausted": Notice.CREDITS_EXHAUSTED,
    "action needed to continue": Notice.ACTION_NEEDED,
    "action required to continue": Notice.ACTION_NEEDED,
    "pending mod message": Notice.ACTION_NEEDED,
    "please complete the task": Notice.ACTION_NEEDED,
    "tos not accepted": Notice.ACTION_NEEDED,
    "subscription required": Notice.ACCOUNT_BLOCKED,
    "plan cancelled": Notice.ACCOUNT_BLOCKED,
    "subscription paused": Notice.ACCOUNT_BLOCKED,
    "blocked": Notice.ACCOUNT_BLOCKED,
    "job action restricted": Notice.ACCOUNT_BLOCKED,
    "slow down!": Notice.SLOW_DOWN,
    "invalid request": Notice.FAILED,
    "sorry, something went wrong": Notice.FAILED,
    "duplicate images detected": Notice.FAILED,
}
_ERROR_COLORS = {16711680, 15548997}


_NOT_TERMINAL = frozenset({Notice.JOB_QUEUED, Notice.SLOW_DOWN, Notice.UNKNOWN})


@dataclass(frozen=True)
class Classified:
    notice: Notice
    title: str
    description: str
    retry_at: float | None = None  # epoch seconds a "Slow Down!" names (`<t:...:R>`)

    @property
    def terminal(self) -> bool:
        return self.notice not in _NOT_TERMINAL

    @property
    def reason(self) -> str:
        text = f"{self.notice.value}: {self.title}"
        return f"{text} — {self.description}" if self.description else text


def classify_notice(message: dict[str, Any]) -> Classified | None:
    """Classify an error/notice embed by its title (colour is unreliable); None if it is not one."""
    for embed in message.get("embeds") or []:
        title = str(embed.get("title") or "").strip()
        description = str(embed.get("description") or "").strip()
        footer = str((embed.get("footer") or {}).get("text") or "").strip()
        notice = _TITLES.get(title.casefold())
        if footer.startswith("decline-"):
            notice = Notice.DECLINED
            description = f"{description} (Midjourney code: {footer})".strip()
        if notice is None and title.casefold().startswith("banned"):
            notice = Notice.BANNED_PROMPT
        if notice is None and embed.get("color") in _ERROR_COLORS and title:
            notice = Notice.FAILED
        if notice is None and (title or description):
            notice = Notice.UNKNOWN
        if notice is not None:
            retry = _RELATIVE_TIME.search(description) if notice is Notice.SLOW_DOWN else None
            return Classified(notice, title, description[:300], float(retry.group(1)) if retry else None)
    content = str(message.get("content") or "").strip()
    if content.startswith("Invalid parameter"):
        return Classified(Notice.INVALID_PARAMETER, "Invalid parameter", content[:300])
    if content.startswith("Failed"):
        return Classified(Notice.FAILED, "Failed", content[:300])
    return None

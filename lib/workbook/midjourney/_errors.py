"""Structured exceptions of the Midjourney-over-Discord client.

MidjourneyError (a WorkbookError)
 ├── DiscordConfigError           a parameter is wrong (bad URL, id, index, mode); a workbook.UsageError
 ├── SpendRefusedError            live-mode guard said no (allow_spend / RUN_FULL_API_TEST / max_jobs)
 ├── DiscordHTTPError             Discord answered with an error we do not retry
 │    ├── DiscordAuthError        401: the token is invalid; never retried
 │    ├── DiscordForbiddenError   403: missing access
 │    └── StaleCommandVersionError  400 50035 INTERACTION_APPLICATION_COMMAND_INVALID_VERSION
 ├── RetriesExhaustedError        5xx / transport errors / 429s beyond the retry budget
 ├── InvalidRequestBudgetError    too many 401/403/429 answers: the run stops far below Discord's ban limit
 ├── CommandNotFoundError         /imagine is not in the application-command index
 └── GatewayError                 the gateway refused us (e.g. close code 4004) or could not be reached
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError, WorkbookError


class MidjourneyError(WorkbookError):
    """Base class for everything this package raises on purpose."""


class DiscordConfigError(MidjourneyError, UsageError):
    """A parameter has a value the client cannot use; the message names it and what was expected."""


class SpendRefusedError(MidjourneyError):
    """Live mode was asked to spend Midjourney credits without every guard satisfied."""


class DiscordHTTPError(MidjourneyError):
    """Discord answered with a non-retryable error status."""

    def __init__(self, method: str, route: str, status: int, body: Any, message: str = "") -> None:
        self.method = method
        self.route = route
        self.status = status
        self.body = body
        self.code = body.get("code") if isinstance(body, dict) else None
        detail = message or (body.get("message") if isinstance(body, dict) else str(body)[:200])
        super().__init__(f"{method} {route} -> HTTP {status}: {detail}")


class DiscordAuthError(DiscordHTTPError):
    """401 Unauthorized: the token is invalid or expired. The client stops using it."""


class DiscordForbiddenError(DiscordHTTPError):
    """403: the token may not use this guild/channel/command."""


class StaleCommandVersionError(DiscordHTTPError):
    """The command version sent is outdated; re-read the command index later (never loop on it)."""


class RetriesExhaustedError(MidjourneyError):
    """A request kept failing with 5xx, transport errors or 429s after the bounded retries."""


class InvalidRequestBudgetError(MidjourneyError):
    """The run saw too many 401/403/429 answers and stopped before Discord would ban the IP."""


class CommandNotFoundError(MidjourneyError):
    """The application-command index has no such command for the Midjourney application."""


class GatewayError(MidjourneyError):
    """The gateway could not be used (unreachable, or closed with a fatal code)."""

    def __init__(self, message: str, *, close_code: int | None = None, fatal: bool = False) -> None:
        self.close_code = close_code
        self.fatal = fatal
        super().__init__(message)

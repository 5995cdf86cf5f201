"""Every exception the workbook raises on purpose, in one place.

WorkbookError
 ├── ParamsError          bad params file or value (CLI exit status 2, nothing executed)
 ├── UsageError           a bad argument or setting given to lib/ (also a ValueError)
 ├── SecretMissingError   a parameter names an environment variable that is not set
 ├── SyncTimeoutError     a coroutine run from a cell did not finish in time (also a TimeoutError)
 └── SandboxError         a stand-in service failed to start, answer or stop
      └── ServiceNotReadyError

Capability packages define their own errors under WorkbookError (e.g. workbook.midjourney.MidjourneyError).
"""

from __future__ import annotations

from pathlib import Path


class WorkbookError(Exception):
    """Base class: anything the workbook reports as a clear, expected failure."""


class ParamsError(WorkbookError):
    """A params file or value is invalid. The message names file, notebook, key, value and expectation."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        notebook: str | None = None,
        key: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.notebook = notebook
        self.key = key
        where = " ".join(
            part
            for part in (
                f"{self.file}:" if self.file else "",
                f"notebook {notebook!r}:" if notebook else "",
                f"key {key!r}:" if key else "",
            )
            if part
        )
        super().__init__(f"{where} {message}".strip())


class UsageError(WorkbookError, ValueError):
    """A bad argument or setting: the message names the value and what was expected (never a secret)."""


class SyncTimeoutError(WorkbookError, TimeoutError):
    """A coroutine run through the sync bridge exceeded its time limit and was cancelled."""


class SecretMissingError(WorkbookError):
    """The environment variable a parameter points at is not set (its value is never shown)."""

    def __init__(self, env_name: str, purpose: str = "") -> None:
        self.env_name = env_name
        hint = f" ({purpose})" if purpose else ""
        super().__init__(
            f"environment variable {env_name!r} is not set{hint}; export it or put it in .env "
            "(make run-live loads .env)"
        )


class SandboxError(WorkbookError):
    """A sandbox stand-in could not be started, reached or stopped."""


class ServiceNotReadyError(SandboxError):
    def __init__(self, service: str, waited_s: float, log_file: Path, last_error: str) -> None:
        self.service = service
        self.log_file = log_file
        super().__init__(
            f"sandbox service {service!r} was not ready after {waited_s:.1f} s "
            f"(last error: {last_error}); see its log: {log_file}"
        )

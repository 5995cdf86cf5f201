"""Exceptions of the probe engine (all subclass `workbook.WorkbookError`; bad input is a `UsageError`)."""

from __future__ import annotations

from typing import Any, Self

from ..errors import UsageError, WorkbookError
from ..notebook import NotebookSettings


class ProbeError(WorkbookError):
    """A probe could not run or its results could not be evaluated."""


class ProbeConfigError(ProbeError, UsageError):
    """Bad probe input: the message names the value and what was expected.

    `ProbeConfigError(what, value, expected)` for one bad value; `ProbeConfigError(message)` for
    a message that already says all that (one line per bad setting).
    """

    def __init__(self, what: str, value: object = None, expected: str | None = None) -> None:
        self.what = what
        self.value = value
        super().__init__(what if expected is None else f"{what}: got {value!r}; expected {expected}")


class ProbeSettings(NotebookSettings):
    """Validated probe settings whose errors are `ProbeConfigError`s."""

    @classmethod
    def of(cls, **values: Any) -> Self:
        try:
            return super().of(**values)
        except UsageError as error:
            raise ProbeConfigError(str(error)) from None

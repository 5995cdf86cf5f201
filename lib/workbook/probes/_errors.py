"""Exceptions of the probe engine (all subclass `workbook.WorkbookError`)."""

from __future__ import annotations

from .._errors import WorkbookError


class ProbeError(WorkbookError):
    """A probe could not run or its results could not be evaluated."""


class ProbeConfigError(ProbeError, ValueError):
    """Bad probe input: the message names the value and what was expected."""

    def __init__(self, what: str, value: object, expected: str) -> None:
        self.what = what
        self.value = value
        super().__init__(f"{what}: got {value!r}; expected {expected}")

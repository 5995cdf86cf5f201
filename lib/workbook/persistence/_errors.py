"""Exceptions of the persistence capability (all are WorkbookError, so runners report them plainly)."""

from __future__ import annotations

from ..errors import WorkbookError


class PersistenceError(WorkbookError):
    """Base class for persistence-check failures that are not check outcomes."""


class ApiError(PersistenceError):
    """The backend answered a request in a way the client cannot use (status, body shape)."""

    def __init__(self, what: str, status: int, body: str) -> None:
        self.status = status
        self.body = body
        super().__init__(f"{what}: HTTP {status}: {body[:300]}")


class PresignedUrlError(PersistenceError):
    """A string is not a presigned S3 URL this workbook can parse."""


class ServiceImportError(PersistenceError):
    """The user's persistence service could not be imported or constructed."""


class ServiceCallError(PersistenceError):
    """A call into the service's process raised (its exception type and message) or got no answer."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(f"{kind}: {message}")


class RunStateError(PersistenceError):
    """A check needs something the run does not have (no generated images, no storage switch)."""

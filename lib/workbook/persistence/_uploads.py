"""The ContentType a user's service actually sends on upload, recorded with botocore event hooks.

Why: SeaweedFS (4.48, measured) infers a stored type when the uploader sends none (it sniffs the
bytes) or sends `application/octet-stream` (it guesses from the key's extension), while AWS stores
what was sent, or `binary/octet-stream` when nothing was. A service that forgets ContentType
therefore passes the sandbox on stored types alone and serves downloads on AWS. What the service
sent is the evidence; what the store made of it is not.

How: while `UploadRecorder.recording()` is active, every botocore client created (by boto3 or
botocore, in any thread) gets a `before-send.s3.<operation>` handler for the upload operations;
the handler reads the Content-Type header of the request about to go on the wire. Clients made
outside a recording block are not seen (the check says so rather than trusting the store).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ._errors import PresignedUrlError
from ._presign import parse_presigned_url

# Requests that carry the object's Content-Type (UploadPart does not; the type is on the create).
UPLOAD_OPERATIONS = ("PutObject", "CreateMultipartUpload")


@dataclass(frozen=True)
class SentUpload:
    operation: str
    # The request URL without its query.
    url: str
    # The Content-Type header sent, None when the request carried none.
    content_type: str | None

    def key_in(self, bucket: str) -> str | None:
        try:
            return parse_presigned_url(self.url).key_in_bucket(bucket)
        except PresignedUrlError:
            return None


class UploadRecorder:
    """Collects `SentUpload`s from the botocore clients created inside `recording()` blocks."""

    def __init__(self) -> None:
        self.sent: list[SentUpload] = []
        self._lock = threading.Lock()
        self._depth = 0
        self._original: Callable[..., Any] | None = None

    @contextmanager
    def recording(self) -> Iterator[UploadRecorder]:
        """Hook every botocore client created in the block (blocks nest; the hook is removed after)."""
        from botocore.session import Session

        with self._lock:
            if self._depth == 0:
                original = Session.create_client
                recorder = self

                def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
                    client = original(session, *args, **kwargs)
                    recorder.attach(client)
                    return client

                self._original = original
                Session.create_client = create_client
            self._depth += 1
        try:
            yield self
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._original is not None:
                    Session.create_client = self._original
                    self._original = None

    def attach(self, client: Any) -> None:
        """Record the uploads of one S3 client (other services' clients are left alone)."""
        if client.meta.service_model.service_name != "s3":
            return
        for operation in UPLOAD_OPERATIONS:
            client.meta.events.register(f"before-send.s3.{operation}", self._on_send)

    def _on_send(self, request: Any, event_name: str = "", **kwargs: Any) -> None:
        # Returning nothing lets the request go on unchanged.
        value = request.headers.get("Content-Type")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        self.sent.append(SentUpload(event_name.rsplit(".", 1)[-1], str(request.url).split("?", 1)[0], value))

    def for_key(self, bucket: str, key: str) -> list[SentUpload]:
        return [upload for upload in self.sent if upload.key_in(bucket) == key]


def content_type_problems(
    label: str, key: str, expected: str, sent: list[SentUpload], *, store_infers: bool
) -> list[str]:
    """Why the upload of `key` did not send `expected` (the last upload of the key counts)."""
    if sent:
        sent_type = sent[-1].content_type
        if sent_type is None:
            return [
                f"{label}: the service sent no ContentType for {key!r} (AWS then stores binary/octet-stream; "
                "SeaweedFS infers a type, so the sandbox's stored type hides it)"
            ]
        if sent_type.split(";")[0].strip().lower() != expected:
            return [f"{label}: the service sent ContentType {sent_type!r} for {key!r}, expected {expected!r}"]
        return []
    if store_infers:
        return [
            f"{label}: no upload of {key!r} was seen from the service (its S3 client is not a botocore client "
            "created while the service was loaded or called), and this store infers content types, so the "
            "stored type proves nothing"
        ]
    return []

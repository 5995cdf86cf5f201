"""Synchronous facade for notebooks: the async client runs on the workbook's `LoopThread`.

Jupyter kernels already run an event loop, so `asyncio.run` cannot be used in a cell; a private
loop thread (kept across calls: the client holds a gateway connection) keeps notebook cells plain
calls and leaves the kernel's loop alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ..errors import SyncTimeoutError
from ..runtime import LoopThread
from ._client import MidjourneyClient, OnUpdate
from ._config import JobSpec, RunConfig
from ._dialect import DiscordDialect
from ._errors import MidjourneyError
from ._report import RunReport
from ._rest import Command

T = TypeVar("T")


class SyncClient:
    """`with SyncClient(config, dialect) as client: client.validate_token(); client.run(jobs)`."""

    def __init__(
        self,
        config: RunConfig,
        dialect: DiscordDialect,
        *,
        on_update: OnUpdate | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        connector: Callable[..., Any] | None = None,
    ) -> None:
        self.config = config
        self.dialect = dialect
        self._loop = LoopThread(name="midjourney-loop")
        self._closed = False

        async def build() -> MidjourneyClient:
            return MidjourneyClient(config, dialect, transport=transport, connector=connector, on_update=on_update)

        self.client = self._call(build(), 30.0)

    def __repr__(self) -> str:
        return f"SyncClient({self.dialect.sender.url!r}, dialect={self.dialect.name!r})"

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def validate_token(self) -> dict[str, Any]:
        return self._call(self.client.validate_token(), 120.0)

    def resolve_command(self, name: str = "imagine") -> Command:
        return self._call(self.client.resolve_command(name), 120.0)

    def run(self, jobs: list[JobSpec], *, on_update: OnUpdate | None = None) -> RunReport:
        """Submit, watch, correlate, upscale, download and store every job; never raises for a job."""
        if on_update is not None:
            self.client.on_update = on_update
        cfg = self.config
        waves = math.ceil(len(jobs) / cfg.concurrency)
        bound = (cfg.job_timeout_s + cfg.upscale_timeout_s + 60.0) * waves + 120.0
        return self._call(self.client.run(jobs), bound)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._loop.call(self.client.aclose(), timeout_s=10.0)
        finally:
            self._loop.close()

    def _call(self, coro: Coroutine[Any, Any, T], timeout_s: float) -> T:
        if self._closed:
            coro.close()
            raise MidjourneyError("the client is closed")
        try:
            return self._loop.call(coro, timeout_s=timeout_s)
        except SyncTimeoutError:
            raise MidjourneyError(f"the Midjourney run did not finish within {timeout_s:.0f} s") from None

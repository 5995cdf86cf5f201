"""Which HTTP transport the load path uses, by name: the registry and the measured default.

Measured on this project's 2-core VM, one client core, closed loop against a static nginx
(`scripts/bench.py` prints the same comparison on every run; see also
shared/reference/perf-probes.md):

| transport | 10 connections | 50 connections | service p50 at 200 req/s |
|---|---|---|---|
| `httptools` (`_rawhttp`: asyncio protocol + llhttp) | 9.7-14.0 k req/s | 14.6-17.3 k req/s | 0.38-0.41 ms |
| `aiohttp` 3.14.5 | 3.1-5.1 k req/s | 3.9-5.6 k req/s | 0.67-0.71 ms |
| `httpx` 0.28.1, one shared async pool | ~1 k req/s | 0.14-0.23 k req/s, max latency 1.7-2.1 s | (not re-measured) |

(2026-11-21, with other test suites running on the same machine; `hey -c 1 -q 200` measured
0.3-0.4 ms and wrk 45-100 k req/s at 50 connections in the same runs)

so the default is `httptools`; `aiohttp` is the general fallback (and the only one of the two
for HEAD requests); `httpx` is kept only to show, by measurement, why it is not used for load.
"""

from __future__ import annotations

from ._aiohttp import AiohttpTransport
from ._errors import ProbeConfigError, ProbeError
from ._httpx import HttpxTransport
from ._transport import Transport, TransportFactory


def _raw() -> Transport:
    try:
        from ._rawhttp import RawHttpTransport
    except ImportError as error:
        raise ProbeError(
            f"the httptools transport needs the httptools package ({error}); install the project's "
            "pinned dependencies, or pass transport='aiohttp'"
        ) from error
    return RawHttpTransport()


TRANSPORTS: dict[str, TransportFactory] = {
    "aiohttp": AiohttpTransport,
    "httpx": HttpxTransport,
    "httptools": _raw,
}
DEFAULT_TRANSPORT = "httptools"


def transport_factory(name_or_factory: str | TransportFactory) -> TransportFactory:
    if callable(name_or_factory):
        return name_or_factory
    try:
        return TRANSPORTS[name_or_factory]
    except KeyError:
        raise ProbeConfigError("transport", name_or_factory, f"one of {sorted(TRANSPORTS)}") from None

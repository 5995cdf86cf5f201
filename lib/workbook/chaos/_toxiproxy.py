"""A client for Toxiproxy's HTTP API (proxies, toxics, populate, reset, version)."""

from __future__ import annotations

from typing import Any

import httpx

from ..errors import UsageError, WorkbookError

STREAMS = ("upstream", "downstream")


class ToxiproxyError(WorkbookError):
    """Toxiproxy answered an error (`{"error": ..., "status": ...}`) or could not be reached."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class ToxiproxyClient:
    def __init__(self, base_url: str, *, timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None):
        if not base_url.startswith(("http://", "https://")):
            raise UsageError(f"fault proxy URL {base_url!r}: expected an http:// or https:// URL")
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            response = (
                self._http.request(method, path, json=body) if body is not None else self._http.request(method, path)
            )
        except httpx.HTTPError as error:
            raise ToxiproxyError(f"{method} {self.base_url}{path}: {type(error).__name__}: {error}") from error
        if response.status_code >= 400:
            try:
                message = str(response.json().get("error", response.text))
            except ValueError:
                message = response.text.strip()
            raise ToxiproxyError(f"{method} {path}: {response.status_code} {message}", response.status_code)
        return response.json() if response.content else None

    def version(self) -> str:
        return str(self._call("GET", "/version").get("version", ""))

    def proxies(self) -> dict[str, dict[str, Any]]:
        return dict(self._call("GET", "/proxies"))

    def proxy(self, name: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/proxies/{name}"))

    def create_proxy(self, name: str, listen: str, upstream: str, *, enabled: bool = True) -> dict[str, Any]:
        return dict(
            self._call("POST", "/proxies", {"name": name, "listen": listen, "upstream": upstream, "enabled": enabled})
        )

    def populate(self, proxies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return list(self._call("POST", "/populate", proxies)["proxies"])

    def set_enabled(self, name: str, enabled: bool) -> dict[str, Any]:
        """`enabled: false` is Toxiproxy's "down": the listener closes and connections drop."""
        return dict(self._call("POST", f"/proxies/{name}", {"enabled": enabled}))

    def delete_proxy(self, name: str) -> None:
        self._call("DELETE", f"/proxies/{name}")

    def toxics(self, proxy: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/proxies/{proxy}/toxics"))

    def add_toxic(
        self,
        proxy: str,
        toxic_type: str,
        attributes: dict[str, int] | None = None,
        *,
        stream: str = "downstream",
        toxicity: float = 1.0,
        name: str = "",
    ) -> dict[str, Any]:
        if stream not in STREAMS:
            raise UsageError(f"toxic stream {stream!r}: expected one of {list(STREAMS)}")
        if not 0.0 <= toxicity <= 1.0:
            raise UsageError(f"toxicity {toxicity!r}: expected a number in 0..1")
        body = {
            "name": name or f"{toxic_type}_{stream}",
            "type": toxic_type,
            "stream": stream,
            "toxicity": toxicity,
            "attributes": dict(attributes or {}),
        }
        return dict(self._call("POST", f"/proxies/{proxy}/toxics", body))

    def update_toxic(self, proxy: str, name: str, attributes: dict[str, int]) -> dict[str, Any]:
        return dict(self._call("POST", f"/proxies/{proxy}/toxics/{name}", {"attributes": attributes}))

    def remove_toxic(self, proxy: str, name: str) -> None:
        self._call("DELETE", f"/proxies/{proxy}/toxics/{name}")

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        self._call("POST", "/reset")


def residue(client: ToxiproxyClient, names: list[str] | None = None) -> list[str]:
    """What is still injected: a disabled proxy or a toxic left on one (one line each)."""
    problems = []
    for name, proxy in client.proxies().items():
        if names is not None and name not in names:
            continue
        if not proxy.get("enabled", True):
            problems.append(f"proxy {name!r} is still down (enabled=false)")
        for toxic in proxy.get("toxics") or []:
            problems.append(f"toxic {toxic.get('name')!r} ({toxic.get('type')}) is still on proxy {name!r}")
    return problems

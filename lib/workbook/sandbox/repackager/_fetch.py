"""Downloads, as the platform makes them: the package (HEAD for its size, then GET with the retry
policy) and its requirements' wheels from a PEP 503 simple index (what `pip download -r
requirements.txt -d ./wheels --index-url ...` does for pure-Python wheels).

Retry policy (download.py): 3 attempts, waits of 1 s then 2 s (sandbox-scaled) after a 5xx, a
timeout, a refused connection or a dropped one. A 429 waits its Retry-After and tries again within
the same 3 attempts; the real platform treats it as final like every 4xx (switch `no_retry_on_429`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import time
import zipfile
from collections.abc import Callable
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import httpx
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from ._config import APP_NAME, APP_VERSION, Settings
from ._switches import FileSwitches

ATTEMPTS = 3
BASE_DELAY_S = 1.0
MAX_RETRY_AFTER_S = 30.0
RETRYABLE = (httpx.TimeoutException, httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)
ANCHOR = re.compile(r'<a\s+href="([^"]+)"[^>]*>([^<]+)</a>', re.IGNORECASE)
Emit = Callable[[str], None]


class FetchError(RuntimeError):
    """A download that failed for good (the message names the status or the error)."""


def headers() -> dict[str, str]:
    # The platform's client: no task id, no correlation header.
    return {"User-Agent": f"{APP_NAME}/{APP_VERSION}", "Accept": "application/json"}


def timeout(settings: Settings) -> httpx.Timeout:
    return httpx.Timeout(
        settings.scaled(settings.http_timeout_s),
        connect=settings.scaled(10.0),
        read=settings.scaled(settings.http_read_timeout_s),
    )


def allowed(url: str, settings: Settings) -> bool:
    """Host (not host:port) equal to an allowed domain or under it at a dot boundary. The real
    platform suffix-matches the netloc, so `evildify.ai` passes for `dify.ai`."""
    host = (urlparse(url).hostname or "").lower().removeprefix("www.")
    return any(host == domain or host.endswith("." + domain) for domain in settings.allowed_domains)


def get_with_retry(
    client: httpx.Client, url: str, settings: Settings, switches: FileSwitches, log: Emit | None = None
) -> httpx.Response:
    """GET `url` under the retry policy; raises FetchError when it gives up."""
    for attempt in range(1, ATTEMPTS + 1):
        wait = settings.scaled(BASE_DELAY_S * 2 ** (attempt - 1))
        try:
            response = client.get(url)
        except RETRYABLE as error:
            if attempt == ATTEMPTS:
                raise FetchError(f"{type(error).__name__} after {ATTEMPTS} attempts: {url}") from None
            _note(log, f"attempt {attempt}: {type(error).__name__}; retrying in {wait:.2f}s")
            time.sleep(wait)
            continue
        status = response.status_code
        if status < 400:
            return response
        final = attempt == ATTEMPTS
        if status == 429 and not switches.on("no_retry_on_429") and not final:
            wait = min(_retry_after(response, wait), MAX_RETRY_AFTER_S)
        elif status >= 500 and not switches.on("no_retry_on_5xx") and not final:
            pass
        else:
            raise FetchError(
                f"Client error '{status}' for url '{url}'"
                if status < 500
                else f"Server error '{status}' for url '{url}'"
            )
        _note(log, f"attempt {attempt}: HTTP {status}; retrying in {wait:.2f}s")
        time.sleep(wait)
    raise AssertionError("unreachable")


def _retry_after(response: httpx.Response, default: float) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return default


def _note(log: Emit | None, line: str) -> None:
    if log is not None:
        log(line)


def download_package(url: str, task_dir: Path, settings: Settings, switches: FileSwitches) -> tuple[Path, str]:
    """HEAD (size; its errors ignored, as the platform does), then GET into TEMP_DIR/<task_id>/."""
    if not allowed(url, settings):
        raise FetchError(f"URL domain not allowed. Allowed domains: {', '.join(settings.allowed_domains)}")
    filename = Path(urlparse(url).path).name
    if not filename.endswith(".difypkg"):
        raise FetchError("URL must point to a .difypkg file")
    with httpx.Client(timeout=timeout(settings), headers=headers(), follow_redirects=True) as client:
        with contextlib.suppress(httpx.HTTPError):
            client.head(url)
        response = get_with_retry(client, url, settings, switches)
    task_dir.mkdir(parents=True, exist_ok=True)
    path = task_dir / filename
    path.write_bytes(response.content)
    return path, filename


def download_wheels(
    requirements: list[str], dest: Path, settings: Settings, switches: FileSwitches, emit: Emit
) -> None:
    """Resolve `requirements` and their dependencies from the index, saving one wheel per project."""
    dest.mkdir(parents=True, exist_ok=True)
    emit(f"Looking in indexes: {settings.index_url}")
    pending = [_requirement(line) for line in requirements if line.strip() and not line.lstrip().startswith(("#", "-"))]
    chosen: dict[str, Version] = {}
    saved: list[str] = []
    with httpx.Client(timeout=timeout(settings), headers={"User-Agent": "pip/24.0"}) as client:
        while pending:
            requirement = pending.pop(0)
            name = canonicalize_name(requirement.name)
            if name in chosen:
                if not requirement.specifier.contains(chosen[name], prereleases=True):
                    raise FetchError(f"ResolutionImpossible: {requirement} conflicts with {name}=={chosen[name]}")
                continue
            emit(f"Collecting {requirement}")
            page = get_with_retry(client, f"{settings.index_url}/{name}/", settings, switches).text
            link, filename, version = _best(page, requirement, f"{settings.index_url}/{name}/")
            emit(f"  Downloading {filename}")
            data = get_with_retry(client, link.split("#", 1)[0], settings, switches).content
            expected = link.partition("#sha256=")[2]
            if expected and hashlib.sha256(data).hexdigest() != expected:
                raise FetchError(f"THESE PACKAGES DO NOT MATCH THE HASHES: {filename}")
            (dest / filename).write_bytes(data)
            emit(f"Saved ./wheels/{filename}")
            chosen[name] = version
            saved.append(f"{requirement.name}-{version}")
            pending += [_requirement(line) for line in _requires(data)]
    emit("Successfully downloaded " + " ".join(saved))


def _requirement(line: str) -> Requirement:
    try:
        return Requirement(line.strip())
    except InvalidRequirement as error:
        raise FetchError(f"Invalid requirement: {line.strip()!r}: {error}") from None


def _best(page: str, requirement: Requirement, base: str) -> tuple[str, str, Version]:
    found = []
    for href, text in ANCHOR.findall(page):
        filename = text.strip()
        if not filename.endswith(".whl"):
            continue
        _, version, _, _ = parse_wheel_filename(filename)
        if requirement.specifier.contains(version):
            found.append((version, urljoin(base, href), filename))
    if not found:
        raise FetchError(f"No matching distribution found for {requirement}")
    version, link, filename = max(found)
    return link, filename, version


def _requires(wheel: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        headers_ = HeaderParser().parsestr(archive.read(metadata).decode())
    return [value for value in headers_.get_all("Requires-Dist") or [] if ";" not in value]

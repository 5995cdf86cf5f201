"""Upload security: path traversal in filenames, oversize bodies, non-images dressed as images,
error bodies that leak stack traces or file paths, and CORS as configured.

The inspectors are pure (an exchange in, problems out); `probe_uploads` sends the requests. The
traversal verdict in the sandbox comes from the file system (`upload_dir`), not from what the
server says it did.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._client import Exchange
from ._dialects import StudioDialect
from ._samples import HTML, SVG, fake_png, png

TRACE_PATTERNS = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r'File "[^"]+", line \d+'),
    re.compile(r"(?:/[\w.-]+){2,}\.py\b"),
    re.compile(r"[A-Za-z]:\\(?:[\w.-]+\\)+[\w.-]+\.py\b"),
    re.compile(r"site-packages"),
)


def leak(body: bytes) -> str:
    """The first stack-trace or source-path fragment in an error body, or ''."""
    text = body.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):
        text = "\n".join(_strings(json.loads(text))) or text  # JSON escapes would hide the patterns
    for pattern in TRACE_PATTERNS:
        match = pattern.search(text)
        if match:
            return match.group(0)[:120]
    return ""


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def cors_problems(allowed: Sequence[tuple[str, Exchange]], denied_origin: str, denied: Sequence[Exchange]) -> list[str]:
    """Allowed origins get their origin back on a preflight; the denied origin gets no grant at all."""
    found = []
    for origin, answer in allowed:
        granted = answer.headers.get("access-control-allow-origin", "")
        if granted not in (origin, "*") or answer.status is None or answer.status >= 400:
            found.append(
                f"CORS preflight from allowed origin {origin} got {answer.status} "
                f"with Access-Control-Allow-Origin {granted!r}"
            )
    for answer in denied:
        granted = answer.headers.get("access-control-allow-origin", "")
        if granted in ("*", denied_origin):
            found.append(
                f"CORS allows the foreign origin {denied_origin} on {answer.method} {answer.url} "
                f"(Access-Control-Allow-Origin: {granted})"
            )
    return found


# The fix for each kind of upload-security defect (shown only when that defect was seen).
SANITISE = "Sanitise upload filenames (keep the base name only) and store under a generated name."
SIZE_LIMIT = "Enforce the upload size limit before reading the body: 413."
VERIFY = "Verify the content (magic number and a full decode), not the name or the Content-Type: 400 or 415."
NO_TRACES = "Log tracebacks server-side; error bodies say what was wrong, never where in the code."
CORS = "Restrict CORS to the configured origins (never echo an arbitrary Origin)."


@dataclass
class SecurityResult:
    probes: list[tuple[str, Exchange]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (problem, its fix)
    notes: list[str] = field(default_factory=list)

    def add(self, problems: Sequence[str] | str, remedy: str) -> None:
        for problem in [problems] if isinstance(problems, str) else problems:
            if problem:
                self.problems.append((problem, remedy))


def _reject(name: str, answer: Exchange, statuses: Sequence[int], why: str) -> str:
    if answer.status in statuses:
        return ""
    if answer.status is None:
        return f"{name}: no answer ({answer.error})"
    return f"{name} answered {answer.status}, expected {' or '.join(map(str, statuses))}: {why}"


def traversal_problems(answer: Exchange, raw_name: str, upload_dir: str) -> tuple[list[str], list[Path]]:
    """Problems of a `../` filename upload and the stray files found (to be removed by the caller)."""
    found: list[str] = []
    strays: list[Path] = []
    if answer.status == 400 or answer.status == 415:
        return found, strays  # rejected: fine
    if not answer.ok:
        return [f"path traversal upload answered {answer.brief()}, expected 2xx with a sanitised name or 400"], strays
    body = answer.json()
    echoed = str(body.get("filename", "")) if isinstance(body, dict) else ""
    if ".." in echoed or "/" in echoed or "\\" in echoed:
        found.append(f"the server kept the path in the stored filename {echoed!r}")
    if upload_dir:
        folder = Path(upload_dir)
        candidate = (folder / raw_name).resolve()
        if candidate.exists() and not candidate.is_relative_to(folder.resolve()):
            strays.append(candidate)
            found.append(f"a filename with ../ was written outside the upload folder: {candidate}")
    return found, strays


def probe_uploads(dialect: StudioDialect, s: Any) -> SecurityResult:
    client = dialect.client
    result = SecurityResult()
    up_method, up_path = dialect.routes()["upload"]

    def probe(name: str, answer: Exchange) -> Exchange:
        result.probes.append((name, answer))
        return answer

    nonce = uuid.uuid4().hex[:12]
    raw_name = f"../../wb-traversal-{nonce}.png"
    answer = probe("path traversal", dialect.upload(png(seed=31), raw_name).answer)
    problems, strays = traversal_problems(answer, raw_name, s.upload_dir)
    result.add(problems, SANITISE)
    for stray in strays:
        stray.unlink(missing_ok=True)  # leave the machine as it was found
    if not s.upload_dir:
        result.notes.append("upload_dir not set: traversal judged by the response only")
    if s.upload_limit_bytes:
        body = fake_png(s.upload_limit_bytes + 65536)
        answer = probe("oversize", dialect.upload(body, "big.png").answer)
        what = f"an upload of {len(body)} bytes (limit {s.upload_limit_bytes})"
        result.add(_reject(what, answer, [413], "the size limit is not enforced"), SIZE_LIMIT)
    else:
        result.notes.append("upload_limit_bytes is 0: oversize body not tried")
    answer = probe("PNG header on non-image bytes", dialect.upload(fake_png(), "looks.png").answer)
    result.add(_reject("PNG header on random bytes", answer, [400, 415], "non-image bytes were accepted"), VERIFY)
    answer = probe("SVG upload", dialect.upload(SVG, "vector.svg", "image/svg+xml").answer)
    result.add(_reject("an SVG upload (with a script)", answer, [400, 415], "SVG can carry script"), VERIFY)
    answer = probe("HTML upload", dialect.upload(HTML, "page.png", "text/html").answer)
    result.add(_reject("an HTML upload named .png", answer, [400, 415], "HTML was accepted as an image"), VERIFY)
    json_type = {"content-type": "application/json"}
    probe("invalid JSON", dialect.send("text_to_image", content=b"{not json", headers=json_type))
    probe("unknown job", dialect.job_status(str(uuid.uuid4())))
    for name, answer in result.probes:
        fragment = leak(answer.body) if answer.status is not None and answer.status >= 400 else ""
        if fragment:
            traced = f"the error body of '{name}' ({answer.status}) carries a stack trace or file path: {fragment!r}"
            result.add(traced, NO_TRACES)
    allowed = [
        (
            origin,
            client.send("OPTIONS", up_path, headers={"origin": origin, "access-control-request-method": up_method}),
        )
        for origin in s.cors_allowed_origins
    ]
    denied = []
    if s.cors_denied_origin:
        preflight = {"origin": s.cors_denied_origin, "access-control-request-method": up_method}
        denied = [
            client.send("OPTIONS", up_path, headers=preflight),
            client.send("GET", dialect.health_paths[0], headers={"origin": s.cors_denied_origin}),
        ]
    result.add(cors_problems(allowed, s.cors_denied_origin, denied), CORS)
    return result

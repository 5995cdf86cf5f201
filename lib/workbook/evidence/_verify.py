"""Integrity: every file of a bundle against manifest.json, and optionally the manifest against a key.

The manifest lists every file's sha256 (except itself and its signature). Signing computes an
HMAC-SHA256 of the manifest's exact bytes with a key read from an environment variable, so an
archived bundle proves it came from a run that held the key; the key itself is never written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..credentials import read_secret
from ..errors import UsageError
from ._bundle import MANIFEST_FILE, SIGNATURE_FILE, hash_tree
from ._manifest import RunManifest

ALGORITHM = "hmac-sha256"


@dataclass(frozen=True)
class VerifyReport:
    bundle: str
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    signature: str = "not checked"  # valid | invalid | absent | not checked
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.changed or self.problems) and self.signature in (
            "valid",
            "not checked",
        )

    def lines(self) -> list[str]:
        out = [f"missing: {path}" for path in self.missing]
        out += [f"extra (not in manifest): {path}" for path in self.extra]
        out += [f"changed (sha256 differs): {path}" for path in self.changed]
        out += self.problems
        if self.signature not in ("valid", "not checked"):
            out.append(f"signature: {self.signature}")
        return out


def sign_manifest(bundle: Path, key_env: str) -> Path:
    """Write the signature file next to manifest.json with the key held by `key_env`."""
    key = read_secret(key_env, purpose="bundle signing key")
    assert key is not None
    digest = hmac.new(key.encode(), (bundle / MANIFEST_FILE).read_bytes(), hashlib.sha256).hexdigest()
    target = bundle / SIGNATURE_FILE
    target.write_text(json.dumps({"algorithm": ALGORITHM, "key_env": key_env, "digest": digest}, indent=2))
    return target


def verify_bundle(bundle: Path, *, key_env: str | None = None) -> VerifyReport:
    """Re-hash every file against the manifest; with `key_env`, also check the manifest's signature."""
    if not (bundle / MANIFEST_FILE).is_file():
        raise UsageError(f"{bundle}: no {MANIFEST_FILE} here; expected an evidence bundle folder")
    manifest = RunManifest.model_validate_json((bundle / MANIFEST_FILE).read_text())
    recorded, actual = dict(manifest.files), hash_tree(bundle)
    problems = []
    if not recorded:
        problems.append("the manifest lists no files (the bundle was never sealed)")
    report = VerifyReport(
        bundle=str(bundle),
        missing=sorted(set(recorded) - set(actual)),
        extra=sorted(set(actual) - set(recorded)),
        changed=sorted(path for path in set(recorded) & set(actual) if recorded[path] != actual[path]),
        signature=_signature_state(bundle, key_env) if key_env else "not checked",
        problems=problems,
    )
    return report


def _signature_state(bundle: Path, key_env: str) -> str:
    path = bundle / SIGNATURE_FILE
    if not path.is_file():
        return "absent (the bundle is not signed)"
    try:
        recorded = json.loads(path.read_text())
    except ValueError:
        return "invalid (the signature file is not JSON)"
    if recorded.get("algorithm") != ALGORITHM:
        return f"invalid (unknown algorithm {recorded.get('algorithm')!r}; expected {ALGORITHM})"
    key = read_secret(key_env, purpose="bundle signing key")
    assert key is not None
    expected = hmac.new(key.encode(), (bundle / MANIFEST_FILE).read_bytes(), hashlib.sha256).hexdigest()
    return "valid" if hmac.compare_digest(expected, str(recorded.get("digest", ""))) else "invalid (digest differs)"

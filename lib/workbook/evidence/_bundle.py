"""The bundle folder: creation, the `latest` link, file hashes, writing the manifest."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from ._manifest import RunManifest


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "manifest.json.sig"
# The manifest cannot list its own hash; its signature (if any) covers it instead.
UNHASHED = frozenset({MANIFEST_FILE, SIGNATURE_FILE, MANIFEST_FILE.replace(".json", ".tmp")})


def hash_tree(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under `root` except the manifest and its signature."""
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink() and path.relative_to(root).as_posix() not in UNHASHED
    }


class Bundle:
    """`outputs/<UTC stamp>_<profile>/`; created up front so even an early failure leaves a record."""

    def __init__(self, outputs_dir: Path, profile: str, *, now: datetime | None = None) -> None:
        stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
        self.run_id = f"{stamp}_{profile}"
        path = outputs_dir / self.run_id
        suffix = 1
        while path.exists():  # two runs in the same second must not share a folder
            suffix += 1
            path = outputs_dir / f"{self.run_id}-{suffix}"
        self.run_id = path.name
        self.path = path
        self.outputs_dir = outputs_dir
        self.path.mkdir(parents=True)

    def notebook_dir(self, name: str) -> Path:
        path = self.path / name
        path.mkdir(exist_ok=True)
        return path

    def hash_files(self) -> dict[str, str]:
        return hash_tree(self.path)

    def write_manifest(self, manifest: RunManifest) -> Path:
        target = self.path / MANIFEST_FILE
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest.model_dump(mode="json"), indent=2, default=str))
        tmp.replace(target)
        return target

    def link_latest(self) -> None:
        latest = self.outputs_dir / "latest"
        tmp = self.outputs_dir / ".latest.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(self.path.name, tmp)
        os.replace(tmp, latest)

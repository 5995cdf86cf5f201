"""Scrubbing secrets from a bundle: every occurrence of a known secret value is replaced in place."""

from __future__ import annotations

from pathlib import Path

from ..credentials import redact


def scrub_tree(root: Path, secrets: set[str] | frozenset[str]) -> list[str]:
    """Redact secrets in every file under `root`; returns the relative paths that contained one.

    Files are compared as bytes so binary files (images) are checked too; only files that really
    contain a secret are rewritten.
    """
    found: list[str] = []
    encoded = [(secret, secret.encode()) for secret in secrets if secret]
    if not encoded:
        return found
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        if not any(raw in data for _, raw in encoded):
            continue
        found.append(str(path.relative_to(root)))
        try:
            path.write_text(redact(data.decode(), frozenset(secret for secret, _ in encoded)))
        except UnicodeDecodeError:
            for _, raw in encoded:
                data = data.replace(raw, b"*" * len(raw))
            path.write_bytes(data)
    return found

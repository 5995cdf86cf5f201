"""results.json: the one reader and the one writer (the kernel and the runner both use these)."""

from __future__ import annotations

from pathlib import Path

from ..credentials import redact, seen_secrets
from ._model import NotebookResults

RESULTS_FILE = "results.json"


def load_results(path: Path) -> NotebookResults | None:
    """Read a notebook's results.json; None if it was never written."""
    if not path.exists():
        return None
    return NotebookResults.model_validate_json(path.read_text())


def write_results(path: Path, results: NotebookResults) -> None:
    """Write atomically (a reader never sees half a file), redacting secrets this process has read."""
    text = results.model_dump_json(indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(redact(text, seen_secrets()))
    tmp.replace(path)

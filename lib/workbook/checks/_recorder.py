"""Recording checks: a context manager per check, one results.json per notebook."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._context import evidence_dir
from .._secrets import redact, seen_secrets
from ._model import CheckResult, CheckStatus, NotebookResults, measured_summary

if TYPE_CHECKING:
    import pandas as pd

RESULTS_FILE = "results.json"


class CheckFailed(Exception):
    """Raised inside a check block to fail it at once with a detail."""


class CheckSkipped(Exception):
    """Raised inside a check block to skip it with a reason."""


class CheckContext:
    """Handed to the body of `with checks.run(id)`: collect measurements and expectations."""

    def __init__(self) -> None:
        self.measured: dict[str, Any] = {}
        self.problems: list[str] = []
        self.notes: list[str] = []

    def measure(self, **values: Any) -> None:
        """Attach measured values (numbers, strings, small lists) to this check's result."""
        self.measured.update(values)

    def note(self, text: str) -> None:
        """Add a line to the detail shown when the check passes."""
        self.notes.append(text)

    def expect(self, condition: object, problem: str) -> bool:
        """Record `problem` if `condition` is falsy; the block goes on so all defects are listed."""
        if not condition:
            self.problems.append(problem)
        return bool(condition)

    def fail(self, problem: str) -> None:
        raise CheckFailed(problem)

    def skip(self, reason: str) -> None:
        raise CheckSkipped(reason)


class Checks:
    """The checks of one notebook.

    >>> checks = Checks("10_persistence", {"generate": "generate returns PNG images"})
    >>> with checks.run("generate") as c:
    ...     c.expect(len(images) == 4, f"expected 4 images, got {len(images)}")
    """

    def __init__(self, notebook: str, declared: dict[str, str], *, results_dir: Path | None = None) -> None:
        self._results = NotebookResults(notebook=notebook, declared=dict(declared))
        self._path = (results_dir or evidence_dir(notebook)) / RESULTS_FILE
        self._save()

    @property
    def results(self) -> list[CheckResult]:
        return list(self._results.checks)

    @property
    def declared(self) -> dict[str, str]:
        return dict(self._results.declared)

    @property
    def path(self) -> Path:
        return self._path

    @contextmanager
    def run(self, check_id: str) -> Iterator[CheckContext]:
        """Run one declared check. Failures and errors are recorded, not raised, so the notebook goes on."""
        title = self._title(check_id)
        context = CheckContext()
        started_at = datetime.now(UTC).isoformat()
        started = time.perf_counter()
        status, detail = CheckStatus.PASS, ""
        try:
            yield context
        except CheckFailed as failure:
            status, detail = CheckStatus.FAIL, str(failure)
        except CheckSkipped as skipped:
            status, detail = CheckStatus.SKIP, str(skipped)
        except AssertionError as failure:
            status, detail = CheckStatus.FAIL, str(failure) or "assertion failed"
        except Exception as error:
            status, detail = CheckStatus.ERROR, f"{type(error).__name__}: {error}"
        if status is CheckStatus.PASS and context.problems:
            status = CheckStatus.FAIL
        if context.problems and status in (CheckStatus.FAIL, CheckStatus.ERROR):
            detail = "; ".join([*context.problems, detail] if detail else context.problems)
        elif status is CheckStatus.PASS:
            detail = "; ".join(context.notes)
        self._record(
            CheckResult(
                id=check_id,
                title=title,
                status=status,
                detail=detail,
                measured=context.measured,
                duration_s=round(time.perf_counter() - started, 6),
                started_at=started_at,
            )
        )

    def skip(self, check_id: str, reason: str) -> None:
        """Record a declared check as skipped without running it."""
        self._record(CheckResult(id=check_id, title=self._title(check_id), status=CheckStatus.SKIP, detail=reason))

    def finish(self) -> pd.DataFrame:
        """Mark declared checks that never ran as errors and return the final table."""
        recorded = {check.id for check in self._results.checks}
        for check_id, title in self._results.declared.items():
            if check_id not in recorded:
                self._record(CheckResult(id=check_id, title=title, status=CheckStatus.ERROR, detail="check never ran"))
        return self.table()

    def table(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {
                "id": check.id,
                "title": check.title,
                "status": check.status.value,
                "detail": check.detail,
                "duration_s": check.duration_s,
            }
            for check in self._results.checks
        ]
        return pd.DataFrame(rows, columns=["id", "title", "status", "detail", "duration_s"])

    def counts(self) -> dict[str, int]:
        return self._results.counts()

    @property
    def all_passed(self) -> bool:
        return all(check.status in (CheckStatus.PASS, CheckStatus.SKIP) for check in self._results.checks)

    def _title(self, check_id: str) -> str:
        try:
            return self._results.declared[check_id]
        except KeyError:
            known = ", ".join(sorted(self._results.declared))
            raise KeyError(f"check {check_id!r} was not declared; declared checks: {known}") from None

    def _record(self, result: CheckResult) -> None:
        # A re-run of the same check (interactive use) replaces its earlier outcome.
        self._results.checks = [check for check in self._results.checks if check.id != result.id]
        self._results.checks.append(result)
        self._save()
        shown = result.detail or measured_summary(result.measured)
        line = f"[check] {result.status.value.upper():5} {result.id}: {shown}"[:300]
        print(redact(line, seen_secrets()), flush=True)

    def _save(self) -> None:
        text = json.dumps(self._results.model_dump(mode="json"), indent=2, default=str)
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(redact(text, seen_secrets()))
        tmp.replace(self._path)


def load_results(path: Path) -> NotebookResults | None:
    """Read a notebook's results.json; None if it was never written."""
    if not path.exists():
        return None
    return NotebookResults.model_validate_json(path.read_text())

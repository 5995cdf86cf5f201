"""Recording checks: a context manager per check, one results.json per notebook."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._context import evidence_dir
from .._live import show_check, widgets_enabled
from .._secrets import redact, seen_secrets
from ._model import CheckResult, CheckSpec, CheckStatus, NotebookResults, as_spec, final_results, measured_summary
from ._store import RESULTS_FILE, write_results

if TYPE_CHECKING:
    import pandas as pd


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

    def expect_none(self, problems: Iterable[str]) -> bool:
        """Record every problem a lib inspector found; True when there were none."""
        found = [str(problem) for problem in problems]
        self.problems.extend(found)
        return not found

    def fail(self, problem: str) -> None:
        raise CheckFailed(problem)

    def skip(self, reason: str) -> None:
        raise CheckSkipped(reason)


class Checks:
    """The checks of one notebook.

    >>> checks = Checks("10_persistence", {"generate": "generate returns PNG images"})
    >>> with checks.run("generate") as c:
    ...     c.expect(len(images) == 4, f"expected 4 images, got {len(images)}")

    A declaration is a title or a `CheckSpec` (title, service, severity, remedy).
    """

    def __init__(
        self, notebook: str, declared: Mapping[str, str | CheckSpec], *, results_dir: Path | None = None
    ) -> None:
        self._results = NotebookResults(
            notebook=notebook, declared={key: as_spec(item) for key, item in declared.items()}
        )
        self._path = (results_dir or evidence_dir(notebook)) / RESULTS_FILE
        write_results(self._path, self._results)

    @property
    def results(self) -> list[CheckResult]:
        return list(self._results.checks)

    @property
    def declared(self) -> dict[str, str]:
        """Check id -> title."""
        return {check_id: spec.title for check_id, spec in self._results.declared.items()}

    @property
    def specs(self) -> dict[str, CheckSpec]:
        return dict(self._results.declared)

    @property
    def path(self) -> Path:
        return self._path

    @contextmanager
    def run(self, check_id: str) -> Iterator[CheckContext]:
        """Run one declared check. Failures and errors are recorded, not raised, so the notebook goes on."""
        self._require_declared(check_id)
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
            self._results.result(
                check_id,
                status,
                detail,
                measured=context.measured,
                duration_s=round(time.perf_counter() - started, 6),
                started_at=started_at,
            )
        )

    def skip(self, check_id: str, reason: str) -> None:
        """Record a declared check as skipped without running it."""
        self._require_declared(check_id)
        self._record(self._results.result(check_id, CheckStatus.SKIP, reason))

    def finish(self) -> pd.DataFrame:
        """Mark declared checks that never ran as errors and return the final table."""
        self._results = final_results(self._results, "the notebook never ran this check")
        write_results(self._path, self._results)
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

    def _require_declared(self, check_id: str) -> None:
        if check_id not in self._results.declared:
            known = ", ".join(sorted(self._results.declared))
            raise KeyError(f"check {check_id!r} was not declared; declared checks: {known}")

    def _record(self, result: CheckResult) -> None:
        # A re-run of the same check (interactive use) replaces its earlier outcome.
        kept = [check for check in self._results.checks if check.id != result.id]
        self._results = self._results.model_copy(update={"checks": [*kept, result]})
        write_results(self._path, self._results)
        if widgets_enabled():
            show_check(result)  # in the lab the row appears in the cell that ran the check
            return
        shown = result.detail or measured_summary(result.measured)
        line = f"[check] {result.status.value.upper():5} {result.id}: {shown}"[:300]
        print(redact(line, seen_secrets()), flush=True)

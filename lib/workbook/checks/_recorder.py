"""Recording checks: a context manager per check, one results.json per notebook."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..credentials import redact, seen_secrets
from ..notebook import widgets_enabled
from ..runtime import evidence_dir
from ._model import (
    CheckResult,
    CheckSpec,
    CheckStatus,
    ErrorReason,
    NotebookResults,
    as_spec,
    final_results,
    measured_summary,
)
from ._row import show_check
from ._store import RESULTS_FILE, write_results
from ._verdicts import CouldNotCheck, classify

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


class CheckFailed(Exception):
    """Raised inside a check block to fail it at once with a detail (and the remedy for that defect)."""

    def __init__(self, problem: str, remedy: str = "") -> None:
        self.remedy = remedy
        super().__init__(problem)


class CheckSkipped(Exception):
    """Raised inside a check block to skip it with a reason."""


class CheckContext:
    """Handed to the body of `with checks.run(id)`: collect measurements and expectations."""

    def __init__(self, spec: CheckSpec | None = None) -> None:
        self.spec = spec or CheckSpec(title="")
        self.measured: dict[str, Any] = {}
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.remedies: list[str] = []

    def measure(self, **values: Any) -> None:
        """Attach measured values (numbers, strings, small lists) to this check's result."""
        self.measured.update(values)

    def note(self, text: str) -> None:
        """Add a line to the detail shown when the check passes."""
        self.notes.append(text)

    def expect(self, condition: object, problem: str, *, remedy: str | bool = "") -> bool:
        """Record `problem` if `condition` is falsy; the block goes on so all defects are listed.

        `remedy` is the fix for exactly this defect, shown only when it was observed; `True` means
        the declaration's remedy (use it only when the problem is the defect that remedy speaks of).
        """
        if not condition:
            self.problems.append(problem)
            self._add_remedy(remedy)
        return bool(condition)

    def expect_none(self, problems: Iterable[str], *, remedy: str | bool = "") -> bool:
        """Record every problem a lib inspector found; True when there were none."""
        found = [str(problem) for problem in problems]
        self.problems.extend(found)
        if found:
            self._add_remedy(remedy)
        return not found

    def fail(self, problem: str, *, remedy: str | bool = "") -> None:
        """Fail at once: evidence shows the platform misbehaves."""
        raise CheckFailed(problem, self._remedy_text(remedy))

    def skip(self, reason: str) -> None:
        raise CheckSkipped(reason)

    def could_not_check(
        self, reason: ErrorReason | str, message: str, *, evidence: Mapping[str, Any] | None = None
    ) -> None:
        """End the check as `error` with a reason class: the platform could not be exercised."""
        raise CouldNotCheck(reason, message, evidence=evidence)

    def _remedy_text(self, remedy: str | bool) -> str:
        return self.spec.remedy if remedy is True else (remedy or "")

    def _add_remedy(self, remedy: str | bool) -> None:
        text = self._remedy_text(remedy)
        if text and text not in self.remedies:
            self.remedies.append(text)


class FailedSetup:
    """What `Checks.setup` returns when opening the run raised: any use raises CouldNotCheck with the
    setup's reason, so a check cell that reaches for the run records `error/setup`, never a crash."""

    def __init__(self, reason: ErrorReason, detail: str) -> None:
        self._reason = reason
        self._detail = detail

    @property
    def reason(self) -> ErrorReason:
        return self._reason

    @property
    def detail(self) -> str:
        return self._detail

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # display hooks and protocol probes (IPython, pandas) must see "absent"
            raise AttributeError(name)
        raise CouldNotCheck(self._reason, f"setup failed: {self._detail}")

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<setup failed ({self._reason.value}): {self._detail}>"


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
        self._failed_setup: FailedSetup | None = None
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

    def setup(self, open_run: Callable[..., T], *args: Any, **kwargs: Any) -> T | FailedSetup:
        """`open_run(*args, **kwargs)`, or — when it raises — a `FailedSetup` that makes every check
        of this notebook end `error` with the setup's reason (its class, `setup` for a plain error).

        A notebook declares its checks first, then opens its run through here, so a setup that
        fails never swallows the checks: each is still recorded, saying why it could not run.
        Arguments that are themselves a failed setup short-circuit (settings that did not parse).
        """
        if self._failed_setup is not None:
            return self._failed_setup
        failed = next((arg for arg in (*args, *kwargs.values()) if isinstance(arg, FailedSetup)), None)
        if failed is not None:
            return failed
        try:
            return open_run(*args, **kwargs)
        except Exception as error:
            reason, detail, _ = classify(error)
            if reason is ErrorReason.INTERNAL and not isinstance(error, CouldNotCheck):
                reason = ErrorReason.SETUP
            self._failed_setup = FailedSetup(reason, detail)
            print(redact(f"[setup] FAILED ({reason.value}): {detail}"[:300], seen_secrets()), flush=True)
            return self._failed_setup

    @property
    def setup_failed(self) -> FailedSetup | None:
        return self._failed_setup

    @contextmanager
    def run(self, check_id: str) -> Iterator[CheckContext]:
        """Run one declared check. Failures and errors are recorded, not raised, so the notebook goes on."""
        self._require_declared(check_id)
        context = CheckContext(self._results.declared[check_id])
        started_at = datetime.now(UTC).isoformat()
        started = time.perf_counter()
        status, detail, reason = CheckStatus.PASS, "", None
        try:
            yield context
        except CheckFailed as failure:
            status, detail = CheckStatus.FAIL, str(failure)
            context._add_remedy(failure.remedy)
        except CheckSkipped as skipped:
            status, detail = CheckStatus.SKIP, str(skipped)
        except AssertionError as failure:
            status, detail = CheckStatus.FAIL, str(failure) or "assertion failed"
        except Exception as error:
            reason, detail, evidence = classify(error)
            status = CheckStatus.ERROR
            if evidence:
                context.measure(evidence=evidence)
        if self._failed_setup is not None:
            # Nothing a check did after a failed setup is evidence about the platform.
            status, reason = CheckStatus.ERROR, self._failed_setup.reason
            detail, context.problems, context.measured = f"setup failed: {self._failed_setup.detail}", [], {}
        if status is CheckStatus.PASS and context.problems:
            status = CheckStatus.FAIL
        if context.problems and status is CheckStatus.FAIL:
            detail = "; ".join([*context.problems, detail] if detail else context.problems)
        elif context.problems and status is CheckStatus.ERROR:
            # Problems seen before the check was cut short are kept, after the reason it stopped.
            detail = "; ".join([detail, *(f"(before that: {problem})" for problem in context.problems)])
        elif status is CheckStatus.PASS:
            detail = "; ".join(context.notes)
        self._record(
            self._results.result(
                check_id,
                status,
                detail,
                reason=reason,
                remedy="; ".join(context.remedies) if status is CheckStatus.FAIL else "",
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
        if self._failed_setup is not None:
            why, reason = f"setup failed: {self._failed_setup.detail}", self._failed_setup.reason
        else:
            why, reason = "the notebook never ran this check", ErrorReason.INTERNAL
        self._results = final_results(self._results, why, reason)
        write_results(self._path, self._results)
        return self.table()

    def table(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            {
                "id": check.id,
                "title": check.title,
                "status": check.status.value,
                "reason": check.reason.value if check.reason else "",
                "detail": check.detail,
                "duration_s": check.duration_s,
            }
            for check in self._results.checks
        ]
        return pd.DataFrame(rows, columns=["id", "title", "status", "reason", "detail", "duration_s"])

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
        label = result.status.value.upper() + (f"/{result.reason.value}" if result.reason else "")
        line = f"[check] {label:5} {result.id}: {shown}"[:300]
        print(redact(line, seen_secrets()), flush=True)

"""Health (the seed's three checks, bodies read by `workbook.health.read_health`) and readiness: how
long until the first request that needs the models really works, and whether the readiness
endpoint said "ready" before the routes did."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..health import read_health
from ._client import Exchange
from ._dialects import StudioDialect
from ._samples import png

HEALTH_SAMPLES = 3
POLL_S = 0.05
# Answers that mean "not yet" rather than "this request is wrong" (a 404 here is a JSON "no such
# job" from generate-3d: a missing route has already ended the check, see `StudioDialect.reached`).
NOT_YET = (404, 408, 409, 423, 425, 429)
RESTART_PATH = "/_sandbox/restart"


def health_problems(
    answers: list[tuple[str, Exchange]], budget_s: float, words: Mapping[str, str] | None = None
) -> list[tuple[str, bool]]:
    """(problem, whether it is a serving defect) per problem: 200, JSON, within `budget_s` (the seed's
    three health tests: serving defects), and a body whose status words say healthy, read by
    `workbook.health.read_health` (a body saying `degraded` is the service's own report, not a
    serving defect). A body that names no status is no evidence either way."""
    found: list[tuple[str, bool]] = []
    for path, answer in answers:
        if answer.status != 200:
            found.append((f"GET {path}: expected 200, got {answer.brief()}", True))
            continue
        body = answer.json()
        if body is None:
            found.append((f"GET {path}: body is not JSON ({answer.content_type or 'no Content-Type'})", True))
        elif "json" not in answer.content_type:
            found.append((f"GET {path}: Content-Type {answer.content_type!r} is not JSON", True))
        else:
            reading = read_health(body, words)
            if reading.verdict in ("warn", "fail"):
                blamed = f"; it blames {', '.join(reading.blamed)}" if reading.blamed else ""
                found.append((f"GET {path}: 200 but its body says {reading.words} ({reading.verdict}){blamed}", False))
        if answer.elapsed_s > budget_s:
            found.append((f"GET {path}: took {answer.elapsed_s:.3f} s, budget {budget_s:g} s", True))
    return found


@dataclass(frozen=True)
class Tick:
    at_s: float  # since the start (restart or first contact)
    ready: int | None
    work: int | None
    work_s: float
    work_detail: str


@dataclass
class Readiness:
    mode: str  # "restart" (sandbox) or "first contact" (live)
    ticks: list[Tick] = field(default_factory=list)
    first_working_s: float | None = None
    first_ready_s: float | None = None
    ready_after_work: int | None = None  # readiness status seen once the work probe succeeds
    refused: str = ""  # the platform refused the probe itself (4xx): readiness could not be judged

    def problems(self, budget_s: float) -> list[tuple[str, bool]]:
        """(problem, whether it is the readiness defect: /ready saying 200 before the routes work)."""
        found: list[tuple[str, bool]] = []
        if self.refused:
            return []  # nothing to judge: the caller reports the refusal as could-not-check
        lying = [t for t in self.ticks if t.ready == 200 and (t.work is None or t.work >= 500)]
        if lying:
            t = lying[0]
            found.append(
                (
                    f"/ready answered 200 at +{t.at_s:.2f} s while the work probe right after answered "
                    f"{t.work_detail}: readiness is reported before the routes work",
                    True,
                )
            )
        if self.first_working_s is None:
            waited = self.ticks[-1].at_s if self.ticks else 0
            found.append((f"no working request within {waited:.1f} s of {self.mode}", False))
            return found
        if self.first_working_s > budget_s:
            first = next(t for t in self.ticks if t.work is not None and 200 <= t.work < 300)
            slow = (
                f"; that request alone took {first.work_s:.2f} s (a slow first request)"
                if first.work_s > budget_s / 2
                else ""
            )
            found.append(
                (
                    f"first working request {self.first_working_s:.2f} s after {self.mode}, "
                    f"budget {budget_s:g} s{slow}",
                    False,
                )
            )
        if self.ready_after_work not in (None, 200):
            found.append((f"the work probe succeeds but /ready still answers {self.ready_after_work}", False))
        return found


def measure_readiness(
    dialect: StudioDialect,
    *,
    image_px: int,
    restart: Callable[[], None] | None,
    limit_s: float,
    clock: Callable[[], float] = time.monotonic,
) -> Readiness:
    """Poll the readiness path and the dialect's work probe (with an image the platform accepts,
    `image_px` a side) until the work succeeds or `limit_s` passes. With `restart` (the sandbox's
    admin endpoint) the clock starts at the restart, else at the first contact. A probe that never
    reached the platform (unreachable, credentials refused, no such route) raises `CouldNotCheck`."""
    result = Readiness("restart" if restart else "first contact")
    image = png(image_px, image_px, seed=9)
    if restart is not None:
        restart()
    started = clock()
    while clock() - started < limit_s:
        ready = dialect.send("ready")
        work = dialect.work_probe(image)
        at = clock() - started
        result.ticks.append(Tick(round(at, 4), ready.status, work.status, work.elapsed_s, work.brief()))
        if ready.status == 200 and result.first_ready_s is None:
            result.first_ready_s = at
        if work.ok:
            result.first_working_s = at
            break
        if work.status is not None and 400 <= work.status < 500 and work.status not in NOT_YET:
            result.refused = work.brief()  # our probe was refused: not a readiness verdict
            break
        time.sleep(POLL_S)
    if result.first_working_s is not None:
        result.ready_after_work = dialect.send("ready").status
    return result

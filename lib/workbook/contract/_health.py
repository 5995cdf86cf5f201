"""Health (the seed's three checks, bodies read) and readiness: how long until the first request that needs the
models really works,
and whether the readiness endpoint said "ready" before the routes did."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ._client import Exchange
from ._dialects import StudioDialect
from ._samples import png

HEALTH_SAMPLES = 3
POLL_S = 0.05
# Answers that mean "not yet" rather than "this request is wrong".
NOT_YET = (404, 408, 409, 423, 425, 429)
RESTART_PATH = "/_sandbox/restart"


HEALTH_WORDS = {
    "pass": ("healthy", "ok", "pass", "up", "ready", "online"),
    "warn": ("degraded", "warn", "warning"),
    "fail": ("unhealthy", "fail", "down", "not_ready", "error"),
}


def health_word(body: object) -> tuple[str, str]:
    """(pass|warn|fail|unknown, the body's own word) of a health body's `status`."""
    word = str(body.get("status", "")) if isinstance(body, dict) else ""
    for verdict, words in HEALTH_WORDS.items():
        if word.lower() in words:
            return verdict, word
    return "unknown", word


def health_problems(answers: list[tuple[str, Exchange]], budget_s: float) -> list[str]:
    """200, a JSON body saying healthy, each answer within `budget_s` (the seed's three health tests)."""
    found = []
    for path, answer in answers:
        if answer.status != 200:
            found.append(f"GET {path}: expected 200, got {answer.brief()}")
            continue
        body = answer.json()
        if body is None:
            found.append(f"GET {path}: body is not JSON ({answer.content_type or 'no Content-Type'})")
        elif "json" not in answer.content_type:
            found.append(f"GET {path}: Content-Type {answer.content_type!r} is not JSON")
        else:
            verdict, word = health_word(body)
            if verdict != "pass":
                found.append(f"GET {path}: 200 but its body says status {word!r} ({verdict})")
        if answer.elapsed_s > budget_s:
            found.append(f"GET {path}: took {answer.elapsed_s:.3f} s, budget {budget_s:g} s")
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

    def problems(self, budget_s: float) -> list[str]:
        found = []
        if self.refused:
            return []  # nothing to judge: the caller reports the refusal as could-not-check
        lying = [t for t in self.ticks if t.ready == 200 and (t.work is None or t.work >= 500)]
        if lying:
            t = lying[0]
            found.append(
                f"/ready answered 200 at +{t.at_s:.2f} s while the work probe right after answered {t.work_detail}: "
                "readiness is reported before the routes work"
            )
        if self.first_working_s is None:
            found.append(f"no working request within {self.ticks[-1].at_s if self.ticks else 0:.1f} s of {self.mode}")
            return found
        if self.first_working_s > budget_s:
            first = next(t for t in self.ticks if t.work is not None and 200 <= t.work < 300)
            slow = (
                f"; that request alone took {first.work_s:.2f} s (a slow first request)"
                if first.work_s > budget_s / 2
                else ""
            )
            found.append(
                f"first working request {self.first_working_s:.2f} s after {self.mode}, budget {budget_s:g} s{slow}"
            )
        if self.ready_after_work not in (None, 200):
            found.append(f"the work probe succeeds but /ready still answers {self.ready_after_work}")
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
    admin endpoint) the clock starts at the restart, else at the first contact."""
    result = Readiness("restart" if restart else "first contact")
    image = png(image_px, image_px, seed=9)
    if restart is not None:
        restart()
    started = clock()
    while clock() - started < limit_s:
        ready = dialect.client.send("GET", dialect.ready_path)
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
        result.ready_after_work = dialect.client.send("GET", dialect.ready_path).status
    return result

"""Health (the seed's three checks) and readiness: how long until the first upload really works,
and whether the readiness endpoint said "ready" before the routes did."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ._client import Exchange, StudioClient
from ._samples import png

HEALTH_SAMPLES = 3
POLL_S = 0.05
RESTART_PATH = "/_sandbox/restart"


def health_problems(answers: list[Exchange], budget_s: float) -> list[str]:
    """200, a JSON body, and each answer within `budget_s` (the seed's three health tests)."""
    found = []
    for number, answer in enumerate(answers, 1):
        if answer.status != 200:
            found.append(f"health request {number}: expected 200, got {answer.brief()}")
            continue
        if answer.json() is None:
            found.append(f"health request {number}: body is not JSON ({answer.content_type or 'no Content-Type'})")
        elif "json" not in answer.content_type:
            found.append(f"health request {number}: Content-Type {answer.content_type!r} is not JSON")
        if answer.elapsed_s > budget_s:
            found.append(f"health request {number}: took {answer.elapsed_s:.3f} s, budget {budget_s:g} s")
    return found


@dataclass(frozen=True)
class Tick:
    at_s: float  # since the start (restart or first contact)
    ready: int | None
    upload: int | None
    upload_s: float
    upload_detail: str


@dataclass
class Readiness:
    mode: str  # "restart" (sandbox) or "first contact" (live)
    ticks: list[Tick] = field(default_factory=list)
    first_working_s: float | None = None
    first_ready_s: float | None = None
    ready_after_work: int | None = None  # readiness status seen once uploads work

    def problems(self, budget_s: float) -> list[str]:
        found = []
        lying = [t for t in self.ticks if t.ready == 200 and t.upload not in range(200, 300)]
        if lying:
            t = lying[0]
            found.append(
                f"/ready answered 200 at +{t.at_s:.2f} s while an upload right after answered {t.upload_detail}: "
                "readiness is reported before the routes work"
            )
        if self.first_working_s is None:
            found.append(f"no working upload within {self.ticks[-1].at_s if self.ticks else 0:.1f} s of {self.mode}")
            return found
        if self.first_working_s > budget_s:
            first = next(t for t in self.ticks if t.upload is not None and 200 <= t.upload < 300)
            slow = (
                f"; that upload alone took {first.upload_s:.2f} s (a slow first request)"
                if first.upload_s > budget_s / 2
                else ""
            )
            found.append(
                f"first working upload {self.first_working_s:.2f} s after {self.mode}, budget {budget_s:g} s{slow}"
            )
        if self.ready_after_work not in (None, 200):
            found.append(f"uploads work but /ready still answers {self.ready_after_work}")
        return found


def measure_readiness(
    client: StudioClient,
    *,
    restart: Callable[[], None] | None,
    limit_s: float,
    clock: Callable[[], float] = time.monotonic,
) -> Readiness:
    """Poll /ready and try a real upload until one works (or `limit_s` passes).

    With `restart` (the sandbox's admin endpoint) the clock starts at the restart, else at the
    first contact.
    """
    result = Readiness("restart" if restart else "first contact")
    image = png(16, 16, seed=9)
    if restart is not None:
        restart()
    started = clock()
    while clock() - started < limit_s:
        ready = client.get("ready")
        upload = client.upload(image, "ready.png")
        at = clock() - started
        result.ticks.append(Tick(round(at, 4), ready.status, upload.status, upload.elapsed_s, upload.brief()))
        if ready.status == 200 and result.first_ready_s is None:
            result.first_ready_s = at
        if upload.ok:
            result.first_working_s = at
            break
        time.sleep(POLL_S)
    if result.first_working_s is not None:
        result.ready_after_work = client.get("ready").status
    return result

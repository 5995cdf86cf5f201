"""Fault switches that act on the bot's jobs (the REST-level ones live in `_rest`).

* `out_of_order`: among jobs with the same echoed prompt, later submissions post their grid first.
* `gateway_drop_mid_job`: at a job's first progress update every gateway connection is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib

from ._botcore import BotCore, Job

# Bound on how long a finished job may be held back by the out_of_order fault (emulated seconds).
MAX_HOLD_EMULATED_S = 600.0
# ...but never less than this in real seconds: a paced client may take that long to submit a group.
MIN_HOLD_BOUND_S = 60.0
# With `out_of_order: true`, a finished job waits this long (emulated, at least 1 s real) for
# identical jobs submitted after it.
ORDER_GRACE_EMULATED_S = 30.0


class FaultBehaviours:
    def __init__(self, core: BotCore) -> None:
        self.core = core

    async def hold_for_order(self, job: Job) -> None:
        """The `out_of_order` fault: post identical prompts' results newest first.

        `true`: a finished job also waits a grace period (max(30 emulated s, 1 s)) for identical
        jobs submitted after it, since a paced client submits them after earlier ones could finish.
        An integer N: wait until N identical jobs were submitted. Bounded by MAX_HOLD_EMULATED_S
        (at least MIN_HOLD_BOUND_S)."""
        core = self.core
        value = core.faults.value("out_of_order")
        if not value:
            return
        group = value if isinstance(value, int) and not isinstance(value, bool) else None
        grace = 0.0 if group is not None else max(core.settings.scaled(ORDER_GRACE_EMULATED_S), 1.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(core.settings.scaled(MAX_HOLD_EMULATED_S), MIN_HOLD_BOUND_S)
        # The grace runs from when this job is ready, restarting whenever an identical job arrives.
        known, grace_until = core.order.submitted(job.echoed), loop.time() + grace
        async with core.order_changed:
            for _ in range(100_000):
                if loop.time() >= deadline:
                    break
                wait_until = deadline
                if core.order.may_post(job.job_id, job.echoed, group):
                    if grace <= 0:
                        break
                    if core.order.submitted(job.echoed) != known:
                        known, grace_until = core.order.submitted(job.echoed), loop.time() + grace
                    if loop.time() >= grace_until:
                        break
                    wait_until = min(deadline, grace_until)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(core.order_changed.wait(), max(0.0, wait_until - loop.time()))
        core.obs.faults_fired["out_of_order"] += 1

    def maybe_drop_gateway(self) -> None:
        """The `gateway_drop_mid_job` fault, called at a job's first progress update."""
        if not self.core.faults.on("gateway_drop_mid_job"):
            return
        self.core.use_fault("gateway_drop_mid_job")
        self.core.gateway.drop_all()

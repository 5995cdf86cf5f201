"""Fault switches that act on the bot's jobs (the REST-level ones live in `_rest`).

* `out_of_order`: among jobs with the same echoed prompt, later submissions post their grid first.
* `gateway_drop_mid_job`: at a job's first progress update every gateway connection is dropped.
* `action_grids`: at a job's first progress update, grids of the same prompt made by buttons
  (Variations (Strong), Zoom Out, Pan Right, Remix (Subtle), 🔄 reroll) appear in the channel, by
  the same user, newer than the job: what a busy account's channel looks like.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time

from ._botcore import BotCore, Job
from ._prompt import filename_slug
from ._replies import final_grid, grid_filename, grid_kind, reply_to

# (label, echoed-prompt rewrite) of the action grids the `action_grids` fault posts; pan widens
# the canvas and Midjourney rewrites `--ar` (live v7 capture), the reroll has no label.
ACTIONS = (
    ("Variations (Strong) by ", None),
    ("Zoom Out by ", None),
    ("Pan Right by ", "3:2"),
    ("Remix (Subtle) by ", None),
    ("", None),
)
_AR = re.compile(r"\s--(?:ar|aspect)\s+\S+")

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

    async def post_action_grids(self, job: Job) -> None:
        """The `action_grids` fault: button-made grids of `job`'s prompt, replying to an older upscale
        (the reroll to its own, unseen, waiting message); none of them is `job`'s result."""
        core = self.core
        solo = str(core.ids.past(time.time() - 600))
        for label, ratio in ACTIONS:
            echoed = job.echoed if ratio is None else _AR.sub("", job.echoed) + f" --ar {ratio}"
            other = core.add(
                job.derive(
                    kind="action",
                    echoed=echoed,
                    interaction_id=str(core.ids.next()),
                    interaction_type=3,
                    nonce=None,
                    session_id=None,
                    submitted_at=time.time(),
                    label=label,
                    status="done",
                )
            )
            width, height = other.size
            slug = grid_filename(core, filename_slug(core.config.username, echoed, other.job_id))
            image = await core.emit.attachment(grid_kind(core), other.job_id, 0, width, height, slug)
            reply = str(core.ids.next()) if not label else solo
            message = final_grid(core, other, image, None)
            message.update(reply_to(core, reply), type=19)
            core.create(message, "action_grid", other)
        core.obs.faults_fired["action_grids"] += 1

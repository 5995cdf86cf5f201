"""The runner: execute a RunPlan's notebooks through papermill against the sandbox (or live
services) and leave an evidence bundle, whatever happens: failure, timeout, dead kernel, Ctrl-C.

`run(plan, execute=..., schedule=...)` takes two seams: the executor (the default starts a kernel
per notebook; a fake one lets tests drive sealing, classification and scrubbing without any
kernel) and the schedule (one after another here, or `DaskSchedule` on a Dask cluster).
"""

from ._distributed import DaskSchedule
from ._execute import Ending, Executor, KernelContext, execute_notebook, settle_entry
from ._kernel import KERNEL_NAME, execute_with_papermill
from ._run import RunOutcome, run, summary_line
from ._schedule import Job, Schedule, sequential

__all__ = [
    "KERNEL_NAME",
    "DaskSchedule",
    "Ending",
    "Executor",
    "Job",
    "KernelContext",
    "RunOutcome",
    "Schedule",
    "execute_notebook",
    "execute_with_papermill",
    "run",
    "sequential",
    "settle_entry",
    "summary_line",
]

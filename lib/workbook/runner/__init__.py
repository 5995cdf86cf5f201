"""The runner: execute a RunPlan's notebooks through papermill against the sandbox (or live
services) and leave an evidence bundle, whatever happens: failure, timeout, dead kernel, Ctrl-C.

`run(plan, execute=...)` takes the executor as a seam: the default starts a kernel per notebook;
a fake one lets tests drive sealing, classification and scrubbing without any kernel.
"""

from ._execute import Ending, Executor, KernelContext, execute_notebook, settle_entry
from ._kernel import KERNEL_NAME, execute_with_papermill
from ._run import RunOutcome, run, summary_line

__all__ = [
    "KERNEL_NAME",
    "Ending",
    "Executor",
    "KernelContext",
    "RunOutcome",
    "execute_notebook",
    "execute_with_papermill",
    "run",
    "settle_entry",
    "summary_line",
]

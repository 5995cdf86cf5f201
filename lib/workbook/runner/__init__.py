"""The runner: execute a RunPlan's notebooks through papermill against the sandbox (or live
services) and leave an evidence bundle, whatever happens: failure, timeout, dead kernel, Ctrl-C.
"""

from ._execute import execute_notebook
from ._run import RunOutcome, run

__all__ = ["RunOutcome", "execute_notebook", "run"]

"""Fault injection the Toxiproxy way, and the experiment shape of Chaos Toolkit.

`ToxiproxyClient` speaks Toxiproxy's HTTP API (the sandbox's `faultproxy` stand-in or a real
Toxiproxy in staging). `run_experiment` runs one experiment as hypothesis -> inject -> observe,
and always runs its rollbacks (pass, fail or exception), recording each in a journal;
`residue` lists anything injected that is still there.
"""

from ._experiment import Experiment, Journal, run_experiment
from ._toxiproxy import ToxiproxyClient, ToxiproxyError, residue

__all__ = ["Experiment", "Journal", "ToxiproxyClient", "ToxiproxyError", "residue", "run_experiment"]

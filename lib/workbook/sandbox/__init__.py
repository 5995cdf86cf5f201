"""The sandbox: local, real-protocol stand-ins for the platform's services.

`Sandbox` starts the requested stand-ins on free 127.0.0.1 ports and stops them (no orphans);
each stand-in lives in its own module/sub-package and follows the contract in `_spec.py`.
Fault switches (`set_faults`, `clear_faults`) let tests prove that each check can fail.
"""

from ._faults import FaultSwitches, clear_faults, set_faults, time_scale_from_env
from ._launcher import Sandbox
from ._registry import SERVICES
from ._spec import ServiceContext, ServiceSpec

__all__ = [
    "SERVICES",
    "FaultSwitches",
    "Sandbox",
    "ServiceContext",
    "ServiceSpec",
    "clear_faults",
    "set_faults",
    "time_scale_from_env",
]

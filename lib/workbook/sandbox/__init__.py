"""The sandbox: local, real-protocol stand-ins for the platform's services.

`Sandbox` starts the requested stand-ins on free 127.0.0.1 ports and stops them (no orphans);
each stand-in lives in its own module/sub-package and follows the contract in `_spec.py` and
`_registry.py`. Fault switches (`set_faults`, `clear_faults`) let tests prove that each check can
fail; `validate_faults` checks switch names and values before anything starts. `up`, `down` and
`status` manage a sandbox that outlives one command (`make sandbox-up`, `make lab`); `read_state` and
`state_root` tell a notebook kernel where it is.
"""

from ._detached import SANDBOX_DIR_ENV, down, read_state, state_root, status, up
from ._faults import FaultSwitches, clear_faults, no_faults, set_faults, time_scale_from_env
from ._launcher import Sandbox
from ._process import alive as process_alive
from ._process import die_with_parent
from ._registry import (
    DEPENDS_ON,
    SERVICES,
    fault_switch_names,
    fault_switches,
    start_waves,
    validate_faults,
    with_dependencies,
)
from ._spec import ServiceContext, ServiceSpec

__all__ = [
    "DEPENDS_ON",
    "SANDBOX_DIR_ENV",
    "SERVICES",
    "FaultSwitches",
    "Sandbox",
    "ServiceContext",
    "ServiceSpec",
    "clear_faults",
    "die_with_parent",
    "down",
    "fault_switch_names",
    "fault_switches",
    "no_faults",
    "process_alive",
    "read_state",
    "set_faults",
    "start_waves",
    "state_root",
    "status",
    "time_scale_from_env",
    "up",
    "validate_faults",
    "with_dependencies",
]

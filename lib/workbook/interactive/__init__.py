"""Interactive exploration: `make lab` next to a sandbox, notebooks bound to it with no value typed.

`interactive_params(globals(), profile="sandbox")` (also `workbook.interactive_params`) fills a
notebook's parameters from `params/<profile>.yaml`, resolved from the running sandbox's state, and
exports its credentials; it does nothing in headless runs. `run_lab` is `make lab`: JupyterLab plus
a sandbox it starts if none is up and stops when the lab ends.
"""

from ._api import interactive_params, lab_mode, notebook_name
from ._binding import Condition, LabBinding, sandbox_condition
from ._injected import injected_names
from ._lab import ensure_sandbox, lab_command, parse_services, run_lab, supervise
from ._panel import binding_panel, condition_html, summary_html
from ._resolve import Resolution, SandboxRef, params_file_for, profiles_for, resolve_profile

__all__ = [
    "Condition",
    "LabBinding",
    "Resolution",
    "SandboxRef",
    "binding_panel",
    "condition_html",
    "ensure_sandbox",
    "injected_names",
    "interactive_params",
    "lab_command",
    "lab_mode",
    "notebook_name",
    "params_file_for",
    "parse_services",
    "profiles_for",
    "resolve_profile",
    "run_lab",
    "sandbox_condition",
    "summary_html",
    "supervise",
]

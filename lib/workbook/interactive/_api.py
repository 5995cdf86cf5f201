"""`workbook.interactive_params(globals(), profile="sandbox")`: a notebook opened in the lab gets
its profile's values from the running sandbox, with no URL pasted.

Called in the cell after the parameters cell. It does nothing unless a person drives the kernel:
`interactive` is False (the runner sets it), the runner started the kernel, papermill injected
parameters (those values always win), or there is no kernel at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..notebook import BINDING_KEY, enable_widgets, in_kernel
from ..params import notebook_parameters
from ..runtime import is_managed_run, repo_root
from ..sandbox import process_alive, state_root
from ._binding import LabBinding
from ._injected import injected_names
from ._panel import binding_panel
from ._resolve import params_file_for, profiles_for, resolve_profile

SESSION_ENV = "JPY_SESSION_NAME"  # jupyter_server tells each kernel its notebook's path


def lab_mode(namespace: Mapping[str, Any]) -> bool:
    """True when a person drives this kernel: interactive, in a kernel, not the runner's, nothing injected."""
    if "interactive" not in namespace:
        raise UsageError(
            "interactive_params: the namespace has no `interactive` parameter; "
            "declare `interactive: bool = True` in the parameters cell and pass globals()"
        )
    if not namespace["interactive"] or is_managed_run() or not in_kernel():
        return False
    return injected_names(namespace.get("In", ())) is None


def notebook_name(namespace: Mapping[str, Any], notebooks_dir: Path) -> str:
    """Which notebook this kernel runs: the lab's session name, else the one whose parameters these are."""
    available = sorted(path.stem for path in notebooks_dir.glob("*.ipynb"))
    session = str(namespace.get("__session__") or os.environ.get(SESSION_ENV) or "")
    if session and Path(session).stem in available:
        return Path(session).stem
    names = {key for key in namespace if not key.startswith("_")}
    matches = []
    for name in available:
        declared = set(notebook_parameters(notebooks_dir / f"{name}.ipynb"))
        if declared and declared <= names:
            matches.append((len(declared), name))
    best = [name for size, name in matches if size == max(matches)[0]] if matches else []
    if len(best) != 1:
        raise UsageError(
            f"interactive_params: cannot tell which notebook of {notebooks_dir} this kernel runs "
            f"(session {session!r}, candidates {best or available}); pass notebook='NN_name'"
        )
    return best[0]


def interactive_params(
    namespace: MutableMapping[str, Any],
    profile: str = "sandbox",
    *,
    notebook: str | None = None,
    params_dir: Path | None = None,
    notebooks_dir: Path | None = None,
) -> LabBinding | None:
    """Fill this notebook's parameters from `params/<profile>.yaml`, resolved from the running sandbox.

    Writes the values into `namespace` (usually `globals()`), exports the sandbox's credentials into
    the kernel's environment and shows the binding panel (profile switch, which sandbox, whether it
    is still up). Returns the binding, or None when it did nothing (headless, runner, papermill).
    """
    params_dir = params_dir or repo_root() / "params"
    notebooks_dir = notebooks_dir or repo_root() / "notebooks"
    if not lab_mode(namespace):
        enable_widgets(False)
        return None
    params_file_for(profile, params_dir)  # a bad profile name fails here, before anything changes
    name = notebook or notebook_name(namespace, notebooks_dir)
    sandbox_root = state_root()

    def resolve(chosen: str) -> Any:
        return resolve_profile(
            chosen,
            name,
            params_dir=params_dir,
            notebooks_dir=notebooks_dir,
            sandbox_root=sandbox_root,
            dotenv_file=repo_root() / ".env",
            environ=os.environ,
            alive=process_alive,
        )

    profiles = profiles_for(name, params_dir)
    binding = LabBinding(namespace, name, profiles, resolve, sandbox_root=sandbox_root, alive=process_alive)
    binding.activate(profile)
    namespace[BINDING_KEY] = binding
    enable_widgets(True)
    from IPython.display import display

    display(binding_panel(binding))
    return binding

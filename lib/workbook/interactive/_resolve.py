"""A profile's values for one notebook, resolved from the sandbox that is running now.

The same rule as a headless run: `load_plan` reads `params/<profile>.yaml` and
`RunPlan.resolved` substitutes `${sandbox.<service>.<output>}`, here from the outputs recorded in
the running sandbox's state file instead of a sandbox the runner starts. A value that refers to a
service the sandbox does not run stays at the notebook's default and is named as unresolved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ParamsError, UsageError
from ..params import load_plan, placeholders_in
from ..sandbox import read_state

SANDBOX_ENV_FILE = "sandbox.env"
FIRST_PROFILES = ("sandbox", "live")


@dataclass(frozen=True)
class SandboxRef:
    """A sandbox as its state file describes it: where, since when, which processes, what outputs."""

    state_file: Path
    started_at: str
    time_scale: float | None
    pids: Mapping[str, int]
    outputs: Mapping[str, Mapping[str, str]]
    # Each stand-in's log file, for saying where to look when one has stopped.
    logs: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> SandboxRef | None:
        try:
            state = read_state(root)
        except FileNotFoundError:
            return None  # removed between the existence check and the read: `sandbox down` just ran
        if state is None:
            return None
        services = state.get("services", {})
        return cls(
            state_file=root / "state.json",
            started_at=str(state.get("started_at", "")),
            time_scale=state.get("time_scale"),
            pids={name: int(info["pid"]) for name, info in services.items()},
            outputs={name: dict(info.get("outputs", {})) for name, info in services.items()},
            logs={name: str(info["log"]) for name, info in services.items() if info.get("log")},
        )

    def same_sandbox(self, other: SandboxRef | None) -> bool:
        return other is not None and (other.state_file, other.started_at, other.pids) == (
            self.state_file,
            self.started_at,
            self.pids,
        )


@dataclass(frozen=True)
class Resolution:
    """What binding a notebook to a profile gives: values to set, credentials to export, and why not more."""

    profile: str
    params_file: Path
    notebook: str
    values: Mapping[str, Any] = field(default_factory=dict)
    # Parameter -> the services its placeholders need that are not running.
    unresolved: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    needs_sandbox: bool = False
    sandbox: SandboxRef | None = None
    # Environment variables to export into the kernel: credentials, so never part of the repr.
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    env_file: Path | None = None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def params_file_for(profile: str, params_dir: Path) -> Path:
    path = params_dir / f"{profile}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in params_dir.glob("*.yaml"))) or "(none)"
        raise UsageError(f"profile {profile!r}: there is no {path}; expected one of: {known}")
    return path


def profiles_for(notebook: str, params_dir: Path) -> list[str]:
    """The profiles (params files) that have a section for `notebook`: sandbox and live first."""
    found = []
    for path in sorted(params_dir.glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            continue
        if isinstance(document, dict) and notebook in (document.get("notebooks") or {}):
            found.append(path.stem)
    return sorted(found, key=lambda name: (FIRST_PROFILES.index(name) if name in FIRST_PROFILES else 99, name))


def resolve_profile(
    profile: str,
    notebook: str,
    *,
    params_dir: Path,
    notebooks_dir: Path,
    sandbox_root: Path,
    dotenv_file: Path,
    environ: Mapping[str, str],
    alive: Callable[[int], bool],
) -> Resolution:
    """Resolve `notebook`'s section of `params/<profile>.yaml` against the sandbox running now."""
    params_file = params_file_for(profile, params_dir)
    base = Resolution(profile=profile, params_file=params_file, notebook=notebook)
    try:
        plan = load_plan(params_file, notebooks_dir=notebooks_dir, only=[notebook])
    except ParamsError as error:
        return dataclasses.replace(base, problems=(str(error),))
    (section,) = plan.notebooks
    needs_sandbox = bool(plan.sandbox)
    sandbox = SandboxRef.read(sandbox_root) if needs_sandbox else None
    outputs = {name: out for name, out in sandbox.outputs.items() if alive(sandbox.pids[name])} if sandbox else {}
    if needs_sandbox:
        env_file = sandbox_root / SANDBOX_ENV_FILE
        # The running sandbox's credentials replace whatever an older sandbox left in the kernel.
        env = _dotenv(env_file) if outputs else {}
    else:
        env_file = dotenv_file
        # Like `make run-live`: .env fills in what the environment does not already set.
        env = {name: value for name, value in _dotenv(env_file).items() if name not in environ}

    kept: dict[str, Any] = {}
    unresolved: dict[str, tuple[str, ...]] = {}
    for key, value in section.parameters.items():
        if key == "services" and isinstance(value, dict):
            # Profile by profile: the services this sandbox runs are usable even when others are not.
            kept[key] = {}
            for name, entry in value.items():
                missing = _missing(entry, outputs)
                if missing:
                    unresolved[f"services.{name}"] = missing
                else:
                    kept[key][name] = entry
            continue
        missing = _missing(value, outputs)
        if missing:
            unresolved[key] = missing
        else:
            kept[key] = value
    problems: list[str] = []
    try:
        resolved = plan.replace(notebooks=(dataclasses.replace(section, parameters=kept),)).resolved(outputs)
        values = dict(resolved.notebooks[0].parameters)
    except ParamsError as error:
        values, problems = {}, [str(error)]
    notes = []
    if sandbox is not None and sandbox.time_scale is not None and sandbox.time_scale != plan.time_scale:
        notes.append(
            f"this sandbox runs its clocks at time_scale {sandbox.time_scale:g}; {params_file.name} expects "
            f"{plan.time_scale:g} (timing-sensitive checks may behave differently)"
        )
    return dataclasses.replace(
        base,
        values=values,
        unresolved=unresolved,
        needs_sandbox=needs_sandbox,
        sandbox=sandbox,
        env=env,
        env_file=env_file,
        problems=tuple(problems),
        notes=tuple(notes),
    )


def _missing(value: Any, outputs: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted({service for service, _ in placeholders_in(value) if service not in outputs}))


def _dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {name: value for name, value in dotenv_values(path).items() if value is not None}

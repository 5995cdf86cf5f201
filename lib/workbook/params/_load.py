"""Loading a params file into a RunPlan, collecting every problem before any kernel starts."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..credentials import looks_secret
from ..errors import ParamsError
from ..sandbox import SERVICES, fault_switch_names, validate_faults, with_dependencies
from ._matrix import MATRIX_KEY, expand_matrix
from ._placeholders import placeholders_in
from ._plan import NotebookPlan, RunPlan
from ._schema import NotebookParameter, notebook_is_exclusive, notebook_parameters
from ._services import SERVICES_PARAMETER, service_section_problems, services_for_notebook

RUNNER_OWNED = ("interactive", SERVICES_PARAMETER)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _ParamsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    sandbox: list[str] = Field(default_factory=list)
    cell_timeout_s: float = Field(default=600, gt=0, le=86_400)
    # Sandbox clocks (e.g. the emulated Midjourney bot) run this many times faster than wall time.
    time_scale: float = Field(default=1.0, gt=0, le=10_000)
    shared: dict[str, Any] = Field(default_factory=dict)
    # Connection profiles by service name (workbook.connect.ServiceProfile); notebooks name the ones they use.
    services: dict[str, Any] = Field(default_factory=dict)
    notebooks: dict[str, dict[str, Any] | None]


def parse_override(text: str) -> tuple[str, Any]:
    """`-p KEY=VALUE` or `-p NOTEBOOK.KEY=VALUE`; VALUE is read as YAML (numbers, bools, lists)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ParamsError(f"-p {text!r}: expected KEY=VALUE or NOTEBOOK.KEY=VALUE")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as error:
        raise ParamsError(f"-p {text!r}: value is not valid YAML ({error})") from error
    return key.strip(), value


def parse_fault(text: str) -> tuple[str, str, Any]:
    """`--fault SERVICE.SWITCH=VALUE` (VALUE is YAML; `--fault SERVICE.SWITCH` alone means true)."""
    target, sep, raw = text.partition("=")
    service, dot, switch = target.strip().partition(".")
    if not dot or not service or not switch:
        raise ParamsError(f"--fault {text!r}: expected SERVICE.SWITCH=VALUE, e.g. brain.added_latency_ms=200")
    try:
        value = (yaml.safe_load(raw) if raw.strip() else "") if sep else True
    except yaml.YAMLError as error:
        raise ParamsError(f"--fault {text!r}: value is not valid YAML ({error})") from error
    return service, switch, value


def load_plan(
    file: Path,
    *,
    notebooks_dir: Path,
    only: Sequence[str] = (),
    overrides: Sequence[tuple[str, Any]] = (),
    faults: Sequence[tuple[str, str, Any]] = (),
    time_scale: float | None = None,
) -> RunPlan:
    document = _read_yaml(file)
    try:
        parsed = _ParamsFile.model_validate(document)
    except ValidationError as error:
        raise ParamsError(_pydantic_problems(file, error, document)) from None
    problems: list[str] = []
    problems += [
        _problem(
            file,
            None,
            "sandbox",
            f"unknown service {name!r}{_did_you_mean(name, SERVICES)}; known: {', '.join(SERVICES)}",
        )
        for name in parsed.sandbox
        if name not in SERVICES
    ]
    available = sorted(path.stem for path in notebooks_dir.glob("*.ipynb"))
    sections = {name: dict(section or {}) for name, section in parsed.notebooks.items()}
    for name in sections:
        if name not in available:
            problems.append(
                _problem(
                    file,
                    name,
                    None,
                    f"notebook not found: {notebooks_dir / (name + '.ipynb')}{_did_you_mean(name, available)}",
                )
            )
    for name in only:
        if name not in sections:
            problems.append(
                _problem(
                    file,
                    None,
                    "--only",
                    f"{name!r} is not a notebook of this params file"
                    f"{_did_you_mean(name, list(sections))}; notebooks: {', '.join(sections)}",
                )
            )
    problems += [_problem(file, None, None, line) for line in service_section_problems(parsed.services, parsed.sandbox)]
    _raise_if(problems)

    shared = dict(parsed.shared)
    for key, value in overrides:
        notebook, dot, bare = key.partition(".")
        if dot and notebook in sections:
            sections[notebook][bare] = value
        elif dot:
            problems.append(
                _problem(
                    file,
                    None,
                    f"-p {key}",
                    f"no notebook {notebook!r} in this params file{_did_you_mean(notebook, list(sections))}",
                )
            )
        else:
            shared[key] = value
    selected = [name for name in sections if not only or name in only]
    schemas = {name: notebook_parameters(notebooks_dir / f"{name}.ipynb") for name in sections}
    declared_anywhere = {key for schema in schemas.values() for key in schema}
    for key in shared:
        if key == SERVICES_PARAMETER:
            problems.append(
                _problem(file, None, "shared.services", "connection profiles go in the top-level services: section")
            )
        elif looks_secret(key):
            problems.append(
                _problem(
                    file,
                    None,
                    f"shared.{key}",
                    "looks like a secret (value not shown); secrets are never parameters — "
                    f"name the environment variable that holds it instead ({key}_env: MY_VAR)",
                )
            )
        elif key not in declared_anywhere:
            problems.append(
                _problem(
                    file,
                    None,
                    f"shared.{key}",
                    f"no notebook declares this parameter (value "
                    f"{shared[key]!r}){_did_you_mean(key, declared_anywhere)}",
                )
            )

    plans = []
    for name in selected:
        values = {key: value for key, value in shared.items() if key in schemas[name]}
        values.update(sections[name])
        if SERVICES_PARAMETER in values:
            problems.append(
                _problem(file, name, SERVICES_PARAMETER, "set by the top-level services: section, not per notebook")
            )
        given, unknown = services_for_notebook(schemas[name], values, parsed.services)
        problems += [
            _problem(
                file,
                name,
                key,
                f"names service profile {profile!r}, which the services: section does not define"
                f"{_did_you_mean(profile, parsed.services)}; defined: {', '.join(parsed.services) or 'none'}",
            )
            for key, profile in unknown
        ]
        if given is not None:
            values[SERVICES_PARAMETER] = given
        combos, matrix_problems = expand_matrix(name, values.pop(MATRIX_KEY, None))
        problems += [_problem(file, name, None, problem) for problem in matrix_problems]
        path = notebooks_dir / f"{name}.ipynb"
        exclusive = notebook_is_exclusive(path)
        for entry, combo in combos:
            found = _check_notebook(file, name, schemas[name], {**values, **combo}, parsed.sandbox)
            problems += [problem for problem in found if problem not in problems]
            plans.append(
                NotebookPlan(
                    name=entry,
                    path=path,
                    schema=schemas[name],
                    parameters={**values, **combo},
                    notebook=name,
                    matrix=combo,
                    exclusive=exclusive,
                )
            )
    sandbox = _services_needed(parsed.sandbox, plans) if only else list(parsed.sandbox)
    switches, fault_problems = _faults_by_service(file, faults, sandbox)
    problems += fault_problems
    if time_scale is not None and not 0 < time_scale <= 10_000:
        problems.append(_problem(file, None, "--time-scale", f"value {time_scale!r}: expected a number in (0, 10000]"))
    _raise_if(problems)
    return RunPlan(
        file=file,
        profile=parsed.profile,
        sandbox=tuple(sandbox),
        cell_timeout_s=parsed.cell_timeout_s,
        time_scale=time_scale or parsed.time_scale,
        notebooks=tuple(plans),
        overrides=dict(overrides),
        faults=switches,
    )


def _faults_by_service(
    file: Path, faults: Sequence[tuple[str, str, Any]], sandbox: list[str]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Group `--fault` values per stand-in, checked against the switches each stand-in declares."""
    switches: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for service, switch, value in faults:
        key = f"--fault {service}.{switch}"
        if service not in sandbox:
            problems.append(
                _problem(file, None, key, f"service {service!r} is not started by this run (sandbox: {sandbox})")
            )
            continue
        known = sorted(fault_switch_names(service))
        if switch not in known:
            problems.append(
                _problem(
                    file,
                    None,
                    key,
                    f"{service!r} has no fault switch {switch!r}{_did_you_mean(switch, known)}; "
                    f"its switches: {', '.join(known) or '(none)'}",
                )
            )
            continue
        switches.setdefault(service, {})[switch] = value
    for service, values in switches.items():
        try:
            validate_faults(service, values)
        except ValueError as error:
            problems.append(_problem(file, None, f"--fault {service}", str(error)))
    return switches, problems


def _check_notebook(
    file: Path, name: str, schema: dict[str, NotebookParameter], values: dict[str, Any], sandbox: list[str]
) -> list[str]:
    problems = []
    for key, value in values.items():
        if looks_secret(key):
            # Never echo the value: it may be the secret itself.
            problems.append(
                _problem(
                    file,
                    name,
                    key,
                    "looks like a secret (value not shown); secrets are never parameters — "
                    f"name the environment variable that holds it instead ({key}_env: MY_VAR)",
                )
            )
            continue
        if key not in schema:
            problems.append(
                _problem(
                    file,
                    name,
                    key,
                    f"unknown parameter (value {value!r})"
                    f"{_did_you_mean(key, schema)}; the notebook declares: {', '.join(schema)}",
                )
            )
            continue
        if key.endswith("_env") and isinstance(value, str) and not _ENV_NAME.fullmatch(value):
            # A `*_env` key holds a variable's name; anything else may be the secret pasted in by mistake.
            problems.append(
                _problem(
                    file,
                    name,
                    key,
                    "must name an environment variable (letters, digits and _, not starting with a digit); "
                    "the value given is not a variable name and is not shown, in case it is the secret itself",
                )
            )
            continue
        problem = schema[key].problem(value)
        if problem:
            problems.append(_problem(file, name, key, f"value {value!r}: {problem}"))
        # The services: section's placeholders were checked once, where it is written.
        for service, _output in [] if key == SERVICES_PARAMETER else placeholders_in(value):
            if service not in sandbox:
                problems.append(
                    _problem(
                        file,
                        name,
                        key,
                        f"value {value!r} refers to sandbox service {service!r}, "
                        f"which this params file does not start (sandbox: {sandbox})",
                    )
                )
    for key, parameter in schema.items():
        if parameter.required and key not in values and key not in RUNNER_OWNED:
            problems.append(
                _problem(
                    file,
                    name,
                    key,
                    f"missing required value ({parameter.type_name}: {parameter.help or 'no help text'})",
                )
            )
    return problems


def _services_needed(sandbox: list[str], plans: Sequence[NotebookPlan]) -> list[str]:
    """With --only, start just the stand-ins the selected notebooks refer to (and what those need)."""
    referenced = {
        service for plan in plans for value in plan.parameters.values() for service, _output in placeholders_in(value)
    }
    return with_dependencies([name for name in sandbox if name in referenced])


def _read_yaml(file: Path) -> Any:
    if not file.exists():
        raise ParamsError("params file not found", file=file)
    try:
        document = yaml.safe_load(file.read_text())
    except yaml.YAMLError as error:
        raise ParamsError(f"not valid YAML: {error}", file=file) from None
    if not isinstance(document, dict):
        raise ParamsError(f"expected a mapping at the top level, got {type(document).__name__}", file=file)
    return document


def _pydantic_problems(file: Path, error: ValidationError, document: Mapping[str, Any]) -> str:
    known = list(_ParamsFile.model_fields)
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        if item["type"] == "extra_forbidden":
            message = f"unknown key{_did_you_mean(key, known)}; allowed top-level keys: {', '.join(known)}"
        else:
            message = f"value {item.get('input')!r}: {item['msg']}"
        lines.append(_problem(file, None, key, message))
    return "\n".join(lines)


def _problem(file: Path, notebook: str | None, key: str | None, message: str) -> str:
    return str(ParamsError(message, file=file, notebook=notebook, key=key))


def _did_you_mean(word: str, candidates: Any) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _raise_if(problems: list[str]) -> None:
    if problems:
        raise ParamsError("\n".join(problems))

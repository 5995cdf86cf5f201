"""The params file's `services:` section: validated before anything starts, handed to notebooks.

Every profile is checked by `workbook.connect`'s own model (with sandbox placeholders standing in
for the URLs they will become), and each notebook that declares `services: dict` receives the
profiles it names in its `*_service` / `*_services` parameters — or all of them when it names none
(notebook 00 probes every service's health).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..connect import service_profiles
from ..errors import UsageError
from ._placeholders import PLACEHOLDER, placeholders_in
from ._schema import NotebookParameter

SERVICES_PARAMETER = "services"

# What a placeholder stands for while the section is validated (it becomes a real URL at start).
_STAND_INS = {"url": "http://sandbox.placeholder.invalid", "ws_url": "ws://sandbox.placeholder.invalid"}


def service_section_problems(section: Mapping[str, Any], sandbox: list[str]) -> list[str]:
    """One line per problem in the section: bad fields (via the profile model) and placeholders to
    services this file does not start."""
    problems: list[str] = []
    for name, entry in section.items():
        for service, output in placeholders_in(entry):
            if service not in sandbox:
                problems.append(
                    f"services.{name}: ${{sandbox.{service}.{output}}} refers to sandbox service {service!r}, "
                    f"which this params file does not start (sandbox: {sandbox})"
                )
    try:
        service_profiles({name: _with_stand_ins(entry) for name, entry in section.items()})
    except UsageError as error:
        problems.extend(str(error).splitlines())
    return problems


def _with_stand_ins(entry: Any) -> Any:
    if not isinstance(entry, Mapping):
        return entry
    replaced: dict[str, Any] = {}
    for key, value in entry.items():
        if isinstance(value, str) and PLACEHOLDER.search(value):
            replaced[key] = _STAND_INS.get(key, PLACEHOLDER.sub("placeholder", value))
        elif key == "urls" and isinstance(value, Mapping):
            replaced[key] = {k: _STAND_INS["url"] if PLACEHOLDER.search(str(v)) else v for k, v in value.items()}
        else:
            replaced[key] = value
    return replaced


def named_services(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(parameter, profile name) for every `*_service` / `*_services` parameter value."""
    named: list[tuple[str, str]] = []
    for key, value in values.items():
        if key.endswith("_service") and isinstance(value, str) and value:
            named.append((key, value))
        elif key.endswith("_services") and isinstance(value, list):
            named.extend((key, item) for item in value if isinstance(item, str) and item)
    return named


def services_for_notebook(
    schema: Mapping[str, NotebookParameter], values: Mapping[str, Any], section: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """(the `services` value to pass, [(parameter, unknown profile name)]).

    None when the notebook does not declare `services`. The names it uses are its `*_service(s)`
    parameters, as given in the params file or as the parameters cell's defaults.
    """
    if SERVICES_PARAMETER not in schema:
        return None, []
    merged = {**_defaults(schema), **values}
    named = named_services(merged)
    unknown = [(key, name) for key, name in named if name not in section]
    wanted = {name for _, name in named}
    chosen = {name: entry for name, entry in section.items() if not wanted or name in wanted}
    return chosen, unknown


def _defaults(schema: Mapping[str, NotebookParameter]) -> dict[str, Any]:
    import ast

    defaults: dict[str, Any] = {}
    for key, parameter in schema.items():
        if key.endswith(("_service", "_services")):
            try:
                defaults[key] = ast.literal_eval(parameter.default)
            except (ValueError, SyntaxError):
                continue
    return defaults

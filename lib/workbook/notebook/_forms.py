"""Interactive parameter forms: edit a notebook's parameters in JupyterLab without blocking.

The form writes edits back into the notebook's namespace; re-running the following cells uses
them. Nothing waits on the form and no check runs in a widget callback, so headless runs (which
never show the form) behave exactly like a person who did not touch it. When
`workbook.interactive_params` bound the notebook, the form follows its profile switch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from ._live import BINDING_KEY


def params_form(namespace: MutableMapping[str, Any], names: Sequence[str]) -> Any:
    """A VBox with one input per parameter in `names`, bound to `namespace` (usually `globals()`)."""
    import ipywidgets as widgets

    rows = {name: _widget_for(namespace, name) for name in names}
    note = widgets.HTML("<i>Edit values, then re-run the cells below. Nothing waits on this form.</i>")
    binding = namespace.get(BINDING_KEY)
    if binding is not None:
        binding.subscribe(lambda values: _show_values(rows, values))
    form = widgets.VBox([note, *rows.values()])
    form.add_class("workbook-form")
    return form


def _show_values(rows: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    """A profile switch wrote new values into the namespace: show them (the widgets write them back unchanged)."""
    for name, value in values.items():
        if name in rows:
            rows[name].value = value if isinstance(value, str | bool | int | float) else json.dumps(value)


def _widget_for(namespace: MutableMapping[str, Any], name: str) -> Any:
    import ipywidgets as widgets

    value = namespace[name]
    layout = widgets.Layout(width="80%")
    style = {"description_width": "16em"}
    widget: Any
    if isinstance(value, bool):
        widget = widgets.Checkbox(value=value, description=name, style=style)
    elif isinstance(value, int):
        widget = widgets.IntText(value=value, description=name, style=style)
    elif isinstance(value, float):
        widget = widgets.FloatText(value=value, description=name, style=style)
    elif isinstance(value, str):
        widget = widgets.Text(value=value, description=name, layout=layout, style=style)
    else:
        widget = widgets.Text(value=json.dumps(value), description=name, layout=layout, style=style)

    def store(change: dict[str, Any]) -> None:
        new = change["new"]
        if not isinstance(value, str | bool | int | float):
            try:
                new = json.loads(new)
            except json.JSONDecodeError:
                return  # half-typed JSON: keep the previous value until it parses
        namespace[name] = new

    widget.observe(store, names="value")
    return widget

"""The binding panel shown above a notebook's parameter form: profile switch, sandbox status, values.

Switching profile only rebinds values and credentials; nothing waits on the panel and no check runs
in its callbacks (re-run the cells below to use the new values).
"""

from __future__ import annotations

import html
from typing import Any

from ._binding import Condition, LabBinding
from ._resolve import Resolution

OUTDATED = "this panel belongs to an earlier run of its cell, which a newer one replaced: use the newest panel"
CONDITION_COLOURS = {"up": "#1a7f37", "live": "#0969da", "none": "#9a6700", "replaced": "#9a6700", "gone": "#cf222e"}


def condition_html(condition: Condition) -> str:
    colour = CONDITION_COLOURS.get(condition.state, "#6e7781")
    return (
        f"<div class='workbook-sandbox-{condition.state}' style='color: {colour}; font-weight: bold'>"
        f"{html.escape(condition.text)}</div>"
    )


def summary_html(resolution: Resolution) -> str:
    """What the profile did to this notebook, in a few lines (credentials by name only)."""
    lines = [f"{html.escape(resolution.params_file.name)} → <code>{html.escape(resolution.notebook)}</code>"]
    if resolution.values:
        lines.append(f"set {len(resolution.values)} value(s): " + _names(resolution.values))
    if resolution.unresolved:
        by_service = sorted({service for services in resolution.unresolved.values() for service in services})
        lines.append(
            f"left at the notebook's defaults (need {', '.join(by_service)}, not running): "
            + _names(resolution.unresolved)
        )
    if resolution.env:
        source = html.escape(str(resolution.env_file))
        lines.append(f"exported from {source}: " + _names(resolution.env))
    lines += [f"⚠ {html.escape(problem)}" for problem in resolution.problems]
    lines += [f"note: {html.escape(note)}" for note in resolution.notes]
    return "<div style='font-size: 90%'>" + "<br>".join(lines) + "</div>"


def _names(names: Any) -> str:
    return ", ".join(f"<code>{html.escape(str(name))}</code>" for name in names)


def binding_panel(binding: LabBinding, *, watch_interval_s: float = 2.0) -> Any:
    """A VBox: profile switch, the sandbox's condition (kept current by a watcher), what was set."""
    import ipywidgets as widgets

    assert binding.resolution is not None, "bind a profile first"
    switch = widgets.ToggleButtons(
        options=binding.profiles or [binding.profile], value=binding.profile, description="profile"
    )
    status = widgets.HTML(condition_html(binding.condition()))
    summary = widgets.HTML(summary_html(binding.resolution))

    def on_switch(change: dict[str, Any]) -> None:
        if binding.closed:
            status.value = condition_html(Condition("replaced", OUTDATED))
            return
        resolution = binding.rebind(change["new"])
        summary.value = summary_html(resolution)
        status.value = condition_html(binding.condition())

    def on_condition(condition: Condition) -> None:
        status.value = condition_html(condition)

    switch.observe(on_switch, names="value")
    binding.watch(on_condition, interval_s=watch_interval_s)
    panel = widgets.VBox([switch, status, summary])
    panel.add_class("workbook-binding")
    return panel

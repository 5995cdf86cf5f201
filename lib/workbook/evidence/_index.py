"""index.html: the bundle's front page, rendered from the manifest and each results.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..checks import measured_summary
from ._manifest import RunManifest


def render_index(manifest: RunManifest, checks_by_notebook: dict[str, list[dict[str, Any]]], target: Path) -> None:
    environment = Environment(
        loader=PackageLoader("workbook.evidence", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    environment.filters["measured_summary"] = measured_summary
    html = environment.get_template("index.html.j2").render(m=manifest, checks=checks_by_notebook)
    target.write_text(html, encoding="utf-8")

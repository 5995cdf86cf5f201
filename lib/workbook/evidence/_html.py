"""HTML export of an executed notebook (readable without Jupyter)."""

from __future__ import annotations

from pathlib import Path


def export_html(notebook_path: Path, html_path: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(notebook_path, as_version=4)
    body, _resources = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    html_path.write_text(body, encoding="utf-8")

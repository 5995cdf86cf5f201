"""Evidence bundles: the folder a run leaves behind for people to archive and read.

`outputs/<UTC stamp>_<profile>/` holds, per notebook, the executed notebook, its HTML export and
results.json, plus `manifest.json` (what ran, where, with which versions, file hashes, outcome)
and `index.html` (a page readable without Jupyter). Secrets are scrubbed from every file.
"""

from ._bundle import Bundle, sha256_file
from ._html import export_html
from ._index import render_index
from ._manifest import NotebookEntry, RunManifest, environment_facts
from ._scrub import scrub_tree

__all__ = [
    "Bundle",
    "NotebookEntry",
    "RunManifest",
    "environment_facts",
    "export_html",
    "render_index",
    "scrub_tree",
    "sha256_file",
]

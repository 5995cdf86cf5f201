"""Evidence bundles: the folder a run leaves behind for people to archive and read.

`outputs/<UTC stamp>_<profile>/` holds, per notebook, the executed notebook, its HTML export and
results.json, plus `manifest.json` (what ran, where, with which versions, file hashes, outcome).
Secrets are scrubbed from every file. A bundle can be read back (`load_bundle`, from disk, or
`load_archived_bundles` from S3), verified against its manifest (`verify_bundle`, optionally its
signature), signed (`sign_manifest`) and archived to S3 (`archive_bundle`).
"""

from ._archive import ArchiveReport, S3Location, archive_bundle, load_archived_bundles, parse_s3_url
from ._bundle import MANIFEST_FILE, SIGNATURE_FILE, Bundle, hash_tree, sha256_file
from ._html import export_html
from ._load import LoadedBundle, effective_status, load_bundle, load_bundles
from ._manifest import NotebookEntry, RunManifest, environment_facts
from ._scrub import scrub_tree
from ._verify import VerifyReport, sign_manifest, verify_bundle

__all__ = [
    "MANIFEST_FILE",
    "SIGNATURE_FILE",
    "ArchiveReport",
    "Bundle",
    "LoadedBundle",
    "NotebookEntry",
    "RunManifest",
    "S3Location",
    "VerifyReport",
    "archive_bundle",
    "effective_status",
    "environment_facts",
    "export_html",
    "hash_tree",
    "load_archived_bundles",
    "load_bundle",
    "load_bundles",
    "parse_s3_url",
    "scrub_tree",
    "sha256_file",
    "sign_manifest",
    "verify_bundle",
]

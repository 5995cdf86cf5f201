"""What the upstream serves for the repackaging platform (seed 003): `.difypkg` plugin packages
and a PyPI-style simple index (PEP 503) of small wheels it builds itself, so the platform's
`pip download` step works with no internet.

Everything is deterministic: the same path always gives the same bytes. A package is a zip with a
`manifest.yaml`, code, a `requirements.txt` naming projects of the index, a `.difyignore` that
excludes `wheels/` (the platform's script deletes that line so the wheels get packed), and one file
only that variant has (`variant/<variant>.txt`), so two packages of the same file name differ.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

FIXED_TIME = (2025, 1, 1, 0, 0, 0)
WHEEL_FILE = b"Wheel-Version: 1.0\nGenerator: workbook-upstream\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
PACKAGE_SUFFIX = ".difypkg"


@dataclass(frozen=True)
class Release:
    project: str
    version: str
    requires: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        return self.project.replace("-", "_")

    @property
    def filename(self) -> str:
        return f"{self.module}-{self.version}-py3-none-any.whl"


# The index: a few projects with versions and dependencies, so resolving needs the transitive closure.
RELEASES: tuple[Release, ...] = (
    Release("wb-common", "1.0.0"),
    Release("wb-common", "1.1.0"),
    Release("wb-alpha", "1.0.0", ("wb-common>=1.0",)),
    Release("wb-beta", "1.0.0"),
    Release("wb-beta", "2.0.0", ("wb-common>=1.1",)),
    Release("wb-gamma", "0.1.0", ("wb-beta<2",)),
    Release("wb-delta", "3.0.0", ("wb-alpha", "wb-gamma")),
)

# A package's requirements: set `-r<N>` at the end of its variant picks one, otherwise a hash does.
REQUIREMENT_SETS: tuple[tuple[str, ...], ...] = (
    ("wb-alpha==1.0.0",),
    ("wb-beta>=2",),
    ("wb-gamma",),
    ("wb-delta~=3.0",),
    ("wb-alpha", "wb-beta<2"),
)
_SET_SUFFIX = re.compile(r"-r(\d+)$")
SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def normalize(name: str) -> str:
    """PEP 503 project name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def projects() -> dict[str, list[Release]]:
    found: dict[str, list[Release]] = {}
    for release in RELEASES:
        found.setdefault(release.project, []).append(release)
    return found


def release_by_filename(filename: str) -> Release | None:
    return next((release for release in RELEASES if release.filename == filename), None)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


@functools.lru_cache(maxsize=64)
def wheel_bytes(release: Release) -> bytes:
    """A minimal, valid pure-Python wheel (installable by pip: METADATA, WHEEL, RECORD)."""
    dist_info = f"{release.module}-{release.version}.dist-info"
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {release.project}",
        f"Version: {release.version}",
        "Summary: a wheel the workbook's sandbox index builds itself",
        *[f"Requires-Dist: {requirement}" for requirement in release.requires],
    ]
    files = {
        f"{release.module}/__init__.py": f'__version__ = "{release.version}"\n'.encode(),
        f"{dist_info}/METADATA": ("\n".join(metadata) + "\n").encode(),
        f"{dist_info}/WHEEL": WHEEL_FILE,
    }
    record = [f"{name},sha256={_b64_digest(data)},{len(data)}" for name, data in sorted(files.items())]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    return _zip(files)


def _b64_digest(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel_sha256(release: Release) -> str:
    return hashlib.sha256(wheel_bytes(release)).hexdigest()


def index_root_html() -> str:
    links = "".join(f'<a href="{project}/">{project}</a>\n' for project in sorted(projects()))
    return f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n"


def index_project_html(project: str) -> str | None:
    releases = projects().get(normalize(project))
    if releases is None:
        return None
    links = "".join(
        f'<a href="../../wheels/{release.filename}#sha256={wheel_sha256(release)}">{release.filename}</a><br/>\n'
        for release in releases
    )
    return f"<!DOCTYPE html>\n<html><body>\n<h1>Links for {project}</h1>\n{links}</body></html>\n"


def requirement_set(variant: str) -> tuple[str, ...]:
    chosen = _SET_SUFFIX.search(variant)
    if chosen:
        return REQUIREMENT_SETS[int(chosen.group(1)) % len(REQUIREMENT_SETS)]
    return REQUIREMENT_SETS[hashlib.sha256(variant.encode()).digest()[0] % len(REQUIREMENT_SETS)]


@functools.lru_cache(maxsize=256)
def package_bytes(variant: str, name: str) -> bytes:
    """The `.difypkg` at /packages/<variant>/<name>.difypkg (a zip, like `dify-plugin plugin package` makes)."""
    manifest = "\n".join(
        [
            "version: 0.0.1",
            "type: plugin",
            "author: workbook",
            f"name: {name}",
            "label:",
            f"  en_US: {name}",
            "description:",
            f"  en_US: sandbox package {variant}/{name}",
            "icon: icon.svg",
            "resource:",
            "  memory: 268435456",
            "plugins:",
            "  tools:",
            f"    - provider/{name}.yaml",
            "meta:",
            "  version: 0.0.1",
            "  arch: [amd64, arm64]",
            "  runner:",
            "    language: python",
            '    version: "3.12"',
            "    entrypoint: main",
            "created_at: 2025-01-01T00:00:00Z",
            "",
        ]
    )
    files = {
        "manifest.yaml": manifest.encode(),
        "main.py": b"from dify_plugin import DifyPluginEnv, Plugin\n\nplugin = Plugin(DifyPluginEnv())\n",
        f"provider/{name}.yaml": f"identity:\n  name: {name}\n  author: workbook\n".encode(),
        "_assets/icon.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
        "README.md": f"# {name}\n\nVariant {variant}.\n".encode(),
        f"variant/{variant}.txt": f"{variant}\n".encode(),
        "requirements.txt": ("\n".join(requirement_set(variant)) + "\n").encode(),
        ".difyignore": b".venv/\n__pycache__/\n*.pyc\nwheels/\n.git/\n",
    }
    return _zip(files)

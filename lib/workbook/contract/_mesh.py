"""Is a downloaded 3D result a real mesh in the format that was asked for?

The format is read from the bytes first (GLB magic, binary STL's length rule, ASCII STL and OBJ
keywords), independently of what the server's Content-Type claims, then the file is parsed by
trimesh as that format and must hold geometry.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from dataclasses import dataclass, field

import trimesh

MEDIA_TYPES = {
    "stl": ("model/stl", "application/sla", "application/vnd.ms-pki.stl", "model/x.stl-binary"),
    "obj": ("model/obj", "text/plain"),
    "glb": ("model/gltf-binary",),
    "ply": ("application/ply", "model/ply", "text/plain"),
}
GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream")
_OBJ_VERTEX = re.compile(rb"^v\s+\S+\s+\S+\s+\S+", re.MULTILINE)
_OBJ_FACE = re.compile(rb"^f\s+\S+\s+\S+\s+\S+", re.MULTILINE)


@dataclass(frozen=True)
class MeshReport:
    asked: str
    found: str | None
    size_bytes: int
    sha256: str
    vertices: int = 0
    faces: int = 0
    content_type: str = ""
    name: str = ""  # the file name the platform gave the result (ORFEAS: the job status's output_file)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sniff_format(data: bytes) -> str | None:
    """`glb`, `stl`, `ply` or `obj` from the content alone; None when it is none of them."""
    if data[:4] == b"glTF" and len(data) >= 12:
        return "glb"
    if data[:4] == b"ply\n" or data[:5] == b"ply\r\n":
        return "ply"
    if len(data) >= 84:
        (count,) = struct.unpack_from("<I", data, 80)
        if 84 + 50 * count == len(data) and count > 0:
            return "stl"
    head = data[:1024].lstrip()
    if head[:5].lower() == b"solid" and b"facet" in data[:4096] and b"endsolid" in data[-1024:]:
        return "stl"
    if _OBJ_VERTEX.search(data) and _OBJ_FACE.search(data):
        return "obj"
    return None


def inspect_mesh(data: bytes, asked: str, content_type: str = "", name: str = "") -> MeshReport:
    """Problems (each naming the defect) of one downloaded result that should be a `asked` mesh:
    the format read from the bytes, the name the platform gave it, and trimesh parsing it."""
    digest = hashlib.sha256(data).hexdigest()
    found = sniff_format(data) if data else None
    problems: list[str] = []
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix and suffix != asked:
        what = f" (its content is {found})" if found else ""
        problems.append(f"asked for {asked} but the platform wrote {name}{what}")
    essence = content_type.split(";")[0].strip().lower()
    if not data:
        problems.append("the result is empty")
    elif found is None:
        problems.append(f"the content is not a complete {asked} file (nor any mesh format: corrupt or truncated)")
    elif found != asked and not (suffix and suffix != asked):
        problems.append(f"asked for {asked} but the content is {found}")
    if essence and essence not in MEDIA_TYPES.get(asked, ()) + GENERIC_TYPES:
        problems.append(f"Content-Type {essence!r} does not name {asked}")
    vertices = faces = 0
    if data:
        try:
            mesh = trimesh.load(io.BytesIO(data), file_type=found or asked, force="mesh")
            vertices, faces = len(getattr(mesh, "vertices", ())), len(getattr(mesh, "faces", ()))
        except Exception as error:  # any parser error means "does not parse"
            problems.append(f"trimesh cannot parse it as {found or asked}: {type(error).__name__}: {error}"[:200])
        else:
            if faces == 0 or vertices < 3:
                problems.append(f"no geometry: {vertices} vertices, {faces} faces")
    return MeshReport(asked, found, len(data), digest, vertices, faces, essence, name, problems)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

"""What a re-packed plugin must be, judged from the job's meaning (the platform publishes no hash):
a valid package holding every file of the original unchanged (requirements.txt and .difyignore
changed only as the job changes them), `wheels/` with a wheel for every requirement and every
dependency of those, a requirements.txt that installs offline, and nothing else. The original is
downloaded by the notebook itself, so the evidence is not the platform's own word."""

from __future__ import annotations

import io
import zipfile
from email.parser import HeaderParser
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

OFFLINE_OPTIONS = {"--no-index", "--find-links=./wheels/", "--find-links=./wheels", "--find-links=wheels"}
CHANGED = ("requirements.txt", ".difyignore")


def _zip(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None


def requirement_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(("#", "-"))]


def result_problems(result: bytes, original: bytes) -> tuple[list[str], dict[str, Any]]:
    package, source = _zip(result), _zip(original)
    if source is None:
        return [f"the original package is not a zip ({len(original)} bytes): cannot judge the result"], {}
    if package is None:
        return [f"the downloaded result is not a valid package (not a zip, {len(result)} bytes)"], {}
    names = set(package.namelist())
    originals = set(source.namelist())
    problems = [f"the original file {name} is missing from the result" for name in sorted(originals - names)]
    problems += [
        f"the original file {name} changed in the result"
        for name in sorted(originals & names)
        if name not in CHANGED and package.read(name) != source.read(name)
    ]
    foreign = sorted(name for name in names - originals if not name.startswith("wheels/"))
    if foreign:
        problems.append(f"the result holds files that are not in its package: {foreign[:5]} (another task's?)")
    wanted = requirement_lines(source.read("requirements.txt").decode()) if "requirements.txt" in originals else []
    problems += _requirements_problems(package, wanted)
    wheel_problems, closure, wheels = _wheel_problems(package, wanted)
    problems += wheel_problems
    return problems, {"files": len(names), "wheels": sorted(wheels), "needed": sorted(closure)}


def _requirements_problems(package: zipfile.ZipFile, wanted: list[str]) -> list[str]:
    if "requirements.txt" not in package.namelist():
        return ["the result has no requirements.txt"]
    lines = [line.strip() for line in package.read("requirements.txt").decode().splitlines() if line.strip()]
    options = {word for line in lines if line.startswith("-") for word in line.split()}
    problems = []
    if not {"--no-index"} <= options or not options & (OFFLINE_OPTIONS - {"--no-index"}):
        problems.append(
            f"requirements.txt does not install offline (no --no-index --find-links=./wheels/): {lines[:2]}"
        )
    if requirement_lines("\n".join(lines)) != wanted:
        problems.append(
            f"requirements.txt names {requirement_lines(chr(10).join(lines))}, the package's own are {wanted}"
        )
    return problems


def _wheel_problems(package: zipfile.ZipFile, wanted: list[str]) -> tuple[list[str], set[str], dict[str, Version]]:
    wheels: dict[str, Version] = {}
    requires: dict[str, list[str]] = {}
    problems = []
    for name in package.namelist():
        if not (name.startswith("wheels/") and name.endswith(".whl")):
            continue
        filename = name.removeprefix("wheels/")
        try:
            project, version, _, _ = parse_wheel_filename(filename)
        except ValueError:
            problems.append(f"wheels/{filename} is not a wheel file name")
            continue
        wheel = _zip(package.read(name))
        metadata = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")] if wheel else []
        if wheel is None or not metadata:
            problems.append(f"wheels/{filename} is not a valid wheel")
            continue
        headers = HeaderParser().parsestr(wheel.read(metadata[0]).decode())
        wheels[str(project)] = version
        requires[str(project)] = [value for value in headers.get_all("Requires-Dist") or [] if ";" not in value]
    closure: set[str] = set()
    pending = list(wanted)
    while pending:
        line = pending.pop()
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            problems.append(f"requirement {line!r} is not valid")
            continue
        needed = str(canonicalize_name(requirement.name))
        if needed in closure:
            continue
        closure.add(needed)
        found = wheels.get(needed)
        if found is None:
            problems.append(f"wheels/ has no wheel for {requirement}: it cannot install offline")
        elif not requirement.specifier.contains(found, prereleases=True):
            problems.append(f"wheels/ has {needed} {found}, which does not satisfy {requirement}")
        else:
            pending += requires.get(needed, [])
    extra = sorted(set(wheels) - closure)
    if extra:
        problems.append(f"wheels/ holds {extra}, which no requirement of this package needs (another task's?)")
    return problems, closure, wheels

"""The repackaging job, as `scripts/plugin_repackaging.sh local <pkg>` does it: unzip the package
into SCRIPTS_DIR/<package name>/, `pip download` its requirements into wheels/, put
`--no-index --find-links=./wheels/` first in requirements.txt, drop `wheels/` from .difyignore,
pack the folder as SCRIPTS_DIR/<name>-<suffix>.difypkg, and move that into TEMP_DIR/<task_id>/.

The work folder is named after the package, so two packages with the same file name share it.
Correct (default): a per-name lock, the folder emptied before unpacking and removed afterwards.
The real script does neither (`unzip -o` over whatever is there) and looks for its output by
suffix when the expected name is missing: switches `shared_work_folder`, `leave_work_folder`.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import shutil
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ._config import Settings
from ._fetch import FetchError, download_wheels
from ._switches import FileSwitches

OFFLINE_LINE = "--no-index --find-links=./wheels/"
SCRIPT_ATTEMPTS = 3
# However fast the sandbox clock runs, a task lasts long enough (~1 s) for a fault to land mid-task.
MIN_LINE_S = 0.03
# The platform's table from script output to progress (services/repackage.py).
PROGRESS_MAP = {
    "Unziping": 20,
    "Unzip success": 30,
    "Repackaging": 40,
    "Looking in indexes": 50,
    "Collecting": 60,
    "Successfully downloaded": 80,
    "Repackage success": 100,
}
Emit = Callable[[str, int], None]


class RepackageError(RuntimeError):
    pass


def repackage(package: Path, suffix: str, task_id: str, settings: Settings, switches: FileSwitches, emit: Emit) -> str:
    """Run the script (up to 3 attempts, 2 s then 4 s apart, like the platform); returns the output
    file name, now in TEMP_DIR/<task_id>/. Each output line goes to `emit(line, progress)`."""
    for attempt in range(1, SCRIPT_ATTEMPTS + 1):
        try:
            output = _script(package, suffix, settings, switches, _liner(settings, emit))
        except (FetchError, RepackageError, OSError, zipfile.BadZipFile) as error:
            if attempt == SCRIPT_ATTEMPTS:
                raise RepackageError(f"Repackaging failed after {SCRIPT_ATTEMPTS} attempts: {error}") from None
            time.sleep(settings.scaled(2.0 * 2 ** (attempt - 1)))
            continue
        task_dir = settings.temp_dir / task_id
        task_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(str(settings.scripts_dir / output), str(task_dir / output))
        emit(f"Output file: {output}", 100)
        return output
    raise AssertionError("unreachable")


def _liner(settings: Settings, emit: Emit) -> Callable[[str], None]:
    """One script output line: its progress from the table (each attempt starts at 10, below the
    15 of "Downloaded": the platform's progress goes back), then the line's share of the run time."""
    progress = {"value": 10}

    def line(text: str) -> None:
        progress["value"] = next((v for k, v in PROGRESS_MAP.items() if k in text), progress["value"])
        emit(text, progress["value"])
        time.sleep(max(settings.scaled(settings.line_s), MIN_LINE_S))

    return line


def _script(package: Path, suffix: str, settings: Settings, switches: FileSwitches, line: Callable[[str], None]) -> str:
    name = package.name.removesuffix(".difypkg")
    work = settings.scripts_dir / name
    shared = switches.on("shared_work_folder")
    with _name_lock(settings.scripts_dir, name, enabled=not shared):
        if not shared:
            shutil.rmtree(work, ignore_errors=True)
        try:
            line("local")
            line(str(package))
            line("Unziping ...")
            line(f"Archive:  {package}")
            with zipfile.ZipFile(package) as archive:
                for member in archive.namelist():
                    line(f"  inflating: {work / member}")
                archive.extractall(work)  # unzip -o: overwrites, keeps whatever else is there
            line("Unzip success.")
            line("Repackaging ...")
            requirements = work / "requirements.txt"
            lines = requirements.read_text().splitlines() if requirements.exists() else []
            download_wheels(lines, work / "wheels", settings, switches, line)
            requirements.write_text("\n".join([OFFLINE_LINE, *lines]) + "\n")
            _drop_wheels_ignore(work)
            output = f"{name}-{suffix}.difypkg"
            _pack(work, settings.scripts_dir / output)
            line("Repackage success.")
            return _find_output(settings.scripts_dir, output, suffix, fallback=shared)
        finally:
            if not switches.on("leave_work_folder"):
                shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def _name_lock(root: Path, name: str, *, enabled: bool) -> Iterator[None]:
    """One task at a time per package name, across worker processes (an flock on a file)."""
    if not enabled:
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _drop_wheels_ignore(work: Path) -> None:
    ignore = work / ".difyignore"
    if not ignore.exists():
        ignore = work / ".gitignore"
    if ignore.exists():
        kept = [entry for entry in ignore.read_text().splitlines() if not entry.startswith("wheels/")]
        ignore.write_text("\n".join(kept) + "\n")


def _ignored(relative: str, patterns: list[str]) -> bool:
    parts = relative.split("/")
    for pattern in patterns:
        if pattern.endswith("/"):
            if pattern.rstrip("/") in parts[:-1]:
                return True
        elif fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(parts[-1], pattern):
            return True
    return False


def _pack(work: Path, output: Path) -> None:
    """`dify-plugin plugin package <dir> -o <output>`: zip the folder minus its ignore patterns."""
    ignore = work / ".difyignore"
    patterns = (
        [p.strip() for p in ignore.read_text().splitlines() if p.strip() and not p.startswith("#")]
        if ignore.exists()
        else []
    )
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(work.rglob("*")):
            relative = path.relative_to(work).as_posix()
            if path.is_file() and not _ignored(relative, patterns):
                archive.write(path, relative)


def _find_output(directory: Path, expected: str, suffix: str, *, fallback: bool) -> str:
    if (directory / expected).exists():
        return expected
    if fallback:  # the platform's _find_output_file: any file with the suffix will do
        for path in sorted(directory.glob(f"*-{suffix}.difypkg")):
            return path.name
    raise RepackageError("Output file not found after repackaging")

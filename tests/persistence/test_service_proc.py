"""The service runs in its own Python: a second interpreter (a fresh venv without the workbook's
packages) runs the runner; its environment is set before the service's module is imported; calls
go by keyword; the service's own prints never corrupt the protocol; its exceptions come back typed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbook.persistence._errors import ServiceCallError, ServiceImportError
from workbook.persistence._service_proc import ServiceProcess

# Reads its setting at import, like the seed's config.py; keyword-only parameters prove calls go by keyword.
SERVICE = textwrap.dedent(
    """
    import os
    SETTING = os.environ["WB_SETTING"]  # KeyError at import if the env came too late
    print("service module imported", SETTING)  # on stdout, as structlog's PrintLogger does

    class Service:
        def __init__(self):
            self.bucket = SETTING

        async def get_character_reference_url(self, image_id, job_id=None, extension="png"):
            if image_id == "missing":
                return None
            return f"{self.bucket}/{job_id or 'standalone'}/{image_id}.{extension}"

        async def only_keywords(self, *, image_id):
            return image_id

        async def persist_character_reference(self, image_id, local_image_path, job_id=None):
            raise FileNotFoundError(f"Image file not found: {local_image_path}")

        def where(self):
            import sys
            return sys.executable
    """
)


@pytest.fixture(scope="module")
def other_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh venv's interpreter: none of the workbook's packages (not even pydantic) are there."""
    venv = tmp_path_factory.mktemp("venv") / "platform"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import pydantic"], capture_output=True)
    assert probe.returncode != 0, "the second venv must not see the workbook's packages"
    return str(python)


@pytest.fixture
def backend_dir(tmp_path: Path) -> Path:
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "__init__.py").write_text("")
    (tmp_path / "services" / "asset_persistence.py").write_text(SERVICE)
    return tmp_path


def start(backend_dir: Path, python: str, **env: str) -> ServiceProcess:
    return ServiceProcess.start(
        "services.asset_persistence:Service", python=python, sys_path=str(backend_dir), env=env, timeout_s=30
    )


def test_runs_in_the_given_python_with_env_before_import(backend_dir: Path, other_python: str) -> None:
    service = start(backend_dir, other_python, WB_SETTING="bucket-from-start")
    try:
        assert service.call("where").value == other_python
        assert service.info["python"].endswith(other_python)
        call = service.call("get_character_reference_url", image_id="abc", extension="jpg")
        assert call.value == "bucket-from-start/standalone/abc.jpg"
        assert service.call("get_character_reference_url", image_id="missing").value is None
        assert service.call("only_keywords", image_id="k").value == "k"
        assert "service module imported bucket-from-start" in service.stderr_tail()  # its print went to stderr
    finally:
        service.close()


def test_env_missing_at_import_is_one_clear_error(backend_dir: Path) -> None:
    # The workbook's own interpreter as service_python: the module still imports only after the env is set,
    # so without WB_SETTING in the start message the import fails, named.
    with pytest.raises(ServiceImportError, match="KeyError: 'WB_SETTING'"):
        start(backend_dir, sys.executable)


def test_exceptions_come_back_typed_and_the_runner_goes_on(backend_dir: Path) -> None:
    service = start(backend_dir, sys.executable, WB_SETTING="b")
    try:
        with pytest.raises(ServiceCallError, match=r"FileNotFoundError: Image file not found: /nope\.png") as info:
            service.call("persist_character_reference", image_id="x", local_image_path="/nope.png")
        assert info.value.kind == "FileNotFoundError"
        with pytest.raises(ServiceCallError, match="TypeError"):
            service.call("only_keywords", image="wrong name")
        repeated = service.repeat("get_character_reference_url", 5, max_s=10, image_id="r")
        assert repeated["values"] == ["b/standalone/r.png"] * 5 and len(repeated["seconds"]) == 5
    finally:
        service.close()


def test_bad_interpreter_and_folder_are_named(backend_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ServiceImportError, match="service_python '/no/such/python' is not a file"):
        start(backend_dir, "/no/such/python")
    with pytest.raises(ServiceImportError, match="is not a directory"):
        ServiceProcess.start("m:C", sys_path=str(tmp_path / "missing"))

"""AssetPersistenceService: seed 001's persistence service with the real signatures and return values
(`very-bad-apples/mvp-1` backend/services/asset_persistence.py), over `S3Storage`.

Constructed with no arguments, it reads its settings and fault switches from the environment, like
the real one; the notebook runs it in its own Python process as it would a platform's own service.
Job assets live under `videos/{job_id}/` with intermediate folders under `intermediate/`.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

from .._faults import FaultSwitches
from ._faults import new_switches
from ._settings import JOB_CHARACTER_DIR, Settings, job_key, standalone_key
from ._storage import S3Storage

# Job folders persist_job_assets uploads: local folder -> (result key, folder under videos/{job_id}/)
# (asset_persistence.py:105-149); `final` is a single URL, the others lists.
JOB_FOLDERS: dict[str, tuple[str, str]] = {
    "final": ("final_video", "final"),
    "scenes": ("scenes", "intermediate/scenes"),
    "audio": ("audio", "intermediate/audio"),
    "uploads": ("uploads", "intermediate/uploads"),
    "character_reference": ("character_references", JOB_CHARACTER_DIR),
}
# Single files: local name -> result key (uploaded under videos/{job_id}/intermediate/).
JOB_FILES: dict[str, str] = {"metadata.json": "metadata", "script.json": "script"}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")


class AssetPersistenceService:
    """Persist character references and job assets to S3, and presign URLs to them."""

    def __init__(self, storage_backend: S3Storage | None = None, *, faults: FaultSwitches | None = None) -> None:
        self.faults = faults or (storage_backend.faults if storage_backend else new_switches())
        self.storage = storage_backend or S3Storage(Settings.from_env(), self.faults)

    @property
    def settings(self) -> Settings:
        return self.storage.settings

    def _reference_key(self, image_id: str, extension: str, job_id: str | None) -> str:
        extension = "png" if self.faults.on("extension_ignored") else extension.lower().lstrip(".")
        name = "character" if self.faults.on("shared_cloud_key") else image_id
        if job_id and not self.faults.on("job_wrong_prefix"):
            return job_key(job_id, f"{JOB_CHARACTER_DIR}/{name}.{extension}")
        return standalone_key(name, extension)

    # --- blocking parts (the async API runs them in a thread) ---------------------------------

    def _persist_reference(self, image_id: str, local_image_path: str, job_id: str | None) -> str:
        path = Path(local_image_path)
        if not path.exists():
            raise FileNotFoundError(f"Image file not found: {local_image_path}")
        return self.storage.upload_file(path, self._reference_key(image_id, path.suffix, job_id))

    def _associate(self, job_id: str, image_ids: list[str], local_base_path: str) -> list[str]:
        target_dir = Path(local_base_path) / "character_reference"
        target_dir.mkdir(parents=True, exist_ok=True)
        urls = []
        for image_id in image_ids:
            # An id without a local image is skipped (the real service logs a warning).
            for extension in IMAGE_EXTENSIONS:
                source = self.settings.character_reference_dir / f"{image_id}{extension}"
                if source.exists():
                    copy = target_dir / source.name
                    shutil.copy2(source, copy)
                    urls.append(self.storage.upload_file(copy, self._reference_key(image_id, extension, job_id)))
                    break
        return urls

    def _upload_folder(self, job_id: str, folder: Path, cloud_folder: str) -> list[str]:
        files = sorted(path for path in folder.iterdir() if path.is_file())  # not recursive, as the real one
        return [self.storage.upload_file(path, job_key(job_id, f"{cloud_folder}/{path.name}")) for path in files]

    def _persist_job(self, job_id: str, local_base_path: str) -> dict[str, Any]:
        base = Path(local_base_path)
        if not base.exists():
            raise FileNotFoundError(f"Job directory not found: {local_base_path}")
        result: dict[str, Any] = {"final_video": None, "scenes": [], "audio": [], "metadata": None, "script": None}
        result.update(uploads=[], character_references=[])
        for folder_name, (result_key, cloud_folder) in JOB_FOLDERS.items():
            folder = base / folder_name
            if not folder.exists() or (
                result_key == "character_references" and self.faults.on("job_missing_character_refs")
            ):
                continue
            urls = self._upload_folder(job_id, folder, cloud_folder)
            result[result_key] = (urls[0] if urls else None) if folder_name == "final" else urls
        for file_name, result_key in JOB_FILES.items():
            if (base / file_name).exists():
                result[result_key] = self.storage.upload_file(
                    base / file_name, job_key(job_id, f"intermediate/{file_name}")
                )
        return result

    def _download_job(self, job_id: str, local_base_path: str) -> None:
        base = Path(local_base_path)
        base.mkdir(parents=True, exist_ok=True)
        prefix = job_key(job_id, "")
        # The real service lists with s3fs `ls`, which is not recursive: only folders come back.
        keys = self.storage.list_keys(prefix, recursive=not self.faults.on("download_restores_nothing"))
        if not keys:
            raise FileNotFoundError(f"No assets found for job {job_id}")
        for key in keys:
            relative = key[len(prefix) :]
            relative = relative.removeprefix("intermediate/")  # intermediate/scenes/x -> scenes/x
            target = (base / relative).resolve()
            if not target.is_relative_to(base.resolve()):
                raise ValueError(f"object key {key!r} escapes the download directory")
            self.storage.download(key, target)

    def _reference_url(self, image_id: str, job_id: str | None, extension: str) -> str | None:
        key = self._reference_key(image_id, extension, job_id)
        if not self.storage.exists(key):
            return None
        return self.storage.presign(key)

    # --- the real service's async API -------------------------------------------------------

    async def persist_character_reference(self, image_id: str, local_image_path: str, job_id: str | None = None) -> str:
        """Upload one image, standalone or under a job; returns a presigned URL to it."""
        return await asyncio.to_thread(self._persist_reference, image_id, local_image_path, job_id)

    async def associate_character_images_with_job(
        self, job_id: str, image_ids: list[str], local_base_path: str
    ) -> list[str]:
        """Copy generated images into `{local_base_path}/character_reference/` and upload them under the job."""
        return await asyncio.to_thread(self._associate, job_id, list(image_ids), local_base_path)

    async def get_character_reference_url(
        self, image_id: str, job_id: str | None = None, extension: str = "png"
    ) -> str | None:
        """A presigned URL to a character reference, or None when there is no such object (it HEADs first)."""
        return await asyncio.to_thread(self._reference_url, image_id, job_id, extension)

    async def persist_job_assets(self, job_id: str, local_base_path: str) -> dict[str, Any]:
        """Upload a job folder; returns {final_video, scenes, audio, metadata, script, uploads,
        character_references}."""
        return await asyncio.to_thread(self._persist_job, job_id, local_base_path)

    async def download_job_assets(self, job_id: str, local_base_path: str) -> None:
        """Recreate a job folder from storage (intermediate/x comes back as x)."""
        await asyncio.to_thread(self._download_job, job_id, local_base_path)

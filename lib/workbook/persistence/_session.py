"""One notebook run against one backend and bucket: validated settings, clients, state, cleanup."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pandas as pd

from .._env import env_overlay
from .._secrets import read_secret
from .._sync import run_sync
from ._adapter import load_service, seed_env
from ._api import CharacterApi, GeneratedImage
from ._bench import BenchmarkRun
from ._errors import ParameterError
from ._s3 import S3Inspector, make_s3_client

# Extensions the extension check knows how to produce (Pillow format) and their content types.
EXTENSION_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
EXTENSION_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
}
MAX_EXPIRES_S = 604800
T = TypeVar("T")


@dataclass(frozen=True)
class PersistenceSettings:
    """The notebook's parameters, validated once (one clear error per bad value)."""

    api_base_url: str
    storage_bucket: str
    storage_region: str = "us-east-1"
    storage_endpoint: str = ""
    s3_access_key_env: str = "AWS_ACCESS_KEY_ID"
    s3_secret_key_env: str = "AWS_SECRET_ACCESS_KEY"
    local_api_base_url: str = ""
    admin_url: str = ""
    expected_expiry_s: int = 3600
    num_images: int = 4
    aspect_ratio: str = "1:1"
    character_description: str = "A silver metallic humanoid robot with red shield"
    extensions: tuple[str, ...] = ("png", "jpg", "webp")
    service_import: str = "services.asset_persistence:AssetPersistenceService"
    service_sys_path: str = ""
    export_seed_env: bool = True
    standalone_prefix: str = "character_references/"
    job_prefix: str = "jobs/{job_id}/"
    job_character_dir: str = "character_reference"
    keep_objects: bool = False
    fallback_check_live: bool = False
    expired_wait_max_s: float = 30.0
    benchmark_counts: tuple[int, ...] = (100, 1000)
    presign_budget_ms: float = 5.0
    benchmark_max_s: float = 60.0
    request_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        for name in ("api_base_url", "local_api_base_url", "admin_url", "storage_endpoint"):
            value = getattr(self, name)
            if value and not value.startswith(("http://", "https://")):
                raise ParameterError(f"{name}={value!r}: expected an http:// or https:// URL")
        if not self.api_base_url:
            raise ParameterError("api_base_url is empty: expected the backend's base URL, e.g. http://host:8000")
        if not self.storage_bucket:
            raise ParameterError("storage_bucket is empty: expected the bucket the backend writes to")
        if not 1 <= self.expected_expiry_s <= MAX_EXPIRES_S:
            raise ParameterError(f"expected_expiry_s={self.expected_expiry_s!r}: expected 1..{MAX_EXPIRES_S}")
        if not 1 <= self.num_images <= 16:
            raise ParameterError(f"num_images={self.num_images!r}: expected 1..16")
        unknown = [ext for ext in self.extensions if ext.lower() not in EXTENSION_FORMATS]
        if not self.extensions or unknown:
            raise ParameterError(
                f"extensions={list(self.extensions)!r}: expected a non-empty subset of {sorted(EXTENSION_FORMATS)}"
            )
        if not self.benchmark_counts or any(count < 1 or count > 100_000 for count in self.benchmark_counts):
            raise ParameterError(f"benchmark_counts={list(self.benchmark_counts)!r}: expected counts in 1..100000")
        if self.service_import and ":" not in self.service_import:
            raise ParameterError(f"service_import={self.service_import!r}: expected 'module.path:ClassName' or empty")
        if "{job_id}" not in self.job_prefix:
            raise ParameterError(f"job_prefix={self.job_prefix!r}: expected a template containing '{{job_id}}'")

    def standalone_key(self, image_id: str, extension: str = "png") -> str:
        return f"{self.standalone_prefix}{image_id}.{extension}"

    def job_key(self, job_id: str, image_id: str, extension: str = "png") -> str:
        return f"{self.job_prefix.format(job_id=job_id)}{self.job_character_dir}/{image_id}.{extension}"


@dataclass
class StoredImage:
    """A generated image as the API returned it, with its decoded bytes (None if undecodable)."""

    image: GeneratedImage
    data: bytes | None

    @property
    def id(self) -> str:
        return self.image.id


@dataclass
class PersistenceRun:
    settings: PersistenceSettings
    api: CharacterApi
    inspector: S3Inspector
    access_key: str
    secret_key: str
    http: httpx.Client
    images: list[StoredImage] = field(default_factory=list)
    server_config: dict[str, Any] | None = None
    created_keys: set[str] = field(default_factory=set)
    created_prefixes: set[str] = field(default_factory=set)
    benchmark: list[BenchmarkRun] = field(default_factory=list)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wb-persistence-")))
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    _service: Any = None
    _local_api: CharacterApi | None = None

    @classmethod
    def open(cls, settings: PersistenceSettings, *, transport: httpx.BaseTransport | None = None) -> PersistenceRun:
        access_key = read_secret(settings.s3_access_key_env, purpose="storage access key")
        secret_key = read_secret(settings.s3_secret_key_env, purpose="storage secret key")
        assert access_key is not None and secret_key is not None  # read_secret raises when required
        client = make_s3_client(
            endpoint_url=settings.storage_endpoint,
            region=settings.storage_region,
            access_key=access_key,
            secret_key=secret_key,
        )
        run = cls(
            settings=settings,
            api=CharacterApi(settings.api_base_url, timeout_s=settings.request_timeout_s, transport=transport),
            inspector=S3Inspector(client, settings.storage_bucket),
            access_key=access_key,
            secret_key=secret_key,
            http=httpx.Client(timeout=settings.request_timeout_s, follow_redirects=False, transport=transport),
        )
        run.server_config = run.api.config_debug()
        return run

    # --- which deployment serves how --------------------------------------------------------

    @property
    def api_serves_from_cloud(self) -> bool | None:
        """What config/debug says about the main API (None if the backend has no debug endpoint)."""
        if self.server_config is None:
            return None
        return bool(self.server_config.get("serve_from_cloud"))

    def local_api(self) -> CharacterApi | None:
        """The deployment that serves images locally, if there is one."""
        if self.settings.local_api_base_url:
            if self._local_api is None:
                self._local_api = CharacterApi(
                    self.settings.local_api_base_url, timeout_s=self.settings.request_timeout_s
                )
            return self._local_api
        return self.api if self.api_serves_from_cloud is False else None

    def cloud_api(self) -> CharacterApi | None:
        return None if self.api_serves_from_cloud is False else self.api

    # --- the user's service ------------------------------------------------------------------

    def service_env(self) -> dict[str, str]:
        if not self.settings.export_seed_env:
            return {}
        images_dir = ""
        if self.images and self.images[0].image.path and Path(self.images[0].image.path).parent.is_dir():
            images_dir = str(Path(self.images[0].image.path).parent)
        return seed_env(
            bucket=self.settings.storage_bucket,
            region=self.settings.storage_region,
            endpoint_url=self.settings.storage_endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            expiry_s=self.settings.expected_expiry_s,
            character_reference_dir=images_dir,
        )

    @property
    def service(self) -> Any:
        if self._service is None:
            self._service = load_service(
                self.settings.service_import, self.settings.service_sys_path, self.service_env()
            )
        return self._service

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call one async method of the user's service from sync code (env exported meanwhile)."""
        return self.run_async(getattr(self.service, method)(*args, **kwargs))

    def run_async(self, coroutine: Coroutine[Any, Any, T], *, timeout_s: float = 300.0) -> T:
        with env_overlay(self.service_env()):
            return run_sync(coroutine, timeout_s=timeout_s, what="a persistence service call")

    # --- bookkeeping -------------------------------------------------------------------------

    def require_images(self) -> list[StoredImage]:
        if not self.images:
            raise ParameterError("no generated images: the generate check did not produce any")
        return self.images

    def new_id(self, label: str) -> str:
        return f"wb-{self.run_id}-{label}-{uuid.uuid4().hex[:8]}"

    def job_id(self, label: str) -> str:
        job_id = f"wb-{self.run_id}-{label}"
        self.created_prefixes.add(self.settings.job_prefix.format(job_id=job_id))
        return job_id

    def track(self, *keys: str) -> None:
        self.created_keys.update(key for key in keys if key)

    def fetch(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def cleanup(self) -> pd.DataFrame:
        """Delete the objects this run created unless keep_objects; returns what was done."""
        keys = set(self.created_keys)
        for prefix in self.created_prefixes:
            keys.update(self.inspector.list_keys(prefix))
        present = sorted(key for key in keys if self.inspector.exists(key))
        deleted = 0 if self.settings.keep_objects else self.inspector.delete(present)
        left = [key for key in present if self.inspector.exists(key)]
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.api.close()
        if self._local_api is not None:
            self._local_api.close()
        self.http.close()
        return pd.DataFrame(
            [
                {
                    "objects_created": len(present),
                    "deleted": deleted,
                    "left_in_bucket": len(left),
                    "keep_objects": self.settings.keep_objects,
                }
            ]
        )

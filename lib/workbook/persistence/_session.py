"""One notebook run against one backend and bucket: validated settings, clients, state, cleanup."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pandas as pd

from .._env import env_overlay
from .._secrets import read_secret, seen_secrets
from .._sync import run_sync
from ..sandbox import set_faults
from ._adapter import load_service, seed_env
from ._api import CharacterApi, DebugConfig, GeneratedImage
from ._bench import BenchmarkRun
from ._config import ConfigClaim, config_claim, redacted_config
from ._errors import RunStateError
from ._s3 import S3Inspector, make_s3_client
from ._serving import ServingObservation, observe_serving
from ._settings import PersistenceSettings
from ._uploads import UploadRecorder

T = TypeVar("T")
# Makes storage unreachable for the backend under test (True) or reachable again (False).
StorageSwitch = Callable[[bool], None]


def sandbox_storage_switch(admin_url: str) -> StorageSwitch:
    """The reference backend's `storage_unreachable` fault switch, flipped through its admin URL."""

    def switch(unreachable: bool) -> None:
        set_faults(admin_url, {"storage_unreachable": True if unreachable else None})

    return switch


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
    # How the fallback check cuts storage off; None when it cannot (live, unless you did it yourself).
    storage_switch: StorageSwitch | None = None
    images: list[StoredImage] = field(default_factory=list)
    config: DebugConfig | None = None
    serving: ServingObservation | None = None
    created_keys: set[str] = field(default_factory=set)
    created_prefixes: set[str] = field(default_factory=set)
    benchmark: list[BenchmarkRun] = field(default_factory=list)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wb-persistence-")))
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    transport: httpx.BaseTransport | None = None
    # What the user's service sends to S3 (its botocore clients are hooked while it runs).
    uploads: UploadRecorder = field(default_factory=UploadRecorder)
    _store_infers_content_type: bool | None = None
    _service: Any = None
    _local_api: CharacterApi | None = None

    @classmethod
    def open(
        cls,
        settings: PersistenceSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        storage_switch: StorageSwitch | None = None,
        s3_client: Any = None,
    ) -> PersistenceRun:
        """Read the credentials, build the clients and read config/debug.

        The seams, for tests: `transport` answers every HTTP request (backend and presigned URLs),
        `s3_client` replaces the boto3 client of the inspector, `storage_switch` replaces the
        sandbox's fault switch (default: the reference backend's, when `admin_url` is set)."""
        access_key = read_secret(settings.s3_access_key_env, purpose="storage access key")
        secret_key = read_secret(settings.s3_secret_key_env, purpose="storage secret key")
        assert access_key is not None and secret_key is not None  # read_secret raises when required
        client = s3_client or make_s3_client(
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
            storage_switch=storage_switch
            or (sandbox_storage_switch(settings.admin_url) if settings.admin_url else None),
            transport=transport,
        )
        run.config = run.api.config_debug()
        return run

    # --- which deployment serves how --------------------------------------------------------

    @property
    def claim(self) -> ConfigClaim:
        """What config/debug says about serving from cloud (a claim, never the decision)."""
        return config_claim(self.config.body if self.config else None, self.config.problem if self.config else "")

    def observe_serving(self) -> ServingObservation:
        """GET the first generated image from the main API and decide how it serves."""
        self.serving = observe_serving(self.api.get_reference(self.require_images()[0].id))
        return self.serving

    def serving_mode(self) -> ServingObservation:
        return self.serving or self.observe_serving()

    def local_api(self) -> CharacterApi | None:
        """The deployment that serves images locally, if there is one."""
        if self.settings.local_api_base_url:
            if self._local_api is None:
                self._local_api = CharacterApi(
                    self.settings.local_api_base_url,
                    timeout_s=self.settings.request_timeout_s,
                    transport=self.transport,
                )
            return self._local_api
        return self.api if self.serving_mode().mode == "local" else None

    def cloud_api(self) -> CharacterApi | None:
        """The main API unless it was seen serving locally (unknown serving runs the cloud checks)."""
        return None if self.serving_mode().mode == "local" else self.api

    def cloud_skip_reason(self) -> str:
        claim = self.claim.describe()
        return f"api_base_url serves images locally ({self.serving_mode().evidence}; {claim}): needs cloud serving"

    def known_secrets(self) -> dict[str, str]:
        """Secret values this run holds, labelled for details that never show them."""
        known = {
            f"the storage secret key (from ${self.settings.s3_secret_key_env})": self.secret_key,
            f"the storage access key (from ${self.settings.s3_access_key_env})": self.access_key,
        }
        for index, value in enumerate(sorted(seen_secrets() - set(known.values())), start=1):
            known[f"secret #{index} this kernel read from the environment"] = value
        return known

    def config_view(self) -> Any:
        """config/debug as it may be shown: secret-looking values hidden, known secrets masked."""
        if self.config is None or self.config.body is None:
            return self.claim.why
        return redacted_config(self.config.body, set(self.known_secrets().values()))

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
            with self.uploads.recording():
                self._service = load_service(
                    self.settings.service_import, self.settings.service_sys_path, self.service_env()
                )
        return self._service

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call one async method of the user's service from sync code (env exported meanwhile)."""
        return self.run_async(getattr(self.service, method)(*args, **kwargs))

    def run_async(self, coroutine: Coroutine[Any, Any, T], *, timeout_s: float = 300.0) -> T:
        with env_overlay(self.service_env()), self.uploads.recording():
            return run_sync(coroutine, timeout_s=timeout_s, what="a persistence service call")

    def store_infers_content_type(self) -> bool:
        """Whether the store makes up a type for untyped uploads (probed once, see S3Inspector)."""
        if self._store_infers_content_type is None:
            key = f"{self.settings.standalone_prefix}wb-{self.run_id}-content-type-probe.png"
            self.track(key)
            self._store_infers_content_type = self.inspector.infers_content_type(key)
        return self._store_infers_content_type

    # --- bookkeeping -------------------------------------------------------------------------

    def require_images(self) -> list[StoredImage]:
        if not self.images:
            raise RunStateError("no generated images: the generate check did not produce any")
        return self.images

    @contextmanager
    def storage_unreachable(self) -> Iterator[None]:
        """Storage cut off for the block, restored afterwards whatever happens."""
        if self.storage_switch is None:
            raise RunStateError("no storage switch: this run cannot make storage unreachable")
        self.storage_switch(True)
        try:
            yield
        finally:
            self.storage_switch(False)

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

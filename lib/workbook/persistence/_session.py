"""One notebook run against one backend and bucket: validated settings, clients, state, cleanup."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from ..connect import pick_dialect, profile
from ..credentials import read_secret, seen_secrets
from ..sandbox import set_faults
from ._api import CharacterApi, DebugConfig, GeneratedImage
from ._bench import BenchmarkRun
from ._config import ConfigClaim, config_claim, redacted_config
from ._dialects import DIALECTS, DialectOptions
from ._errors import RunStateError
from ._s3 import S3Inspector, make_s3_client
from ._seed_env import seed_env
from ._service_proc import ServiceCall, ServiceProcess
from ._serving import ServingObservation, observe_serving
from ._settings import PersistenceSettings

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
    # The locally-serving deployment, when one is configured (local_backend_service).
    local: CharacterApi | None = None
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
    _store_infers_content_type: bool | None = None
    _service: ServiceProcess | None = None

    @classmethod
    def open(
        cls,
        settings: PersistenceSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        storage_switch: StorageSwitch | None = None,
        s3_client: Any = None,
    ) -> PersistenceRun:
        """Read the credentials, build the clients from the service profiles and read config/debug.

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
        dialect = pick_dialect(DIALECTS, settings.dialect)()
        local_name = settings.local_backend_service
        run = cls(
            settings=settings,
            api=_api(settings, settings.backend_service, dialect, transport),
            local=_api(settings, local_name, dialect, transport) if local_name else None,
            inspector=S3Inspector(client, settings.storage_bucket),
            access_key=access_key,
            secret_key=secret_key,
            http=httpx.Client(timeout=settings.request_timeout_s, follow_redirects=False, transport=transport),
            storage_switch=storage_switch
            or (sandbox_storage_switch(settings.admin_url) if settings.admin_url else None),
        )
        run.config = run.api.config_debug()
        return run

    # --- which deployment serves how --------------------------------------------------------

    @property
    def claim(self) -> ConfigClaim:
        """What config/debug says about serving from cloud (a claim, never the decision)."""
        config, keys = self.config, self.api.dialect.options.serving_keys
        return config_claim(config.body if config else None, config.problem if config else "", keys=keys)

    def observe_serving(self) -> ServingObservation:
        """GET the first generated image from the main API and decide how it serves."""
        self.serving = observe_serving(self.api.get_reference(self.require_images()[0].id))
        return self.serving

    def serving_mode(self) -> ServingObservation:
        return self.serving or self.observe_serving()

    def local_api(self) -> CharacterApi | None:
        """The deployment that serves images locally, if there is one."""
        if self.local is not None:
            return self.local
        return self.api if self.serving_mode().mode == "local" else None

    @property
    def dialect_options(self) -> DialectOptions:
        return self.api.dialect.options

    def job_cloud_path(self, relative: str) -> str:
        """Where the dialect puts `relative` (a path in a job folder) under the job's prefix."""
        head, _, rest = relative.partition("/")
        cloud = self.dialect_options.job_layout.get(head, head)
        return f"{cloud}/{rest}" if rest else cloud

    def deployments(self) -> list[CharacterApi]:
        """Every configured deployment (the main one first)."""
        return [self.api] + ([self.local] if self.local is not None else [])

    def cloud_api(self) -> CharacterApi | None:
        """The main API unless it was seen serving locally (unknown serving runs the cloud checks)."""
        return None if self.serving_mode().mode == "local" else self.api

    def cloud_skip_reason(self) -> str:
        claim = self.claim.describe()
        evidence = self.serving_mode().evidence
        return f"service {self.api.name!r} serves images locally ({evidence}; {claim}): needs cloud serving"

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

    # --- the user's service (in its own Python) ----------------------------------------------

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
    def service(self) -> ServiceProcess:
        """The service, started on first use in `service_python` with its environment set before import."""
        if self._service is None:
            self._service = ServiceProcess.start(
                self.settings.service_import,
                python=self.settings.service_python,
                sys_path=self.settings.service_sys_path,
                env=self.service_env(),
                timeout_s=max(self.settings.request_timeout_s, 30.0),
            )
        return self._service

    def call(self, method: str, **kwargs: Any) -> ServiceCall:
        """Call one async method of the service by keyword, as the seed's scripts do."""
        return self.service.call(method, **kwargs)

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
        for api in self.deployments():
            api.close()
        self.http.close()
        if self._service is not None:
            self._service.close()
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


def _api(settings: PersistenceSettings, name: str, dialect: Any, transport: httpx.BaseTransport | None) -> CharacterApi:
    """The API of the deployment behind service profile `name` (`transport`: tests answer offline)."""
    service = profile(settings.services, name)
    client = service.http_client(follow_redirects=False, transport=transport) if transport else None
    return CharacterApi(service, dialect, client=client)

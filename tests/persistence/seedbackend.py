"""A second backend for the seed's API, written from the testing guide alone (not from the
reference backend), to show notebook 10's checks judge an independent implementation fairly.

Where the guide leaves a choice open it chooses differently from the reference backend:
config/debug answers with the guide's environment-variable names (`SERVE_FROM_CLOUD: true`) and
masks credentials, uploads go through `upload_fileobj` with `ExtraArgs`, images are gradients of
other sizes, redirects are 302, validation is a `Literal` of ratios. It runs under uvicorn in a
thread on a pre-bound 127.0.0.1 socket, against the sandbox's SeaweedFS.
"""

from __future__ import annotations

import base64
import shutil
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Literal

import boto3
import uvicorn
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, RedirectResponse
from PIL import Image
from pydantic import BaseModel, Field

SIZES = {"1:1": (64, 64), "16:9": (160, 90), "9:16": (90, 160), "4:3": (80, 60), "3:4": (60, 80)}


class GenerateBody(BaseModel):
    character_description: str = Field(min_length=1)
    num_images: int = Field(default=4, ge=1, le=8)
    aspect_ratio: Literal["1:1", "16:9", "9:16", "4:3", "3:4"] = "1:1"


class SeedBackend:
    """The guide's three routes over one bucket; `serve_from_cloud` and `storage_down` are live knobs."""

    def __init__(self, *, endpoint: str, bucket: str, region: str, access_key: str, secret_key: str) -> None:
        self.serve_from_cloud = True
        self.storage_down = False
        self.bucket, self.region, self.expiry = bucket, region, 3
        self.access_key = access_key
        self.folder = Path(tempfile.mkdtemp(prefix="seedbackend-"))
        self._live = self._client(endpoint, access_key, secret_key)
        # A port bound but never listening: connections are refused at once.
        self._dead_socket = socket.socket()
        self._dead_socket.bind(("127.0.0.1", 0))
        self._dead = self._client(f"http://127.0.0.1:{self._dead_socket.getsockname()[1]}", access_key, secret_key)
        self.app = self._build()

    def _client(self, endpoint: str, access_key: str, secret_key: str) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=self.region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"total_max_attempts": 1},
                connect_timeout=1,
            ),
        )

    def close(self) -> None:
        self._dead_socket.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def s3(self) -> Any:
        return self._dead if self.storage_down else self._live

    def set_storage_down(self, down: bool) -> None:
        """The notebook's storage switch for this backend (no fault endpoint needed)."""
        self.storage_down = down

    def _key(self, image_id: str) -> str:
        return f"character_references/{image_id}.png"

    def _presign(self, image_id: str) -> str:
        url: str = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._key(image_id)}, ExpiresIn=self.expiry
        )
        return url

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/api/mv/generate_character_reference")
        def generate(body: GenerateBody) -> dict[str, Any]:
            width, height = SIZES[body.aspect_ratio]
            images = []
            for index in range(body.num_images):
                image_id = str(uuid.uuid4())
                image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
                image.putpixel((index % width, 0), (255, index * 30 % 256, 0))
                path = self.folder / f"{image_id}.png"
                image.save(path, format="PNG")
                cloud_url = None
                if self.serve_from_cloud:
                    with path.open("rb") as handle:
                        self.s3.upload_fileobj(
                            handle, self.bucket, self._key(image_id), ExtraArgs={"ContentType": "image/png"}
                        )
                    cloud_url = self._presign(image_id)
                data = path.read_bytes()
                images.append(
                    {
                        "id": image_id,
                        "path": str(path),
                        "base64": base64.b64encode(data).decode(),
                        "cloud_url": cloud_url,
                    }
                )
            return {
                "images": images,
                "metadata": {"character_description": body.character_description, "num_images_generated": len(images)},
            }

        @app.get("/api/mv/get_character_reference/{image_id}", response_model=None)
        def get_reference(image_id: str, redirect: bool = False) -> Any:
            try:
                path = self.folder / f"{uuid.UUID(image_id)}.png"
            except ValueError:
                path = None
            if path is None or not path.is_file():
                raise HTTPException(404, detail=f"Character reference image with ID {image_id} not found")
            if self.serve_from_cloud:
                try:
                    self.s3.head_object(Bucket=self.bucket, Key=self._key(image_id))
                    url = self._presign(image_id)
                except (BotoCoreError, ClientError):
                    return FileResponse(path, media_type="image/png")
                if redirect:
                    return RedirectResponse(url, status_code=302)
                return {
                    "image_id": image_id,
                    "image_url": url,
                    "storage_backend": "s3",
                    "expires_in_seconds": self.expiry,
                    "cloud_path": self._key(image_id),
                }
            return FileResponse(path, media_type="image/png")

        @app.get("/api/mv/config/debug")
        def config_debug() -> dict[str, Any]:
            return {
                "SERVE_FROM_CLOUD": self.serve_from_cloud,
                "STORAGE_BACKEND": "s3",
                "STORAGE_BUCKET": self.bucket,
                "AWS_REGION": self.region,
                "AWS_ACCESS_KEY_ID": "*" * 16 + self.access_key[-4:],
                "AWS_SECRET_ACCESS_KEY": "********",
                "PRESIGNED_URL_EXPIRY": self.expiry,
            }

        return app


class ServerThread:
    """`app` under uvicorn on a free 127.0.0.1 port, in a daemon thread, until `stop()`."""

    def __init__(self, app: FastAPI) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self, timeout_s: float = 15.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the seed backend did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

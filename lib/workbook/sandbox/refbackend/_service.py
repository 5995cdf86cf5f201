"""The launcher's factory for the reference backend: two listening sockets (cloud and local serving),
the real backend's environment variables, and a generated API key published as a secret."""

from __future__ import annotations

import sys

from .._faults import TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec

# Short so the notebook's expired-URL check waits seconds, not an hour.
SANDBOX_EXPIRY_S = 3
API_KEY_ENV = "SANDBOX_REFBACKEND_API_KEY"


def service(ctx: ServiceContext) -> ServiceSpec:
    s3 = ctx.outputs["s3"]
    cloud_sock, local_sock = ctx.listening_socket(), ctx.listening_socket()
    cloud_url = f"http://127.0.0.1:{cloud_sock.getsockname()[1]}"
    local_url = f"http://127.0.0.1:{local_sock.getsockname()[1]}"
    api_key = ctx.new_secret(32)
    env = {
        "SERVE_FROM_CLOUD": "true",
        "STORAGE_BACKEND": "s3",
        "STORAGE_BUCKET": s3["bucket"],
        "AWS_REGION": s3["region"],
        "AWS_ENDPOINT_URL_S3": s3["endpoint"],
        "AWS_ACCESS_KEY_ID": ctx.secrets["SANDBOX_S3_ACCESS_KEY"],
        "AWS_SECRET_ACCESS_KEY": ctx.secrets["SANDBOX_S3_SECRET_KEY"],
        "PRESIGNED_URL_EXPIRY": str(SANDBOX_EXPIRY_S),
        "CHARACTER_REFERENCE_DIR": str(ctx.service_dir("refbackend") / "character_reference"),
        "API_KEY": api_key,
        TIME_SCALE_ENV: str(ctx.time_scale),
    }
    return ServiceSpec(
        name="refbackend",
        argv=[
            sys.executable,
            "-m",
            "workbook.sandbox.refbackend",
            "--cloud-fd",
            str(cloud_sock.fileno()),
            "--local-fd",
            str(local_sock.fileno()),
        ],
        ready_url=f"{cloud_url}/health",
        outputs={
            "url": cloud_url,
            "local_url": local_url,
            "admin_url": cloud_url,
            "images_dir": env["CHARACTER_REFERENCE_DIR"],
        },
        env=env,
        secrets={API_KEY_ENV: api_key},
        sockets=(cloud_sock, local_sock),
    )

"""The launcher's factory for the reference backend: one loopback port, the seed's S3 variables."""

from __future__ import annotations

import sys

from .._faults import TIME_SCALE_ENV
from .._spec import ServiceContext, ServiceSpec

# Short so the notebook's expired-URL check waits seconds, not an hour.
SANDBOX_EXPIRY_S = 3


def service(ctx: ServiceContext) -> ServiceSpec:
    s3 = ctx.outputs["s3"]
    port = ctx.free_port()
    base_url = f"http://127.0.0.1:{port}"
    images_dir = ctx.service_dir("refbackend") / "character_reference"
    env = {
        "SERVE_FROM_CLOUD": "true",
        "STORAGE_BACKEND": "s3",
        "STORAGE_BUCKET": s3["bucket"],
        "AWS_REGION": s3["region"],
        "AWS_ENDPOINT_URL_S3": s3["endpoint"],
        "AWS_ACCESS_KEY_ID": ctx.secrets["SANDBOX_S3_ACCESS_KEY"],
        "AWS_SECRET_ACCESS_KEY": ctx.secrets["SANDBOX_S3_SECRET_KEY"],
        "PRESIGNED_URL_EXPIRY": str(SANDBOX_EXPIRY_S),
        "CHARACTER_REFERENCE_DIR": str(images_dir),
        TIME_SCALE_ENV: str(ctx.time_scale),
    }
    return ServiceSpec(
        name="refbackend",
        argv=[sys.executable, "-m", "workbook.sandbox.refbackend", "--port", str(port)],
        ready_url=f"{base_url}/health",
        outputs={
            "url": base_url,
            "local_url": f"{base_url}/local",
            "admin_url": base_url,
        },
        env=env,
    )

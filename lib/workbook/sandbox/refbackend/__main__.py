"""`python -m workbook.sandbox.refbackend --cloud-fd N --local-fd M`: both deployments of the backend.

The real backend runs as two processes (SERVE_FROM_CLOUD=true and =false) over one image folder; here
one process serves the two apps on the two listening sockets the launcher bound, sharing the folder,
the storage client and the fault switches (set through either app's `/_sandbox/faults`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses

from .._serving import serve_on_fd_async
from ._app import create_app
from ._faults import new_switches
from ._persistence import AssetPersistenceService
from ._settings import Settings
from ._storage import S3Storage


async def serve(cloud_fd: int, local_fd: int) -> None:
    settings = Settings.from_env()
    service = AssetPersistenceService(S3Storage(settings, new_switches()))
    cloud = create_app(service, dataclasses.replace(settings, serve_from_cloud=True))
    local = create_app(service, dataclasses.replace(settings, serve_from_cloud=False))
    await asyncio.gather(serve_on_fd_async(cloud, cloud_fd), serve_on_fd_async(local, local_fd))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cloud-fd", type=int, required=True)
    parser.add_argument("--local-fd", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.cloud_fd, args.local_fd))


if __name__ == "__main__":
    main()

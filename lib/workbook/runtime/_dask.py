"""The one way the workbook gets a Dask client: an embedded LocalCluster on 127.0.0.1, or an
existing scheduler. Used by the runner (notebooks as tasks) and by the probes (load shards)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def dask_client(*, workers: int = 2, scheduler: str | None = None) -> Iterator[Any]:
    """A connected `distributed.Client`; a LocalCluster it started is closed on exit (Ctrl-C too).

    Local workers are processes with one thread each (one notebook or one load shard per process),
    listening on 127.0.0.1 only (scheduler, workers, nannies and the HTTP server alike).
    """
    from distributed import Client, LocalCluster

    cluster = None
    if not scheduler:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # Its HTTP server (dashboard, /metrics) on a free loopback port: None would still try :8787 on
            # every interface.
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        )
    client = Client(cluster if cluster is not None else scheduler)
    try:
        yield client
    finally:
        client.close(timeout=10)
        if cluster is not None:
            cluster.close(timeout=10)


def worker_addresses(client: Any) -> list[str]:
    return sorted(client.scheduler_info()["workers"])

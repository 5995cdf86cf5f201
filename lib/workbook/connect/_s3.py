"""One way to build a boto3 S3 client for any S3-compatible endpoint.

SigV4 is forced (boto3 still signs presigned URLs with SigV2 by default) and custom endpoints use
path-style addressing, which local servers such as SeaweedFS need.
"""

from __future__ import annotations

from typing import Any


def s3_client(
    *,
    endpoint_url: str,
    region: str,
    access_key: str,
    secret_key: str,
    connect_timeout_s: float = 5,
    read_timeout_s: float = 30,
    max_attempts: int = 2,
) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"} if endpoint_url else {},
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout_s,
            read_timeout=read_timeout_s,
        ),
    )

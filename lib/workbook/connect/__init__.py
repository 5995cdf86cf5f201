"""Connections: one profile per named service, and what a connection attempt proved.

Owns the params file's `services:` section (`ServiceProfile`: base URLs, auth named by variable,
extra headers, TLS, timeouts, health paths, dialect), the clients built from a profile (every HTTP
and WebSocket client in lib/ takes its connection from here), and the verdicts on an answer that
shows the workbook could not get through (`check_access`, `not_speaking`, `unreachable`), plus the
one rule for choosing a capability's dialect (`pick_dialect`), and the one way to build a boto3
S3 client for any S3-compatible endpoint (`s3_client`).
"""

from ._access import body_excerpt, check_access, not_speaking, pick_dialect, unreachable
from ._profile import Auth, ServiceProfile, profile, service_profiles
from ._s3 import s3_client

__all__ = [
    "Auth",
    "ServiceProfile",
    "body_excerpt",
    "check_access",
    "not_speaking",
    "pick_dialect",
    "profile",
    "s3_client",
    "service_profiles",
    "unreachable",
]

"""Credentials: secrets read from the environment by name, the one rule for a name that holds one,
and the redaction that keeps every value read out of notebooks, logs and bundles."""

from ._secrets import (
    MIN_SECRET_LENGTH,
    env_names_in,
    looks_secret,
    read_secret,
    redact,
    remember_secret,
    secret_values_in_env,
    seen_secrets,
)

__all__ = [
    "MIN_SECRET_LENGTH",
    "env_names_in",
    "looks_secret",
    "read_secret",
    "redact",
    "remember_secret",
    "secret_values_in_env",
    "seen_secrets",
]

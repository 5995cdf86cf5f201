"""Presigned S3 URLs: parse them, verify SigV4 signatures offline, and do the expiry arithmetic.

The verifier recomputes the signature from the URL and the credentials with hmac/hashlib, following
"Authenticating Requests: Using Query Parameters (AWS Signature Version 4)" of the S3 API reference:
canonical request -> string to sign -> HMAC chain "AWS4"+secret -> date -> region -> "s3" ->
"aws4_request". It needs no network, so it proves what the URL says, not what the store does.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from ._errors import PresignedUrlError

SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
# The S3 limit on X-Amz-Expires (7 days); longer URLs are rejected by the store.
MAX_EXPIRES_S = 604800
_UNRESERVED = "-_.~"


@dataclass(frozen=True)
class PresignedUrl:
    """The parts of a presigned URL that matter to a check."""

    url: str
    scheme: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]
    # "sigv4", "sigv2" or "unsigned"
    version: str
    algorithm: str = ""
    access_key: str = ""
    credential_scope: str = ""
    region: str = ""
    service: str = ""
    amz_date: str = ""
    expires_s: int | None = None
    signed_headers: str = ""
    signature: str = ""
    # SigV2 carries an absolute expiry time instead of a duration.
    expires_epoch: int | None = None

    @property
    def signed_at(self) -> datetime | None:
        if not self.amz_date:
            return None
        return datetime.strptime(self.amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)

    @property
    def expires_at(self) -> datetime | None:
        if self.version == "sigv2" and self.expires_epoch is not None:
            return datetime.fromtimestamp(self.expires_epoch, tz=UTC)
        signed_at = self.signed_at
        if signed_at is None or self.expires_s is None:
            return None
        return signed_at + timedelta(seconds=self.expires_s)

    def seconds_left(self, now: datetime | None = None) -> float | None:
        expires_at = self.expires_at
        if expires_at is None:
            return None
        return (expires_at - (now or datetime.now(UTC))).total_seconds()

    def key_in_bucket(self, bucket: str) -> str | None:
        """The object key for a path-style URL of `bucket` (None for another layout)."""
        path = unquote(self.path)
        prefix = f"/{bucket}/"
        if path.startswith(prefix):
            return path[len(prefix) :]
        if self.host.split(".", 1)[0] == bucket:
            return path.lstrip("/")
        return None

    def with_query(self, **changes: str) -> str:
        """The URL with some query values replaced (to build tampered URLs)."""
        query = [(name, changes.get(name, value)) for name, value in self.query]
        encoded = "&".join(f"{quote(n, safe=_UNRESERVED)}={quote(v, safe=_UNRESERVED)}" for n, v in query)
        return urlunsplit((self.scheme, self.host, self.path, encoded, ""))

    def with_host(self, host: str) -> str:
        return urlunsplit((self.scheme, host, self.path, urlsplit(self.url).query, ""))


@dataclass
class Verification:
    """Outcome of an offline check; `problems` is empty when the URL is valid right now."""

    url: PresignedUrl
    signature_valid: bool = False
    expected_signature: str = ""
    seconds_left: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_presigned_url(url: str) -> PresignedUrl:
    """Parse `url`; raise PresignedUrlError if it is not an http(s) URL."""
    if not isinstance(url, str) or not url:
        raise PresignedUrlError(f"expected a presigned URL string, got {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PresignedUrlError(f"expected an http(s) URL, got {url[:120]!r}")
    query = tuple(parse_qsl(parts.query, keep_blank_values=True))
    values = dict(query)
    unsigned = PresignedUrl(
        url=url,
        scheme=parts.scheme,
        host=parts.netloc,
        path=parts.path or "/",
        query=query,
        version="unsigned",
    )
    if "X-Amz-Algorithm" in values or "X-Amz-Signature" in values:
        credential = values.get("X-Amz-Credential", "")
        scope_parts = credential.split("/")
        expires = values.get("X-Amz-Expires", "")
        return replace(
            unsigned,
            version="sigv4",
            algorithm=values.get("X-Amz-Algorithm", ""),
            access_key=scope_parts[0] if scope_parts else "",
            credential_scope="/".join(scope_parts[1:]),
            region=scope_parts[2] if len(scope_parts) > 2 else "",
            service=scope_parts[3] if len(scope_parts) > 3 else "",
            amz_date=values.get("X-Amz-Date", ""),
            expires_s=int(expires) if expires.lstrip("-").isdigit() else None,
            signed_headers=values.get("X-Amz-SignedHeaders", ""),
            signature=values.get("X-Amz-Signature", ""),
        )
    if "Signature" in values and "AWSAccessKeyId" in values:
        expires = values.get("Expires", "")
        return replace(
            unsigned,
            version="sigv2",
            algorithm="HMAC-SHA1 (SigV2)",
            access_key=values["AWSAccessKeyId"],
            signature=values["Signature"],
            expires_epoch=int(expires) if expires.isdigit() else None,
        )
    return unsigned


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def canonical_request(parsed: PresignedUrl, method: str = "GET") -> str:
    # S3 signs the path URI-encoded once (no double encoding), so normalise it to that form.
    canonical_uri = quote(unquote(parsed.path), safe="/~")
    query = sorted((name, value) for name, value in parsed.query if name != "X-Amz-Signature")
    canonical_query = "&".join(f"{quote(n, safe=_UNRESERVED)}={quote(v, safe=_UNRESERVED)}" for n, v in query)
    return "\n".join(
        [method, canonical_uri, canonical_query, f"host:{parsed.host.lower()}\n", "host", "UNSIGNED-PAYLOAD"]
    )


def sigv4_signature(parsed: PresignedUrl, secret_key: str, method: str = "GET") -> str:
    """The signature `parsed` should carry if it was signed with `secret_key`."""
    date = parsed.amz_date[:8]
    string_to_sign = "\n".join(
        [
            SIGV4_ALGORITHM,
            parsed.amz_date,
            parsed.credential_scope,
            hashlib.sha256(canonical_request(parsed, method).encode("utf-8")).hexdigest(),
        ]
    )
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    for part in (parsed.region, parsed.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify_presigned_url(
    url: str,
    *,
    access_key: str,
    secret_key: str,
    region: str | None = None,
    now: datetime | None = None,
    method: str = "GET",
) -> Verification:
    """Check offline that `url` is a SigV4 URL signed with these credentials and not yet expired."""
    parsed = parse_presigned_url(url)
    result = Verification(url=parsed, seconds_left=parsed.seconds_left(now))
    problems = result.problems
    if parsed.version != "sigv4":
        problems.append(
            f"URL is {parsed.version} ({parsed.algorithm or 'no signature parameters'}), expected SigV4 "
            f"with X-Amz-Algorithm={SIGV4_ALGORITHM}"
        )
        return result
    if parsed.algorithm != SIGV4_ALGORITHM:
        problems.append(f"X-Amz-Algorithm is {parsed.algorithm!r}, expected {SIGV4_ALGORITHM!r}")
    if parsed.access_key != access_key:
        problems.append("X-Amz-Credential names a different access key than the configured one")
    if region is not None and parsed.region != region:
        problems.append(f"credential scope region is {parsed.region!r}, expected {region!r}")
    if parsed.service != "s3":
        problems.append(f"credential scope service is {parsed.service!r}, expected 's3'")
    if parsed.amz_date[:8] != parsed.credential_scope.split("/")[0]:
        problems.append("X-Amz-Date and the credential scope date differ")
    if parsed.expires_s is None or not 1 <= parsed.expires_s <= MAX_EXPIRES_S:
        problems.append(f"X-Amz-Expires is {parsed.expires_s!r}, expected 1..{MAX_EXPIRES_S}")
    if parsed.signed_headers != "host":
        problems.append(f"X-Amz-SignedHeaders is {parsed.signed_headers!r}; only 'host' can be verified offline")
        return result
    try:
        result.expected_signature = sigv4_signature(parsed, secret_key, method)
    except ValueError as error:
        problems.append(f"cannot recompute the signature: {error}")
        return result
    result.signature_valid = hmac.compare_digest(result.expected_signature, parsed.signature)
    if not result.signature_valid:
        problems.append("X-Amz-Signature does not verify with the configured credentials (SignatureDoesNotMatch)")
    if result.seconds_left is not None and result.seconds_left < 0:
        problems.append(f"URL expired {-result.seconds_left:.1f} s ago")
    return result


def freshness_problems(
    parsed: PresignedUrl,
    *,
    requested_at: datetime,
    received_at: datetime,
    expected_expiry_s: int,
    tolerance_s: float,
) -> list[str]:
    """Why `parsed`, received in answer to a request sent at `requested_at`, was not signed for
    that request: signed well before it (a cached URL) or after it (a clock off by more than
    `tolerance_s`), or with a lifetime left that is not the configured expiry. A still-valid URL
    can fail here: validity says the store will serve it, freshness that the backend signed it now.
    """
    problems = []
    # X-Amz-Date is truncated to the second: a URL signed during the request may read up to 1 s early.
    signed_at = parsed.signed_at
    if signed_at is not None:
        age = (requested_at - signed_at).total_seconds()
        if age > tolerance_s + 1:
            problems.append(
                f"signed {int(age)} s before it was requested (X-Amz-Date {parsed.amz_date}): a cached URL; "
                "each served URL must be signed for its request"
            )
        ahead = (signed_at - received_at).total_seconds()
        if ahead > tolerance_s:
            problems.append(
                f"signed {ahead:.0f} s after it was received (X-Amz-Date {parsed.amz_date}): "
                "the backend's clock is off by more than signing_tolerance_s"
            )
    left = parsed.seconds_left(received_at)
    if left is None:
        problems.append("carries no signing time or expiry: cannot tell when it was signed")
        return problems
    took = (received_at - requested_at).total_seconds()
    if left < expected_expiry_s - tolerance_s - took - 1:
        problems.append(f"{left:.0f} s left when served, expected about the configured {expected_expiry_s} s")
    elif left > expected_expiry_s + tolerance_s:
        problems.append(f"{left:.0f} s left when served, more than the configured {expected_expiry_s} s")
    return problems


def tampered_signature(url: str) -> str:
    """`url` with the last hex digit of its signature changed (the store must answer 403)."""
    parsed = parse_presigned_url(url)
    name = "X-Amz-Signature" if parsed.version == "sigv4" else "Signature"
    signature = parsed.signature
    if not signature:
        raise PresignedUrlError("URL carries no signature to tamper with")
    last = signature[-1]
    replacement = "0" if last != "0" else "1"
    return parsed.with_query(**{name: signature[:-1] + replacement})

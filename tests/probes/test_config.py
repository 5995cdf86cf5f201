"""Bad input gets one clear error naming the value and what was expected."""

from __future__ import annotations

import pytest

from workbook import UsageError, WorkbookError
from workbook.probes import Bounds, HttpTarget, ProbeConfigError, check_url, latency_probe, parse_targets


def test_bounds_require_duration_and_count() -> None:
    with pytest.raises(ProbeConfigError, match="'duration_s': value 0: Input should be greater than 0"):
        Bounds.of(duration_s=0, max_requests=10)
    with pytest.raises(ProbeConfigError, match="'max_requests': value None: Input should be a valid integer"):
        Bounds.of(duration_s=1, max_requests=None)
    with pytest.raises(ProbeConfigError, match="'duration_s': value inf"):
        Bounds.of(duration_s=float("inf"), max_requests=10)
    with pytest.raises(ProbeConfigError, match="'max_requests' is required"):
        Bounds.of(duration_s=1)
    assert issubclass(ProbeConfigError, WorkbookError) and issubclass(ProbeConfigError, UsageError)


def test_non_loopback_refused_in_sandbox_mode() -> None:
    with pytest.raises(ProbeConfigError, match=r"example.com.*loopback"):
        parse_targets([{"url": "https://example.com/health"}], loopback_only=True)
    (target,) = parse_targets([{"url": "https://example.com/health"}], loopback_only=False)
    assert target.url == "https://example.com/health"
    with pytest.raises(ProbeConfigError, match="loopback"):
        latency_probe(HttpTarget("x", "http://10.0.0.1/"), rate_rps=1, duration_s=1, max_requests=1)


def test_target_parsing() -> None:
    (target,) = parse_targets(
        [{"name": "create", "method": "post", "url": "http://127.0.0.1:1/x", "body": {"a": 1}}], loopback_only=True
    )
    assert target.method == "POST"
    assert target.body == b'{"a": 1}'
    assert target.headers["Content-Type"] == "application/json"
    with pytest.raises(ProbeConfigError, match=r"'method': value 'FETCH': expected one of"):
        parse_targets([{"method": "FETCH", "url": "http://127.0.0.1/"}], loopback_only=True)
    with pytest.raises(ProbeConfigError, match=r"unknown setting 'uri'"):
        parse_targets([{"uri": "http://127.0.0.1/"}], loopback_only=True)
    with pytest.raises(ProbeConfigError, match=r"'expect_status.0': value 42"):
        parse_targets([{"url": "http://127.0.0.1/", "expect_status": 42}], loopback_only=True)
    with pytest.raises(ProbeConfigError, match="unique"):
        parse_targets([{"name": "a", "url": "http://127.0.0.1/"}] * 2, loopback_only=True)
    with pytest.raises(ProbeConfigError, match="placeholder"):
        check_url("http://${sandbox.brain.health_url}/", loopback_only=False)
    assert check_url("ws://127.0.0.1:1/mcp", loopback_only=True, schemes=("ws", "wss"))


def test_probe_arguments_validated() -> None:
    target = HttpTarget("x", "http://127.0.0.1:9/")
    with pytest.raises(ProbeConfigError, match="rate_rps: got 0"):
        latency_probe(target, rate_rps=0, duration_s=1, max_requests=1)
    with pytest.raises(ProbeConfigError, match="transport: got 'curl'"):
        latency_probe(target, rate_rps=1, duration_s=1, max_requests=1, transport="curl")

"""Engine correctness against a local target: injected latency, bounds, status and error accounting."""

from __future__ import annotations

import socket

import httpx
import pytest

from workbook.probes import HttpTarget, ProbeConfigError, latency_probe, parse_targets, throughput_probe

DELAY_S = 0.040
# Generous upper slack: CI machines are shared; the lower bound is the strict part.
SLACK_S = 0.150
# The default load transport and the general fallback must measure the same thing.
TRANSPORTS = ["httptools", "aiohttp"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_throughput_percentiles_bracket_injected_delay(target_url: str, transport: str) -> None:
    target = HttpTarget("delay", f"{target_url}/delay?ms={DELAY_S * 1000:g}")
    result = throughput_probe(target, concurrency=4, duration_s=1.0, max_requests=400, transport=transport)
    assert result.transport == transport
    assert result.kind == "throughput"
    assert result.errors == {}
    assert result.ok == result.sent > 0
    assert result.success_rate == 1.0
    assert result.latency.min_s is not None and result.latency.min_s >= DELAY_S * 0.99
    assert DELAY_S <= (result.latency.p50_s or 0) <= DELAY_S + SLACK_S
    assert result.status_counts == {"200": result.completed}
    # Each of 4 workers can do at most 1/delay requests per second.
    assert result.throughput_rps <= 4 / DELAY_S * 1.05
    assert sum(row["completed"] for row in result.timeline) == result.completed


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_latency_probe_brackets_injected_delay_and_keeps_rate(target_url: str, transport: str) -> None:
    target = HttpTarget("delay", f"{target_url}/delay?ms={DELAY_S * 1000:g}")
    result = latency_probe(target, rate_rps=50, duration_s=1.0, max_requests=1000, connections=8, transport=transport)
    assert result.kind == "latency"
    assert result.scheduled == 50
    assert result.sent + result.dropped_sends == 50
    assert result.dropped_sends == 0
    assert DELAY_S <= (result.latency.p50_s or 0) <= DELAY_S + SLACK_S
    # Latency from the schedule is never below the service time.
    assert (result.latency.p50_s or 0) >= (result.service.p50_s or 0) - 0.001
    assert result.send_lag is not None and result.send_lag.count == result.sent


def test_request_cap_stops_before_duration(target_url: str) -> None:
    result = throughput_probe(HttpTarget("ok", f"{target_url}/ok"), concurrency=2, duration_s=30, max_requests=25)
    assert result.sent == 25
    assert result.stop_reason == "max_requests"
    assert result.duration_s < 30


def test_duration_bounds_open_loop_schedule(target_url: str) -> None:
    result = latency_probe(HttpTarget("ok", f"{target_url}/ok"), rate_rps=100, duration_s=0.3, max_requests=10_000)
    assert result.scheduled == 30
    assert result.stop_reason == "duration"
    capped = latency_probe(HttpTarget("ok", f"{target_url}/ok"), rate_rps=100, duration_s=5, max_requests=12)
    assert capped.scheduled == 12
    assert capped.stop_reason == "max_requests"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_status_codes_and_errors_by_kind(target_url: str, transport: str) -> None:
    result = throughput_probe(
        HttpTarget("503", f"{target_url}/status/503"),
        concurrency=2,
        duration_s=5,
        max_requests=20,
        transport=transport,
    )
    assert result.status_counts == {"503": 20}
    assert result.errors == {"status:503": 20}
    assert result.success_rate == 0.0
    expected = throughput_probe(
        HttpTarget("503", f"{target_url}/status/503", expect_status=(503,)),
        concurrency=1,
        duration_s=5,
        max_requests=5,
    )
    assert expected.success_rate == 1.0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connection_refused_is_an_error_kind_not_a_latency(transport: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = throughput_probe(
        HttpTarget("closed", f"http://127.0.0.1:{port}/"),
        concurrency=1,
        duration_s=2,
        max_requests=5,
        transport=transport,
    )
    assert result.errors == {"connect": 5}
    assert result.completed == 0
    assert result.latency.count == 0
    assert result.success_rate == 0.0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_only_the_configured_url_is_targeted(target_url: str, transport: str) -> None:
    before = httpx.get(f"{target_url}/admin/hits").json()
    latency_probe(
        HttpTarget("ok", f"{target_url}/status/204"), rate_rps=50, duration_s=0.2, max_requests=10, transport=transport
    )
    redirected = latency_probe(
        HttpTarget("redirect", f"{target_url}/redirect"),
        rate_rps=50,
        duration_s=0.2,
        max_requests=10,
        transport=transport,
    )
    after = httpx.get(f"{target_url}/admin/hits").json()
    changed = {path for path in after if after[path] != before.get(path)}
    # The redirect is reported as what it is, and never followed.
    assert changed == {"/status/204", "/redirect"}
    assert redirected.status_counts == {"302": 10}


def test_to_dict_is_json_and_has_decodable_histogram(target_url: str) -> None:
    import json

    from hdrh.histogram import HdrHistogram

    result = throughput_probe(HttpTarget("ok", f"{target_url}/ok"), concurrency=2, duration_s=1, max_requests=50)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["client_bound"] == result.client_bound
    assert data["selfcheck"]["cpu_fraction"] >= 0
    decoded = HdrHistogram.decode(data["histogram_hdr"])
    assert decoded.get_total_count() == result.completed


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_chunked_bodies_reconnects_and_request_bodies(target_url: str, transport: str) -> None:
    chunked = throughput_probe(
        HttpTarget("chunked", f"{target_url}/chunked"),
        concurrency=2,
        duration_s=5,
        max_requests=20,
        transport=transport,
    )
    assert chunked.status_counts == {"200": 20}
    # The server closes after every response: each request needs a fresh connection, none may fail.
    closing = throughput_probe(
        HttpTarget("close", f"{target_url}/close"), concurrency=2, duration_s=5, max_requests=20, transport=transport
    )
    assert closing.status_counts == {"200": 20}, closing.errors
    (post,) = parse_targets(
        [{"name": "echo", "method": "POST", "url": f"{target_url}/echo", "body": {"n": 1}}], loopback_only=True
    )
    posted = throughput_probe(post, concurrency=2, duration_s=5, max_requests=10, transport=transport)
    assert posted.status_counts == {"200": 10}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_target_closing_idle_keepalive_connections_is_not_an_error(silent_close_url: str, transport: str) -> None:
    result = throughput_probe(
        HttpTarget("silent-close", silent_close_url), concurrency=2, duration_s=5, max_requests=200, transport=transport
    )
    assert result.status_counts == {"200": 200}, result.errors


def test_httptools_transport_refuses_head(target_url: str) -> None:
    with pytest.raises(ProbeConfigError, match="HEAD"):
        throughput_probe(
            HttpTarget("head", f"{target_url}/ok", method="HEAD"), concurrency=1, duration_s=1, max_requests=1
        )
    result = throughput_probe(
        HttpTarget("head", f"{target_url}/ok", method="HEAD"),
        concurrency=1,
        duration_s=1,
        max_requests=3,
        transport="aiohttp",
    )
    assert result.status_counts == {"200": 3}


def test_warm_up_runs_at_the_configured_rate_and_is_not_reported(target_url: str) -> None:
    before = httpx.get(f"{target_url}/admin/hits").json().get("/status/206", 0)
    result = latency_probe(
        HttpTarget("warm", f"{target_url}/status/206"), rate_rps=50, duration_s=0.5, max_requests=100, warmup_s=0.2
    )
    served = httpx.get(f"{target_url}/admin/hits").json()["/status/206"] - before
    assert result.scheduled == result.sent == 25
    assert result.status_counts == {"206": 25}
    assert served == 25 + 10


def test_a_transport_exception_stops_the_open_loop_instead_of_vanishing(target_url: str) -> None:
    with pytest.raises(ProbeConfigError, match="HEAD"):
        latency_probe(HttpTarget("head", f"{target_url}/ok", method="HEAD"), rate_rps=50, duration_s=1, max_requests=5)

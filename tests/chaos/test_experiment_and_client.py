"""The experiment shape always rolls back, and the Toxiproxy client speaks the documented JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from workbook import UsageError
from workbook.chaos import Experiment, Journal, ToxiproxyClient, ToxiproxyError, residue, run_experiment


def _experiment(events: list[str], *, steady: list[str] | None = None, method: Any = None) -> Experiment:
    def default_method(journal: Journal) -> list[str]:
        events.append("inject")
        return []

    return Experiment(
        "t",
        "h",
        steady_state=lambda: list(steady or []),
        method=method or default_method,
        rollbacks=(("first", lambda: events.append("rollback 1")), ("second", lambda: events.append("rollback 2"))),
        residue=lambda: [],
    )


def test_rollbacks_run_after_a_pass() -> None:
    events: list[str] = []
    journal = run_experiment(_experiment(events))
    assert events == ["inject", "rollback 1", "rollback 2"]
    assert journal.status == "completed" and journal.problems() == []


def test_rollbacks_run_after_a_deviation_and_after_an_exception() -> None:
    events: list[str] = []
    journal = run_experiment(_experiment(events, method=lambda journal: ["the task was lost"]))
    assert journal.status == "deviated" and events == ["rollback 1", "rollback 2"]
    assert journal.problems() == ["the task was lost"]

    def boom(journal: Journal) -> list[str]:
        events.append("injected")
        raise RuntimeError("probe crashed mid-injection")

    events.clear()
    journal = run_experiment(_experiment(events, method=boom))
    assert events == ["injected", "rollback 1", "rollback 2"]
    assert journal.status == "failed"
    assert "experiment raised RuntimeError: probe crashed mid-injection" in journal.problems()


def test_rollbacks_run_on_ctrl_c_and_it_propagates() -> None:
    events: list[str] = []

    def interrupted(journal: Journal) -> list[str]:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(_experiment(events, method=interrupted))
    assert events == ["rollback 1", "rollback 2"]


def test_unsteady_system_is_not_injected_but_rolled_back_and_failing_rollbacks_are_reported() -> None:
    events: list[str] = []
    journal = run_experiment(_experiment(events, steady=["ready is fail"]))
    assert "inject" not in events and events == ["rollback 1", "rollback 2"]
    assert journal.status == "failed" and journal.problems() == ["steady state before injection: ready is fail"]

    def broken() -> None:
        raise OSError("proxy unreachable")

    experiment = Experiment(
        "t",
        "h",
        steady_state=list,
        method=lambda journal: [],
        rollbacks=(("enable", broken),),
        residue=lambda: ["toxic 'lat' (latency) is still on proxy 'redis'"],
    )
    journal = run_experiment(experiment)
    assert journal.status == "deviated"
    assert journal.problems() == [
        "rollback enable failed: OSError: proxy unreachable",
        "left injected: toxic 'lat' (latency) is still on proxy 'redis'",
    ]
    assert json.dumps(journal.to_json())


# Response bodies as Toxiproxy's README and API document them.
DOC_PROXY = {"name": "redis", "listen": "127.0.0.1:26379", "upstream": "localhost:6379", "enabled": True, "toxics": []}
DOC_TOXIC = {
    "attributes": {"rate": 20},
    "name": "bandwidth_limit",
    "type": "bandwidth",
    "stream": "downstream",
    "toxicity": 1,
}


def _mock(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path, method = request.url.path, request.method
        if (method, path) == ("GET", "/version"):
            return httpx.Response(200, json={"version": "2.12.0"})
        if (method, path) == ("GET", "/proxies"):
            return httpx.Response(200, json={"redis": {**DOC_PROXY, "toxics": [DOC_TOXIC]}})
        if (method, path) == ("POST", "/proxies/redis/toxics"):
            return httpx.Response(200, json={**json.loads(request.content), "toxicity": 1})
        if (method, path) == ("POST", "/proxies/redis"):
            return httpx.Response(200, json={**DOC_PROXY, **json.loads(request.content)})
        if (method, path) == ("DELETE", "/proxies/redis/toxics/bandwidth_limit"):
            return httpx.Response(204)
        if (method, path) == ("POST", "/reset"):
            return httpx.Response(204)
        return httpx.Response(404, json={"error": "proxy not found", "status": 404})

    return httpx.MockTransport(handle)


def test_client_sends_and_reads_toxiproxy_shapes() -> None:
    seen: list[httpx.Request] = []
    client = ToxiproxyClient("http://toxiproxy:8474", transport=_mock(seen))
    assert client.version() == "2.12.0"
    created = client.add_toxic("redis", "latency", {"latency": 1000, "jitter": 100})
    assert json.loads(seen[-1].content) == {
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1.0,
        "attributes": {"latency": 1000, "jitter": 100},
    }
    assert created["name"] == "latency_downstream"
    assert client.set_enabled("redis", False)["enabled"] is False
    assert json.loads(seen[-1].content) == {"enabled": False}
    assert residue(client) == ["toxic 'bandwidth_limit' (bandwidth) is still on proxy 'redis'"]
    client.remove_toxic("redis", "bandwidth_limit")
    client.reset()
    with pytest.raises(ToxiproxyError) as raised:
        client.proxy("nope")
    assert raised.value.status == 404 and "proxy not found" in str(raised.value)


def test_client_rejects_bad_arguments_naming_them() -> None:
    with pytest.raises(UsageError, match="fault proxy URL 'toxiproxy:8474'"):
        ToxiproxyClient("toxiproxy:8474")
    client = ToxiproxyClient("http://toxiproxy:8474", transport=_mock([]))
    with pytest.raises(UsageError, match="toxic stream 'sideways'"):
        client.add_toxic("redis", "latency", stream="sideways")
    with pytest.raises(UsageError, match="toxicity 2"):
        client.add_toxic("redis", "latency", toxicity=2)

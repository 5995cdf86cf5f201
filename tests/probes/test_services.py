"""Notebook 30's connections come from service profiles: HTTP targets with the profile's
credential, the brain's ws_url, dialect and handshake headers (never shown)."""

from __future__ import annotations

import pytest

from workbook import UsageError
from workbook.probes import PerfSettings

SERVICES = {
    "brain": {
        "url": "http://127.0.0.1:8002",
        "ws_url": "ws://127.0.0.1:8002/",
        "auth": {"kind": "bearer", "secret_env": "WB_TEST_BRAIN_KEY"},
        "health": ["/health", "/api/v1/health"],
        "dialect": "tool-json",
    },
    "nohealth": {"url": "http://127.0.0.1:9"},
}


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_BRAIN_KEY", "k-123")


def test_targets_and_the_brain_come_from_the_profiles() -> None:
    settings = PerfSettings.of(services=SERVICES, http_services=["brain"], brain_service="brain")
    (target,) = settings.all_targets()
    assert (target.name, target.url) == ("brain-health", "http://127.0.0.1:8002/health")
    assert target.headers["Authorization"] == "Bearer k-123"
    assert settings.ws_url == "ws://127.0.0.1:8002/"
    brain = settings.brain
    assert brain["dialect"] == "tool-json" and brain["headers"]["Authorization"] == "Bearer k-123"
    assert "k-123" not in repr(settings.endpoint)  # the credential is never shown


def test_the_notebook_parameter_overrides_the_profiles_dialect_and_auto_is_the_fallback() -> None:
    chosen = PerfSettings.of(services=SERVICES, brain_service="brain", brain_protocol="auto")
    assert chosen.brain["dialect"] == "auto"
    bare = {"brain": {"ws_url": "ws://127.0.0.1:8002/mcp"}}
    assert PerfSettings.of(services=bare, brain_service="brain").brain["dialect"] == "auto"
    assert PerfSettings.of(services=SERVICES, brain_service="").ws_url == ""


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"brain_service": "nope"}, "no service profile 'nope'"),
        ({"http_services": ["nohealth"], "brain_service": ""}, "has no health path"),
        ({"services": {"brain": {"url": "http://127.0.0.1:1"}}}, "has no ws_url"),
        ({"services": {"brain": {"ws_url": "ws://127.0.0.1:1/", "dialect": "soap"}}}, "unknown brain dialect 'soap'"),
        ({"brain_tools": {"no_such_key": "x"}}, "no_such_key"),
    ],
)
def test_bad_connections_are_one_clear_error(values: dict[str, object], needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        PerfSettings.of(**{"services": SERVICES, "brain_service": "brain", **values})

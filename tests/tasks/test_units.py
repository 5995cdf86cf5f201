"""Inspectors and settings without a sandbox: event sequences, health+json, parameters."""

from __future__ import annotations

from typing import Any

import pytest

from workbook import UsageError
from workbook.sandbox.tasks._fetch import retry_after_s
from workbook.tasks import TaskPipelineSettings, health_problems, sequence_problems


def events(*seqs: int, last: str = "SUCCESS") -> list[dict[str, Any]]:
    out = [{"seq": seq, "state": "PROGRESS", "progress": float(index), "attempt": 1} for index, seq in enumerate(seqs)]
    out[-1]["state"] = last
    return out


def test_sequence_inspector() -> None:
    assert sequence_problems(events(1, 2, 3, 4)) == []
    assert sequence_problems(events(1, 2, 4, 5)) == ["sequence gap: seq 3 never arrived (of 1..5)"]
    assert sequence_problems(events(1, 3, 2, 4))[0] == "events out of order: seq 2 arrived after seq 3"
    assert sequence_problems(events(1, 2, 3, last="PROGRESS")) == [
        "no terminal event (SUCCESS/FAILURE); last state 'PROGRESS'"
    ]
    assert "duplicate sequence numbers were delivered" in sequence_problems(events(1, 2, 2, 3))
    assert sequence_problems([]) == ["no events received"]
    backwards = events(1, 2, 3)
    backwards[1]["progress"] = 50.0
    assert sequence_problems(backwards) == ["progress went back from 50.0 to 2.0 in attempt 1"]


# The example response of draft-inadarei-api-health-check-06, section 3.
DRAFT_EXAMPLE = {
    "status": "pass",
    "version": "1",
    "releaseId": "1.2.2",
    "notes": [""],
    "output": "",
    "serviceId": "f03e522f-1f44-4062-9b55-9587f91c9c41",
    "description": "health of authz service",
    "checks": {
        "cassandra:responseTime": [
            {
                "componentId": "dfd6cf2b-1b6e-4412-a0b8-f6f7797a60d2",
                "componentType": "datastore",
                "observedValue": 250,
                "observedUnit": "ms",
                "status": "pass",
                "affectedEndpoints": ["/users/{userId}"],
                "time": "2019-01-20T10:03:06Z",
                "output": "",
            }
        ],
        "uptime": [
            {
                "componentType": "system",
                "observedValue": 1209600.245,
                "observedUnit": "s",
                "status": "pass",
                "time": "2019-01-20T10:03:06Z",
            }
        ],
    },
    "links": {"about": "http://api.example.com/about/authz"},
}


def test_health_inspector_accepts_the_drafts_example_and_catches_breaches() -> None:
    assert health_problems(200, "application/health+json", DRAFT_EXAMPLE) == []
    assert health_problems(200, "application/health+json", {**DRAFT_EXAMPLE, "status": "ok"}) == []
    assert health_problems(503, "application/health+json", {"status": "fail"}) == []
    assert health_problems(200, "application/health+json", {"status": "fail"}) == [
        "status fail with HTTP 200; the format requires 4xx-5xx"
    ]
    assert health_problems(503, "application/json", {"status": "pass"}) == [
        "content type 'application/json', expected application/health+json",
        "status pass with HTTP 503; the format requires 2xx-3xx",
    ]
    assert health_problems(200, "application/health+json", {"status": "green"})[0].startswith("status 'green'")
    broken = {"status": "pass", "checks": {"redis:responseTime": {"status": "pass"}}}
    assert health_problems(200, "application/health+json", broken) == [
        "check 'redis:responseTime' is not an array of objects"
    ]


BASE = {"redis_url": "redis://127.0.0.1:6379/0", "api_base_url": "http://127.0.0.1:8000", "worker_names": ["w1@h"]}


def test_settings_name_every_bad_value_and_never_echo_a_password() -> None:
    assert TaskPipelineSettings.of(**BASE).websocket_base == "ws://127.0.0.1:8000"
    with pytest.raises(UsageError) as raised:
        TaskPipelineSettings.of(
            **{**BASE, "redis_url": "redis://:hunter2secret@127.0.0.1:6379/0", "worker_names": ["worker1"], "frames": 0}
        )
    message = str(raised.value)
    assert "'redis_url'" in message and "must not carry credentials" in message
    assert "'worker_names'" in message and "name@host" in message
    assert "'frames'" in message
    assert "hunter2secret" not in message and "***@" in message
    with pytest.raises(UsageError, match="chaos_enabled needs fault_proxy_url"):
        TaskPipelineSettings.of(**{**BASE, "chaos_enabled": True})
    with pytest.raises(UsageError, match="unknown setting 'nonsense'"):
        TaskPipelineSettings.of(**{**BASE, "nonsense": 1})


def test_retry_after_parsing() -> None:
    assert retry_after_s("1") == 1.0
    assert retry_after_s(" 2.5 ") == 2.5
    assert retry_after_s("3600") == 30.0  # capped
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT") is None  # HTTP-date: fall back to backoff
    assert retry_after_s(None) is None


def test_live_mode_without_proxy_or_opt_in_injects_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Every fault-injecting check skips (before touching anything) without fault_proxy_url and
    chaos_enabled; so do the sandbox-only upstream and temp checks."""
    from workbook.checks import Checks, CheckStatus
    from workbook.tasks import CHECK_FUNCTIONS, CHECKS, TaskPipelineRun

    monkeypatch.setenv("REDIS_PASSWORD", "not-used-by-skipped-checks")
    run = TaskPipelineRun.open(TaskPipelineSettings.of(**{**BASE, "worker_names": ["w1@h", "w2@h"]}))
    gated = [
        "scaling",
        "upstream_retry",
        "temp_cleanup",
        "readiness",
        "stuck_task",
        "chaos_worker_kill",
        "chaos_redis_restart",
        "chaos_redis_latency",
    ]
    checks = Checks("50_task_pipeline", CHECKS, results_dir=tmp_path)
    try:
        for check_id in gated:
            with checks.run(check_id) as context:
                CHECK_FUNCTIONS[check_id](context, run)
    finally:
        run.close()
    assert {result.id: result.status for result in checks.results} == dict.fromkeys(gated, CheckStatus.SKIP)

"""Inspectors, the dialect and settings without a sandbox: the result package judged from the
job's meaning (each wrong answer handed over on purpose), frames, health bodies, pacing."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from workbook import CouldNotCheck, UsageError
from workbook.health import read_health
from workbook.sandbox.upstream._packages import RELEASES, package_bytes, wheel_bytes
from workbook.tasks import (
    CreationPacer,
    Follow,
    RepackagingDialect,
    TaskPipelineSettings,
    make_dialect,
    result_problems,
    stream_problems,
)

BASE: dict[str, Any] = {
    "services": {
        "repackager": {"url": "http://127.0.0.1:8000", "ws_url": "ws://127.0.0.1:8000"},
        "redis": {"url": "redis://127.0.0.1:6379/0"},
        "upstream": {"url": "http://127.0.0.1:9000"},
    },
    "worker_names": ["w1@h"],
}
OFFLINE = "--no-index --find-links=./wheels/"


def repacked(
    original: bytes,
    *,
    requirements: str | None = None,
    wheels: list[str] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """What a correct platform makes of `original` (the wheels named, or the full closure), with changes."""
    source = zipfile.ZipFile(io.BytesIO(original))
    wanted = source.read("requirements.txt").decode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "requirements.txt":
                data = (requirements if requirements is not None else f"{OFFLINE}\n{wanted}").encode()
            out.writestr(name, data)
        for release in RELEASES:
            if release.filename in (wheels if wheels is not None else []):
                out.writestr(f"wheels/{release.filename}", wheel_bytes(release))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return buffer.getvalue()


ALPHA = ["wb_alpha-1.0.0-py3-none-any.whl", "wb_common-1.1.0-py3-none-any.whl"]  # set 0: wb-alpha==1.0.0


def test_a_correct_result_passes_and_each_wrong_one_is_named() -> None:
    original = package_bytes("x-r0", "plugin")
    assert result_problems(repacked(original, wheels=ALPHA), original)[0] == []
    cases = {
        "not a valid package": b"PK-not-really",
        "wheels/ has no wheel for wb-common>=1.0": repacked(original, wheels=ALPHA[:1]),
        "does not install offline": repacked(original, wheels=ALPHA, requirements="wb-alpha==1.0.0\n"),
        "holds files that are not in its package: ['variant/y-r0.txt']": repacked(
            original, wheels=ALPHA, extra={"variant/y-r0.txt": b"y\n"}
        ),
        "wheels/ holds ['wb-beta']": repacked(original, wheels=[*ALPHA, "wb_beta-1.0.0-py3-none-any.whl"]),
    }
    for phrase, result in cases.items():
        problems, _ = result_problems(result, original)
        assert any(phrase in problem for problem in problems), (phrase, problems)
    changed = repacked(package_bytes("x-r0", "other"), wheels=ALPHA)  # same files, other content
    assert any("the original file manifest.yaml changed" in p for p in result_problems(changed, original)[0])


def test_another_tasks_result_fails_as_foreign() -> None:
    """The isolation evidence: the result of a same-name package with other content."""
    mine, theirs = package_bytes("a-r0", "plugin"), package_bytes("b-r3", "plugin")
    wheels = [release.filename for release in RELEASES if release.project != "wb-beta" or release.version == "1.0.0"]
    problems, _ = result_problems(repacked(theirs, wheels=wheels), mine)
    assert any("variant/b-r3.txt" in problem for problem in problems)
    assert any("original file variant/a-r0.txt is missing" in problem for problem in problems)


def test_frames_are_sorted_into_records_heartbeats_errors_and_foreign() -> None:
    dialect = RepackagingDialect()
    assert dialect.frame_kind({"type": "heartbeat", "timestamp": 1.0}, "t") == "heartbeat"
    assert dialect.frame_kind({"type": "ping", "timestamp": 1.0}, "t") == "heartbeat"
    assert dialect.frame_kind({"type": "error", "error": "x"}, "t") == "error"
    assert dialect.frame_kind({"task_id": "t", "status": "processing", "progress": 40}, "t") == "record"
    assert dialect.frame_kind({"jsonrpc": "2.0", "id": 1, "result": {}}, "t") == "foreign"
    assert dialect.frame_kind({"task_id": "other", "status": "completed"}, "t") == "foreign"
    assert [dialect.state({"status": word}) for word in ("pending", "downloading", "processing", "completed", "failed", "SUCCESS")] == [  # noqa: E501
        "pending", "running", "running", "completed", "failed", "unknown",
    ]  # fmt: skip
    custom = make_dialect("repackaging", {"completed_words": ["done"], "ws_path": "/ws/{task_id}"})
    assert custom.state({"status": "done"}) == "completed" and custom.ws_path("t") == "/ws/t"
    with pytest.raises(UsageError, match="unknown dialect 'pipeline'; known dialects: repackaging"):
        make_dialect("pipeline", {})
    with pytest.raises(ValueError, match="nonsense"):
        make_dialect("repackaging", {"nonsense": 1})


def test_stream_judgement() -> None:
    dialect = RepackagingDialect()
    follow = Follow("t", "u", 0.0, handshake="101", final={"task_id": "t", "status": "completed"})
    follow.final_state = "completed"
    problems = stream_problems(dialect, follow, timeout_s=5, grace_s=2)
    assert "the WebSocket sent no record" in problems[0]
    assert "never delivered that record within 2 s" in problems[1]
    follow.records = [{"task_id": "t", "status": "processing"}, {"task_id": "t", "status": "completed"}]
    follow.ws_terminal = True
    assert stream_problems(dialect, follow, timeout_s=5, grace_s=2) == []
    follow.foreign = [{"jsonrpc": "2.0"}]
    follow.ws_url = "ws://x/ws/tasks/t"
    with pytest.raises(CouldNotCheck, match="the server at ws://x/ws/tasks/t does not speak repackaging") as raised:
        stream_problems(dialect, follow, timeout_s=5, grace_s=2)
    assert raised.value.reason == "dialect"


def test_this_platforms_health_bodies_are_read_by_their_words() -> None:
    """Its /health answers 200 for both; only the body tells them apart."""
    assert read_health({"status": "healthy", "redis": "connected", "version": "1.0.0"}).verdict == "pass"
    assert read_health({"status": "unhealthy", "error": "Error 111 connecting to redis:6379"}).verdict == "fail"


def test_pacer_waits_before_exceeding_the_limit_and_records_429s(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    pacer = CreationPacer(limit=2, window_s=60.0)
    for _ in range(3):
        pacer.before_create()
    assert len(slept) == 1 and 59.0 < slept[0] <= 60.02
    assert pacer.after_429(5.0, within_limit=True) == 5.0
    assert pacer.after_429(None, within_limit=False) == 60.0  # no Retry-After: the rest of the window
    assert pacer.summary()["rate_limited"] == 2 and pacer.summary()["rate_limited_within_limit"] == 1


def test_settings_name_every_bad_value_and_accept_redis_without_password() -> None:
    from workbook.tasks import TaskPipelineRun

    run = TaskPipelineRun.open(TaskPipelineSettings.of(**BASE))  # a Redis profile with no auth: no password
    assert run.password == "" and run.redis_url == "redis://127.0.0.1:6379/0"
    run.close()
    with pytest.raises(UsageError) as raised:
        TaskPipelineSettings.of(**{**BASE, "worker_names": ["worker1"], "concurrent_tasks": 0})
    message = str(raised.value)
    assert "'worker_names'" in message and "'concurrent_tasks'" in message
    with pytest.raises(UsageError, match="no service profile 'redis'; profiles given: repackager, upstream"):
        services = {k: v for k, v in BASE["services"].items() if k != "redis"}
        TaskPipelineRun.open(TaskPipelineSettings.of(**{**BASE, "services": services}))
    with pytest.raises(UsageError, match="chaos_enabled needs fault_proxy_url"):
        TaskPipelineSettings.of(**{**BASE, "chaos_enabled": True})


def test_live_mode_without_proxy_or_opt_in_injects_nothing(tmp_path: Any) -> None:
    """Every fault-injecting check skips (before touching anything) without fault_proxy_url and
    chaos_enabled; so do the sandbox-only upstream and folder checks."""
    from workbook.checks import Checks, CheckStatus
    from workbook.tasks import CHECK_FUNCTIONS, CHECKS, TaskPipelineRun

    run = TaskPipelineRun.open(TaskPipelineSettings.of(**BASE))
    gated = ["upstream_retry", "liveness", "ws_redis_down", "retention"] + [c for c in CHECKS if c.startswith("chaos_")]
    checks = Checks("50_task_pipeline", CHECKS, results_dir=tmp_path)
    try:
        for check_id in gated:
            with checks.run(check_id) as context:
                CHECK_FUNCTIONS[check_id](context, run)
    finally:
        run.close()
    assert {result.id: result.status for result in checks.results} == dict.fromkeys(gated, CheckStatus.SKIP)


def test_a_failed_setup_records_every_check_as_could_not_check(tmp_path: Any) -> None:
    """No Redis profile given: the setup fails, and every check is still recorded, as error/setup."""
    from workbook.checks import Checks, CheckStatus
    from workbook.tasks import CHECK_FUNCTIONS, CHECKS, TaskPipelineRun, close_run, tasks_table

    checks = Checks("50_task_pipeline", CHECKS, results_dir=tmp_path)
    services = {k: v for k, v in BASE["services"].items() if k != "redis"}
    settings = checks.setup(TaskPipelineSettings.of, **{**BASE, "services": services})
    run = checks.setup(TaskPipelineRun.open, settings)
    for check_id, body in CHECK_FUNCTIONS.items():
        with checks.run(check_id) as context:
            body(context, run)
    assert tasks_table(run).empty
    close_run(run)
    results = {result.id: result for result in checks.results}
    assert set(results) == set(CHECKS)
    assert {result.status for result in results.values()} == {CheckStatus.ERROR}
    assert {result.reason for result in results.values()} == {"setup"}
    assert "no service profile 'redis'" in results["lifecycle"].detail


def test_redis_has_no_password_unless_asked_and_publishes_one_only_then(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbook.sandbox import redisd
    from workbook.sandbox._spec import ServiceContext

    monkeypatch.delenv("WORKBOOK_REDIS_REQUIREPASS", raising=False)
    plain = redisd.service(ServiceContext(state_dir=tmp_path))
    for sock in plain.sockets:
        sock.close()
    assert set(plain.outputs) == {"url", "host", "port", "admin_url"} and not plain.secrets
    monkeypatch.setenv("WORKBOOK_REDIS_REQUIREPASS", "1")
    guarded = redisd.service(ServiceContext(state_dir=tmp_path))
    for sock in guarded.sockets:
        sock.close()
    assert guarded.outputs["password_env"] == "SANDBOX_REDIS_PASSWORD"
    assert len(guarded.secrets["SANDBOX_REDIS_PASSWORD"]) == 32
    assert guarded.secrets["SANDBOX_REDIS_PASSWORD"] not in guarded.outputs["url"]

"""A profile's values for one notebook, from the running sandbox's state: the same rule as a run."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from wb_testing import REPO
from workbook import UsageError
from workbook.interactive import (
    LabBinding,
    Resolution,
    SandboxRef,
    notebook_name,
    profiles_for,
    resolve_profile,
    sandbox_condition,
)
from workbook.params import load_plan, placeholders_in
from workbook.sandbox import Sandbox

PARAMS, NOTEBOOKS = REPO / "params", REPO / "notebooks"
SANDBOX_YAML = PARAMS / "sandbox.yaml"


@pytest.fixture(scope="module")
def built_outputs() -> Iterator[dict[str, dict[str, str]]]:
    """Real outputs of every stand-in of params/sandbox.yaml (ports and credentials allocated, nothing started)."""
    plan = load_plan(SANDBOX_YAML, notebooks_dir=NOTEBOOKS)
    sandbox = Sandbox(plan.sandbox)
    sandbox.build()
    yield sandbox.outputs
    sandbox.cleanup()


def write_state(
    root: Path,
    outputs: dict[str, dict[str, str]],
    *,
    started_at: str = "2026-01-01T00:00:00+00:00",
    time_scale: float = 10.0,
    env: dict[str, str] | None = None,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    services = {
        name: {"pid": 1000 + index, "outputs": out, "log": f"/logs/{name}.log"}
        for index, (name, out) in enumerate(outputs.items())
    }
    (root / "state.json").write_text(
        json.dumps({"started_at": started_at, "time_scale": time_scale, "services": services})
    )
    (root / "sandbox.env").write_text("".join(f"{k}={v}\n" for k, v in (env or {}).items()))
    return root


def resolve(
    profile: str,
    notebook: str,
    root: Path,
    *,
    alive: Callable[[int], bool] = lambda pid: True,
    dotenv: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Resolution:
    return resolve_profile(
        profile,
        notebook,
        params_dir=PARAMS,
        notebooks_dir=NOTEBOOKS,
        sandbox_root=root,
        dotenv_file=dotenv or root / ".env",
        environ=environ or {},
        alive=alive,
    )


def test_every_notebook_gets_exactly_what_a_sandbox_run_would_pass(tmp_path: Path, built_outputs: Any) -> None:
    root = write_state(tmp_path / "sb", built_outputs, env={"SANDBOX_S3_ACCESS_KEY": "key-abcdef"})
    expected = load_plan(SANDBOX_YAML, notebooks_dir=NOTEBOOKS).resolved(built_outputs)
    for section in expected.notebooks:
        resolution = resolve("sandbox", section.name, root)
        assert resolution.problems == () and resolution.unresolved == {}
        assert dict(resolution.values) == dict(section.parameters), section.name
        assert resolution.env == {"SANDBOX_S3_ACCESS_KEY": "key-abcdef"}
        assert "key-abcdef" not in repr(resolution), "credentials must never show in a repr"


def test_services_the_sandbox_does_not_run_leave_their_parameters_alone(tmp_path: Path, built_outputs: Any) -> None:
    partial = {name: built_outputs[name] for name in ("s3", "refbackend")}
    root = write_state(tmp_path / "sb", partial)
    resolution = resolve("sandbox", "00_service_health", root)
    services = resolution.values["services"]
    assert set(services) == {"s3", "refbackend", "refbackend_local"}
    assert services["s3"]["url"] == partial["s3"]["endpoint"]
    raw = load_plan(SANDBOX_YAML, notebooks_dir=NOTEBOOKS, only=["00_service_health"]).notebooks[0].parameters
    needed = {name for name, entry in raw["services"].items() if {s for s, _ in placeholders_in(entry)} - set(partial)}
    assert needed, "params/sandbox.yaml's profiles should reach beyond s3 and refbackend"
    assert {key.removeprefix("services.") for key in resolution.unresolved} == needed


def test_a_dead_service_counts_as_not_running(tmp_path: Path, built_outputs: Any) -> None:
    root = write_state(tmp_path / "sb", built_outputs, env={"SANDBOX_S3_ACCESS_KEY": "key-abcdef"})
    resolution = resolve("sandbox", "10_persistence", root, alive=lambda pid: False)
    assert resolution.values.get("api_base_url") is None and "api_base_url" in resolution.unresolved
    assert resolution.env == {}, "no credentials from a sandbox that is gone"
    assert sandbox_condition(resolution, SandboxRef.read(root), root, lambda pid: False).state == "gone"


def test_no_sandbox_running(tmp_path: Path) -> None:
    resolution = resolve("sandbox", "10_persistence", tmp_path / "none")
    assert resolution.sandbox is None and resolution.env == {}
    assert "api_base_url" in resolution.unresolved and resolution.values["num_images"] == 4
    condition = sandbox_condition(resolution, None, tmp_path / "none", lambda pid: True)
    assert condition.state == "none" and "no sandbox is running" in condition.text


def test_live_profile_takes_secrets_from_dotenv_without_overriding_the_environment(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("DISCORD_TOKEN=from-dotenv-123456\nAWS_ACCESS_KEY_ID=from-dotenv-key\n")
    resolution = resolve(
        "live", "20_midjourney", tmp_path / "none", dotenv=dotenv, environ={"AWS_ACCESS_KEY_ID": "already-set"}
    )
    assert resolution.env == {"DISCORD_TOKEN": "from-dotenv-123456"}
    live = load_plan(PARAMS / "live.yaml", notebooks_dir=NOTEBOOKS, only=["20_midjourney"]).notebooks[0]
    assert resolution.values == live.parameters and not resolution.needs_sandbox
    assert sandbox_condition(resolution, None, tmp_path, lambda pid: True).state == "live"


def test_bad_profile_and_notebook_outside_the_file(tmp_path: Path, write_params: Callable[..., Path]) -> None:
    with pytest.raises(UsageError, match=r"profile 'sandbx'.*expected one of: ci, live, sandbox"):
        resolve("sandbx", "10_persistence", tmp_path)
    params = write_params({"profile": "x", "sandbox": [], "notebooks": {"10_persistence": {}}}, name="x.yaml")
    resolution = resolve_profile(
        "x",
        "00_service_health",
        params_dir=params.parent,
        notebooks_dir=NOTEBOOKS,
        sandbox_root=tmp_path,
        dotenv_file=tmp_path / ".env",
        environ={},
        alive=lambda p: True,
    )
    assert resolution.values == {} and "not a notebook of this params file" in resolution.problems[0]


def test_a_sandbox_with_another_clock_speed_is_noted(tmp_path: Path, built_outputs: Any) -> None:
    root = write_state(tmp_path / "sb", built_outputs, time_scale=1.0)
    (note,) = resolve("sandbox", "20_midjourney", root).notes
    assert "time_scale 1" in note and "expects 10" in note


def test_condition_follows_the_sandbox(tmp_path: Path, built_outputs: Any) -> None:
    root = write_state(tmp_path / "sb", built_outputs)
    resolution = resolve("sandbox", "00_service_health", root)
    up = sandbox_condition(resolution, SandboxRef.read(root), root, lambda pid: True)
    assert up.state == "up" and str(root / "state.json") in up.text and "2026-01-01T00:00:00" in up.text
    lost = sandbox_condition(resolution, SandboxRef.read(root), root, lambda pid: pid != 1001)
    assert lost.state == "gone" and "refbackend" in lost.text and "/logs/refbackend.log" in lost.text
    write_state(root, built_outputs, started_at="2026-01-02T00:00:00+00:00")
    replaced = sandbox_condition(resolution, SandboxRef.read(root), root, lambda pid: True)
    assert replaced.state == "replaced" and "2026-01-02" in replaced.text
    (root / "state.json").unlink()
    gone = sandbox_condition(resolution, SandboxRef.read(root), root, lambda pid: True)
    assert gone.state == "gone" and "is gone" in gone.text


def test_profiles_offered_for_a_notebook() -> None:
    assert profiles_for("10_persistence", PARAMS)[:2] == ["sandbox", "live"]
    assert profiles_for("no_such_notebook", PARAMS) == []


def test_notebook_name_from_the_lab_session_or_the_parameters() -> None:
    assert notebook_name({"__session__": "sub/10_persistence.ipynb"}, NOTEBOOKS) == "10_persistence"
    from workbook.params import notebook_parameters

    namespace = dict.fromkeys(notebook_parameters(NOTEBOOKS / "20_midjourney.ipynb"), 0)
    assert notebook_name(namespace, NOTEBOOKS) == "20_midjourney"
    with pytest.raises(UsageError, match="pass notebook="):
        notebook_name({"interactive": True}, NOTEBOOKS)


def test_binding_writes_values_exports_credentials_and_switches_back(tmp_path: Path, built_outputs: Any) -> None:
    root = write_state(tmp_path / "sb", built_outputs, env={"WB_TEST_SANDBOX_KEY": "sandbox-key-123456"})
    dotenv = tmp_path / ".env"
    dotenv.write_text("WB_TEST_LIVE_TOKEN=live-token-123456\n")
    namespace: dict[str, Any] = {"interactive": True, "api_base_url": "http://127.0.0.1:8000"}
    binding = LabBinding(
        namespace,
        "10_persistence",
        ["sandbox", "live"],
        lambda profile: resolve(profile, "10_persistence", root, dotenv=dotenv, environ=dict(os.environ)),
        sandbox_root=root,
        alive=lambda pid: True,
    )
    seen: list[dict[str, Any]] = []
    binding.subscribe(lambda values: seen.append(dict(values)))
    try:
        binding.activate("sandbox")
        assert namespace["api_base_url"] == built_outputs["refbackend"]["url"]
        assert os.environ["WB_TEST_SANDBOX_KEY"] == "sandbox-key-123456"
        binding.rebind("live")
        assert namespace["api_base_url"] == "https://api.example.com"
        assert "WB_TEST_SANDBOX_KEY" not in os.environ, "the sandbox's credentials must go with its profile"
        assert os.environ["WB_TEST_LIVE_TOKEN"] == "live-token-123456"
        assert [values["api_base_url"] for values in seen] == [
            built_outputs["refbackend"]["url"],
            "https://api.example.com",
        ]
    finally:
        binding.rebind("sandbox")
        from workbook.interactive import _binding

        _binding._exported.close()
    assert "WB_TEST_SANDBOX_KEY" not in os.environ and "WB_TEST_LIVE_TOKEN" not in os.environ

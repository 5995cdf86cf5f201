"""Params validation: every error kind gives one clear message, before any kernel starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from wb_testing import FIXTURE_NOTEBOOKS
from workbook import ParamsError
from workbook._cli import main
from workbook.params import load_plan, parse_override

GOOD = {"profile": "t", "sandbox": [], "notebooks": {"passes": {"api_url": "http://127.0.0.1:1", "count": 2}}}


def load(path: Path, **kwargs: object) -> object:
    return load_plan(path, notebooks_dir=FIXTURE_NOTEBOOKS, **kwargs)  # type: ignore[arg-type]


def problem(write_params: Callable[..., Path], document: dict, **kwargs: object) -> str:
    with pytest.raises(ParamsError) as raised:
        load(write_params(document), **kwargs)
    return str(raised.value)


def test_good_file_loads_with_shared_and_section_values(write_params: Callable[..., Path]) -> None:
    document = {**GOOD, "shared": {"label": "shared-label"}}
    plan = load(write_params(document))
    assert plan.notebooks[0].parameters == {"label": "shared-label", "api_url": "http://127.0.0.1:1", "count": 2}


def test_unknown_key_names_file_notebook_key_value_and_suggests(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "notebooks": {"passes": {"api_url": "u", "cuont": 5}}})
    assert "params.yaml" in message and "'passes'" in message and "'cuont'" in message
    assert "value 5" in message and "did you mean 'count'" in message


def test_wrong_type_names_expected_type(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "notebooks": {"passes": {"api_url": "u", "count": "three"}}})
    assert "'count'" in message and "'three'" in message and "expected int" in message


def test_bool_is_not_an_int(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "notebooks": {"passes": {"api_url": "u", "count": True}}})
    assert "expected int" in message


def test_int_is_accepted_for_float(write_params: Callable[..., Path]) -> None:
    plan = load(write_params({**GOOD, "notebooks": {"passes": {"api_url": "u", "ratio": 1}}}))
    assert plan.notebooks[0].parameters["ratio"] == 1


def test_missing_required_value(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "notebooks": {"passes": {}}})
    assert "'api_url'" in message and "missing required value" in message


def test_notebook_not_found_suggests(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "notebooks": {"pases": {}}})
    assert "notebook not found" in message and "did you mean 'passes'" in message


def test_unknown_top_level_key_suggests(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "sandbx": []})
    assert "'sandbx'" in message and "did you mean 'sandbox'" in message


def test_unknown_sandbox_service(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "sandbox": ["refbackned"]})
    assert "unknown service 'refbackned'" in message and "did you mean 'refbackend'" in message


def test_secret_looking_parameter_is_rejected_without_echoing_its_value(write_params: Callable[..., Path]) -> None:
    canary = "canary-token-value-8d7f6e"
    for document in (
        {**GOOD, "shared": {"discord_token": canary}},
        {**GOOD, "notebooks": {"passes": {"api_url": "http://127.0.0.1:1", "discord_token": canary}}},
    ):
        message = problem(write_params, document)
        assert "looks like a secret" in message and "discord_token_env" in message
        assert canary not in message


def test_env_key_holding_something_other_than_a_variable_name_is_not_echoed(write_params: Callable[..., Path]) -> None:
    pasted = "mfa.Zx9-pasted/token+value"
    document = {**GOOD, "notebooks": {"passes": {"api_url": "http://127.0.0.1:1", "token_env": pasted}}}
    message = problem(write_params, document)
    assert "must name an environment variable" in message and pasted not in message


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("discord_token", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AWS_ACCESS_KEY_ID", True),
        ("openai_api_key", True),
        ("redis_password", True),
        ("discord_token_env", False),
        ("s3_secret_key_env", False),
        ("max_tokens", False),
        ("HOME", False),
    ],
)
def test_one_secret_name_rule(name: str, secret: bool) -> None:
    from workbook.credentials import looks_secret

    assert looks_secret(name) is secret


def test_placeholder_to_service_not_started(write_params: Callable[..., Path]) -> None:
    document = {**GOOD, "notebooks": {"passes": {"api_url": "${sandbox.refbackend.url}/x"}}}
    message = problem(write_params, document)
    assert "'refbackend'" in message and "does not start" in message


def test_placeholder_with_unknown_output_fails_on_resolve(write_params: Callable[..., Path]) -> None:
    document = {**GOOD, "sandbox": ["s3"], "notebooks": {"passes": {"api_url": "${sandbox.s3.url}"}}}
    plan = load(write_params(document))
    with pytest.raises(ParamsError) as raised:
        plan.resolved({"s3": {"endpoint": "http://127.0.0.1:9", "bucket": "b"}})
    assert "publishes no 'url'" in str(raised.value) and "endpoint" in str(raised.value)


def test_only_unknown_notebook(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, GOOD, only=["pass"])
    assert "--only" in message and "did you mean 'passes'" in message


def test_overrides_apply_to_section_and_shared(write_params: Callable[..., Path]) -> None:
    plan = load(write_params(GOOD), overrides=[parse_override("passes.count=7"), parse_override("label=z")])
    assert plan.notebooks[0].parameters["count"] == 7 and plan.notebooks[0].parameters["label"] == "z"


def test_bad_override_syntax() -> None:
    with pytest.raises(ParamsError, match="expected KEY=VALUE"):
        parse_override("count")


def test_all_problems_reported_together(write_params: Callable[..., Path]) -> None:
    message = problem(write_params, {**GOOD, "notebooks": {"passes": {"count": "x", "lable": "y"}}})
    assert len(message.splitlines()) == 3  # wrong type, unknown key, missing api_url


def test_cli_exits_2_and_writes_no_bundle(
    write_params: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_params({**GOOD, "notebooks": {"nope": {}}})
    outputs = tmp_path / "out"
    code = main(["run", "--params", str(bad), "--outputs", str(outputs)])
    assert code == 2
    assert "notebook not found" in capsys.readouterr().err
    assert not outputs.exists()


def test_cli_check_params_reports_yaml_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("profile: [unclosed\n")
    assert main(["check-params", str(broken)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_only_starts_just_the_services_the_selection_refers_to(write_params: Callable[..., Path]) -> None:
    document = {
        "profile": "t",
        "sandbox": ["s3", "refbackend", "discord", "brain"],
        "notebooks": {
            "passes": {"api_url": "${sandbox.refbackend.url}"},
            "fails_check": {"api_url": "${sandbox.discord.api_url}"},
        },
    }
    plan = load(write_params(document), only=["passes"])
    assert plan.sandbox == ("s3", "refbackend")
    assert load(write_params(document)).sandbox == ("s3", "refbackend", "discord", "brain")


def test_plan_is_frozen_and_resolving_returns_a_new_plan(write_params: Callable[..., Path]) -> None:
    import dataclasses

    document = {**GOOD, "sandbox": ["s3"], "notebooks": {"passes": {"api_url": "${sandbox.s3.endpoint}/x"}}}
    plan = load(write_params(document))
    resolved = plan.resolved({"s3": {"endpoint": "http://127.0.0.1:9"}})
    assert resolved.notebooks[0].parameters["api_url"] == "http://127.0.0.1:9/x"
    assert plan.notebooks[0].parameters["api_url"] == "${sandbox.s3.endpoint}/x"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.time_scale = 5  # type: ignore[misc]


def test_faults_are_checked_against_the_stand_ins_switches(write_params: Callable[..., Path]) -> None:
    from workbook.params import parse_fault

    document = {**GOOD, "sandbox": ["brain"]}
    plan = load(write_params(document), faults=[parse_fault("brain.added_latency_ms=250")])
    assert plan.faults == {"brain": {"added_latency_ms": 250}}
    bare = load(write_params({**GOOD, "sandbox": ["discord"]}), faults=[parse_fault("discord.gateway_down")])
    assert bare.faults == {"discord": {"gateway_down": True}}
    cases = {
        "brain.added_latencyms=1": "has no fault switch 'added_latencyms' (did you mean 'added_latency_ms'?)",
        "discord.gateway_down": "service 'discord' is not started by this run",
        "brain.added_latency_ms=abc": "added_latency_ms must be a number",
    }
    for text, expected in cases.items():
        with pytest.raises(ParamsError) as raised:
            load(write_params(document), faults=[parse_fault(text)])
        assert expected in str(raised.value), text
    with pytest.raises(ParamsError, match=r"expected SERVICE\.SWITCH=VALUE"):
        parse_fault("latency=3")


SERVICES = {
    "api": {"url": "http://127.0.0.1:1", "auth": {"kind": "header", "name": "X-API-Key", "secret_env": "API_KEY_VAR"}},
    "other": {"url": "http://127.0.0.1:2"},
}


def test_services_section_reaches_only_the_notebooks_that_declare_it(write_params: Callable[..., Path]) -> None:
    document = {**GOOD, "services": SERVICES, "notebooks": {**GOOD["notebooks"], "uses_services": {}}}
    plans = {plan.name: plan for plan in load(write_params(document)).notebooks}
    assert "services" not in plans["passes"].parameters
    # uses_services names `api` (its api_service default): it gets that profile, not `other`.
    assert plans["uses_services"].parameters["services"] == {"api": SERVICES["api"]}


def test_a_profile_name_the_section_lacks_is_named_before_anything_runs(write_params: Callable[..., Path]) -> None:
    document = {**GOOD, "services": SERVICES, "notebooks": {"uses_services": {"api_service": "apj"}}}
    message = problem(write_params, document)
    assert "'api_service'" in message and "'apj'" in message and "did you mean 'api'" in message


def test_bad_profiles_are_listed_without_echoing_a_pasted_secret(write_params: Callable[..., Path]) -> None:
    pasted = "sk-live-canary-0042"
    services = {
        "api": {"url": "ftp://x", "auth": {"kind": "header", "secret_env": pasted}},
        "brain": {"url": "${sandbox.brain.url}"},
        "s3": {"url": "http://127.0.0.1:9", "headers": {"Authorization": "Bearer x"}, "timeout": 3},
    }
    message = problem(write_params, {**GOOD, "services": services})
    assert pasted not in message
    assert "services.api: setting 'url'" in message and "services.api: setting 'auth.secret_env'" in message
    assert "auth kind 'header' needs `name`" in message or "auth" in message
    assert "refers to sandbox service 'brain', which this params file does not start" in message
    assert "carries a credential" in message and "unknown setting 'timeout'" in message


def test_services_is_not_a_per_notebook_value(write_params: Callable[..., Path]) -> None:
    document = {**GOOD, "services": SERVICES, "notebooks": {"uses_services": {"services": {}}}}
    assert "set by the top-level services: section" in problem(write_params, document)

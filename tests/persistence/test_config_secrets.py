"""config/debug must not leak secrets: known secret values anywhere, or a shown value under a
secret-looking key. Shapes: the issue's env-var dump, Spring Boot actuator's `/env` (values
masked as `******`), the AWS console's last-four masking. No detail ever repeats a value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workbook.checks import CheckStatus
from workbook.persistence._api import DebugConfig
from workbook.persistence._config import is_masked, redacted_config, secret_problems

from .offline import SECRET_KEY, FakeBackend, open_run, run_check

LEAKED = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz1nLeaked"
KNOWN = {"the storage secret key (from $AWS_SECRET_ACCESS_KEY)": LEAKED}


def debug(body: Any) -> DebugConfig:
    text = json.dumps(body) if not isinstance(body, str) else body
    return DebugConfig(200, body if isinstance(body, dict) else None, text, "")


def actuator_env(value: str) -> dict[str, Any]:
    """Spring Boot actuator `/env`: each property is {"value", "origin"}; secrets are masked by default."""
    return {
        "activeProfiles": [],
        "propertySources": [
            {
                "name": "systemEnvironment",
                "properties": {
                    "AWS_SECRET_ACCESS_KEY": {
                        "value": value,
                        "origin": 'System Environment Property "AWS_SECRET_ACCESS_KEY"',
                    },
                    "STORAGE_BUCKET": {"value": "assets", "origin": 'System Environment Property "STORAGE_BUCKET"'},
                },
            }
        ],
    }


def test_the_issues_leak_is_named_without_its_value() -> None:
    problems = secret_problems(debug({"SERVE_FROM_CLOUD": True, "AWS_SECRET_ACCESS_KEY": LEAKED}), KNOWN)
    assert any("exposes a value under 'AWS_SECRET_ACCESS_KEY'" in problem for problem in problems)
    assert any("contains the storage secret key" in problem for problem in problems)
    assert not any(LEAKED in problem for problem in problems)


@pytest.mark.parametrize(
    "body",
    [
        actuator_env("******"),
        {"aws_access_key_id": "****************WXYZ", "aws_secret_access_key": "**********"},
        {"credentials_configured": True, "replicate_api_token": "", "token_count": 3, "max_tokens": 200},
        {"AWS_SECRET_ACCESS_KEY": "<redacted>", "api_key": None},
    ],
    ids=["actuator-masked", "last-four", "flags-and-counters", "placeholders"],
)
def test_masked_or_empty_values_pass(body: dict[str, Any]) -> None:
    assert secret_problems(debug(body), KNOWN) == []


def test_an_unmasked_actuator_property_is_found_by_its_path() -> None:
    problems = secret_problems(debug(actuator_env("an-unmasked-value-42")), {})
    assert problems == [
        "config/debug exposes a value under 'propertySources[0].properties.AWS_SECRET_ACCESS_KEY' "
        "(a secret-looking key; 20 characters, not shown)"
    ]


def test_a_known_secret_under_an_innocent_key_or_in_plain_text_is_found() -> None:
    nested = secret_problems(debug({"debug": {"dsn": f"s3://AKID:{LEAKED}@host/bucket"}}), KNOWN)
    assert nested == ["config/debug contains the storage secret key (from $AWS_SECRET_ACCESS_KEY) at 'debug.dsn'"]
    html = secret_problems(debug(f"<pre>AWS_SECRET_ACCESS_KEY={LEAKED}</pre>"), KNOWN)
    assert html == ["config/debug contains the storage secret key (from $AWS_SECRET_ACCESS_KEY) in its body"]


def test_masking_rule() -> None:
    assert is_masked("****WXYZ") and is_masked("********") and is_masked("(hidden)") and is_masked("")
    assert not is_masked("AKIA****WXYZ12") and not is_masked("plain-value")


def test_the_view_shown_in_the_notebook_hides_them() -> None:
    view = redacted_config({"AWS_SECRET_ACCESS_KEY": LEAKED, "note": f"key {LEAKED}", "STORAGE_BUCKET": "b"}, {LEAKED})
    assert LEAKED not in json.dumps(view)
    assert view["AWS_SECRET_ACCESS_KEY"] == "(hidden)" and view["STORAGE_BUCKET"] == "b"


def test_the_check_fails_on_a_backend_that_returns_the_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    backend = FakeBackend(config={"SERVE_FROM_CLOUD": True, "AWS_SECRET_ACCESS_KEY": SECRET_KEY})
    run = open_run(backend, monkeypatch)
    status, detail = run_check("config_secrets", run, tmp_path)
    assert status is CheckStatus.FAIL
    assert "'AWS_SECRET_ACCESS_KEY'" in detail and "the storage secret key (from $OFFLINE_SECRET_KEY)" in detail
    assert SECRET_KEY not in detail and SECRET_KEY not in json.dumps(run.config_view())


def test_the_check_passes_on_a_clean_or_missing_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert run_check("config_secrets", open_run(FakeBackend(), monkeypatch), tmp_path)[0] is CheckStatus.PASS
    status, detail = run_check("config_secrets", open_run(FakeBackend(config=None), monkeypatch), tmp_path)
    assert status is CheckStatus.PASS and "config/debug answered 404" in detail

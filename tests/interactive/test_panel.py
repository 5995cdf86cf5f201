"""The binding panel and the parameter form, without a kernel: the profile switch rebinds and the form
follows; the status line says so when the sandbox goes away; check rows never show a secret."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from workbook import params_form
from workbook.checks import CheckResult, CheckStatus, check_row_html
from workbook.interactive import LabBinding, Resolution, SandboxRef, binding_panel
from workbook.notebook import BINDING_KEY


def test_switch_rebinds_form_follows_and_status_tracks_the_sandbox(tmp_path: Path) -> None:
    root = tmp_path / "sandbox"
    root.mkdir()
    state = {"started_at": "2026-01-01T00:00:00+00:00", "services": {"s3": {"pid": 4242, "outputs": {}}}}
    (root / "state.json").write_text(json.dumps(state))
    ref = SandboxRef.read(root)

    def resolver(profile: str) -> Resolution:
        url = "http://127.0.0.1:9000" if profile == "sandbox" else "https://api.example.com"
        return Resolution(
            profile=profile,
            params_file=Path(f"{profile}.yaml"),
            notebook="nb",
            values={"api_url": url, "urls": [url]},
            needs_sandbox=profile == "sandbox",
            sandbox=ref if profile == "sandbox" else None,
        )

    namespace: dict[str, Any] = {"interactive": True, "api_url": "http://127.0.0.1:1", "urls": [], "n": 3}
    binding = LabBinding(namespace, "nb", ["sandbox", "live"], resolver, sandbox_root=root, alive=lambda pid: True)
    try:
        binding.activate("sandbox")
        namespace[BINDING_KEY] = binding
        form = params_form(namespace, ["api_url", "urls", "n"])
        panel = binding_panel(binding, watch_interval_s=0.05)
        switch, status, summary = panel.children
        fields = {child.description: child for child in form.children[1:]}
        assert "bound to sandbox" in status.value and str(root / "state.json") in status.value
        assert fields["api_url"].value == "http://127.0.0.1:9000"  # the form shows the bound values

        switch.value = "live"
        assert namespace["api_url"] == "https://api.example.com" and namespace["urls"] == ["https://api.example.com"]
        assert fields["api_url"].value == "https://api.example.com"
        assert json.loads(fields["urls"].value) == ["https://api.example.com"]
        assert "live.yaml" in summary.value and "uses no sandbox" in status.value

        switch.value = "sandbox"
        assert "bound to sandbox" in status.value
        (root / "state.json").unlink()  # the sandbox is stopped while the notebook stays open
        deadline = time.monotonic() + 10
        while "is gone" not in status.value and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "is gone" in status.value and "workbook-sandbox-gone" in status.value
        assert namespace["n"] == 3, "a value the profile does not set is left alone"
    finally:
        binding.close()


def test_a_check_row_never_shows_a_secret() -> None:
    result = CheckResult(id="token", title="token accepted", status=CheckStatus.FAIL, detail="401 for tok-abcdef123")
    row = check_row_html(result, frozenset({"tok-abcdef123"}))
    assert "tok-abcdef123" not in row and "***REDACTED***" in row and "workbook-check-fail" in row


def test_a_panel_from_an_earlier_run_of_the_cell_no_longer_switches(tmp_path: Path) -> None:
    def resolver(profile: str) -> Resolution:
        return Resolution(profile=profile, params_file=Path(f"{profile}.yaml"), notebook="nb", values={"n": profile})

    namespace: dict[str, Any] = {"interactive": True, "n": "default"}
    first = LabBinding(namespace, "nb", ["sandbox", "live"], resolver, sandbox_root=tmp_path, alive=lambda pid: True)
    first.activate("sandbox")
    old_panel = binding_panel(first, watch_interval_s=0.05)
    second = LabBinding(namespace, "nb", ["sandbox", "live"], resolver, sandbox_root=tmp_path, alive=lambda pid: True)
    try:
        second.activate("sandbox")
        assert first.closed and not second.closed
        old_panel.children[0].value = "live"
        assert namespace["n"] == "sandbox", "an outdated panel must not rebind the notebook"
        assert "earlier run" in old_panel.children[1].value
    finally:
        second.close()

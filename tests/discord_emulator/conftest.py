"""Fixtures: one emulator process per test session, started from its ServiceSpec exactly as the
launcher would (own session, 127.0.0.1, free port), reset through the admin API before each test."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from workbook.sandbox import ServiceContext
from workbook.sandbox.discord import BOT_TOKEN_ENV, EXTRA_BOTS_ENV, TOKEN_ENV, service
from workbook.sandbox.discord._service import account_token

from ._support import TIME_SCALE, Emu

# Two more bots for the access tests: one outside the guild, one whose app lacks the message
# content intent.
OUTSIDER: dict[str, object] = {
    "token": account_token("1200000000000000001"),
    "user_id": "1200000000000000001",
    "in_guild": False,
}
NO_CONTENT: dict[str, object] = {
    "token": account_token("1200000000000000002"),
    "user_id": "1200000000000000002",
    "message_content": False,
}


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emu]:
    state = tmp_path_factory.mktemp("discord-emulator")
    spec = service(ServiceContext(state_dir=state, time_scale=TIME_SCALE))
    log = state / "discord.log"
    env = {
        **os.environ,
        **spec.env,
        "WORKBOOK_TIME_SCALE": str(TIME_SCALE),
        "WORKBOOK_FAULTS": "",
        EXTRA_BOTS_ENV: json.dumps([OUTSIDER, NO_CONTENT]),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            list(spec.argv), env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(spec.ready_url, timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("emulator did not become ready:\n" + log.read_text())
        yield Emu(
            dict(spec.outputs),
            spec.secrets[TOKEN_ENV],
            log,
            bot_token=spec.secrets[BOT_TOKEN_ENV],
            extra_bots={"outsider": str(OUTSIDER["token"]), "no_content": str(NO_CONTENT["token"])},
        )
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture
def emu(emulator_process: Emu) -> Emu:
    emulator_process.admin_call("POST", "/reset")
    # Small images keep the suite fast; tests about real sizes set image_base back to 1024.
    emulator_process.admin_call("PUT", "/settings", {"image_base": 256})
    return emulator_process

"""The emulator's REST surface over real HTTP: auth, command index, interactions, history paging,
rate-limit headers and 429s, fault switches, Discord-shaped errors, counters."""

from __future__ import annotations

import json

import httpx

from ._support import IMAGINE_ID, Emu, post_interaction

RATE_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Reset-After",
    "X-RateLimit-Bucket",
)


def test_users_me_accepts_only_the_raw_token(emu: Emu) -> None:
    with emu.client() as http:
        me = http.get("/users/@me")
    assert me.status_code == 200 and me.json()["id"] == emu.outputs["user_id"]
    assert all(header in me.headers for header in RATE_HEADERS)
    for bad in ("wrong-token", f"Bot {emu.token}", f"Bearer {emu.token}"):
        with emu.client(bad) as http:
            response = http.get("/users/@me")
        assert response.status_code == 401
        assert response.json() == {"message": "401: Unauthorized", "code": 0}
        assert "X-RateLimit-Bucket" in response.headers
    assert emu.admin_call("GET", "/stats")["invalid_requests"] == 3
    with emu.client() as http:
        assert http.get("/users/@me/billing/country-code").json() == {"country_code": "US"}


def test_gateway_url_and_v9_prefix(emu: Emu) -> None:
    assert httpx.get(emu.api + "/gateway").json() == {"url": emu.outputs["gateway_url"]}
    v9 = emu.api.replace("/api/v10", "/api/v9")
    assert httpx.get(v9 + "/users/@me", headers={"Authorization": emu.token}).status_code == 200


def test_command_index_for_guild_and_channel(emu: Emu) -> None:
    with emu.client() as http:
        guild = http.get(f"/guilds/{emu.outputs['guild_id']}/application-command-index").json()
        channel = http.get(f"/channels/{emu.outputs['channel_id']}/application-command-index").json()
        unknown = http.get("/guilds/1/application-command-index")
    assert guild == channel
    imagine = next(c for c in guild["application_commands"] if c["name"] == "imagine")
    assert imagine["id"] == IMAGINE_ID and imagine["version"] == emu.outputs["imagine_version"]
    assert guild["applications"][0]["id"] == emu.outputs["application_id"]
    assert unknown.status_code == 404 and unknown.json() == {"message": "Unknown Guild", "code": 10004}


def test_interaction_json_and_multipart_return_204(emu: Emu) -> None:
    body = emu.imagine_body("a red apple")
    with emu.client() as http:
        as_json = post_interaction(http, body)
        boundary = "----WebKitFormBoundaryabcdefghijklmnop"
        form = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\n\r\n'
            f"{json.dumps(emu.imagine_body('a green apple'))}\r\n--{boundary}--\r\n"
        )
        as_multipart = http.post(
            "/interactions",
            content=form.encode(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    assert as_json.status_code == 204 and as_json.content == b""
    assert as_multipart.status_code == 204
    jobs = emu.admin_call("GET", "/jobs")["jobs"]
    assert sorted(j["prompt"] for j in jobs) == ["a green apple", "a red apple"]


def test_interaction_validation_errors_are_discord_shaped(emu: Emu) -> None:
    version = emu.version()
    with emu.client() as http:
        stale = post_interaction(http, emu.imagine_body("cat", version="1166847114203123795"))
        unknown_command = post_interaction(
            http, {**emu.imagine_body("cat", version=version), "data": {"id": "1", "version": version}}
        )
        wrong_channel = post_interaction(http, {**emu.imagine_body("cat", version=version), "channel_id": "1"})
        no_session = post_interaction(
            http, {k: v for k, v in emu.imagine_body("c", version=version).items() if k != "session_id"}
        )
        bad_json = post_interaction(http, content=b"{not json", headers={"Content-Type": "application/json"})
        unknown_message = post_interaction(http, emu.button_body({"id": "42"}, "MJ::JOB::upsample::1::x"))
        no_prompt = post_interaction(
            http,
            {
                **emu.imagine_body("c", version=version),
                "data": {"id": IMAGINE_ID, "version": version, "options": []},
            },
        )
    assert stale.status_code == 400
    assert stale.json() == {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {
            "data": {
                "_errors": [
                    {
                        "code": "INTERACTION_APPLICATION_COMMAND_INVALID_VERSION",
                        "message": "This command is outdated, please try again in a few minutes",
                    }
                ]
            }
        },
    }
    assert unknown_command.status_code == 404 and unknown_command.json()["code"] == 10063
    assert wrong_channel.status_code == 404 and wrong_channel.json()["code"] == 10003
    assert no_session.status_code == 400 and "session_id" in no_session.json()["errors"]
    assert bad_json.status_code == 400 and bad_json.json()["code"] == 50109
    assert unknown_message.status_code == 404 and unknown_message.json() == {
        "message": "Unknown Message",
        "code": 10008,
    }
    assert no_prompt.status_code == 400 and no_prompt.json()["code"] == 50035
    assert emu.admin_call("GET", "/jobs")["jobs"] == []


def test_stale_command_version_switch_rotates_the_version(emu: Emu) -> None:
    cached = emu.version()
    emu.admin_call("PUT", "/_sandbox/faults", {"stale_command_version": True})
    with emu.client() as http:
        rejected = http.post("/interactions", json=emu.imagine_body("cat", version=cached))
        fresh = emu.version()
        accepted = post_interaction(http, emu.imagine_body("cat", version=fresh))
    assert rejected.status_code == 400
    assert rejected.json()["errors"]["data"]["_errors"][0]["code"] == "INTERACTION_APPLICATION_COMMAND_INVALID_VERSION"
    assert fresh != cached and accepted.status_code == 204


def test_history_paging_and_query_errors(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"stale_history": ["one", "two", "three"]})
    messages = emu.history(limit=100)
    assert len(messages) == 6
    ids = [int(m["id"]) for m in messages]
    assert ids == sorted(ids, reverse=True)
    assert [m["id"] for m in emu.history(limit=2, before=messages[1]["id"])] == [m["id"] for m in messages[2:4]]
    assert [m["id"] for m in emu.history(limit=2, after=messages[4]["id"])] == [m["id"] for m in messages[2:4]]
    with emu.client() as http:
        channel = f"/channels/{emu.outputs['channel_id']}/messages"
        too_many = http.get(channel, params={"limit": 101})
        both = http.get(channel, params={"before": "1", "after": "2"})
        by_id = http.get(f"{channel}/{messages[0]['id']}")
        other_channel = http.get("/channels/1/messages")
        unrouted = http.get("/no/such/route")
    assert too_many.status_code == 400 and too_many.json()["code"] == 50035 and "limit" in too_many.json()["errors"]
    assert both.status_code == 400 and both.json()["code"] == 50035
    assert by_id.status_code == 403 and by_id.json()["code"] == 20002
    assert other_channel.status_code == 404 and other_channel.json()["code"] == 10003
    assert unrouted.status_code == 404 and unrouted.json() == {"message": "404: Not Found", "code": 0}


def test_bucket_exhaustion_gives_429_with_retry_after(emu: Emu) -> None:
    emu.admin_call("PUT", "/settings", {"time_scale": 1.0})
    with emu.client() as http:
        responses = [http.get("/users/@me") for _ in range(6)]
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert [r.headers["X-RateLimit-Remaining"] for r in responses[:5]] == ["4", "3", "2", "1", "0"]
    limited = responses[5]
    body = limited.json()
    assert body["message"] == "You are being rate limited." and body["global"] is False
    assert 0 < body["retry_after"] <= 5.0
    assert int(limited.headers["Retry-After"]) >= 1 and limited.headers["X-RateLimit-Scope"] == "user"
    stats = emu.admin_call("GET", "/stats")
    assert stats["rate_limited"] == {"GET /users/@me": 1} and stats["rest_calls"]["GET /users/@me"] == 6


def test_rate_limit_storm_and_server_error_burst_switches(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"rate_limit_storm": {"count": 2, "global": True}})
    with emu.client() as http:
        storm = [http.get("/users/@me") for _ in range(3)]
        emu.admin_call("PUT", "/_sandbox/faults", {"server_error_burst": 2})
        burst = [http.get("/users/@me") for _ in range(3)]
    assert [r.status_code for r in storm] == [429, 429, 200]
    assert storm[0].json()["global"] is True and storm[0].headers["X-RateLimit-Global"] == "true"
    assert storm[0].json()["retry_after"] <= 0.01  # 1 emulated second at time scale 1000
    assert [r.status_code for r in burst] == [500, 500, 200]
    assert burst[0].json() == {"message": "500: Internal Server Error", "code": 0}
    assert emu.admin_call("GET", "/_sandbox/faults")["faults"] == {}
    stats = emu.admin_call("GET", "/stats")
    assert stats["rate_limited_total"] == 2 and stats["statuses"]["500"] == 2


def test_fault_contract_rejects_unknown_switch_and_lists_known(emu: Emu) -> None:
    snapshot = emu.admin_call("GET", "/_sandbox/faults")
    assert set(snapshot["known"]) == {
        "rate_limit_storm",
        "server_error_burst",
        "gateway_drop_mid_job",
        "gateway_down",
        "out_of_order",
        "stale_history",
        "stale_command_version",
        "action_grids",
    }
    response = httpx.put(emu.admin + "/_sandbox/faults", json={"no_such_switch": True})
    assert response.status_code == 400 and "no_such_switch" in response.text
    emu.admin_call("PUT", "/_sandbox/faults", {"out_of_order": True})
    assert emu.admin_call("DELETE", "/_sandbox/faults")["faults"] == {}


def test_health_and_reset(emu: Emu) -> None:
    health = httpx.get(emu.admin + "/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    emu.admin_call("PUT", "/_sandbox/faults", {"stale_history": ["x"]})
    emu.admin_call("PUT", "/settings", {"suffix": ""})
    assert emu.history()
    emu.admin_call("POST", "/reset")
    assert emu.history() == [] and emu.admin_call("GET", "/settings")["suffix"] == "--v 7.0"
    assert emu.admin_call("GET", "/stats")["rest_calls"] == {"GET /channels/{channel_id}/messages": 1}


def test_attachment_urls_are_signed(emu: Emu) -> None:
    emu.admin_call("PUT", "/_sandbox/faults", {"stale_history": ["signed"]})
    url = emu.history()[0]["attachments"][0]["url"]
    assert httpx.get(url).status_code == 200
    tampered = url.replace("hm=", "hm=0")
    assert httpx.get(tampered).status_code == 404


def test_settings_are_validated_before_anything_changes(emu: Emu) -> None:
    before = emu.admin_call("GET", "/settings")
    for bad in (
        {"suffix": "", "mode": "warp"},
        {"nope": 1},
        {"time_scale": 0},
        {"timings": {"start_s": -1}},
        {"concurrency": "3"},
    ):
        response = httpx.put(emu.admin + "/settings", json=bad)
        assert response.status_code == 400, bad
        assert set(response.json()) == {"message", "code"}
    assert emu.admin_call("GET", "/settings") == before
    after = emu.admin_call("PUT", "/settings", {"mode": "relaxed", "time_scale": 500})
    assert after["mode"] == "relaxed" and after["time_scale"] == 500.0

"""Discord REST + Gateway emulator with a Midjourney bot, for the sandbox (issues 4, 13 and 25).

It speaks the real wire protocol described in `/work/shared/reference/discord-midjourney.md`
(§1-7, §10): a client written against discord.com works unchanged against it with only the base
URLs, ids and tokens changed — including clients that read with a bot and interact with the user
token (the two identities most real deployments use). One aiohttp process on 127.0.0.1 serves
everything. Python API: `service(ctx)` (the launcher's factory), `FAULT_SWITCHES`,
`PROMPT_MARKERS`, the credential variables `TOKEN_ENV`, `BOT_TOKEN_ENV`, `EXTRA_BOTS_ENV`.

Outputs (`${sandbox.discord.<key>}`)
------------------------------------
* `url`            `http://127.0.0.1:<port>`
* `api_url`        `http://127.0.0.1:<port>/api/v9` (the web client's version; `/api/v10` works too)
* `gateway_url`    `ws://127.0.0.1:<port>/gateway` (also returned by `GET {api_url}/gateway`);
                   clients append `/?v=10&encoding=json` (`&compress=zlib-stream` is supported)
* `admin_url`      `http://127.0.0.1:<port>/admin`
* `cdn_url`, `media_url`  where attachment URLs point (`{cdn_url}/attachments/<channel>/<id>/<file>
                   ?ex=&is=&hm=&`, cdn.discordapp.com's path; `proxy_url` the same under `media_url`);
                   default `{url}/cdn`, `{url}/media`; WORKBOOK_DISCORD_CDN_URL / _MEDIA_URL set
                   other bases (e.g. https://cdn.discordapp.com for a harness that maps that host
                   onto this port, which also serves `/attachments/...` at its root)
* `guild_id`, `channel_id`  the one guild/channel where the bot answers
* `application_id` `936929561302675456` (the real Midjourney bot id, as clients send it)
* `user_id`, `bot_user_id` (the reader bot's user id = its application id), `imagine_command_id`
  (`938956540159881230`), `imagine_version` (the normal version, `1237876415471554623`; clients must
  still read it from the index, which differs under `stale_command_version`)
* secret env vars `SANDBOX_DISCORD_TOKEN` (the user token, sent raw in `Authorization`) and
  `SANDBOX_DISCORD_BOT_TOKEN` (a reader bot in the guild, sent as `Bot <token>`; its app has the
  MESSAGE_CONTENT intent enabled). `SANDBOX_DISCORD_EXTRA_BOT_TOKENS` (JSON) adds bots for tests
  (outside the guild, without the intent). Identities (`_accounts`, as Discord): a user token sent
  as `Bot <token>`, a bot token sent raw, or anything else -> 401 `{"message": "401:
  Unauthorized", "code": 0}`; a bot on a user-only route (`POST /interactions`, the command index,
  billing) -> 403 20001 "Bots cannot use this endpoint"; a user on a bot-only route (one message
  by id, `GET /gateway/bot`) -> 403 20002 "Only bots can use this endpoint"; a bot outside the
  guild on the channel's routes -> 403 50001 "Missing Access". Rate limits are per token.

REST (`{api_url}`)
------------------
* `GET /users/@me` (and `/users/@me/billing/country-code`); `GET /gateway`; `GET /channels/{id}`
* `GET /guilds/{guild_id}/application-command-index` and
  `GET /channels/{channel_id}/application-command-index` -> `{"applications": [...],
  "application_commands": [{"id", "version", "name": "imagine", ...}]}` (bulkai fixture shape)
* `POST /interactions` (JSON or multipart with a `payload_json` part) -> 204 empty. Type 2 =
  `/imagine` (data.id + data.version must match the index, else 404 10063 / 400 50035
  `INTERACTION_APPLICATION_COMMAND_INVALID_VERSION`); type 3 = button press (`message_id` must be a
  bot message, else 404 10008; `data.custom_id` must be one of its buttons, else 400 50035).
  `session_id` is required (any string); `nonce` optional (<= 25 chars), echoed as described below.
* `GET /channels/{channel_id}/messages?limit=&before=|after=|around=` newest first; limit 1..100
  (default 50); more than one of before/after/around -> 400 50035. `after` returns the oldest
  messages after the id. Ephemeral messages (flags 64) are never in history (gateway only).
  `GET /channels/{id}/messages/{id}`: a bot with access gets the message (404 10008 if unknown);
  a user token 403 20002. Neither REST route ever carries a nonce. A bot whose app lacks the
  message content intent reads bot messages with empty `content`, `embeds`, `attachments`,
  `components` (Discord's rule: the message neither is its own nor mentions it).
* Every response carries `X-RateLimit-Limit/Remaining/Reset/Reset-After/Bucket`; a 429 adds
  `Retry-After` (integer seconds, as Discord), `X-RateLimit-Scope` and, if global,
  `X-RateLimit-Global: true`; body `{"message", "retry_after": <float seconds>, "global"}`. Buckets:
  5 requests / 5 s for interactions, messages, users/@me and the command index; global 50 / s.
  All windows are emulated seconds divided by the time scale; prefer the float `retry_after` /
  `X-RateLimit-Reset-After` (the integer header rounds tiny waits up to 1 s).
* Attachments are served at their `url` / `proxy_url` (signed `?ex=&is=&hm=` like the Discord CDN,
  no auth, an Authorization header ignored): grids are lossy WebP (v7, as most live finals) or PNG (older eras, setting
  `grid_format`), 2x2 of the upscale size (2048x2048 for `--ar 1:1`); upscales PNG (1024x1024;
  other `--ar` keep ~1024² pixels), progress frames 512x512 WebP. Upscale N is quadrant N of its
  grid (1 2 / 3 4): pixel-identical in a PNG grid, within ~1/255 in a WebP one. Deterministic
  per job hash.

Gateway
-------
HELLO (op 10, heartbeat_interval = 41250 ms / time scale, at least 5000 ms); IDENTIFY (op 2): the
user token (user style: capabilities, no intents; an `intents` field is ignored) -> READY
(`session_id`, `resume_gateway_url` = `ws://127.0.0.1:<port>/gateway-resume`, `user`, `guilds`);
a bot's token, with or without `Bot ` (Discord takes both) -> READY with the bot's own `user`, its
guild `unavailable`, `application`, then GUILD_CREATE if it asked for GUILDS. A bot must send
`intents`: missing or undocumented bits -> close 4013, a privileged intent its app has not enabled
-> 4014; `Bot <user token>` or an unknown token -> 4004. HEARTBEAT (op 1) -> ACK (op 11); RESUME
(op 6 token/session_id/seq, the session's own identity) -> missed dispatches replayed, then
`RESUMED`; unknown session -> op 9 `false`. No heartbeat for 2 intervals -> close 4009.
Dispatches, per session as its identity and intents allow (`_intents`): MESSAGE_CREATE /
MESSAGE_UPDATE (full message, `guild_id`, `member`) / MESSAGE_DELETE (`id`, `channel_id`,
`guild_id`) — for a bot only with GUILD_MESSAGES, emptied without MESSAGE_CONTENT, never an
ephemeral one; INTERACTION_CREATE and INTERACTION_SUCCESS (`{"id": <interaction id>, "nonce"}`,
sent to the user session whose `session_id` the interaction carried, or to every user session if
none matches, never to a bot), INTERACTION_FAILURE for a button whose job is unknown or whose
effect is not emulated.

Where this is kinder than Discord, or guesses (no source settles it)
-----------------------------------------------------------------
A user IDENTIFY's `intents` are ignored; interactions' `session_id` is not checked (proxies
hard-code one); a bot session sees the `nonce` on MESSAGE_CREATE as the user's does (discord.py
exposes other users' nonces); `GET /gateway/bot` answers a user 403 20002; buckets and limits are
plausible, not Discord's (undocumented for users). Harsher: Vary (Region), Custom Zoom, Animate and
Cancel Job fail with INTERACTION_FAILURE (not emulated). The CDN ignores Authorization and does not
expire URLs within their `ex`.

Midjourney bot (per /imagine; times are emulated seconds, scaled; shapes per setting `era`)
------------------------------------------------------------------------------------------
The default era `v7` produces the live bot's shapes (public 2026 captures, `_eras`; every shape of
every era traced to a capture or proxy fixture, or marked inferred, in `_provenance.SHAPES`):
INTERACTION_CREATE + INTERACTION_SUCCESS -> CREATE `**<echoed>** - <@user> (Waiting to start)`
(type 20, carries `nonce`, `interaction` and `interaction_metadata.id` = interaction id) -> UPDATEs
of that message at irregular intervals `(17%) (fast)`, 20, 27, 35, 47, 56, 64, 72, 81, 89, 95 (no
0 %), each with a `\n-# Create, explore, ...` second line and **no components** (the live bot puts
no Cancel Job on /imagine progress), a preview `<hash>_grid_0.webp` from 35 % on -> DELETE it ->
NEW CREATE, a type-19 reply to the waiting message (`referenced_message: null`):
`**<echoed>** - <@user> [(Open on website for full quality)](<https://midjourney.com/jobs/<hash>>) (fast)`
with the WebP grid `<username>_<prompt_words>_<hash>.webp`, buttons `MJ::JOB::upsample::1..4::<hash>`,
`MJ::JOB::reroll::0::<hash>::SOLO`, `MJ::JOB::variation::1..4::<hash>` and a Web link button;
no nonce; `interaction_metadata.id` unless setting `final_interaction_metadata` is false.
U<N> -> the grid is edited (button style 1), CREATE `Upscaling image #N with **<echoed>** - <@user>
(Waiting to start)` (type 20, the press's nonce, a Cancel Job button), ~4 s later it is deleted
and a reply (type 19) to the grid is CREATEd: `**<echoed>** - Image #N <@user>` with
`message_reference.message_id` = grid id and `referenced_message` = the grid, PNG
`<username>_<words>_<new hash>.png`, and the live bot's 16 buttons: Upscale (Subtle|Creative),
Vary (Subtle|Strong|Region), Zoom Out 2x|1.5x, Custom Zoom, four pans, Animate (High|Low motion),
the heart, Web. Their results reply to the image: Upscale -> `**<echoed>** - Upscaled by <@user>
(fast)` (a PNG twice the size), Vary -> a Variations (Strong|Subtle) grid, Zoom Out -> a "Zoom Out
by" grid, Pan -> "Pan <Dir> by" with `--ar` rewritten (3:2 left/right), the heart -> "You have
successfully rated [this job](...) with 😍"; variation, zoom and pan progress carry a Cancel Job
button. Vary (Region), Custom Zoom, Animate and Cancel Job are not emulated (INTERACTION_FAILURE).
Era `v6`: PNG grids, classic progress (0, 15, 31, 46, 62, 78, 93, previews from 15 %), finals
type 0 with the plain `(Open on website for full quality)` on imagine finals only, "Image #N" at
once with the v6 button set, "Upscaled (Subtle|Creative) by"; `v5`: no link, "Variations by",
two Vary buttons; `v4`: finals like v5, upscales acknowledged then `**<echoed>** - Upscaled by
<@user> (fast)` ("Make Variations", "Upscale to Max"). No older era shows a Cancel Job button.
Other settings: `stealth` -> `(fast, stealth)`;
`relax_paused` -> relaxed jobs first show `(paused) (relaxed)`; `progress_hash: false` -> no
preview and no Cancel Job button (nothing on a progress message tells the job hash);
`progress_delete` "before" (default) | "after" (the final first) | "never".
~56 s at scale 1; at scale 1000 ~60 ms of waiting plus image rendering (setting `image_base` 256
makes it far cheaper). Durations vary ±20% per job (deterministic from the hash), so identical
prompts may finish in either order. Mode `relaxed` (setting `mode` or `--relax`) takes 4x as
long, `turbo` half; the mode is echoed. V<N> / Vary -> progress flow with `**<echoed>** -
Variations (Strong|Subtle) by <@user> (...)`; 🔄 -> like imagine.
Concurrency 3 jobs (imagine, variation, reroll and upscale all count), queue 10: a queued job gets a
"Job queued" embed (with nonce; its later "(Waiting to start)" has no nonce, only the interaction
metadata); beyond the queue a "Queue full" embed (with nonce) and no job.

Echoed prompt = Midjourney's normalisation: em-dash before a parameter -> `--`, whitespace runs
collapsed, URLs -> `<https://s.mj.run/XXXXXXXXXXX>` (`--sref` links bracketed, `--cref`/`--oref`
plain), parameter names lower-cased, `--v 6|7` -> `--v 6.0|7.0`, then the account suffix (setting
`suffix`, default `--v 7.0`) appended for parameters not already present, and `--style raw` moved
to a trailing `--raw` (the live v7 rewrite). Unknown `--params` or bad values of `--ar`/`--v` ->
"Invalid parameter" embed.

Prompt markers (anywhere in the prompt, case-insensitive) -> bot reply instead of a job
---------------------------------------------------------------------------------------
* `mjtest:banned`        embed "Banned prompt detected" (with nonce, footer `/imagine <prompt>`)
* `mjtest:invalid_param` embed "Invalid parameter"
* `mjtest:credits`       embed "Credits exhausted"
* `mjtest:invalid_link`  embed "Invalid link"
* `mjtest:pending_mod`   embed "Pending mod message"
* `mjtest:action_needed` EPHEMERAL (flags 64, gateway only) embed "Action needed to continue" with
                         button `MJ::Prompts::Appeal::<hash>`; pressing it runs the job
* `mjtest:failed`        plain content "Failed to process your command :(" (with nonce)
* `mjtest:moderated`     job runs, at 62% the message becomes `(Stopped)` and is deleted; no grid
* `mjtest:captcha`       EPHEMERAL embed "Action required to continue" with button `MJ::iframe::<token>`
* `mjtest:decline`       after the waiting message, a reply to it: "Sorry, something went wrong" with
                         footer `decline-revise-frolic`; the waiting message is deleted; no grid
* `mjtest:output_filter` at 89% a reply "Request cancelled due to output filters"; no grid
* `mjtest:unknown_notice` a reply to the waiting message with an embed titled "Midjourney V8 Alpha"
                         (a title no client knows); the job goes on to its grid
* `mjtest:slow_down`     the first press of a U button on the job's grid, and every press until the
                         time it names, gets a reply to the grid "Slow Down!" — "You can request
                         another upscale for this image <t:<epoch>:R>" (10 emulated s, whole seconds)
Error replies at submission are type 20, red (16711680), carry `interaction_metadata` and the
nonce; mid-job ones are type-19 replies to the waiting message (or, Slow Down!, to the grid).

Fault switches (`{admin_url}/_sandbox/faults`, or WORKBOOK_FAULTS at startup)
-----------------------------------------------------------------------------
Count-valued switches take `true` (once), an integer N, or `{"count": N, ...options}`, and turn
themselves off when used up.
* `rate_limit_storm`     next N REST calls -> 429 (options `retry_after` emulated s, default 1;
                         `global`: true for a global 429)
* `server_error_burst`   next N REST calls -> 5xx (option `status`, default 500)
* `gateway_drop_mid_job` the next N jobs, at their first progress update, abort every gateway
                         connection (TCP drop, no close frame); sessions stay resumable
* `gateway_down`         gateway connections refused (HTTP 503) and existing ones dropped
* `out_of_order`         among jobs with the same echoed prompt, later submissions post their grid
                         first (strict reverse order). `true`: a finished job waits max(30 emulated
                         s, 1 s) for identical jobs submitted after it (paced clients); N: wait
                         until N identical jobs were submitted. Holds are bounded (600 emulated s,
                         at least 60 s)
* `stale_history`        `true`: each job, when it starts, first gets an older (1 h) grid + "Image
                         #1" upscale of the same prompt put in the channel, and the old grid is
                         edited (a MESSAGE_UPDATE of an old message); a list of prompts: seed those
                         at once
* `stale_command_version` the index reports a new imagine version; the old one -> 400 50035
* `action_grids`         at each job's first progress update, grids of the same prompt made by
                         buttons appear, by the same user and newer than the job: "Variations
                         (Strong) by", "Zoom Out by", "Pan Right by" (echo rewritten to `--ar 3:2`),
                         "Remix (Subtle) by" (replies to an older upscale) and a 🔄 reroll (no
                         phrase, `interaction_metadata.type` 3, a reply to its own unseen message)

Time scale: `WORKBOOK_TIME_SCALE` (set by the launcher), changeable at runtime via settings.

Admin (`{admin_url}`, no auth, not counted)
-------------------------------------------
`GET /health`; `POST /reset` (history, jobs, gateway sessions, counters, limits, faults and
settings back to startup values);
`GET /stats` (`rest_calls` by route template e.g. `POST /interactions`, `rest_calls_total`,
`statuses`, `rate_limited` / `rate_limited_total` = 429s sent, `invalid_requests`, `gateway`,
`jobs`, `faults_fired`, `cdn` = attachment downloads, not counted as REST);
`GET /emitted?after_seq=N` (every emitted event: `event`, `kind` =
waiting|progress|progress_delete|grid|upscale_ack|upscale_ack_delete|upscale|error|notice|queued|
slow_down|button_used|stale|moderated|action_grid|interaction,
`message_id`, `job_hash`, `nonce`, `emitted_at` = epoch seconds from time.time());
`GET /jobs` (ground truth per job: `job_hash`, `kind` (imagine | upscale | variation | reroll |
action), `status` = done | running | queued |
error:<kind>, `prompt`, `echoed`, `nonce`, `interaction_id`, `index`, `parent_message_id`,
`message_ids`, `submitted_at`); `GET|PUT /settings` (`time_scale`, `mode`, `suffix`, `concurrency`, `queue_size`,
`image_base`, `final_interaction_metadata`, `era`, `grid_format`, `stealth`, `relax_paused`,
`progress_hash`, `progress_delete`, `timings`).
"""

from ._config import FAULT_SWITCHES, faults
from ._prompt import MARKERS as PROMPT_MARKERS
from ._service import BOT_TOKEN_ENV, EXTRA_BOTS_ENV, NAME, TOKEN_ENV, service

__all__ = [
    "BOT_TOKEN_ENV",
    "EXTRA_BOTS_ENV",
    "FAULT_SWITCHES",
    "NAME",
    "PROMPT_MARKERS",
    "TOKEN_ENV",
    "faults",
    "service",
]

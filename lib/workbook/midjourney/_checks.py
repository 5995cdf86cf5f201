"""Notebook 20's checks: what each verifies (`CHECKS`) and how (`check_<id>(c, run)`).

Ownership is verified from evidence recorded independently of the matcher's decisions (the
report's inspectors); a check only records what an inspector found. A credential Discord refused
(401/403, Gateway 4004) means the platform could not be exercised: the checks end `error/auth`
naming the profile's credential and quoting Discord's answer, never `fail`; intents the Gateway
refused (4013/4014: the bot's app settings) end them `error/setup`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..checks import CheckContext, CheckSpec, CouldNotCheck, ErrorReason, Severity
from ._errors import DiscordAuthError, DiscordForbiddenError, DiscordHTTPError
from ._report import RunReport
from ._run import MidjourneyRun

T = TypeVar("T")

IMAGE_SUFFIXES = (".png", ".webp", ".jpg")

CHECKS: dict[str, CheckSpec] = {
    "token": CheckSpec(
        title="each identity is accepted and is what its role needs (GET /users/@me: a user sends, a bot reads)",
        service="discord",
        severity=Severity.CRITICAL,
    ),
    "command": CheckSpec(
        title="/imagine is found in the guild's application-command index (id and version)",
        service="discord",
        severity=Severity.CRITICAL,
        remedy="check guild_id and that the Midjourney bot is in that server",
    ),
    "jobs_completed": CheckSpec(
        title="every job ends with a stored grid and upscale",
        service="discord",
        severity=Severity.MAJOR,
        remedy="read each failed job's reason: Midjourney's notice, a timeout, or a Discord error",
    ),
    "own_results": CheckSpec(
        title="each job has its own grid and upscale, by evidence recorded before the match",
        service="discord",
        severity=Severity.CRITICAL,
        remedy="a job took another job's result: the correlation must key on nonce, reply chain and hashes",
    ),
    "unique_messages": CheckSpec(
        title="no Discord message is assigned to two jobs",
        service="discord",
        severity=Severity.CRITICAL,
        remedy="a message was matched twice: the correlator must own each message id once",
    ),
    "newer_than_submission": CheckSpec(
        title="every matched message was created after its job was submitted",
        service="discord",
        severity=Severity.CRITICAL,
        remedy="an older result of the same prompt was taken: compare snowflake times with the submission",
    ),
    "images": CheckSpec(
        title="stored images decode with the declared sizes; each upscale is cell N of its own grid",
        service="discord",
        severity=Severity.MAJOR,
        remedy="an image is truncated, mis-sized, or not a cell of its grid",
    ),
    "rest_budget": CheckSpec(
        title="REST calls and 429s are counted; the run stayed within its REST and invalid-request budgets",
        service="discord",
        severity=Severity.MINOR,
        remedy="use the gateway (polling costs REST calls) and honour Retry-After",
        figures=("rest_calls_per_job",),
    ),
}


def _reached(call: Callable[[], T]) -> T:
    """`call()`, with Discord refusing a credential turned into `error/auth` (its own words kept)."""
    try:
        return call()
    except (DiscordAuthError, DiscordForbiddenError) as error:
        raise CouldNotCheck(ErrorReason.AUTH, str(error), evidence=_evidence(error)) from None


def _evidence(error: DiscordHTTPError) -> dict[str, object]:
    return {"request": f"{error.method} {error.route}", "status_code": error.status, "body": error.body}


def _exercised(run: MidjourneyRun) -> RunReport:
    """The run's report; `error/auth` when a refused credential stopped it before it could run."""
    report = run.require_report()
    if report.stop_kind == "bad_token":
        raise CouldNotCheck(ErrorReason.AUTH, f"the run was stopped: {report.stop_reason}")
    if report.stop_kind == "gateway_refused":
        # Our identity's setup (e.g. the bot's app lacks the MESSAGE_CONTENT intent), not a defect.
        raise CouldNotCheck(ErrorReason.SETUP, f"the run was stopped: {report.stop_reason}")
    return report


def check_token(c: CheckContext, run: MidjourneyRun) -> None:
    me = _reached(run.validate_token)
    c.measure(dialect=run.dialect.name, user_id=me.get("id"), username=me.get("username"))
    c.expect(str(me.get("id", "")).isdigit(), f"/users/@me returned no user id: {sorted(me)}")
    reader = run.reader_user
    if reader is not None:
        c.measure(reader_id=reader.get("id"), reader_username=reader.get("username"), reader_is_bot=reader.get("bot"))
        c.expect(str(reader.get("id", "")).isdigit(), f"/users/@me (bot) returned no id: {sorted(reader)}")


def check_command(c: CheckContext, run: MidjourneyRun) -> None:
    command = _reached(lambda: run.resolve_command("imagine"))
    c.measure(command_id=command.id, command_version=command.version)
    c.expect(command.id.isdigit() and command.version.isdigit(), f"odd command id/version: {command}")


def check_jobs_completed(c: CheckContext, run: MidjourneyRun) -> None:
    report = _exercised(run)
    c.measure(jobs=len(report.jobs), stored=len(report.succeeded), match_keys=report.match_keys)
    c.expect_none(f"{job.key} ({job.prompt!r}): {job.failure_kind}: {job.failure}" for job in report.jobs if not job.ok)


def check_own_results(c: CheckContext, run: MidjourneyRun) -> None:
    report = _exercised(run)
    c.expect(report.succeeded, "no job finished, so ownership could not be verified")
    c.expect_none(report.ownership_problems())
    c.measure(ambiguous_prompt_matches=sum(len(j.ambiguous) for j in report.jobs))


def check_unique_messages(c: CheckContext, run: MidjourneyRun) -> None:
    report = _exercised(run)
    ids = [m for job in report.jobs for m in job.message_ids()]
    c.measure(messages=len(ids))
    c.expect(ids, "no messages were matched at all")
    c.expect_none(report.duplicate_message_ids())


def check_newer_than_submission(c: CheckContext, run: MidjourneyRun) -> None:
    report = _exercised(run)
    c.measure(ignored_old_messages=report.ignored_old_messages)
    c.expect(report.succeeded, "no job finished, nothing to verify")
    c.expect_none(report.older_than_submission())


def check_images(c: CheckContext, run: MidjourneyRun) -> None:
    report = _exercised(run)
    limit = run.settings.max_cell_difference
    c.expect(report.succeeded, "no images were stored")
    c.expect_none(report.image_problems())
    differences = report.quadrant_differences()
    c.measure(cell_difference=differences)
    c.expect_none(
        f"{key}: upscale differs from its grid cell by {difference} (> {limit})"
        for key, difference in differences.items()
        if difference > limit
    )
    c.measure(files=sorted(p.name for p in run.evidence.iterdir() if p.suffix in IMAGE_SUFFIXES))


def check_rest_budget(c: CheckContext, run: MidjourneyRun) -> None:
    report = _exercised(run)
    c.measure(
        rest_calls=report.rest_calls,
        rest_calls_per_job=round(report.rest_calls_per_job(), 2),
        rate_limited_429=report.rate_limited,
        invalid_requests=report.invalid_requests,
        retries=report.retries,
        downloads=report.downloads,
        polls=report.polls,
        gateway=report.gateway,
    )
    c.expect_none(report.rest_problems(run.settings.max_rest_calls_per_job))

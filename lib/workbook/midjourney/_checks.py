"""Notebook 20's checks: what each verifies (`CHECKS`) and how (`check_<id>(c, run)`).

Ownership is verified from evidence recorded independently of the matcher's decisions (the
report's inspectors); a check only records what an inspector found.
"""

from __future__ import annotations

from ..checks import CheckContext, CheckSpec, Severity
from ._run import MidjourneyRun

IMAGE_SUFFIXES = (".png", ".webp", ".jpg")

CHECKS: dict[str, CheckSpec] = {
    "token": CheckSpec(
        title="the Discord token is accepted (GET /users/@me)",
        service="discord",
        severity=Severity.CRITICAL,
        remedy="put a valid user token in the environment variable named by discord_token_env",
    ),
    "command": CheckSpec(
        title="/imagine is found in the guild's application-command index (id and version)",
        service="discord",
        severity=Severity.CRITICAL,
        remedy="check guild_id and that the Midjourney bot is in that server",
    ),
    "jobs_completed": CheckSpec(
        title="every job ends with a stored grid and upscale",
        service="midjourney",
        severity=Severity.MAJOR,
        remedy="read each failed job's reason: Midjourney's notice, a timeout, or a Discord error",
    ),
    "own_results": CheckSpec(
        title="each job has its own grid and upscale, by evidence recorded before the match",
        service="midjourney",
        severity=Severity.CRITICAL,
        remedy="a job took another job's result: the correlation must key on nonce, reply chain and hashes",
    ),
    "unique_messages": CheckSpec(
        title="no Discord message is assigned to two jobs",
        service="midjourney",
        severity=Severity.CRITICAL,
        remedy="a message was matched twice: the correlator must own each message id once",
    ),
    "newer_than_submission": CheckSpec(
        title="every matched message was created after its job was submitted",
        service="midjourney",
        severity=Severity.CRITICAL,
        remedy="an older result of the same prompt was taken: compare snowflake times with the submission",
    ),
    "images": CheckSpec(
        title="stored images decode with the declared sizes; each upscale is cell N of its own grid",
        service="midjourney",
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


def check_token(c: CheckContext, run: MidjourneyRun) -> None:
    me = run.validate_token()
    c.measure(user_id=me.get("id"), username=me.get("username"))
    c.expect(str(me.get("id", "")).isdigit(), f"/users/@me returned no user id: {sorted(me)}")


def check_command(c: CheckContext, run: MidjourneyRun) -> None:
    command = run.resolve_command("imagine")
    c.measure(command_id=command.id, command_version=command.version)
    c.expect(command.id.isdigit() and command.version.isdigit(), f"odd command id/version: {command}")


def check_jobs_completed(c: CheckContext, run: MidjourneyRun) -> None:
    report = run.require_report()
    c.measure(jobs=len(report.jobs), stored=len(report.succeeded), match_keys=report.match_keys)
    c.expect_none(f"{job.key} ({job.prompt!r}): {job.failure_kind}: {job.failure}" for job in report.jobs if not job.ok)


def check_own_results(c: CheckContext, run: MidjourneyRun) -> None:
    report = run.require_report()
    c.expect(report.succeeded, "no job finished, so ownership could not be verified")
    c.expect_none(report.ownership_problems())
    c.measure(ambiguous_prompt_matches=sum(len(j.ambiguous) for j in report.jobs))


def check_unique_messages(c: CheckContext, run: MidjourneyRun) -> None:
    report = run.require_report()
    ids = [m for job in report.jobs for m in job.message_ids()]
    c.measure(messages=len(ids))
    c.expect(ids, "no messages were matched at all")
    c.expect_none(report.duplicate_message_ids())


def check_newer_than_submission(c: CheckContext, run: MidjourneyRun) -> None:
    report = run.require_report()
    c.measure(ignored_old_messages=report.ignored_old_messages)
    c.expect(report.succeeded, "no job finished, nothing to verify")
    c.expect_none(report.older_than_submission())


def check_images(c: CheckContext, run: MidjourneyRun) -> None:
    report = run.require_report()
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
    report = run.require_report()
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

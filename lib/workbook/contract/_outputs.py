"""Check 7, outputs: each finished 3D job's result is of the format asked, and generated images decode.

Format honesty can only be judged on jobs that finished: a job the platform ended `failed` (ORFEAS
without a GPU: "insufficient resources") wrote nothing to judge. That failure is generate_cases'
finding; here, when no 3D job finished at all, the check ends `error` (setup) quoting the
platform's words — never a format verdict on files that do not exist.
"""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Any

from PIL import Image

from ..checks import CheckContext, CouldNotCheck, ErrorReason, quote
from ._cases import MeshJob
from ._client import Exchange, reached
from ._mesh import inspect_mesh, sha256_of
from ._run import ContractRun
from ._samples import png

OWN_QUALITY = 5


def check_outputs(c: CheckContext, run: ContractRun) -> None:
    generated = run.families.get("generate_3d")
    jobs = generated.meshes if generated and generated.meshes else _own_meshes(run)
    texts = run.families.get("text_to_image")
    urls = texts.images if texts and texts.images else _own_image(run)
    run.images = [_image(c, run, case, url) for case, url in urls]
    finished = [job for job in jobs if job.job.succeeded]
    unfinished = {
        f"{job.format} q{job.quality} (job {job.job.job_id})": _why(job) for job in jobs if not job.job.succeeded
    }
    c.measure(images_checked=len(run.images), not_observed=unfinished)
    if not urls:
        c.note("no generated image to check: no text-to-image job finished with an image (see text_cases)")
    if not finished:
        words = "; ".join(sorted(set(unfinished.values()))) or "no 3D job could be started (see generate_cases)"
        raise CouldNotCheck(
            ErrorReason.SETUP,
            f"format honesty could not be observed: no 3D job finished; the platform said: {quote(words)}",
            evidence={"jobs": unfinished},
        )
    for label, why in unfinished.items():
        c.note(f"{label} not judged: {why}")
    folder = run.evidence / "outputs"
    folder.mkdir(exist_ok=True)
    run.meshes = []
    for mesh_job in finished:
        _judge_mesh(c, run, mesh_job, folder)
    c.measure(
        meshes_checked=len(run.meshes),
        meshes=[
            {"asked": m.asked, "written": m.name, "found": m.found, "bytes": m.size_bytes, "faces": m.faces}
            | {"sha256": m.sha256}
            for m in run.meshes
        ],
        images=[{key: image[key] for key in ("case", "format", "size", "sha256")} for image in run.images],
    )
    run.save_json("outputs.json", {"meshes": [asdict(m) for m in run.meshes], "images": run.images})


def _why(job: MeshJob) -> str:
    body = job.job.body
    words = body.get("error") if isinstance(body, dict) else None
    return job.job.problem or f"the job ended {job.job.state!r}" + (f": {words}" if words else f": {body}")


def _judge_mesh(c: CheckContext, run: ContractRun, mesh_job: MeshJob, folder: Any) -> None:
    label = f"{mesh_job.format} quality {mesh_job.quality} (job {mesh_job.job.job_id})"
    if not mesh_job.result_url:
        c.expect(False, f"{label}: the finished job names no result ({mesh_job.job.body})")
        return
    answer = run.dialect.reached("download", run.client.fetch(mesh_job.result_url))
    if not answer.ok:
        c.expect(False, f"{label}: GET {mesh_job.result_url} answered {answer.brief()}")
        return
    name = mesh_job.result_name or f"{mesh_job.job.job_id}.{mesh_job.format}"
    (folder / f"{mesh_job.format}_q{mesh_job.quality}_{name}").write_bytes(answer.body)
    report = inspect_mesh(answer.body, mesh_job.format, answer.content_type, mesh_job.result_name)
    run.meshes.append(report)
    c.expect_none((f"{label}: {problem}" for problem in report.problems), remedy=True)


def _own_meshes(run: ContractRun) -> list[MeshJob]:
    """When the generate cases did not run: one job per format from a fresh upload each."""
    d, jobs = run.dialect, []
    for index, file_format in enumerate(run.settings.formats):
        source = d.upload(png(seed=41 + index), "outputs.png")
        started = d.generate_3d(d.generate_body(source.job_id or "missing-upload", file_format, OWN_QUALITY))
        if started.job_id:
            job = d.follow(started.job_id, timeout_s=run.settings.job_timeout_s)
            url, name = d.result_location(job, started) if job.succeeded else ("", "")
            jobs.append(MeshJob(file_format, OWN_QUALITY, job, url, name))
    return jobs


def _own_image(run: ContractRun) -> list[tuple[str, str]]:
    started = run.dialect.text_to_image({"prompt": "an outputs check"})
    if not started.job_id:
        return []
    job = run.dialect.follow(started.job_id, timeout_s=run.settings.job_timeout_s)
    url = run.dialect.image_location(job, started) if job.succeeded else ""
    return [("outputs check", url)] if url else []


def _fetch_image(run: ContractRun, url: str) -> Exchange:
    # The image route is wherever the job status points (not a dialect route): a JSON 404 is an answer.
    return reached(run.client.fetch(url), profile=run.client.profile, dialect=run.dialect.name, answers_about_ids=True)


def _image(c: CheckContext, run: ContractRun, case: str, url: str) -> dict[str, Any]:
    answer = _fetch_image(run, url)
    info: dict[str, Any] = {
        "case": case,
        "url": url,
        "status": answer.status,
        "format": None,
        "size": None,
        "sha256": sha256_of(answer.body),
    }
    if not answer.ok:
        c.expect(False, f"image of '{case}' ({url}): {answer.brief()}")
        return info
    try:
        with Image.open(io.BytesIO(answer.body)) as image:
            image.load()
            info["format"], info["size"] = image.format, list(image.size)
    except Exception as error:
        c.expect(False, f"image of '{case}' ({url}) does not decode: {type(error).__name__}: {error}")
    return info

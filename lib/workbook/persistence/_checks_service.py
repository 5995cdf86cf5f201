"""Service checks: the platform's `AssetPersistenceService` run in its own Python (`service_python`) and
called by keyword as the seed's scripts do: extensions, job association and the job round trip, the
presign benchmark. Every upload is verified from the store. Each skips without `service_import`."""

from __future__ import annotations

from pathlib import Path

from ..checks import CheckContext
from ._bench import benchmark_presign
from ._inspect import convert_image, file_hashes, key_of
from ._presign import SIGV4_ALGORITHM, parse_presigned_url
from ._session import PersistenceRun
from ._settings import EXTENSION_FORMATS, EXTENSION_TYPES
from ._uploads import sent_for_key, sent_type_problems, stored_problems

NO_SERVICE = "no service_import configured: the service-driven part of the guide cannot run"
# Files of a job folder persist_job_assets is given: local path -> bytes (character references come
# from associate_character_images_with_job).
JOB_FILES = {
    "final/final.mp4": b"\x00\x00\x00\x18ftypmp42 final video",
    "scenes/scene_1.mp4": b"\x00\x00\x00\x18ftypmp42 scene one",
    "audio/track.mp3": b"ID3\x03\x00 audio track",
    "uploads/product.png": b"\x89PNG\r\n\x1a\n product image",
    "metadata.json": b'{"job": "metadata"}',
    "script.json": b'{"job": "script"}',
}


def none_problem(label: str, image_id: str, key: str) -> str:
    """The wording for get_character_reference_url answering None (the seed's 'no such object')."""
    return (
        f"{label}: get_character_reference_url(image_id={image_id!r}) returned None: the service found no object "
        f"at {key!r} (it HEADs before presigning and returns None when the object is missing)"
    )


def check_extensions(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    source = run.require_images()[0].data
    if source is None:
        c.fail("the first generated image did not decode; nothing to convert")
        return
    measured = {}
    for extension in (ext.lower() for ext in s.extensions):
        image_id = run.new_id(extension)
        local_path = run.workdir / "extensions" / f"{image_id}.{extension}"
        local_path.parent.mkdir(parents=True, exist_ok=True)
        data = convert_image(source, EXTENSION_FORMATS[extension])
        local_path.write_bytes(data)
        expected_key, expected_type = s.standalone_key(image_id, extension), EXTENSION_TYPES[extension]
        run.track(expected_key)
        upload = run.call(
            "persist_character_reference", image_id=image_id, local_image_path=str(local_path), job_id=None
        )
        run.track(key_of(upload.value, s.storage_bucket) or "")
        sent = sent_for_key(upload.sent, s.storage_bucket, expected_key)
        c.expect_none(sent_type_problems(extension, expected_key, expected_type, sent))
        c.expect_none(stored_problems(run.inspector, extension, expected_key, data, expected_type))
        url = run.call("get_character_reference_url", image_id=image_id, extension=extension).value
        row = {"content_type_sent": sent[-1].content_type if sent else "(not seen)", "url": url is not None}
        measured[extension] = row
        if url is None:
            c.expect(False, none_problem(extension, image_id, expected_key))
            continue
        key = key_of(url, s.storage_bucket)
        c.expect(
            key == expected_key,
            f"{extension}: get_character_reference_url names key {key!r}, expected {expected_key!r}",
        )
        fetched = run.fetch(str(url))
        served_type = fetched.headers.get("content-type", "").split(";")[0]
        c.expect(fetched.status_code == 200, f"{extension}: presigned GET answered {fetched.status_code}")
        if fetched.status_code == 200:
            c.expect(
                served_type == expected_type, f"{extension}: served as {served_type!r}, expected {expected_type!r}"
            )
        row["content_type_served"] = served_type
    missing_id = run.new_id("missing")
    missing = run.call("get_character_reference_url", image_id=missing_id, extension="png").value
    c.expect(
        missing is None,
        f"get_character_reference_url returned a URL for {missing_id!r}, which was never uploaded (expected None)",
    )
    if not run.service.records_uploads and run.store_infers_content_type():
        c.note(
            "the service's Python has no botocore, so the ContentType it sent was not recorded, and this store "
            "infers types: a missing ContentType would not show here"
        )
    c.measure(extensions=measured, store_infers_content_type=run.store_infers_content_type())


def _persist_standalone_and_job(c: CheckContext, run: PersistenceRun, data: bytes, job_id: str) -> None:
    """The seed's script 3: the same image standalone and under a job, each under its own prefix."""
    s = run.settings
    staging = run.workdir / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    standalone_id, job_ref_id = run.new_id("standalone"), run.new_id("jobref")
    for image_id in (standalone_id, job_ref_id):
        (staging / f"{image_id}.png").write_bytes(data)
    run.track(s.standalone_key(standalone_id), s.standalone_key(job_ref_id))
    path = str(staging / f"{standalone_id}.png")
    run.call("persist_character_reference", image_id=standalone_id, local_image_path=path, job_id=None)
    path = str(staging / f"{job_ref_id}.png")
    run.call("persist_character_reference", image_id=job_ref_id, local_image_path=path, job_id=job_id)
    c.expect_none(
        stored_problems(run.inspector, "standalone upload", s.standalone_key(standalone_id), data, "image/png")
    )
    if run.inspector.exists(s.standalone_key(job_ref_id)):
        c.expect(False, f"job upload landed under the standalone prefix ({s.standalone_key(job_ref_id)!r})")
    else:
        c.expect_none(stored_problems(run.inspector, "job upload", s.job_key(job_id, job_ref_id), data, "image/png"))


def check_job_association(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    images = run.require_images()
    if images[0].data is None:
        c.fail("the first generated image did not decode")
        return
    job_id = run.job_id("job")
    _persist_standalone_and_job(c, run, images[0].data, job_id)

    # Associate generated images with a job folder (script 5).
    job_dir = run.workdir / "job"
    job_dir.mkdir(parents=True, exist_ok=True)
    ids = [image.id for image in images]
    urls = run.call(
        "associate_character_images_with_job", job_id=job_id, image_ids=ids, local_base_path=str(job_dir)
    ).value
    c.expect(len(urls or []) == len(ids), f"associate returned {len(urls or [])} URLs for {len(ids)} images")
    local_folder = Path(s.job_character_dir).name
    for image in images:
        local = job_dir / local_folder / f"{image.id}.png"
        c.expect(local.is_file(), f"associate did not place {image.id}.png in {local_folder}/ of the job folder")
        if image.data is not None:
            c.expect_none(
                stored_problems(run.inspector, "associate", s.job_key(job_id, image.id), image.data, "image/png")
            )

    # Persist the whole job folder (script 6) and read every object back.
    for relative, data in JOB_FILES.items():
        (job_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (job_dir / relative).write_bytes(data)
    result = run.call("persist_job_assets", job_id=job_id, local_base_path=str(job_dir)).value
    result = result if isinstance(result, dict) else {}
    missing_keys = [key for key in run.dialect_options.job_result_keys if key not in result]
    c.expect(not missing_keys, f"persist_job_assets returned no {missing_keys} (keys: {sorted(result)})")
    references = result.get("character_references") or []
    c.expect(
        len(references) == len(ids),
        f"persist_job_assets lists {len(references)} character_references for {len(ids)} in the job folder",
    )
    for relative, data in JOB_FILES.items():
        key = s.job_object(job_id, run.job_cloud_path(relative))
        c.expect_none(stored_problems(run.inspector, "persist_job_assets", key, data, None))

    # Download the job and compare every file byte for byte (script 6, step 4).
    download_dir = run.workdir / "download"
    download_dir.mkdir(parents=True, exist_ok=True)
    run.call("download_job_assets", job_id=job_id, local_base_path=str(download_dir))
    uploaded, downloaded = file_hashes(job_dir), file_hashes(download_dir)
    missing = sorted(set(uploaded) - set(downloaded))
    differing = sorted(name for name in uploaded if name in downloaded and downloaded[name] != uploaded[name])
    if uploaded and not downloaded:
        c.expect(False, f"download_job_assets restored nothing: 0 of {len(uploaded)} files came back")
    else:
        c.expect(not missing, f"download_job_assets did not reproduce {missing}")
    c.expect(not differing, f"download_job_assets files differ from the originals: {differing}")
    c.measure(
        job_id=job_id, job_files=len(uploaded), downloaded_files=len(downloaded), character_references=len(references)
    )


def check_presign_benchmark(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    source = run.require_images()[0].data
    if source is None:
        c.fail("the first generated image did not decode")
        return
    # The seed's service HEADs first and returns None for a missing object: benchmark an existing one.
    image_id = run.new_id("bench")
    path = run.workdir / "bench" / f"{image_id}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(source)
    run.track(s.standalone_key(image_id))
    run.call("persist_character_reference", image_id=image_id, local_image_path=str(path), job_id=None)
    run.benchmark = benchmark_presign(run.service, image_id, s.benchmark_counts, max_seconds=s.benchmark_max_s)
    for bench in run.benchmark:
        row = bench.row()
        c.measure(**{f"ms_per_url_{bench.requested}": row["ms_per_url"], f"urls_{bench.requested}": row["urls"]})
        c.expect(
            not bench.stopped_early,
            f"{bench.requested} URLs: stopped after {bench.completed} at the {s.benchmark_max_s} s limit",
        )
        c.expect(
            float(row["ms_per_url"]) <= s.presign_budget_ms,
            f"{bench.requested} URLs: {row['ms_per_url']} ms per URL, budget {s.presign_budget_ms} ms",
        )
        nones = sum(1 for url in bench.urls if not url)
        c.expect(
            nones == 0, none_problem(f"{bench.requested} URLs ({nones} None)", image_id, s.standalone_key(image_id))
        )
        not_v4 = sum(1 for url in bench.urls if url and parse_presigned_url(url).algorithm != SIGV4_ALGORITHM)
        c.expect(not_v4 == 0, f"{bench.requested} URLs: {not_v4} are not SigV4")

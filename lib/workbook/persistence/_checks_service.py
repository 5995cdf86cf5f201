"""Service checks: the user's `AssetPersistenceService` called in-process (extensions, job
association and the job round trip, the presign benchmark). Each skips without `service_import`."""

from __future__ import annotations

from ..checks import CheckContext
from ._bench import benchmark_presign
from ._inspect import convert_image, file_hashes, key_of, sha256_hex
from ._presign import SIGV4_ALGORITHM, parse_presigned_url
from ._session import PersistenceRun
from ._settings import EXTENSION_FORMATS, EXTENSION_TYPES
from ._uploads import content_type_problems

NO_SERVICE = "no service_import configured: the service-driven part of the guide cannot run"


def check_extensions(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    source = run.require_images()[0].data
    if source is None:
        c.fail("the first generated image did not decode; nothing to convert")
        return
    measured = {}
    for extension in s.extensions:
        extension = extension.lower()
        image_id = run.new_id(extension)
        local_path = run.workdir / "extensions" / f"{image_id}.{extension}"
        local_path.parent.mkdir(parents=True, exist_ok=True)
        data = convert_image(source, EXTENSION_FORMATS[extension])
        local_path.write_bytes(data)
        expected_key = s.standalone_key(image_id, extension)
        expected_type = EXTENSION_TYPES[extension]
        run.track(expected_key)
        upload_url = run.call("persist_character_reference", image_id, str(local_path), None)
        run.track(key_of(upload_url, s.storage_bucket) or "")
        sent = run.uploads.for_key(s.storage_bucket, expected_key)
        infers = run.store_infers_content_type()
        c.expect_none(content_type_problems(extension, expected_key, expected_type, sent, store_infers=infers))
        info = run.inspector.object_info(expected_key)
        if info is None:
            c.expect(False, f"{extension}: no object at {expected_key!r} after persist_character_reference")
        else:
            c.expect(
                info.content_type == expected_type,
                f"{extension}: object content type {info.content_type!r}, expected {expected_type!r}",
            )
            c.expect(info.sha256 == sha256_hex(data), f"{extension}: object bytes differ from the uploaded file")
        url = run.call("get_character_reference_url", image_id, extension)
        key = key_of(url, s.storage_bucket)
        c.expect(
            key == expected_key,
            f"{extension}: get_character_reference_url names key {key!r}, expected {expected_key!r}",
        )
        fetched = run.fetch(url)
        served_type = fetched.headers.get("content-type", "").split(";")[0]
        c.expect(fetched.status_code == 200, f"{extension}: presigned GET answered {fetched.status_code}")
        if fetched.status_code == 200:
            c.expect(
                served_type == expected_type,
                f"{extension}: served as {served_type!r}, expected {expected_type!r}",
            )
        measured[extension] = {
            "key_ok": key == expected_key,
            "content_type_sent": sent[-1].content_type if sent else "(not seen)",
            "content_type_served": served_type,
        }
    c.measure(extensions=measured, store_infers_content_type=run.store_infers_content_type())


def check_job_association(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    images = run.require_images()
    source = images[0]
    if source.data is None:
        c.fail("the first generated image did not decode")
        return
    staging = run.workdir / "staging"
    staging.mkdir(parents=True, exist_ok=True)

    # Standalone vs job-associated persistence of one image file (the seed's script 3).
    standalone_id, job_ref_id = run.new_id("standalone"), run.new_id("jobref")
    job_id = run.job_id("job")
    for image_id in (standalone_id, job_ref_id):
        (staging / f"{image_id}.png").write_bytes(source.data)
    run.track(s.standalone_key(standalone_id), s.standalone_key(job_ref_id))
    run.call("persist_character_reference", standalone_id, str(staging / f"{standalone_id}.png"), None)
    run.call("persist_character_reference", job_ref_id, str(staging / f"{job_ref_id}.png"), job_id)
    c.expect(
        run.inspector.exists(s.standalone_key(standalone_id)),
        f"standalone upload: no object at {s.standalone_key(standalone_id)!r}",
    )
    c.expect(
        run.inspector.exists(s.job_key(job_id, job_ref_id)),
        f"job upload: no object at {s.job_key(job_id, job_ref_id)!r}",
    )
    c.expect(
        not run.inspector.exists(s.standalone_key(job_ref_id)),
        f"job upload landed under the standalone prefix ({s.standalone_key(job_ref_id)!r})",
    )

    # Associate generated images with a job folder (script 5), persist the job (script 6).
    job_dir = run.workdir / "job"
    job_dir.mkdir(parents=True, exist_ok=True)
    ids = [image.id for image in images]
    urls = run.call("associate_character_images_with_job", job_id, ids, str(job_dir))
    c.expect(len(urls) == len(ids), f"associate returned {len(urls)} URLs for {len(ids)} images")
    for image in images:
        local = job_dir / s.job_character_dir / f"{image.id}.png"
        c.expect(local.is_file(), f"associate did not place {image.id}.png in the job folder")
        c.expect(
            run.inspector.exists(s.job_key(job_id, image.id)),
            f"associate: no object at {s.job_key(job_id, image.id)!r}",
        )
    (job_dir / "job.json").write_text(f'{{"job_id": "{job_id}", "images": {len(ids)}}}')
    result = run.call("persist_job_assets", job_id, str(job_dir))
    references = result.get("character_references", []) if isinstance(result, dict) else []
    c.expect(
        len(references) == len(ids),
        f"persist_job_assets lists {len(references)} character_references for {len(ids)} in the job folder",
    )
    job_prefix = s.job_prefix.format(job_id=job_id) + s.job_character_dir + "/"
    reference_keys = [key_of(url, s.storage_bucket) or str(url)[:80] for url in references]
    off_prefix = [key for key in reference_keys if not key.startswith(job_prefix)]
    c.expect(not off_prefix, f"character_references outside {job_prefix!r}: {off_prefix}")

    # Download the job and compare every file byte for byte (script 6, step 4).
    download_dir = run.workdir / "download"
    download_dir.mkdir(parents=True, exist_ok=True)
    run.call("download_job_assets", job_id, str(download_dir))
    uploaded, downloaded = file_hashes(job_dir), file_hashes(download_dir)
    missing = sorted(set(uploaded) - set(downloaded))
    differing = sorted(name for name in uploaded if name in downloaded and downloaded[name] != uploaded[name])
    c.expect(not missing, f"download_job_assets did not reproduce {missing}")
    c.expect(not differing, f"download_job_assets files differ from the originals: {differing}")
    c.measure(
        job_id=job_id,
        job_files=len(uploaded),
        downloaded_files=len(downloaded),
        character_references=len(references),
    )


def check_presign_benchmark(c: CheckContext, run: PersistenceRun) -> None:
    s = run.settings
    if not s.service_import:
        c.skip(NO_SERVICE)
    run.benchmark = run.run_async(
        benchmark_presign(run.service.get_character_reference_url, s.benchmark_counts, max_seconds=s.benchmark_max_s),
        timeout_s=s.benchmark_max_s * (len(s.benchmark_counts) + 1) + 30,
    )
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
        not_v4 = sum(1 for url in bench.urls if parse_presigned_url(url).algorithm != SIGV4_ALGORITHM)
        c.expect(not_v4 == 0, f"{bench.requested} URLs: {not_v4} are not SigV4")
        c.expect(
            len(set(bench.urls)) == len(bench.urls),
            f"{bench.requested} URLs: duplicates among generated URLs",
        )

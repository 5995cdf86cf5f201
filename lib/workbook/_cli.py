"""Command line: a thin layer over the Python API (`python -m workbook --help`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ParamsError, UsageError, WorkbookError
from .runtime import repo_root

if TYPE_CHECKING:
    from .params import RunPlan

EXIT_BAD_PARAMS = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ParamsError as error:
        print(f"error: invalid params\n{error}", file=sys.stderr)
        return EXIT_BAD_PARAMS
    except WorkbookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m workbook", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="execute notebooks and write an evidence bundle",
        description="Execute the notebooks of a params file through papermill (starting "
        "its sandbox first) and write outputs/<stamp>_<profile>/. Exit status: 0 "
        "if every check passed, 1 if anything failed, 2 for bad params, 130 "
        "if interrupted.",
    )
    run.add_argument(
        "--params",
        type=Path,
        default=repo_root() / "params" / "sandbox.yaml",
        help="params YAML file (default: params/sandbox.yaml)",
    )
    run.add_argument("--only", nargs="+", default=[], metavar="NAME", help="run only these notebooks")
    run.add_argument(
        "-p",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter: KEY=VALUE (shared) or NOTEBOOK.KEY=VALUE; VALUE is YAML",
    )
    run.add_argument("--outputs", type=Path, default=None, help="bundle parent folder (default: outputs/)")
    run.add_argument(
        "--time-scale", type=float, default=None, help="sandbox clock speed-up (default: the params file's time_scale)"
    )
    run.add_argument(
        "--fault",
        dest="faults",
        action="append",
        default=[],
        metavar="SERVICE.SWITCH=VALUE",
        help="turn a stand-in's fault switch on at sandbox start (repeatable; VALUE is YAML, default true), "
        "e.g. --fault brain.added_latency_ms=300; checked against the stand-in's switches before anything starts",
    )
    run.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="load secrets from this dotenv file if it exists (never overrides the environment)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="run notebooks as tasks on a local Dask cluster of N worker processes (1: one after another here)",
    )
    run.add_argument(
        "--scheduler",
        default=None,
        metavar="URL",
        help="run notebooks as tasks on an existing Dask cluster, e.g. tcp://HOST:8786 (its workers must reach "
        "the targets' URLs; sandbox stand-ins stay on this machine)",
    )
    run.add_argument("--junit", type=Path, default=None, metavar="PATH", help="also write the run's junit.xml here")
    run.add_argument(
        "--sign-key-env",
        default=None,
        metavar="NAME",
        help="sign the manifest with the key held by this environment variable (default: WORKBOOK_SIGNING_KEY if set)",
    )
    run.set_defaults(handler=_run)

    history = commands.add_parser(
        "history",
        help="compare the last bundles of a profile: newly failing, flaky, values beyond the noise",
        description="Read the bundles under --outputs (or an S3 archive with --from) and compare the last N "
        "of one profile. Exit status 1 if the newest run has newly failing checks, else 0.",
    )
    history.add_argument("--outputs", type=Path, default=repo_root() / "outputs", help="folder holding bundles")
    history.add_argument(
        "--from", dest="source", default=None, metavar="S3_URL", help="read archived bundles: s3://bucket/prefix"
    )
    history.add_argument("--last", type=int, default=10, help="bundles to compare (default 10)")
    history.add_argument("--profile", default=None, help="profile to compare (default: the newest bundle's)")
    history.add_argument("--json", action="store_true", help="print the history as JSON")
    _add_s3_arguments(history)
    history.set_defaults(handler=_history)

    verify = commands.add_parser(
        "verify",
        help="re-hash every file of a bundle against its manifest (and check its signature)",
        description="Exit status 0 if every file matches manifest.json (and, with --key-env, the manifest's "
        "signature is valid); 1 naming every missing, extra or changed file.",
    )
    verify.add_argument("bundle", type=Path, metavar="BUNDLE")
    verify.add_argument("--key-env", default=None, metavar="NAME", help="environment variable holding the signing key")
    verify.set_defaults(handler=_verify)

    archive = commands.add_parser(
        "archive",
        help="upload a bundle to S3 and verify every object's checksum",
        description="Upload BUNDLE under s3://bucket/prefix/<run id>/ (multipart for large files) and check "
        "each object's SHA-256 after upload. Exit status 1 if any object does not match.",
    )
    archive.add_argument("bundle", type=Path, metavar="BUNDLE")
    archive.add_argument("destination", metavar="S3_URL")
    _add_s3_arguments(archive)
    archive.set_defaults(handler=_archive)

    check = commands.add_parser(
        "check-params",
        help="validate params files without running anything",
        description="Validate params files against the notebooks' parameters cells. "
        "Exit status 2 on the first invalid file.",
    )
    check.add_argument("files", type=Path, nargs="+", metavar="FILE")
    check.set_defaults(handler=_check_params)

    sandbox = commands.add_parser(
        "sandbox",
        help="start, stop or inspect the local stand-ins",
        description="Manage the sandbox outside a run (e.g. for `make lab`).",
    )
    actions = sandbox.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start stand-ins in the background and print their URLs")
    up.add_argument(
        "--services", nargs="+", default=None, metavar="NAME", help="services to start (default: those of --params)"
    )
    up.add_argument("--params", type=Path, default=repo_root() / "params" / "sandbox.yaml")
    up.set_defaults(handler=_sandbox_up)
    down = actions.add_parser("down", help="stop the stand-ins started by `sandbox up`")
    down.set_defaults(handler=_sandbox_down)
    status = actions.add_parser("status", help="show the stand-ins started by `sandbox up`")
    status.set_defaults(handler=_sandbox_status)

    lab = commands.add_parser(
        "lab",
        help="JupyterLab on notebooks/ next to a sandbox (started if none is up, stopped with the lab)",
        description="Use the sandbox `sandbox up` started, or start one, then run JupyterLab on notebooks/; "
        "a sandbox started here is stopped when the lab ends (Ctrl-C included). Arguments after `--` go to "
        "jupyter lab, e.g. -- --port=8899.",
    )
    lab.add_argument(
        "--services",
        default="",
        metavar="NAME[,NAME]",
        help="stand-ins to start when none is up (default: those of --params), e.g. s3,refbackend",
    )
    lab.add_argument("--params", type=Path, default=repo_root() / "params" / "sandbox.yaml")
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    lab.set_defaults(handler=_lab)
    return parser


def _add_s3_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", default="", help="S3 endpoint (default: AWS)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key-env", default="AWS_ACCESS_KEY_ID", metavar="NAME")
    parser.add_argument("--secret-key-env", default="AWS_SECRET_ACCESS_KEY", metavar="NAME")


def _s3(args: argparse.Namespace) -> object:
    from .connect import s3_client
    from .credentials import read_secret

    return s3_client(
        endpoint_url=args.endpoint_url,
        region=args.region,
        access_key=str(read_secret(args.access_key_env, purpose="S3 access key")),
        secret_key=str(read_secret(args.secret_key_env, purpose="S3 secret key")),
    )


def _load(
    params: Path,
    only: Sequence[str] = (),
    overrides: Sequence[str] = (),
    faults: Sequence[str] = (),
    time_scale: float | None = None,
) -> RunPlan:
    from .params import load_plan, parse_fault, parse_override

    return load_plan(
        params,
        notebooks_dir=repo_root() / "notebooks",
        only=only,
        overrides=[parse_override(text) for text in overrides],
        faults=[parse_fault(text) for text in faults],
        time_scale=time_scale,
    )


def _run(args: argparse.Namespace) -> int:
    from .runner import run

    if args.env_file is not None and args.env_file.exists():
        from dotenv import load_dotenv

        load_dotenv(args.env_file, override=False)
    from .runner import DaskSchedule, sequential

    if args.workers < 1:
        raise UsageError(f"--workers {args.workers}: expected a number of worker processes >= 1")
    plan = _load(args.params, args.only, args.overrides, args.faults, args.time_scale)
    schedule = (
        DaskSchedule(scheduler=args.scheduler)
        if args.scheduler
        else DaskSchedule(workers=args.workers)
        if args.workers > 1
        else sequential
    )
    outcome = run(
        plan,
        outputs_dir=args.outputs,
        emit=lambda line: print(line, flush=True),
        schedule=schedule,
        signing_key_env=args.sign_key_env,
    )
    if args.junit is not None:
        import shutil

        args.junit.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(outcome.bundle / "junit.xml", args.junit)
    return outcome.exit_code


def _history(args: argparse.Namespace) -> int:
    from .evidence import load_archived_bundles, load_bundles, parse_s3_url
    from .report import build_history

    if args.last < 2:
        raise UsageError(f"--last {args.last}: expected at least 2 bundles to compare")
    bundles = load_archived_bundles(parse_s3_url(args.source), _s3(args)) if args.source else load_bundles(args.outputs)
    if not bundles:
        print(f"no bundles found in {args.source or args.outputs}")
        return 0
    history = build_history(bundles, profile=args.profile, last=args.last)
    if args.json:
        print(history.model_dump_json(indent=2))
    else:
        for line in history.lines():
            print(line)
    return 1 if history.newly_failing else 0


def _verify(args: argparse.Namespace) -> int:
    from .evidence import verify_bundle

    report = verify_bundle(args.bundle, key_env=args.key_env)
    for line in report.lines():
        print(f"{args.bundle}: {line}")
    files = "every file matches the manifest" if not (report.missing or report.extra or report.changed) else ""
    print(
        f"{args.bundle}: {'OK' if report.ok else 'FAILED'}"
        + (f" ({files}; signature {report.signature})" if report.ok else "")
    )
    return 0 if report.ok else 1


def _archive(args: argparse.Namespace) -> int:
    from .evidence import archive_bundle, parse_s3_url

    report = archive_bundle(args.bundle, parse_s3_url(args.destination), _s3(args))
    for path in report.mismatched:
        print(f"checksum mismatch after upload: {path}")
    print(
        f"{report.destination}: {len(report.uploaded)} file(s) uploaded, {len(report.verified_by_checksum)} verified "
        f"by the store's SHA-256, {len(report.verified_by_download)} by download, {len(report.mismatched)} mismatched"
    )
    return 0 if report.ok else 1


def _check_params(args: argparse.Namespace) -> int:
    for file in args.files:
        plan = _load(file)
        print(f"{file}: ok ({len(plan.notebooks)} notebooks: {', '.join(n.name for n in plan.notebooks)})")
    return 0


def _sandbox_up(args: argparse.Namespace) -> int:
    from .sandbox import up

    plan = _load(args.params)
    services = args.services if args.services is not None else list(plan.sandbox)
    return up(services, time_scale=plan.time_scale)


def _sandbox_down(args: argparse.Namespace) -> int:
    from .sandbox import down

    return down()


def _sandbox_status(args: argparse.Namespace) -> int:
    from .sandbox import status

    return status()


def _lab(args: argparse.Namespace) -> int:
    from .interactive import parse_services, run_lab

    extra = list(args.jupyter_args)
    if extra and extra[0] == "--":
        extra = extra[1:]
    return run_lab(parse_services(args.services), params_file=args.params, jupyter_args=extra)

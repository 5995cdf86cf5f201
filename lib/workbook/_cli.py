"""Command line: a thin layer over the Python API (`python -m workbook --help`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._context import repo_root
from ._errors import ParamsError, WorkbookError

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
    run.set_defaults(handler=_run)

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
    return parser


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
    plan = _load(args.params, args.only, args.overrides, args.faults, args.time_scale)
    outcome = run(plan, outputs_dir=args.outputs, emit=lambda line: print(line, flush=True))
    return outcome.exit_code


def _check_params(args: argparse.Namespace) -> int:
    for file in args.files:
        plan = _load(file)
        print(f"{file}: ok ({len(plan.notebooks)} notebooks: {', '.join(n.name for n in plan.notebooks)})")
    return 0


def _sandbox_up(args: argparse.Namespace) -> int:
    from .sandbox import up

    services = args.services if args.services is not None else list(_load(args.params).sandbox)
    return up(services)


def _sandbox_down(args: argparse.Namespace) -> int:
    from .sandbox import down

    return down()


def _sandbox_status(args: argparse.Namespace) -> int:
    from .sandbox import status

    return status()

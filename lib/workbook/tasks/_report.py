"""The notebook's outputs beyond the checks table: every task observed, a timeline of records
and injected faults, recovery times, and one evidence JSON file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ._run import TaskPipelineRun
from ._stream import phases, stream_facts

EVIDENCE_FILE = "task_pipeline.json"


def task_rows(run: TaskPipelineRun | Any) -> list[dict[str, Any]]:
    if not isinstance(run, TaskPipelineRun):  # the setup failed: nothing was observed
        return []
    return [
        {
            "label": label,
            "task_id": follow.task_id,
            "status": run.dialect.field(follow.final, "status"),
            **{k: v for k, v in stream_facts(run.dialect, follow).items() if k != "statuses"},
            **phases(run.dialect, follow),
        }
        for label, follow in run.observations
    ]


def tasks_table(run: TaskPipelineRun | Any) -> pd.DataFrame:
    return pd.DataFrame(task_rows(run))


def recovery_table(run: TaskPipelineRun | Any) -> pd.DataFrame:
    rows = run.recoveries if isinstance(run, TaskPipelineRun) else []
    return pd.DataFrame(rows, columns=["experiment", "metric", "seconds"])


def close_run(run: TaskPipelineRun | Any) -> None:
    """Delete the run's Redis keys and close its clients (nothing to do after a failed setup)."""
    if isinstance(run, TaskPipelineRun):
        run.close()


def timeline_figure(run: TaskPipelineRun | Any) -> Figure:
    """Each task's records as points (progress over time, by the records' own clock); faults as lines."""
    figure = Figure(figsize=(11, 4.5))
    axes = figure.add_subplot()
    if not isinstance(run, TaskPipelineRun):
        axes.text(0.5, 0.5, "the setup failed: no task was observed", ha="center", va="center")
        return figure
    origin = min((follow.created_at for _, follow in run.observations), default=0.0)
    for label, follow in run.observations:
        points = []
        for record in follow.records:
            try:
                at = datetime.fromisoformat(str(run.dialect.field(record, "updated") or "")).timestamp()
            except ValueError:
                continue
            points.append((at - origin, run.dialect.field(record, "progress")))
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker=".", linewidth=0.8, label=label if len(label) < 30 else label[:30])
    for marker in run.markers:
        axes.axvline(marker.time - origin, color="red", linewidth=0.6, alpha=0.5)
        axes.text(marker.time - origin, 101, marker.label, rotation=90, fontsize=6, va="bottom", color="red")
    axes.set_xlabel("seconds since the first task (records' updated_at)")
    axes.set_ylabel("progress (%)")
    axes.set_title("Task records and injected faults")
    if run.observations:
        axes.legend(fontsize=6, loc="lower right", ncol=2)
    figure.tight_layout()
    return figure


def save_evidence(run: TaskPipelineRun | Any, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EVIDENCE_FILE
    if not isinstance(run, TaskPipelineRun):
        path.write_text(json.dumps({"setup_failed": True}, indent=2))
        return path
    body = {
        "run_id": run.run_id,
        "dialect": run.settings.dialect,
        "platform": run.client.platform.http_url(),
        "workers": run.settings.worker_names,
        "tasks": task_rows(run),
        "records": {follow.task_id: follow.records for _, follow in run.observations},
        "experiments": [journal.to_json() for journal in run.journals],
        "recoveries": run.recoveries,
        "creation_pacing": run.client.pacer.summary(),
        "markers": [{"label": marker.label, "time": marker.time} for marker in run.markers],
    }
    path.write_text(json.dumps(body, indent=2, default=str))
    return path

"""The notebook's outputs beyond the checks table: a timeline of task phases, recovery times,
and one evidence JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from ._run import TaskPipelineRun

EVIDENCE_FILE = "task_pipeline.json"


def task_rows(run: TaskPipelineRun) -> list[dict[str, Any]]:
    rows = []
    for label, observation in run.observations:
        phases = observation.phases()
        rows.append(
            {
                "label": label,
                "task_id": observation.task_id,
                "state": observation.final_state,
                "attempts": observation.state.get("attempts"),
                "events": len(observation.events),
                "workers": sorted({str(event.get("worker")) for event in observation.events if event.get("worker")}),
                **phases,
            }
        )
    return rows


def tasks_table(run: TaskPipelineRun) -> pd.DataFrame:
    return pd.DataFrame(task_rows(run))


def recovery_table(run: TaskPipelineRun) -> pd.DataFrame:
    return pd.DataFrame(run.recoveries, columns=["experiment", "metric", "seconds"])


def timeline_figure(run: TaskPipelineRun) -> Figure:
    """One bar per task: queue wait (grey) then run (coloured by step); faults as vertical lines."""
    figure = Figure(figsize=(11, max(3.0, 0.22 * len(run.observations) + 1.5)))
    axes = figure.add_subplot()
    if not run.observations:
        axes.text(0.5, 0.5, "no tasks observed", ha="center", va="center")
        return figure
    origin = min(float(o.state.get("submitted_at", o.submitted_at)) for _, o in run.observations)
    labels = list(dict.fromkeys(label for label, _ in run.observations))
    colours = matplotlib.colormaps["tab20"]
    for row, (label, observation) in enumerate(run.observations):
        submitted = float(observation.state.get("submitted_at", observation.submitted_at)) - origin
        starts = [float(e["time"]) - origin for e in observation.events if e.get("state") == "STARTED"]
        end_event = observation.terminal_event
        end = (float(end_event["time"]) if end_event else observation.finished_at) - origin
        first = starts[0] if starts else end
        axes.broken_barh([(submitted, max(first - submitted, 0.002))], (row - 0.4, 0.8), color="#cccccc")
        colour = colours(labels.index(label) % 20)
        axes.broken_barh(
            [(first, max(end - first, 0.002))],
            (row - 0.4, 0.8),
            color=colour,
            label=label if label not in axes.get_legend_handles_labels()[1] else None,
        )
        for restart in starts[1:]:
            axes.plot([restart], [row], marker="|", color="black", markersize=10)
        if observation.final_state != "SUCCESS":
            axes.plot([end], [row], marker="x", color="red")
    for marker in run.markers:
        axes.axvline(marker.time - origin, color="red", linewidth=0.6, alpha=0.5)
        axes.text(
            marker.time - origin,
            len(run.observations) - 0.3,
            marker.label,
            rotation=90,
            fontsize=6,
            va="top",
            color="red",
        )
    axes.set_xlabel("seconds since the first submission (grey: queued, colour: running, |: restarted, x: failed)")
    axes.set_ylabel("task")
    axes.set_title("Task phases and injected faults")
    axes.legend(fontsize=6, loc="lower right", ncol=2)
    figure.tight_layout()
    return figure


def save_evidence(run: TaskPipelineRun, folder: Path) -> Path:
    """Every task, experiment journal, recovery time, health sample and fault marker, as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EVIDENCE_FILE
    body = {
        "run_id": run.run_id,
        "api_base_url": run.settings.api_base_url,
        "workers": run.settings.worker_names,
        "tasks": task_rows(run),
        "events": {observation.task_id: observation.events for _, observation in run.observations},
        "experiments": [journal.to_json() for journal in run.journals],
        "recoveries": run.recoveries,
        "health_samples": run.health_samples,
        "markers": [{"label": marker.label, "time": marker.time} for marker in run.markers],
    }
    path.write_text(json.dumps(body, indent=2, default=str))
    return path

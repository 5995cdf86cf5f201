"""The figures render from real probe results and are written as PNG files."""

from __future__ import annotations

from pathlib import Path

from workbook import save_figure
from workbook.probes import (
    HttpTarget,
    latency_probe,
    plot_latency_histogram,
    plot_throughput_vs_concurrency,
    plot_timeline,
    throughput_probe,
)

from .test_budgets import FakeTransport

TARGET = HttpTarget("fake", "http://127.0.0.1:9/health")


def test_figures_are_written(tmp_path: Path) -> None:
    lat = latency_probe(TARGET, rate_rps=100, duration_s=0.3, max_requests=30, transport=FakeTransport)
    runs = [
        throughput_probe(TARGET, concurrency=c, duration_s=0.2, max_requests=50, transport=FakeTransport)
        for c in (1, 4)
    ]
    paths = [
        save_figure(plot_latency_histogram([lat, *runs]), tmp_path / "hist.png"),
        save_figure(plot_timeline(lat), tmp_path / "timeline.png"),
        save_figure(plot_throughput_vs_concurrency(runs), tmp_path / "tvc.png"),
    ]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 5_000

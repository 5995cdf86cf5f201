"""What a headless run shows: marked kernel lines (redacted), and a heartbeat during silent cells."""

from __future__ import annotations

import time

from workbook.runner._console import Heartbeat, KernelStdout


def test_only_marked_lines_are_forwarded_and_secrets_redacted() -> None:
    lines: list[str] = []
    stream = KernelStdout("nb", frozenset({"s3cr3t-value"}), lines.append)
    stream.write("noise\n[progress] step 1/2 using s3cr3t-value\n[check] PASS  a: ok\npartial [progress] no")
    stream.write("\n[progress] tail without newline")
    stream.flush()
    assert lines == [
        "  nb: [progress] step 1/2 using ***REDACTED***",
        "  nb: [check] PASS  a: ok",
        "  nb: [progress] tail without newline",
    ]


def test_heartbeat_beats_until_stopped() -> None:
    lines: list[str] = []
    heartbeat = Heartbeat("nb", lines.append, every_s=0.05)
    heartbeat.start()
    time.sleep(0.3)
    heartbeat.stop()
    count = len(lines)
    time.sleep(0.15)
    assert count >= 2 and len(lines) == count
    assert lines[0].startswith("  nb: still running")

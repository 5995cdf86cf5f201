#!/usr/bin/env python
"""Benchmark: how long from first contact until a dialect mismatch is named, and what auto-detection costs.

Against the sandbox brain (its WebSocket at `/` speaks tool-json, `/mcp` speaks MCP), for each
direction of mismatch, N times: the seconds from opening the connection to the `McpDialectError`
of the client (`McpClient.initialize` on a tool-json server; a tool-json session on an MCP server),
and the wall time of `run_functional_checks` and of a small `probe_mcp` that meet the wrong
envelope (before the dialect seam, the JSON-RPC client waited out its per-message timeout: 5-20 s
per check). Also the round trip `auto` spends deciding. Prints median and max; no pass/fail.

    .venv/bin/python scripts/bench_dialect.py --repeat 20
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

from workbook import mcp
from workbook.sandbox import Sandbox


def _timed(repeat: int, action: Callable[[], object]) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def _async_timed(repeat: int, action: Callable[[], Awaitable[object]]) -> list[float]:
    async def run() -> list[float]:
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            await action()
            samples.append(time.perf_counter() - started)
        return samples

    return asyncio.run(run())


def _row(label: str, samples: list[float]) -> str:
    return f"{label:<58} median {statistics.median(samples) * 1e3:8.2f} ms   max {max(samples) * 1e3:8.2f} ms"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="samples per measurement (default 20)")
    args = parser.parse_args(argv)
    with Sandbox(["brain"], env={"WORKBOOK_BRAIN_EMBEDDINGS": "hashing"}) as sandbox:
        brain = sandbox.outputs["brain"]
        tool_json, mcp_url = brain["ws_url"], brain["mcp_url"]

        async def client_meets_flat_reply() -> None:
            async with await mcp.McpClient.open(tool_json, message_timeout_s=20) as client:
                try:
                    await client.initialize("2025-06-18")
                except mcp.McpDialectError:
                    return
            raise AssertionError("no dialect error")

        async def tool_json_meets_jsonrpc() -> None:
            session = await mcp.connect_brain(mcp_url, dialect="tool-json", message_timeout_s=20)
            try:
                await session.find_similar("p", "q")
            except mcp.McpDialectError:
                return
            finally:
                await session.close()
            raise AssertionError("no dialect error")

        async def auto_detects(url: str) -> None:
            session = await mcp.connect_brain(url, dialect="auto")
            await session.close()

        rows = [
            _row(
                "McpClient.initialize -> tool-json server (to the verdict)",
                _async_timed(args.repeat, client_meets_flat_reply),
            ),
            _row(
                "tool-json session -> MCP server (to the verdict)", _async_timed(args.repeat, tool_json_meets_jsonrpc)
            ),
            _row(
                "run_functional_checks, mcp-jsonrpc at a tool-json server",
                _timed(args.repeat, lambda: mcp.run_functional_checks(tool_json, dialect="mcp-jsonrpc")),
            ),
            _row(
                "probe_mcp (small), tool-json at an MCP server",
                _timed(args.repeat, lambda: mcp.probe_mcp(mcp_url, dialect="tool-json", concurrency_levels=(1, 5))),
            ),
            _row(
                "connect_brain auto (connect + detection round trip), /",
                _async_timed(args.repeat, lambda: auto_detects(tool_json)),
            ),
            _row(
                "connect_brain auto (connect + initialize), /mcp",
                _async_timed(args.repeat, lambda: auto_detects(mcp_url)),
            ),
        ]
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

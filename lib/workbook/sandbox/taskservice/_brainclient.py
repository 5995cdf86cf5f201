"""How the worker talks to the brain, in two dialects.

* `tool-json` (default): the brain's own WebSocket protocol at `/` of its HTTP port
  (jomapps/mcp-brain-service src/main.py:172-323): one flat frame `{"tool": NAME, <arguments>}`,
  one reply `{"status": "success", ...}` or `{"status": "error", "message"}`. A failure raises
  `BrainCallFailed` naming the brain and what it answered.
* `upstream`: what celery-redis's `BrainServiceClient` does (app/clients/brain_client.py): a new
  WebSocket to `<base>/mcp` for every call, up to 3 connection attempts with 2 s / 4 s back-off,
  a JSON-RPC `tools/call` without `initialize`, a reply matched by `id` (frames without one are
  never matched: the call waits its 60 s timeout), `"error"` in the reply raised. The tasks
  swallow every such failure (base_task.py), so nothing here reaches the task's outcome.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

OPEN_TIMEOUT_S = 5.0
CALL_TIMEOUT_S = 10.0
UPSTREAM_TIMEOUT_S = 60.0  # get_brain_client(timeout=60.0)
UPSTREAM_ATTEMPTS = 3


class BrainCallFailed(Exception):
    """The brain could not be reached, refused the call, or answered something else."""


def ws_base(http_url: str) -> str:
    return http_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1).rstrip("/")


def find_similar_characters(brain_url: str, project_id: str, query: str) -> list[dict[str, Any]]:
    """The brain's `find_similar_characters` for `project_id` (results `{id, name, similarity_score}`)."""
    reply = call_tool(brain_url, {"tool": "find_similar_characters", "project_id": project_id, "query": query})
    results = reply.get("results")
    if not isinstance(results, list):
        raise BrainCallFailed(f"brain find_similar_characters answered without a results list: {_short(reply)}")
    return [item for item in results if isinstance(item, dict)]


def call_tool(brain_url: str, frame: dict[str, Any]) -> dict[str, Any]:
    target = ws_base(brain_url) + "/"
    tool = frame.get("tool")
    try:
        with connect(target, open_timeout=OPEN_TIMEOUT_S, close_timeout=2.0, max_size=8 * 1024 * 1024) as ws:
            ws.send(json.dumps(frame))
            raw = ws.recv(timeout=CALL_TIMEOUT_S)
    except TimeoutError as error:
        raise BrainCallFailed(f"brain {tool} at {target}: no reply within {CALL_TIMEOUT_S:g} s") from error
    except (OSError, WebSocketException) as error:
        raise BrainCallFailed(f"brain {tool} at {target}: {type(error).__name__}: {error}") from error
    try:
        reply = json.loads(raw)
    except ValueError as error:
        raise BrainCallFailed(f"brain {tool} answered non-JSON: {_short(raw)}") from error
    if not isinstance(reply, dict) or reply.get("status") not in ("success", "error"):
        raise BrainCallFailed(f"brain {tool} answered outside its envelope: {_short(reply)}")
    if reply["status"] == "error":
        raise BrainCallFailed(f"brain {tool} refused: {reply.get('message', '')}")
    return reply


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:300]


class UpstreamBrain:
    """celery-redis's BrainServiceClient, call by call (one connection per call, as its
    `async with brain_client.connection()` wrappers do)."""

    def __init__(self, brain_url: str, *, sleep: Callable[[float], None], time_scale: float = 1.0) -> None:
        self.ws_url = ws_base(brain_url) + "/mcp"
        self._sleep = sleep
        self._scale = max(time_scale, 1e-9)
        self._ids = itertools.count(1)
        self.calls: list[dict[str, Any]] = []  # what happened, for the worker's log

    def search_similar_tasks(self, description: str, task_type: str, limit: int) -> list[dict[str, Any]]:
        result = self._tool("search_embeddings", {"query": f"{description} task_type:{task_type}", "limit": limit})
        return list(result.get("results", [])) if isinstance(result, dict) else []

    def get_task_history(self, task_type: str, limit: int) -> list[dict[str, Any]]:
        arguments = {"knowledge_type": "task_result", "query": {"task_type": task_type, "limit": limit}}
        result = self._tool("get_knowledge", arguments)
        return list(result.get("results", [])) if isinstance(result, dict) else []

    def get_task_context(self, task_id: str) -> dict[str, Any] | None:
        """What the status route asks before answering (app/api/tasks.py:177-185)."""
        result = self._tool("get_knowledge", {"knowledge_type": "task_context", "query": {"task_id": task_id}})
        found = result.get("results", []) if isinstance(result, dict) else []
        return dict(found[0].get("content", {})) if found and isinstance(found[0], dict) else None

    def store_task_context(self, task_id: str, context: dict[str, Any]) -> str:
        content = {"task_id": task_id, "context": context, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S")}
        result = self._tool("store_knowledge", {"knowledge_type": "task_context", "content": content})
        return str(result.get("id", "")) if isinstance(result, dict) else ""

    def _tool(self, name: str, arguments: dict[str, Any]) -> Any:
        started = time.monotonic()
        try:
            result = self._send(name, arguments)
            self.calls.append({"tool": name, "ok": True, "s": round(time.monotonic() - started, 3)})
            return result
        except Exception as error:
            self.calls.append({"tool": name, "ok": False, "error": f"{type(error).__name__}: {error}"[:300]})
            raise

    def _send(self, name: str, arguments: dict[str, Any]) -> Any:
        with self._connect() as ws:
            request_id = next(self._ids)
            frame = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call"}
            ws.send(json.dumps({**frame, "params": {"name": name, "arguments": arguments}}, default=str))
            deadline = time.monotonic() + UPSTREAM_TIMEOUT_S / self._scale
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BrainCallFailed(f"Request {request_id} timed out")
                try:
                    data = json.loads(ws.recv(timeout=remaining))
                except ValueError:
                    continue  # "Received invalid JSON from brain service": logged, ignored
                except TimeoutError:
                    continue
                if isinstance(data, dict) and data.get("id") == request_id:
                    if "error" in data:
                        raise BrainCallFailed(f"Brain service error: {data['error']}")
                    return data.get("result", {})

    def _connect(self) -> Any:
        last: Exception | None = None
        for attempt in range(1, UPSTREAM_ATTEMPTS + 1):
            try:
                return connect(self.ws_url, open_timeout=10.0, close_timeout=2.0)
            except (OSError, WebSocketException, TimeoutError) as error:
                last = error
                if attempt < UPSTREAM_ATTEMPTS:
                    self._sleep(2**attempt / self._scale)
        raise BrainCallFailed(f"Failed to connect after {UPSTREAM_ATTEMPTS} attempts: {last}")

"""Exceptions of the MCP client. All subclass `workbook.WorkbookError`."""

from __future__ import annotations

from typing import Any

from ..errors import UsageError, WorkbookError


class McpError(WorkbookError):
    """Base class for everything the MCP WebSocket client reports."""


class McpUsageError(McpError, UsageError):
    """A probe or client argument is invalid; the message names the value and what was expected."""


class McpConnectError(McpError):
    """The WebSocket connection could not be opened (refused, timed out, rejected handshake)."""

    def __init__(self, url: str, cause: str, *, timed_out: bool = False) -> None:
        self.url = url
        self.cause = cause
        self.timed_out = timed_out
        super().__init__(f"could not open WebSocket {url}: {cause}")


class McpTimeoutError(McpError):
    """No reply arrived within the per-message timeout (the server may ignore malformed input)."""

    def __init__(self, method: str, request_id: int | str | None, timeout_s: float) -> None:
        self.method = method
        self.request_id = request_id
        self.timeout_s = timeout_s
        super().__init__(f"no reply to {method!r} (id {request_id!r}) within {timeout_s:g} s")


class McpConnectionClosedError(McpError):
    """The connection closed while a request was outstanding (or before it could be sent)."""

    def __init__(self, method: str, code: int | None, reason: str) -> None:
        self.method = method
        self.code = code
        self.reason = reason
        super().__init__(f"connection closed during {method!r} (close code {code}, reason {reason!r})")


class McpProtocolError(McpError):
    """A message from the server is not valid JSON-RPC 2.0 / MCP."""


class McpDialectError(McpError):
    """The server answered valid JSON in another envelope than the dialect spoken (e.g. a flat
    `{"status": ...}` reply to a JSON-RPC request, or a JSON-RPC reply to a `{"tool": ...}` frame).

    Raised at once, on the first such frame (never waited out as a timeout): `frame` is what the
    server sent, `frames` every frame of the exchange so far (evidence)."""

    def __init__(self, url: str, dialect: str, frame: Any, frames: tuple[Any, ...] = ()) -> None:
        self.url = url
        self.dialect = dialect
        self.frame = frame
        self.frames = frames or (frame,)
        shown = frame if isinstance(frame, str) else repr(frame)
        super().__init__(f"the server at {url} does not speak {dialect}: it answered {shown[:300]}")


class McpResultShapeError(McpProtocolError):
    """A tool result is valid MCP but in no shape this client knows how to read (never a verdict
    on what the tool did: the check that hit it says "unrecognised result shape")."""

    def __init__(self, tool: str, shape: str) -> None:
        self.tool = tool
        self.shape = shape
        super().__init__(f"unrecognised result shape from {tool!r}: {shape}")


class McpRpcError(McpError):
    """The server answered a request with a JSON-RPC error object."""

    def __init__(self, method: str, code: int, message: str, data: Any = None) -> None:
        self.method = method
        self.code = code
        self.rpc_message = message
        self.data = data
        super().__init__(f"{method!r} answered with JSON-RPC error {code}: {message}")


class McpToolError(McpError):
    """`tools/call` returned a result with `isError: true` (a tool execution error)."""

    def __init__(self, tool: str, text: str) -> None:
        self.tool = tool
        self.text = text
        super().__init__(f"tool {tool!r} reported an error: {text}")


def error_kind(error: BaseException) -> str:
    """A short, stable label for counting errors by kind in probe results."""
    if isinstance(error, McpTimeoutError):
        return "timeout"
    if isinstance(error, McpConnectError):
        return "connect_timeout" if error.timed_out else "connect_failed"
    if isinstance(error, McpConnectionClosedError):
        return "connection_closed"
    if isinstance(error, McpDialectError):
        return "dialect"
    if isinstance(error, McpRpcError):
        return f"rpc_error:{error.code}"
    if isinstance(error, McpToolError):
        return "tool_error"
    if isinstance(error, McpResultShapeError):
        return "result_shape"
    if isinstance(error, McpProtocolError):
        return "protocol_error"
    return f"exception:{type(error).__name__}"

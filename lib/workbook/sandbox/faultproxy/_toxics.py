"""Toxic definitions in Toxiproxy's JSON shape, and the validation its API applies.

A toxic is `{"name", "type", "stream", "toxicity", "attributes"}`; `name` defaults to
`<type>_<stream>`, `stream` to `downstream`, `toxicity` to 1.0. Attributes are integers in the
units Toxiproxy documents (ms, except slicer's `delay` in microseconds and bandwidth's `rate`
in KB/s); unknown attributes are ignored and missing ones are 0, as Go's JSON decoder does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STREAMS = ("upstream", "downstream")
# type -> attribute names (all integers)
TOXIC_TYPES: dict[str, tuple[str, ...]] = {
    "latency": ("latency", "jitter"),
    "bandwidth": ("rate",),
    "slow_close": ("delay",),
    "timeout": ("timeout",),
    "reset_peer": ("timeout",),
    "slicer": ("average_size", "size_variation", "delay"),
    "limit_data": ("bytes",),
}


class ApiError(Exception):
    """An error answered as Toxiproxy does: `{"error": message, "status": code}`."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"error": self.message, "status": self.status}


BAD_BODY = "bad request body"
INVALID_STREAM = ApiError("stream was invalid, can be either upstream or downstream", 400)
INVALID_TYPE = ApiError("invalid toxic type", 400)
TOXIC_EXISTS = ApiError("toxic already exists", 409)
TOXIC_NOT_FOUND = ApiError("toxic not found", 404)
PROXY_NOT_FOUND = ApiError("proxy not found", 404)
PROXY_EXISTS = ApiError("proxy already exists", 409)


@dataclass
class Toxic:
    name: str
    type: str
    stream: str
    toxicity: float
    attributes: dict[str, int] = field(default_factory=dict)

    def attr(self, name: str) -> int:
        return int(self.attributes.get(name, 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "attributes": dict(self.attributes),
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": self.toxicity,
        }


def parse_toxic(body: Any) -> Toxic:
    """A new toxic from a create request body, or ApiError as Toxiproxy would answer."""
    if not isinstance(body, Mapping):
        raise ApiError(f"{BAD_BODY}: expected a JSON object", 400)
    stream = body.get("stream", "downstream") or "downstream"
    if stream not in STREAMS:
        raise INVALID_STREAM
    toxic_type = body.get("type")
    if toxic_type not in TOXIC_TYPES:
        raise INVALID_TYPE
    name = body.get("name") or f"{toxic_type}_{stream}"
    toxicity = _toxicity(body.get("toxicity", 1.0))
    return Toxic(
        name=str(name),
        type=str(toxic_type),
        stream=stream,
        toxicity=toxicity,
        attributes=parse_attributes(str(toxic_type), body.get("attributes") or {}, {}),
    )


def updated_toxic(toxic: Toxic, body: Any) -> Toxic:
    """The toxic with a PATCH body applied: attributes merge, toxicity may change; name/type/stream stay."""
    if not isinstance(body, Mapping):
        raise ApiError(f"{BAD_BODY}: expected a JSON object", 400)
    attributes = parse_attributes(toxic.type, body.get("attributes") or {}, toxic.attributes)
    toxicity = _toxicity(body.get("toxicity", toxic.toxicity))
    return Toxic(name=toxic.name, type=toxic.type, stream=toxic.stream, toxicity=toxicity, attributes=attributes)


def parse_attributes(toxic_type: str, given: Any, current: Mapping[str, int]) -> dict[str, int]:
    if not isinstance(given, Mapping):
        raise ApiError(f"{BAD_BODY}: attributes must be an object", 400)
    values = {name: int(current.get(name, 0)) for name in TOXIC_TYPES[toxic_type]}
    for name in TOXIC_TYPES[toxic_type]:
        if name not in given:
            continue
        value = given[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ApiError(f"{BAD_BODY}: attribute {name!r} of {toxic_type} must be a non-negative integer", 400)
        values[name] = int(value)
    return values


def _toxicity(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ApiError(f"{BAD_BODY}: toxicity must be a number in 0..1", 400)
    return float(value)

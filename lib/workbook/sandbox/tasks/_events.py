"""Publishing a task's progress events: a sequence number, a history list, a pub/sub message.

Two Redis scripts make every step safe to retry after a lost reply (a reset connection, a Redis
restart): `reserve` gives an event its sequence number once (keyed by the event's id), `emit`
appends it to the history and publishes it once. Events reach subscribers at most once over
pub/sub, so subscribers detect gaps by sequence number and backfill from the history.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import redis

from . import _keys as keys
from ._switches import FileSwitches

RESERVE = """
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return tonumber(existing) end
local seq = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], seq)
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return seq
"""
EMIT = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', KEYS[3], ARGV[2])
return 1
"""


class EventPublisher:
    """One task attempt's events, numbered in the order they are reserved."""

    def __init__(self, client: redis.Redis, task_id: str, *, attempt: int, worker: str, switches: FileSwitches):
        self.client = client
        self.task_id = task_id
        self.attempt = attempt
        self.worker = worker
        self.switches = switches
        self._reserve = client.register_script(RESERVE)
        self._emit = client.register_script(EMIT)
        self._held: tuple[str, str] | None = None  # reorder_progress: one event waits for the next
        self._progress_count = 0

    def progress(self, percent: float, message: str = "", **extra: Any) -> int:
        self._progress_count += 1
        event = self._event("progress", "PROGRESS", percent, message, extra)
        if self.switches.on("drop_progress") and self._progress_count % 3 == 0:
            return self._reserve_seq(event[0])  # numbered, never published: a gap
        return self._send(event, may_hold=True)

    def state(self, state: str, percent: float, message: str = "", **extra: Any) -> int:
        event = self._event("state", state, percent, message, extra)
        if state in keys.TERMINAL_STATES and self.switches.on("no_terminal_event"):
            self.flush()
            return self._reserve_seq(event[0])
        seq = self._send(event, may_hold=False)
        return seq

    def flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._emit_one(*held)

    def _event(self, kind: str, state: str, percent: float, message: str, extra: dict[str, Any]) -> tuple[str, str]:
        event_id = uuid.uuid4().hex
        body = {
            "task_id": self.task_id,
            "event_id": event_id,
            "type": kind,
            "state": state,
            "progress": round(float(percent), 2),
            "attempt": self.attempt,
            "worker": self.worker,
            "pid": os.getpid(),
            "time": time.time(),
            "message": message,
            **extra,
        }
        return event_id, json.dumps(body)

    def _send(self, event: tuple[str, str], *, may_hold: bool) -> int:
        event_id, body = event
        seq = self._reserve_seq(event_id)
        payload = '{"seq": %d, %s' % (seq, body[1:])  # noqa: UP031 - splice seq into the JSON object
        if may_hold and self.switches.on("reorder_progress") and self._held is None:
            self._held = (event_id, payload)
            return seq
        self._emit_one(event_id, payload)
        self.flush()
        return seq

    def _reserve_seq(self, event_id: str) -> int:
        return int(
            self._reserve(keys=[keys.seq(self.task_id), keys.ids(self.task_id)], args=[event_id, keys.EVENT_TTL_S])
        )

    def _emit_one(self, event_id: str, payload: str) -> None:
        self._emit(
            keys=[keys.events(self.task_id), keys.emitted(self.task_id), keys.channel(self.task_id)],
            args=[event_id, payload, keys.EVENT_TTL_S],
        )

"""Section 1: Redis itself (auth, key/value with expiry, pub/sub delivery, atomic counters).

Every key and channel this notebook touches is namespaced by the run id and deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def client(url: str, password: str | None, *, timeout_s: float = 3.0) -> redis.Redis:
    """A password inside the URL wins over `password` (redis-py's rule)."""
    return redis.Redis.from_url(
        url, password=password or None, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
    )


def without_password(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


def auth_problems(url: str, password: str) -> tuple[list[str], dict[str, Any]]:
    """PING answers; when Redis has a password (in the URL or named), it refuses without it. The
    platform ships Redis without one: then that is noted, not failed."""
    problems: list[str] = []
    started = time.perf_counter()
    with client(url, password) as authed:
        if authed.ping() is not True:
            problems.append("PING did not answer PONG")
    measured: dict[str, Any] = {"ping_ms": round((time.perf_counter() - started) * 1000, 2)}
    secret = password or (redis.connection.parse_url(url).get("password") or "")
    measured["password"] = bool(secret)
    if not secret:
        return problems, measured
    bare = without_password(url)
    for label, wrong in (("without a password", None), ("with a wrong password", secret + "-wrong")):
        anonymous = redis.Redis.from_url(bare, password=wrong, socket_timeout=3.0, retry=Retry(NoBackoff(), 0))
        try:
            anonymous.ping()
            problems.append(f"Redis answered PING {label}: requirepass is not enforced")
        except (redis.AuthenticationError, redis.ResponseError) as error:
            measured[f"refused_{label.split()[0]}"] = type(error).__name__
        finally:
            anonymous.close()
    return problems, measured


def kv_problems(redis_client: redis.Redis, prefix: str) -> tuple[list[str], dict[str, Any]]:
    problems = []
    key = f"{prefix}:kv"
    value = f"value-{prefix}".encode()
    redis_client.set(key, value)
    if redis_client.get(key) != value:
        problems.append("GET did not return the value SET")
    redis_client.set(f"{key}:ttl", b"1", px=300)
    ttl = redis_client.pttl(f"{key}:ttl")
    if not 0 < ttl <= 300:
        problems.append(f"PTTL {ttl} after SET PX 300, expected 1..300")
    time.sleep(0.45)
    if redis_client.exists(f"{key}:ttl"):
        problems.append("a key set with a 300 ms expiry still exists after 450 ms")
    redis_client.delete(key)
    return problems, {"pttl_ms": ttl}


def pubsub_problems(redis_client: redis.Redis, prefix: str, count: int) -> tuple[list[str], dict[str, Any]]:
    channel = f"{prefix}:channel"
    subscriber = redis_client.pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(channel)
    subscriber.get_message(timeout=1.0)  # the subscribe confirmation
    received: list[int] = []
    started = time.perf_counter()

    def publish() -> None:
        for index in range(count):
            redis_client.publish(channel, str(index))

    publisher = threading.Thread(target=publish)
    publisher.start()
    deadline = time.monotonic() + 10.0
    while len(received) < count and time.monotonic() < deadline:
        message = subscriber.get_message(timeout=0.5)
        if message and message["type"] == "message":
            received.append(int(message["data"]))
    publisher.join(10.0)
    elapsed = time.perf_counter() - started
    subscriber.close()
    problems = []
    if len(received) != count:
        problems.append(f"{count - len(received)} of {count} pub/sub messages were lost")
    if received != sorted(received):
        problems.append("pub/sub messages arrived out of order")
    return problems, {"messages": count, "received": len(received), "messages_per_s": round(count / elapsed, 1)}


def counter_problems(url: str, password: str, prefix: str, increments: int) -> tuple[list[str], dict[str, Any]]:
    """Four clients INCR one key concurrently; the total must be exact (no lost update)."""
    key = f"{prefix}:counter"
    threads = 4
    per_thread = max(1, increments // threads)

    def work() -> None:
        with client(url, password) as own:
            pipe = own.pipeline(transaction=False)
            for _ in range(per_thread):
                pipe.incr(key)
            pipe.execute()

    with client(url, password) as main:
        main.delete(key)
        workers = [threading.Thread(target=work) for _ in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30.0)
        elapsed = time.perf_counter() - started
        total = int(main.get(key) or 0)
        main.delete(key)
    expected = threads * per_thread
    problems = [] if total == expected else [f"counter is {total} after {expected} concurrent INCRs: updates were lost"]
    return problems, {"increments": expected, "total": total, "incr_per_s": round(expected / elapsed, 1)}

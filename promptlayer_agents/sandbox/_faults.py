"""Fault injection: latency, 429s, 503s and dropped connections, applied to every request."""

from __future__ import annotations

import asyncio
import random
from dataclasses import InitVar, dataclass

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ._errors import error_response


@dataclass(frozen=True)
class Faults:
    """Failures to inject, all off by default. Fractions are of requests, in [0, 1]. The names
    are those of the command's flags (`--rate-limit` is `rate_limit`); `rate_limited=` and
    `dropped=`, the names before 0.2, are still accepted."""

    latency: float = 0.0
    rate_limit: float = 0.0
    unavailable: float = 0.0
    drop: float = 0.0
    retry_after: int = 1
    seed: int | None = None
    rate_limited: InitVar[float | None] = None
    dropped: InitVar[float | None] = None

    def __post_init__(self, rate_limited: float | None, dropped: float | None) -> None:
        if rate_limited is not None:
            object.__setattr__(self, "rate_limit", rate_limited)
        if dropped is not None:
            object.__setattr__(self, "drop", dropped)
        for name in ("rate_limit", "unavailable", "drop"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"faults.{name} is a fraction in [0, 1]")
        if self.latency < 0 or self.retry_after < 0:
            raise ValueError("faults.latency and faults.retry_after must be >= 0")


def injected(faults: Faults, dice: random.Random) -> Response | None:
    """The 429 or 503 this request gets instead of an answer, if the dice say so."""
    roll = dice.random()
    retry = {"Retry-After": str(faults.retry_after)}
    if roll < faults.rate_limit:
        return error_response(429, "Too many requests (sandbox fault injection)", headers=retry)
    if roll < faults.rate_limit + faults.unavailable:
        return error_response(503, "Service unavailable (sandbox fault injection)", headers=retry)
    return None


async def delay(faults: Faults) -> None:
    """The injected latency."""
    if faults.latency:
        await asyncio.sleep(faults.latency)


def maybe_dropped(faults: Faults, dice: random.Random, response: Response) -> Response:
    """The answer, or (if the dice say so) a connection dropped after the request was handled."""
    return DroppedConnection() if dice.random() < faults.drop else response


class DroppedConnection(Response):
    """Starts an answer and never finishes it: the client sees the connection drop."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"succ', "more_body": True})

"""How long a connection may hold one of the sandbox's connection slots without doing its part.

Every connection counts against `max_connections` while it is open, so a client that opens
connections and sends nothing, or sends a request slowly (a few bytes of its head, or of its
body, now and then), could hold every slot. Each connection is therefore always in one of these
phases, each with its own deadline, after which the sandbox closes it:

- idle (no request under way: just opened, or its last answer sent): `idle` seconds;
- receiving a request's line and headers: `header` seconds from their first byte, however
  slowly they trickle in;
- receiving its body: `body` seconds from the end of the headers (a request cut off there starts
  nothing: the API sees the client gone before its whole body arrived);
- the request is being handled and answered: no deadline here (the handler's own work is
  bounded elsewhere).
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class ConnectionTimeouts:
    """Seconds a connection may be idle, take sending a request's head, and take sending its
    body, before the sandbox closes it."""

    idle: float = 5.0
    header: float = 10.0
    body: float = 30.0

    def __post_init__(self) -> None:
        for name in ("idle", "header", "body"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"the {name} timeout is a number of seconds, not {value!r}")
            if not 0 < value < math.inf:
                raise ValueError(f"the {name} timeout must be > 0 seconds and finite, not {value}")


def timed_protocol(timeouts: ConnectionTimeouts) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection that overstays its phase's deadline."""

    class TimedH11Protocol(H11Protocol):
        """One connection, watched: see the module's docstring for the phases."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._timer: asyncio.TimerHandle | None = None
            self._phase: tuple[str, float] | None = None  # (phase, when it began)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._watch()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._watch()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_timer()
            super().connection_lost(exc)

        def _current_phase(self) -> str | None:
            """Which deadline applies now: idle, header, body, or none (being answered)."""
            theirs = self.conn.their_state
            if theirs is h11.SEND_BODY:
                return "body"
            answering = self.cycle is not None and not self.cycle.response_complete
            if theirs is not h11.IDLE or answering:
                return None
            return "header" if self.conn.trailing_data[0] else "idle"

        def _watch(self) -> None:
            """Arm the deadline of the phase the connection is in; a phase keeps the deadline
            it began with, so trickling bytes does not extend it."""
            phase = self._current_phase()
            if phase is None:
                self._phase = None
                self._stop_timer()
                return
            if self._phase is not None and self._phase[0] == phase:
                return
            self._stop_timer()
            self._phase = (phase, self.loop.time())
            limit = {"idle": timeouts.idle, "header": timeouts.header, "body": timeouts.body}
            self._timer = self.loop.call_later(limit[phase], self._expire)

        def _expire(self) -> None:
            """The phase's deadline passed: close the connection, freeing its slot."""
            self._timer = None
            if self._phase is not None and self._phase[0] != "idle":
                self.logger.info("sandbox: closed a connection too slow sending its request")
            self.transport.close()

        def _stop_timer(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    return TimedH11Protocol

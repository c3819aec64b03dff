"""Serving the sandbox: in the foreground (the command line) or on a thread (tests, demos).

The listening socket is bound before the server starts, so the URL is known and usable at once;
connections made before uvicorn is ready wait in the socket's backlog.

Limits against abuse, all configurable: connections and requests in progress (uvicorn's
`limit_concurrency`: past it, uvicorn answers 503), the size of a request's line and headers
(`h11_max_incomplete_event_size`: past it, 400), the body size (`create_app`'s
`max_body_bytes`: 413), and how long a connection may stay idle or take sending its request's
head or body (`ConnectionTimeouts`, in `_connections`: past it, the connection is closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import socket
import threading
from collections.abc import Callable, Iterable
from types import FrameType, TracebackType
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette

from ._app import DEFAULT_API_KEY, SandboxState, create_app
from ._connections import ConnectionTimeouts, timed_protocol
from ._faults import Faults
from ._tapes import tape_for

STOP_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 1000  # connections and requests in progress at once
DEFAULT_MAX_HEADER_BYTES = 64 * 1024  # the request line and headers together


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they
    # are TCP, and without that every answer written in two parts waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """The http URL a bound socket serves."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _QuietShutdown(logging.Filter):
    """Leaves out uvicorn's traceback for a request cancelled because the server is stopping
    (the client sees its connection close; the traceback says nothing more), and its complaint
    about an answer left unfinished, which is what an injected dropped connection is."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        dropped = record.getMessage().startswith("ASGI callable returned without completing")
        return not isinstance(error, asyncio.CancelledError) and not dropped


class _Server(uvicorn.Server):
    """uvicorn's server, which stops as soon as asked (`wake`, or a signal) rather than at its
    next tick: a sandbox started and stopped per test costs no idle tenth of a second."""

    TICK = 0.1  # uvicorn's: its tick refreshes the Date header every tenth tick

    _wakeup: Callable[[], object] | None = None  # cuts the tick in progress short, from any thread

    async def main_loop(self) -> None:
        """uvicorn's loop of ticks, each cut short when the server is told to exit."""
        woken = asyncio.Event()
        self._wakeup = functools.partial(asyncio.get_running_loop().call_soon_threadsafe, woken.set)
        counter = 0
        while not await self.on_tick(counter):
            counter += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), self.TICK)

    def wake(self) -> None:
        """Tell the server to exit now; from any thread, before, during or after it serves."""
        self.should_exit = True
        if self._wakeup is not None:
            with contextlib.suppress(RuntimeError):  # its loop has already ended
                self._wakeup()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Ctrl-C or SIGTERM in the foreground: uvicorn's handling, then stop at once."""
        super().handle_exit(sig, frame)
        self.wake()


def uvicorn_server(
    app: Starlette,
    *,
    log_level: str,
    access_log: bool = False,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    timeouts: ConnectionTimeouts | None = None,
) -> _Server:
    """uvicorn with the sandbox's limits; one line per request only with `access_log`. h11
    always (not httptools when installed), so the header limit is the same everywhere, and the
    connection timeouts apply."""
    timeouts = timeouts or ConnectionTimeouts()
    if max_connections < 1 or max_header_bytes < 1:
        raise ValueError("max_connections and max_header_bytes must be at least 1")
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        timeout_graceful_shutdown=2,
        http=timed_protocol(timeouts),
        timeout_keep_alive=max(1, math.ceil(timeouts.idle)),
        limit_concurrency=max_connections + 1,  # uvicorn counts the connection asking too
        h11_max_incomplete_event_size=max_header_bytes,
    )
    errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietShutdown) for f in errors.filters):
        errors.addFilter(_QuietShutdown())
    return _Server(config)


class Sandbox:
    """A sandbox server on a background thread: `with Sandbox() as sandbox: sandbox.url`.

    Binds 127.0.0.1 on a free port unless told otherwise; stops (and stops listening) on exit.
    `max_connections`, `max_header_bytes` and `timeouts` limit the server (see the module's
    docstring); other keyword arguments go to `create_app`. `record=FILE` (with `upstream`,
    `redact_inputs`) makes it a recording proxy, `replay=FILE` (with `speed`, `fallback`) replays
    a cassette: see `_tapes`.
    """

    def __init__(
        self,
        agents: Any = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = DEFAULT_API_KEY,
        faults: Faults | None = None,
        log_level: str = "warning",
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
        timeouts: ConnectionTimeouts | None = None,
        record: str | os.PathLike[str] | None = None,
        upstream: str | None = None,
        redact_inputs: Iterable[str] = (),
        replay: str | os.PathLike[str] | None = None,
        speed: float = 1.0,
        fallback: str | None = None,
        **options: Any,
    ) -> None:
        self.api_key = api_key
        self.app = create_app(agents, api_key=api_key, faults=faults, **options)
        self.state.tape = tape_for(
            self.state,
            record=record,
            upstream=upstream,
            redact_inputs=redact_inputs,
            replay=replay,
            speed=speed,
            fallback=fallback,
        )
        self._host, self._port, self._log_level = host, port, log_level
        self._max_connections, self._max_header_bytes = max_connections, max_header_bytes
        self._timeouts = timeouts
        self._sock: socket.socket | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> SandboxState:
        """What the server holds and has seen (executions, request counts)."""
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def url(self) -> str:
        if self._sock is None:
            raise RuntimeError("the sandbox is not running")
        return url_of(self._sock)

    def start(self) -> None:
        self._sock = bind(self._host, self._port)
        self._server = uvicorn_server(
            self.app,
            log_level=self._log_level,
            max_connections=self._max_connections,
            max_header_bytes=self._max_header_bytes,
            timeouts=self._timeouts,
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and wait (bounded) for the server thread to end."""
        if self._server is not None:
            self._server.wake()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive():
                raise RuntimeError("the sandbox did not stop within its timeout")
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    sock: socket.socket,
    app: Starlette,
    *,
    log_level: str = "info",
    access_log: bool = False,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    timeouts: ConnectionTimeouts | None = None,
) -> None:
    """Serve in the foreground until interrupted (Ctrl-C)."""
    server = uvicorn_server(
        app,
        log_level=log_level,
        access_log=access_log,
        max_connections=max_connections,
        max_header_bytes=max_header_bytes,
        timeouts=timeouts,
    )
    server.run(sockets=[sock])

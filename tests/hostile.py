"""A hostile HTTP server for the adversarial tests: it answers every request with whatever bytes a
behaviour writes, as slowly as it likes, on 127.0.0.1 and a free port, and stops with the test.

A behaviour is a function `(connection, request, stop)`: it writes to the socket, may pace itself
with `stop.wait(...)` (which returns at once when the server stops), and the connection is closed
when it returns.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

# A closed connection under a trickle, or a reset while reading: the client gave up, as it should.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError)


@dataclass(frozen=True)
class Request:
    """What the client sent: the request line and headers (lower-case names), and the body."""

    line: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[[socket.socket, Request, threading.Event], None]


class HostileServer:
    """`with HostileServer(behaviour) as server:` serves `server.url`; `server.requests` lists
    what arrived. Every connection gets its own thread; all stop when the block ends."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[Request] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> HostileServer:
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        for thread in list(self._threads):
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(connection)
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            try:
                request = _read_request(connection)
                if request is None:
                    return
                self.requests.append(request)
                self.behaviour(connection, request, self._stop)
            except _GONE:
                return


def _read_request(connection: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for header in lines:
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(line, headers, body)


def head(status: int = 200, headers: dict[str, str] | None = None, reason: str = "X") -> bytes:
    """A status line and headers (Connection: close added), up to the blank line."""
    lines = [f"HTTP/1.1 {status} {reason}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int, body: bytes, headers: dict[str, str] | None = None, reason: str = "X"
) -> Behaviour:
    """Answer `body` with this status and headers (Content-Length added unless given)."""
    all_headers = {"Content-Length": str(len(body)), **(headers or {})}

    def behaviour(connection: socket.socket, request: Request, stop: threading.Event) -> None:
        connection.sendall(head(status, all_headers, reason) + body)

    return behaviour


def json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Behaviour:
    return answer(
        status, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


def raw(data: bytes) -> Behaviour:
    """Write these bytes as they are (garbage, a truncated answer, ...)."""

    def behaviour(connection: socket.socket, request: Request, stop: threading.Event) -> None:
        connection.sendall(data)

    return behaviour


def trickle(data: bytes, every: float = 0.5, then: bytes = b"") -> Behaviour:
    """Send `then` at once, then `data` one byte every `every` seconds, until done or stopped."""

    def behaviour(connection: socket.socket, request: Request, stop: threading.Event) -> None:
        connection.sendall(then)
        for byte in data:
            if stop.wait(every):
                return
            connection.sendall(bytes([byte]))

    return behaviour


def trickle_headers(every: float = 0.5, lasting: float = 10.0) -> Behaviour:
    """A status line, then a header one byte at a time for `lasting` seconds (so that a client
    that does not give up in time fails its test instead of hanging it), then a valid answer."""
    slow = b"X-Slow: " + b"a" * int(lasting / every)
    return trickle(slow + b"\r\nContent-Length: 2\r\n\r\n{}", every, then=b"HTTP/1.1 200 OK\r\n")


def trickle_body(every: float = 0.5, lasting: float = 10.0) -> Behaviour:
    """Headers at once, then a body one byte at a time for `lasting` seconds."""
    body = b'{"A": ' + b" " * int(lasting / every) + b"1}"
    return trickle(body, every, then=head(200, {"Content-Length": str(len(body))}))


def hang(connection: socket.socket, request: Request, stop: threading.Event) -> None:
    """Read the request and never answer."""
    stop.wait(60)


def echo_key(status: int = 401) -> Behaviour:
    """An error that repeats the request's X-API-KEY in its body and its headers."""

    def behaviour(connection: socket.socket, request: Request, stop: threading.Event) -> None:
        key = request.headers.get("x-api-key", "")
        body = json.dumps({"message": f"bad key {key}", "key": key}).encode()
        headers = {"Content-Type": "application/json", "X-Request-Id": key}
        connection.sendall(head(status, {"Content-Length": str(len(body)), **headers}) + body)

    return behaviour


def gzip_bomb(megabytes: int) -> bytes:
    """A gzip stream that decompresses to `megabytes` MiB of zeros, about 1 KiB per MiB: full
    flushes make each MiB compress to the same bytes, so it is built without compressing it all.
    It has no trailer: a client that reads to the end is already lost."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + again * (megabytes - 1)


def deep_json(depth: int) -> bytes:
    """`[[[...]]]` nested `depth` deep."""
    return b"[" * depth + b"]" * depth


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)

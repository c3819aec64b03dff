"""Sending one request and reading its answer: a deadline on the whole attempt, a size limit on
the answer, for the blocking and the asyncio client.

httpx's timeouts apply to each read, so a server that sends a byte every half second could hold a
request for ever. Here an attempt has one deadline, `timeout` seconds after it starts:

- asyncio: the whole attempt (waiting for a slot, connecting, sending, reading) runs under
  `asyncio.timeout`, whatever the client's transport.
- blocking: `cap_reads` wraps the network backend of the client's httpx transports so that every
  connect, read and write is given at most the time left before the deadline of the attempt in
  progress (held in a context variable; without one, the backend behaves as before). The body is
  also checked against the deadline between chunks, which is all a transport that is not httpx's
  own gets.

The answer is streamed and decompressed here, never by httpx, at most `max_bytes` bytes after
decompression, so a decompression bomb costs no more memory than a large answer. Anything that
cannot be read becomes an `Unreadable` outcome (or a transport error); this module decides no
error type and no retry: the flows do.
"""

from __future__ import annotations

import time
import zlib
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

if TYPE_CHECKING:
    import asyncio

    from ._flows import Send

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings asked for, and the only ones undone (besides identity)."""
_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})

_deadline: ContextVar[float | None] = ContextVar("promptlayer_agents_deadline", default=None)


@dataclass(frozen=True)
class Unreadable:
    """An answer whose status line came but whose body could not be read: larger than the limit,
    or in an encoding that is unknown or broken."""

    status_code: int
    reason: str


Outcome = httpx.Response | httpx.TransportError | Unreadable
"""What one attempt ends in: a fully read answer, no answer, or an unreadable one."""


class _Refused(Exception):
    """The body cannot be accepted: `reason` says why."""


class _Decoder:
    """Undoes Content-Encoding chunk by chunk without ever holding more than `limit` decoded
    bytes (plus one chunk), so the size is counted after decompression while streaming."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._chunks: list[bytes] = []
        self._layers: list[Any] = []
        names = [name.strip().lower() for name in content_encoding.split(",")]
        for name in reversed([name for name in names if name]):
            if name in ("gzip", "x-gzip", "deflate"):
                # 32 + MAX_WBITS reads both the gzip and the zlib header.
                self._layers.append(zlib.decompressobj(32 + zlib.MAX_WBITS))
            elif name != "identity":
                raise _Refused(f"unsupported Content-Encoding {name[:40]!r}")

    def feed(self, data: bytes) -> None:
        """Decode one raw chunk; `_Refused` when the answer is too large or badly encoded."""
        for layer in self._layers:
            data = self._inflate(layer, data)
        self._keep(data)

    def _inflate(self, layer: Any, data: bytes) -> bytes:
        out = bytearray()
        try:
            while data:
                out += layer.decompress(data, self._limit + 1 - len(out))
                if len(out) > self._limit:
                    raise _Refused(self._too_large())
                data = layer.unconsumed_tail
        except zlib.error as error:
            raise _Refused(f"the answer's compressed body is corrupt ({error})") from None
        return bytes(out)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise _Refused(self._too_large())
        if data:
            self._chunks.append(data)

    def _too_large(self) -> str:
        return f"the answer is larger than max_response_bytes ({self._limit} bytes decoded)"

    def finish(self) -> bytes:
        """The whole decoded body."""
        data = b""
        for layer in self._layers:
            try:
                data = self._inflate(layer, data) + layer.flush()
            except zlib.error as error:
                raise _Refused(f"the answer's compressed body is corrupt ({error})") from None
        self._keep(data)
        return b"".join(self._chunks)


def _request(
    client: httpx.Client | httpx.AsyncClient, action: Send, **extensions: Any
) -> httpx.Request:
    """The httpx request for an action: its timeout, the encodings this module can undo."""
    headers = {**action.request.get("headers", {}), "Accept-Encoding": ACCEPT_ENCODING}
    return client.build_request(
        **{**action.request, "headers": headers},
        timeout=action.timeout,
        extensions=extensions or None,
    )


def _decoder(response: httpx.Response, max_bytes: int) -> tuple[_Decoder, bool]:
    """A decoder for the answer's body, and whether the body is still to be streamed. A transport
    that builds its answers in memory (httpx.MockTransport) hands them over read, and decoded."""
    if response.is_stream_consumed:
        decoder = _Decoder("", max_bytes)
        decoder.feed(response.content)
        return decoder, False
    return _Decoder(response.headers.get("content-encoding", ""), max_bytes), True


def _answer(response: httpx.Response, decoder: _Decoder) -> httpx.Response:
    """A plain, fully read response holding the decoded body (no request attached)."""
    headers = [  # as raw bytes: a header value need not be ASCII
        (name, value)
        for name, value in response.headers.raw
        if name.decode("latin-1").lower() not in _DROPPED_HEADERS
    ]
    return httpx.Response(response.status_code, headers=headers, content=decoder.finish())


def _late(deadline: float) -> httpx.ReadTimeout | None:
    """A read timeout once the attempt's deadline has passed (checked between chunks)."""
    if time.monotonic() > deadline:
        return httpx.ReadTimeout("the answer was not complete within the request timeout")
    return None


def _unexpected(error: Exception) -> httpx.TransportError:
    """Any other failure while sending (an httpx error from a transport of the caller's own, a
    client whose event loop is closed, a URL httpx refuses), as a transport error: the request
    may have been sent, so it is never sent again unless it is a read."""
    return httpx.RemoteProtocolError(f"{type(error).__name__}: {error}")


def send_blocking(client: httpx.Client, action: Send) -> Outcome:
    """Make one attempt with a blocking client, within `action.timeout` seconds in all."""
    deadline = time.monotonic() + action.timeout
    token = _deadline.set(deadline)
    try:
        response = client.send(_request(client, action), stream=True, follow_redirects=False)
        try:
            decoder, streamed = _decoder(response, action.max_bytes)
            for chunk in response.iter_raw() if streamed else ():
                decoder.feed(chunk)
                late = _late(deadline)
                if late is not None:
                    return late
            return _answer(response, decoder)
        except _Refused as refused:
            return Unreadable(response.status_code, str(refused))
        finally:
            response.close()
    except httpx.TransportError as error:
        return error
    except Exception as error:
        return _unexpected(error)
    finally:
        _deadline.reset(token)


async def send_async(client: httpx.AsyncClient, action: Send, slots: asyncio.Semaphore) -> Outcome:
    """Make one attempt with an asyncio client, within `action.timeout` seconds in all, waiting
    for a slot included. A timeout is told apart by how far the attempt got (httpcore's trace):
    before a byte was sent it is a connect or pool timeout, after it a read timeout."""
    import asyncio

    phase = "slot"

    async def trace(event: str, info: object) -> None:
        nonlocal phase
        if event.endswith("send_request_headers.started"):
            phase = "sent"
        elif event == "connection.connect_tcp.started" and phase != "sent":
            phase = "connecting"

    try:
        async with asyncio.timeout(action.timeout):
            async with slots:
                phase = "unknown"  # a transport that does not trace may have sent it
                request = _request(client, action, trace=trace)
                response = await client.send(request, stream=True, follow_redirects=False)
                phase = "sent"
                try:
                    decoder, streamed = _decoder(response, action.max_bytes)
                    if streamed:
                        async for chunk in response.aiter_raw():
                            decoder.feed(chunk)
                    return _answer(response, decoder)
                except _Refused as refused:
                    return Unreadable(response.status_code, str(refused))
                finally:
                    await response.aclose()
    except TimeoutError:
        return _async_timeout(phase)
    except httpx.TransportError as error:
        return error
    except Exception as error:
        return _unexpected(error)


def _async_timeout(phase: str) -> httpx.TimeoutException:
    message = "no complete answer within the request timeout"
    if phase == "slot":
        return httpx.PoolTimeout("waited the whole request timeout for a free slot")
    if phase == "connecting":
        return httpx.ConnectTimeout(message)
    return httpx.ReadTimeout(message)


def cap_reads(client: httpx.Client) -> None:
    """Give every connection this client's httpx transports open a backend whose connects, reads
    and writes end by the deadline of the attempt in progress. Best effort: transports that are
    not httpx's own (or an httpx whose internals differ) are left as they are."""
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend) and not isinstance(backend, _Capped):
            pool._network_backend = _Capped(backend)  # type: ignore[union-attr]


def _capped(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout`, cut to the time left before the current attempt's deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request timeout has passed")
    return left if timeout is None else min(timeout, left)


class _Capped(httpcore.NetworkBackend):
    """A blocking network backend whose every step ends by the current attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _CappedStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _CappedStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _CappedStream(httpcore.NetworkStream):
    """A connection whose reads and writes end by the current attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _CappedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

"""Sending one request and reading its answer: a deadline on the whole attempt, a size limit on
the answer, for the blocking and the asyncio client.

httpx's timeouts apply to each read, so a server that sends a byte every half second could hold a
request for ever. Here an attempt has one deadline, `timeout` seconds after it starts:

- asyncio: the whole attempt (waiting for a slot, connecting, sending, reading) runs under
  `asyncio.timeout`, whatever the client's transport.
- blocking: the attempt's deadline is set in `_transport.attempt_deadline`, which the client that
  `Agents` makes (`_transport.blocking_client`) gives every connect, read and write. The body is
  also checked against the deadline between chunks, which is all an `http_client` of the
  caller's own gets.

The answer is streamed and decompressed here, never by httpx, at most `max_bytes` bytes after
decompression, so a decompression bomb costs no more memory than a large answer. Anything that
cannot be read becomes an `Unreadable` outcome (or a transport error); this module decides no
error type and no retry: the flows do.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._errors import ConfigurationError
from ._transport import attempt_deadline

if TYPE_CHECKING:
    import asyncio

    from ._flows import Send

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings asked for, and the only ones undone (besides identity)."""
_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


C = TypeVar("C", httpx.Client, httpx.AsyncClient)


class Connections(Generic[C]):
    """The httpx client a facade sends with, and when it may: made here or passed in; refused
    once closed; after `fork()`, a client made here is replaced by a new one in the child (the
    child never reads from the parent's connections), and one passed in is refused, since its
    connections are shared with the parent and only its owner can make another."""

    def __init__(self, given: C | None, make: Callable[[], C]) -> None:
        self._make: Callable[[], C] = make
        self._owned = given is None
        self._client: C = make() if given is None else given
        self._pid = os.getpid()
        self._closed = False

    def current(self) -> C:
        """The client to send with now, or `ConfigurationError` (nothing was sent)."""
        if self._closed or self._client.is_closed:
            raise ConfigurationError("the client is closed: make a new one to send requests")
        if os.getpid() != self._pid:
            if not self._owned:
                raise ConfigurationError(
                    "the client was made in another process, before a fork, with an "
                    "http_client whose connections that process shares: make the client in "
                    "this process"
                )
            # The parent's connections are left as they are (never read, written or closed).
            self._client, self._pid = self._make(), os.getpid()
        return self._client

    def close(self) -> C | None:
        """Refuse every later request; the client to close, when it was made here (in this
        process: a child leaves its parent's connections alone)."""
        self._closed = True
        if self._owned and self._pid == os.getpid():
            return self._client
        return None


class Borrowed(Generic[C]):
    """The connections of another client, borrowed by `with_options`: it sends with whatever
    that client sends with now (so a fork or a close there applies here too), and closing it
    only refuses its own later requests, leaving the connections to their owner."""

    def __init__(self, owner: Connections[C] | Borrowed[C]) -> None:
        self._owner: Connections[C] | Borrowed[C] = owner
        self._closed = False

    def current(self) -> C:
        """The owner's client to send with now, or `ConfigurationError` (nothing was sent)."""
        if self._closed:
            raise ConfigurationError("the client is closed: make a new one to send requests")
        return self._owner.current()

    def close(self) -> C | None:
        """Refuse every later request here; there is nothing of its own to close."""
        self._closed = True
        return None


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
    """Undoes Content-Encoding chunk by chunk into one buffer that never holds more than `limit`
    decoded bytes, so the size is counted after decompression while streaming, and reading costs
    about the answer's size however it is chunked (no object per chunk is kept)."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self._limit = limit
        self._body = bytearray()
        self._layers: list[Any] = []
        names = [name.strip().lower() for name in content_encoding.split(",")]
        for name in reversed([name for name in names if name]):
            if name in ("gzip", "x-gzip", "deflate"):
                # 32 + MAX_WBITS reads both the gzip and the zlib header.
                self._layers.append(zlib.decompressobj(32 + zlib.MAX_WBITS))
            elif name != "identity":
                raise _Refused(f"unsupported Content-Encoding {name[:40]!r}")

    def feed(self, data: bytes | bytearray) -> None:
        """Decode one raw chunk; `_Refused` when the answer is too large or badly encoded."""
        for layer in self._layers:
            data = self._inflate(layer, data)
        self._keep(data)

    def _inflate(self, layer: Any, data: bytes | bytearray) -> bytearray:
        """What `data` decompresses to (at most `limit` bytes, not copied again). Bytes after
        the end of the compressed stream are dropped, as httpx does, and not kept (zlib would
        keep them all in `unused_data`)."""
        out = bytearray()
        try:
            while data and not layer.eof:
                out += layer.decompress(data, self._limit + 1 - len(out))
                if len(out) > self._limit:
                    raise _Refused(self._too_large())
                data = layer.unconsumed_tail
        except zlib.error as error:
            raise _Refused(f"the answer's compressed body is corrupt ({error})") from None
        return out

    def _keep(self, data: bytes | bytearray) -> None:
        if len(self._body) + len(data) > self._limit:
            raise _Refused(self._too_large())
        self._body += data

    def _too_large(self) -> str:
        return f"the answer is larger than max_response_bytes ({self._limit} bytes decoded)"

    def finish(self) -> bytes:
        """The whole decoded body (the buffer is emptied, so that only one copy lives on)."""
        data: bytes | bytearray = b""
        for layer in self._layers:
            try:
                data = self._inflate(layer, data) + layer.flush()
            except zlib.error as error:
                raise _Refused(f"the answer's compressed body is corrupt ({error})") from None
        self._keep(data)
        body = bytes(self._body)
        self._body.clear()
        return body


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
    token = attempt_deadline.set(deadline)
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
        attempt_deadline.reset(token)


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

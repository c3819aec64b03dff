"""One attempt, as the flows see it: the request sent, the answer read (streamed, decoded, limited),
and every way it can end (an answer, a transport error, an unreadable answer), on the blocking and
the asyncio path. Transports here are in memory: their answers stream chunk by chunk, as a
network's do."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Iterator, Sequence
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from promptlayer_agents import _http, _transport
from promptlayer_agents._errors import ConfigurationError
from promptlayer_agents._flows import Send

DATA = b'{"A": "' + bytes(range(32, 127)) * 50 + b'"}'
URL = "https://api.test/workflows/bot"


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives in these chunks, and knows how many were pulled and whether it was
    closed."""

    def __init__(self, chunks: Sequence[bytes], on_chunk: Any = None) -> None:
        self.chunks = chunks
        self.on_chunk = on_chunk
        self.closed = False
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if self.on_chunk is not None:
                self.on_chunk()  # the time it takes to arrive
            self.pulled += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Streaming(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers every request with `status`, `headers` and a body streamed in `chunks` (or raises
    `error`), recording the requests and the deadline each was sent under."""

    def __init__(
        self,
        status: int = 200,
        headers: Sequence[tuple[bytes, bytes]] = (),
        chunks: Sequence[bytes] = (DATA,),
        error: Exception | None = None,
        on_chunk: Any = None,
    ) -> None:
        self.status, self.headers, self.error = status, list(headers), error
        self.body = Chunks(chunks, on_chunk)
        self.requests: list[httpx.Request] = []
        self.deadlines: list[float | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.deadlines.append(_transport.attempt_deadline.get())
        if self.error is not None:
            raise self.error
        return httpx.Response(self.status, headers=self.headers, stream=self.body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.handle_request(request)


def send(
    mode: str,
    transport: Streaming,
    *,
    timeout: float = 30.0,
    max_bytes: int = 10_000,
    follow_redirects: bool = False,
    **call: Any,
) -> _http.Outcome:
    """One attempt through `transport`, blocking or asyncio, with an httpx client made with
    these options."""
    request = {"method": "GET", "url": URL, **call}
    action = Send(request=request, timeout=timeout, max_bytes=max_bytes)
    if mode == "sync":
        with httpx.Client(transport=transport, follow_redirects=follow_redirects) as client:
            return _http.send_blocking(client, action)

    async def main() -> _http.Outcome:
        made = httpx.AsyncClient(transport=transport, follow_redirects=follow_redirects)
        async with made as client:
            return await _http.send_async(client, action, asyncio.Semaphore(1))

    return asyncio.run(main())


def gzipped_in(pieces: int, data: bytes = DATA) -> list[bytes]:
    body = gzip.compress(data)
    size = -(-len(body) // pieces)
    return [body[start : start + size] for start in range(0, len(body), size)]


def test_a_streamed_answer_is_decoded_whatever_its_chunks(mode: str) -> None:
    headers = [
        (b"Content-Encoding", b"gzip"),
        (b"Content-Length", b"123"),
        (b"Transfer-Encoding", b"chunked"),
        (b"X-Request-Id", b"req-1"),
        (b"X-Note", "café".encode("latin-1")),
    ]
    transport = Streaming(201, headers, gzipped_in(40))

    answer = send(mode, transport)

    assert isinstance(answer, httpx.Response)
    assert (answer.status_code, answer.content) == (201, DATA)
    # The body is decoded here: its encoding and length headers no longer apply (the length is the
    # decoded body's); the others stay, non-ASCII bytes included.
    assert answer.headers.raw == [
        (b"X-Request-Id", b"req-1"),
        (b"X-Note", "café".encode("latin-1")),
        (b"Content-Length", str(len(DATA)).encode()),
    ]
    assert transport.body.closed


def test_the_request_asks_only_for_encodings_it_can_undo_and_keeps_its_own_headers(
    mode: str,
) -> None:
    transport = Streaming()

    send(mode, transport, timeout=7.5, headers={"X-API-KEY": "k", "Accept-Encoding": "br"})

    (request,) = transport.requests
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.headers["x-api-key"] == "k"
    assert request.extensions["timeout"] == {"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}


@pytest.mark.parametrize("follow_redirects", [False, True])
def test_a_redirect_is_an_answer_not_followed(mode: str, follow_redirects: bool) -> None:
    """Not even by an http_client of the caller's made to follow them: the request (a run, say)
    is never sent again elsewhere."""
    transport = Streaming(302, [(b"Location", b"https://elsewhere.test/")], [b""])

    answer = send(mode, transport, follow_redirects=follow_redirects)

    assert isinstance(answer, httpx.Response) and answer.status_code == 302
    assert len(transport.requests) == 1


CORRUPT = "the answer's compressed body is corrupt ("
TOO_LARGE = f"the answer is larger than max_response_bytes ({len(DATA) - 1} bytes decoded)"


@pytest.mark.parametrize(
    ("headers", "chunks", "max_bytes", "reason"),
    [
        ([], [DATA[:100], DATA[100:]], len(DATA) - 1, TOO_LARGE),
        ([(b"Content-Encoding", b"gzip")], gzipped_in(3), len(DATA) - 1, TOO_LARGE),
        (
            [(b"Content-Encoding", b"gzip")],
            [DATA],
            10_000,
            "the answer's compressed body is corrupt",
        ),
        ([(b"Content-Encoding", b"br")], [DATA], 10_000, "unsupported Content-Encoding 'br'"),
    ],
)
def test_an_answer_that_cannot_be_read_is_unreadable_with_its_status_and_reason(
    mode: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes], max_bytes: int, reason: str
) -> None:
    transport = Streaming(503, headers, chunks)

    answer = send(mode, transport, max_bytes=max_bytes)

    assert isinstance(answer, _http.Unreadable)
    assert answer.status_code == 503
    assert answer.reason.startswith(reason)
    assert transport.body.closed


def test_an_answer_of_exactly_the_limit_is_read(mode: str) -> None:
    answer = send(mode, Streaming(200, [], [DATA[:10], DATA[10:]]), max_bytes=len(DATA))

    assert isinstance(answer, httpx.Response) and answer.content == DATA


def test_a_transport_error_is_the_outcome_itself(mode: str) -> None:
    error = httpx.ConnectError("refused")

    assert send(mode, Streaming(error=error)) is error


def test_any_other_failure_is_a_remote_protocol_error_naming_it(mode: str) -> None:
    answer = send(mode, Streaming(error=RuntimeError("Event loop is closed")))

    assert isinstance(answer, httpx.RemoteProtocolError)
    assert str(answer) == "RuntimeError: Event loop is closed"


def test_the_blocking_attempt_runs_under_its_deadline_and_clears_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_http, "time", SteppedTime(0.0))
    transport = Streaming()

    send("sync", transport, timeout=12.5)

    assert transport.deadlines == [112.5]
    assert _transport.attempt_deadline.get() is None


class SteppedTime:
    """`time` for `_http`: monotonic moves by `step` after each chunk is read."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 100.0, step

    def monotonic(self) -> float:
        return self.now

    def advance(self) -> None:
        self.now += self.step


@pytest.mark.parametrize(("step", "late"), [(3.0, False), (5.0, False), (5.5, True)])
def test_a_blocking_body_still_arriving_after_the_deadline_is_a_read_timeout(
    monkeypatch: pytest.MonkeyPatch, step: float, late: bool
) -> None:
    """The deadline (timeout 10 s) passes before the second chunk with 5.5 s per chunk; at 5 s
    per chunk the body ends exactly at it, which is still in time."""
    clock = SteppedTime(step)
    monkeypatch.setattr(_http, "time", clock)
    transport = Streaming(200, [], [DATA[:10], DATA[10:]], on_chunk=clock.advance)

    answer = send("sync", transport, timeout=10.0)

    if late:
        assert isinstance(answer, httpx.ReadTimeout)
        assert str(answer) == "the answer was not complete within the request timeout"
        assert transport.body.closed
    else:
        assert isinstance(answer, httpx.Response) and answer.content == DATA


# The asyncio attempt: a timeout is told apart by how far the attempt got.


class Hanging(httpx.AsyncBaseTransport):
    """Reports these trace events, then never answers."""

    def __init__(self, *events: str) -> None:
        self.events = events

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        trace = request.extensions["trace"]
        for event in self.events:
            await trace(event, {})
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def hang(transport: httpx.AsyncBaseTransport, slots: int = 1) -> _http.Outcome:
    action = Send(request={"method": "GET", "url": URL}, timeout=0.05)

    async def main() -> _http.Outcome:
        async with httpx.AsyncClient(transport=transport) as client:
            return await _http.send_async(client, action, asyncio.Semaphore(slots))

    return asyncio.run(main())


MESSAGE = "no complete answer within the request timeout"


@pytest.mark.parametrize(
    ("events", "kind", "message"),
    [
        ((), httpx.ReadTimeout, MESSAGE),
        (("connection.connect_tcp.started",), httpx.ConnectTimeout, MESSAGE),
        (("connection.start_tls.started",), httpx.ReadTimeout, MESSAGE),
        (("http11.send_request_headers.started",), httpx.ReadTimeout, MESSAGE),
        (("http2.send_request_headers.started",), httpx.ReadTimeout, MESSAGE),
        (
            ("http11.send_request_headers.started", "connection.connect_tcp.started"),
            httpx.ReadTimeout,
            MESSAGE,
        ),
    ],
)
def test_an_async_timeout_is_named_by_how_far_the_attempt_got(
    events: tuple[str, ...], kind: type[httpx.TimeoutException], message: str
) -> None:
    """Before connecting or without a trace the request may have been sent (a read timeout);
    while connecting it was not (a connect timeout); once its headers went out it was."""
    answer = hang(Hanging(*events))

    assert type(answer) is kind
    assert str(answer) == message


def test_an_async_attempt_that_never_gets_a_slot_is_a_pool_timeout() -> None:
    answer = hang(Hanging(), slots=0)

    assert type(answer) is httpx.PoolTimeout
    assert str(answer) == "waited the whole request timeout for a free slot"


def test_an_async_attempt_holds_a_slot_only_while_it_runs() -> None:
    slots = asyncio.Semaphore(1)
    action = Send(request={"method": "GET", "url": URL}, timeout=5.0)
    seen: list[bool] = []

    class Watching(Streaming):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(slots.locked())
            return self.handle_request(request)

    async def main() -> None:
        async with httpx.AsyncClient(transport=Watching()) as client:
            for _ in range(2):
                assert isinstance(await _http.send_async(client, action, slots), httpx.Response)

    asyncio.run(main())
    assert seen == [True, True]
    assert not slots.locked()


# The connections a facade sends with.

CHILD = SimpleNamespace(getpid=lambda: -5)
"""`os` for `_http` in a forked child: another process id."""


class Made:
    """A factory of httpx clients that counts what it made."""

    def __init__(self) -> None:
        self.clients: list[httpx.Client] = []

    def __call__(self) -> httpx.Client:
        self.clients.append(httpx.Client(transport=Streaming()))
        return self.clients[-1]


def test_connections_made_here_are_closed_here() -> None:
    make = Made()
    connections = _http.Connections(None, make)

    assert connections.current() is make.clients[0]
    assert connections.close() is make.clients[0]
    with pytest.raises(ConfigurationError, match=r"^the client is closed: make a new one"):
        connections.current()


def test_connections_passed_in_are_used_and_left_to_their_owner() -> None:
    make = Made()
    own = httpx.Client(transport=Streaming())
    connections = _http.Connections(own, make)

    assert connections.current() is own
    assert connections.close() is None
    assert make.clients == [] and not own.is_closed
    with pytest.raises(ConfigurationError, match="closed"):
        connections.current()


def test_a_client_closed_by_its_owner_is_refused() -> None:
    own = httpx.Client(transport=Streaming())
    connections = _http.Connections(own, Made())
    own.close()

    with pytest.raises(ConfigurationError, match=r"^the client is closed"):
        connections.current()


def test_after_a_fork_the_child_makes_its_own_connections_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make = Made()
    connections = _http.Connections(None, make)
    parent = connections.current()
    monkeypatch.setattr(_http, "os", CHILD)  # now in a child process

    child = connections.current()

    assert child is not parent and make.clients == [parent, child]
    assert not parent.is_closed  # the parent's connections are left alone
    assert connections.current() is child  # made once
    assert connections.close() is child


def test_a_child_leaves_the_parents_connections_to_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connections = _http.Connections(None, Made())
    connections.current()
    monkeypatch.setattr(_http, "os", CHILD)

    assert connections.close() is None


def test_after_a_fork_a_client_passed_in_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    own = httpx.Client(transport=Streaming())
    connections = _http.Connections(own, Made())
    monkeypatch.setattr(_http, "os", CHILD)

    with pytest.raises(ConfigurationError) as raised:
        connections.current()
    assert str(raised.value) == (
        "the client was made in another process, before a fork, with an http_client whose "
        "connections that process shares: make the client in this process"
    )


def test_borrowed_connections_follow_their_owner_and_close_only_themselves() -> None:
    make = Made()
    owner = _http.Connections(None, make)
    borrowed = _http.Borrowed(owner)
    again = _http.Borrowed(borrowed)

    assert again.current() is borrowed.current() is make.clients[0]
    assert again.close() is None
    with pytest.raises(ConfigurationError, match=r"^the client is closed: make a new one"):
        again.current()
    assert borrowed.current() is make.clients[0]
    owner.close()
    with pytest.raises(ConfigurationError, match="closed"):
        borrowed.current()


def test_bytes_after_the_end_of_a_compressed_body_are_dropped(mode: str) -> None:
    """As httpx does: whatever follows the end of the gzip stream, in the same chunk or in
    later ones, is not part of the answer."""
    body = gzip.compress(DATA)
    chunks = [body[:50], body[50:] + b"trailing", b"junk" * 100]
    transport = Streaming(200, [(b"Content-Encoding", b"gzip")], chunks)

    answer = send(mode, transport)

    assert isinstance(answer, httpx.Response) and answer.content == DATA


def test_reading_stops_at_the_limit_however_long_the_answer(mode: str) -> None:
    """An answer that goes on and on is read only up to the limit: the rest is never pulled."""
    transport = Streaming(200, [], [b"x" * 1000] * 1000)

    answer = send(mode, transport, max_bytes=2500)

    assert isinstance(answer, _http.Unreadable)
    assert transport.body.pulled == 3
    assert transport.body.closed

"""Reading an answer costs memory bounded by `max_response_bytes`, however the answer is chunked
and compressed: the decoded body is kept in one buffer, never as an object per chunk, and what
follows the end of a compressed body is not kept either."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from itertools import cycle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa
from promptlayer_agents import _http

from ..fakes import SameCalls
from ..hostile import Behaviour, HostileServer, Request, head

LIMIT = 64 * 1024
SLACK = 64 * 1024
"""Room for what reading needs besides the body: a chunk, a decompressor's window."""

ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "": lambda data: data,
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "gzip, gzip": lambda data: gzip.compress(gzip.compress(data)),
}


def body_of(size: int) -> bytes:
    """A JSON string of `size` bytes that compresses a little, not to nothing."""
    text = bytes(32 + (i * 7919) % 90 for i in range(size - 2)).replace(b'"', b"a")
    return b'"' + text.replace(b"\\", b"b") + b'"'


def peak_while_reading(encoding: str, raw: bytes, sizes: list[int], limit: int) -> int:
    """Peak bytes allocated while `raw` is decoded in chunks of `sizes` (cycled)."""
    pieces = []
    start = 0
    for size in cycle(sizes):
        if start >= len(raw):
            break
        pieces.append(raw[start : start + size])
        start += size
    tracemalloc.start()
    try:
        decoder = _http._Decoder(encoding, limit)
        for piece in pieces:
            decoder.feed(piece)
        decoder.finish()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_one_byte_chunks_cost_about_the_answers_size(encoding: str) -> None:
    raw = ENCODINGS[encoding](body_of(LIMIT))

    peak = peak_while_reading(encoding, raw, [1], LIMIT)

    assert peak < 3 * LIMIT + SLACK


@settings(max_examples=25, deadline=None)
@given(
    encoding=st.sampled_from(list(ENCODINGS)),
    sizes=st.lists(st.integers(1, 300), min_size=1, max_size=6),
    size=st.integers(LIMIT // 2, LIMIT),
)
def test_any_chunking_and_compression_cost_about_the_answers_size(
    encoding: str, sizes: list[int], size: int
) -> None:
    raw = ENCODINGS[encoding](body_of(size))

    peak = peak_while_reading(encoding, raw, sizes, LIMIT)

    assert peak < 3 * LIMIT + SLACK


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_bytes_after_a_compressed_body_are_dropped_not_kept(encoding: str) -> None:
    data = body_of(1000)
    raw = ENCODINGS[encoding](data) + b"\x00" * (8 * LIMIT)

    peak = peak_while_reading(encoding, raw, [4096], LIMIT)

    decoder = _http._Decoder(encoding, LIMIT)
    decoder.feed(raw)
    assert decoder.finish() == data
    assert peak < LIMIT + SLACK + len(raw)  # the pieces themselves are made before measuring


def chunked_one_byte(big: bytes, small: bytes) -> Behaviour:
    """The first request gets `small`, every other `big`, each in 1-byte HTTP chunks (made
    now: the server runs in the process whose memory is measured)."""
    answers = [
        head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        + b"".join(b"1\r\n" + body[i : i + 1] + b"\r\n" for i in range(len(body)))
        + b"0\r\n\r\n"
        for body in (small, big)
    ]

    def behaviour(connection: socket.socket, request: Request, stop: threading.Event) -> None:
        # Taken before sending: the next request may come, on another connection, before this
        # thread runs again.
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        connection.sendall(answer)

    return behaviour


@pytest.fixture
def calls(mode: str) -> Iterator[SameCalls]:
    made = SameCalls(mode)
    yield made
    made.shut()


def test_an_answer_in_one_byte_chunks_costs_about_its_size(calls: SameCalls) -> None:
    limit = 50_000
    big = json.dumps("x" * (limit - 1000)).encode()
    with HostileServer(chunked_one_byte(big, b'"warm"')) as server:
        kind = pa.Agents if calls.mode == "sync" else pa.AsyncAgents
        calls.agents = kind(api_key="pl_memory_0", base_url=server.url, max_response_bytes=limit)
        assert calls.get_results(1).output == "warm"  # loads what the first call loads
        tracemalloc.start()
        try:
            result = calls.get_results(1)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert result.output == json.loads(big)
    assert peak < 5 * limit + 1024 * 1024

"""Reading an answer: decompressed here, chunk by chunk, up to a limit."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from promptlayer_agents import _http

DATA = b'{"A": "' + bytes(range(32, 127)) * 200 + b'"}'


def _feed(encoding: str, body: bytes, limit: int, chunk: int) -> bytes:
    decoder = _http._Decoder(encoding, limit)
    for start in range(0, len(body), chunk):
        decoder.feed(body[start : start + chunk])
    return decoder.finish()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("", DATA),
        ("identity", DATA),
        ("gzip", gzip.compress(DATA)),
        ("x-gzip", gzip.compress(DATA)),
        ("deflate", zlib.compress(DATA)),
        ("GZIP, gzip", gzip.compress(gzip.compress(DATA))),
        ("identity, gzip", gzip.compress(DATA)),
    ],
)
@pytest.mark.parametrize("chunk", [1, 7, 65536])
def test_any_chunking_decodes_to_the_same_bytes(encoding: str, body: bytes, chunk: int) -> None:
    assert _feed(encoding, body, len(DATA), chunk) == DATA


@pytest.mark.parametrize("encoding", ["", "gzip", "gzip, gzip"])
def test_one_byte_over_the_limit_is_refused_after_decompression(encoding: str) -> None:
    body = DATA
    for _ in range(encoding.count("gzip")):
        body = gzip.compress(body)

    with pytest.raises(_http._Refused, match="larger than max_response_bytes"):
        _feed(encoding, body, len(DATA) - 1, 1000)


@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        ("br", DATA, "unsupported Content-Encoding 'br'"),
        ("gzip", DATA, "corrupt"),
        ("deflate", b"\x78\x9c\xff\xff", "corrupt"),
    ],
)
def test_unknown_and_corrupt_encodings_are_refused(encoding: str, body: bytes, reason: str) -> None:
    with pytest.raises(_http._Refused, match=reason):
        _feed(encoding, body, 10_000, 1000)


BOMB = gzip.compress(bytes(20_000_000), compresslevel=1)
"""20 MB of zeros, gzipped to about 90 KB."""


@pytest.mark.parametrize("chunk", [len(BOMB), 8192])
def test_a_decompression_bomb_costs_no_more_memory_than_the_limit(chunk: int) -> None:
    """Each chunk is decompressed at most up to the limit: a bomb is refused having held about
    `limit` bytes, never its decompressed size, however it arrives."""
    limit = 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(_http._Refused, match="larger than max_response_bytes"):
            _feed("gzip", BOMB, limit, chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * limit


def test_an_unsupported_encoding_is_named_cut_to_40_characters() -> None:
    name = "x" * 40 + "-more"

    with pytest.raises(_http._Refused) as raised:
        _http._Decoder(name, 100)
    assert str(raised.value) == f"unsupported Content-Encoding {'x' * 40!r}"

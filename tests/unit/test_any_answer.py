"""Property tests: whatever status, headers and bytes an answer has, every call ends in a result
or a typed PromptLayerError, on both clients. The answers go through httpx.MockTransport as
unread streams, so the client reads and decodes them itself, as it does from a socket."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa

from ..fakes import Make

STATUSES = st.one_of(
    st.sampled_from([200, 201, 202, 204, 301, 302, 400, 401, 404, 408, 422, 429, 500, 503]),
    st.integers(min_value=100, max_value=999),
)
ENCODINGS = st.sampled_from(
    ["", "gzip", "deflate", "identity", "br", "zstd", "gzip, gzip", "x-gzip", "gzip, br", "\x00"]
)
TEXT_HEADER = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)
JSONISH = st.sampled_from(
    [
        b"{}",
        b"[]",
        b"null",
        b'{"A": {"status": "SUCCESS", "value": 1, "is_output_node": true}}',
        b'{"workflow_version_execution_id": 5, "success": true}',
        b'{"message": "\xff\xfe"}',
        b"[" * 50_000,
        b"[" * 50_000 + b"]" * 50_000,
        b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
        b'"\\ud800"',
        b"1e999999",
        b"9" * 5000,
    ]
)


def _body(data: bytes, encode: str) -> bytes:
    if encode == "gzip":
        return gzip.compress(data)
    if encode == "deflate":
        return zlib.compress(data)
    if encode == "truncated gzip":
        return gzip.compress(data)[:-7]
    return data


ANSWERS = st.fixed_dictionaries(
    {
        "status": STATUSES,
        "content_encoding": ENCODINGS,
        "content_type": st.sampled_from(
            [
                "application/json",
                "text/html",
                "application/json; charset=latin-1",
                "x/y; charset=??",
            ]
        ),
        "retry_after": st.one_of(st.none(), TEXT_HEADER, st.sampled_from(["1e999", "-5", "nan"])),
        "body": st.one_of(st.binary(max_size=300), JSONISH),
        "encode": st.sampled_from(["", "gzip", "deflate", "truncated gzip"]),
    }
)


def _response(answer: dict[str, Any]) -> httpx.Response:
    headers = {"Content-Type": answer["content_type"]}
    if answer["content_encoding"]:
        headers["Content-Encoding"] = answer["content_encoding"]
    if answer["retry_after"] is not None:
        headers["Retry-After"] = answer["retry_after"]
    body = _body(answer["body"], answer["encode"])
    return httpx.Response(answer["status"], headers=headers, stream=httpx.ByteStream(body))


CALLS = {
    "run": lambda h: h.run("bot"),
    "get": lambda h: h.get("bot"),
    "get_results": lambda h: h.get_results(7),
    "wait": lambda h: h.wait(7, timeout=3.0),
    "run_and_wait": lambda h: h.run_and_wait("bot", timeout=3.0),
}


@pytest.mark.parametrize("call", CALLS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=st.lists(ANSWERS, min_size=1, max_size=3))
def test_any_answer_is_a_result_or_a_typed_error(
    harness: Make, call: str, answers: list[dict[str, Any]]
) -> None:
    responses = [_response(answer) for answer in answers]
    h = harness(default=lambda request: responses.pop(0) if responses else _response(answers[-1]))

    try:
        CALLS[call](h)
    except pa.PromptLayerError as error:
        assert len(str(error)) < 1000
        assert error.__cause__ is None or not isinstance(error.__cause__, httpx.HTTPError)

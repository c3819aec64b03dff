"""What an adversarial review found escaping as untyped exceptions or losing a started run's id:
each case is now a typed error (before sending where it can be known) or a result."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import Make, node, reply, started
from ..helpers import API_KEY


def test_a_non_ascii_response_header_is_read(harness: Make) -> None:
    body = started(5).content
    raw = [(b"Content-Type", b"application/json"), (b"X-Anything", "café".encode())]
    h = harness(httpx.Response(201, headers=raw, content=body))  # non-ASCII bytes on the wire

    assert h.run("bot").execution_id == 5


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda h: h.run("bot", callback_url="http://[::1"), "callback_url"),
        (lambda h: h.get(10**5000), "agent id"),
        (lambda h: h.wait(1, timeout=10**400), "timeout"),
        (lambda h: h.wait(1, on_progress=5), "on_progress"),
        (lambda h: h.run_and_wait("bot", on_progress="print"), "on_progress"),
    ],
)
def test_odd_arguments_are_refused_before_sending(harness: Make, call: Any, match: str) -> None:
    h = harness()  # any request would fail the test: the scripted API has no answer

    with pytest.raises(pa.InvalidInputError, match=match):
        call(h)

    assert h.api.requests == []


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -math.inf])
def test_a_client_timeout_that_is_not_finite_is_refused_at_construction(timeout: float) -> None:
    with pytest.raises(pa.ConfigurationError, match="timeout"):
        pa.Agents(api_key=API_KEY, timeout=timeout)


def test_a_run_answer_that_cannot_be_read_but_names_its_execution_keeps_the_id(
    harness: Make,
) -> None:
    body = {"success": True, "message": None, "workflow_version_execution_id": 5}
    h = harness(reply(201, body))

    with pytest.raises(pa.ResponseValidationError) as caught:
        h.run("bot")

    assert (caught.value.execution_id, caught.value.may_have_started) == (5, True)


def test_sending_that_fails_in_an_unforeseen_way_is_a_typed_error_that_may_have_started(
    harness: Make,
) -> None:
    h = harness(RuntimeError("Event loop is closed"))

    with pytest.raises(pa.APIConnectionError) as caught:
        h.run("bot")

    assert caught.value.may_have_started is True
    assert len(h.api.requests) == 1  # never sent again: it may have arrived


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"workflow_version_execution_id": "5", "final_output": {}}',
        b'{"workflow_version_execution_id": -5, "final_output": {}}',
        b'{"workflow_version_execution_id": true, "final_output": {}}',
    ],
)
def test_parse_callback_refuses_what_is_not_a_callback(body: bytes) -> None:
    with pytest.raises(pa.InvalidInputError, match="not a PromptLayer callback body"):
        pa.parse_callback(body)


def test_parse_callback_reads_a_callback() -> None:
    body = {
        "workflow_version_execution_id": 9,
        "final_output": {"A": node("SUCCESS", 1, output=True)},
    }

    assert pa.parse_callback(body).output == 1


def test_a_url_too_long_for_httpx_is_a_typed_error(harness: Make) -> None:
    h = harness(httpx.InvalidURL("URL too long"))

    with pytest.raises(pa.APIConnectionError):
        h.get("a" * 100)


def _keyless(error: BaseException) -> None:
    for shown in (str(error), repr(error), repr(vars(error))):
        assert API_KEY not in shown and API_KEY.lower() not in shown


def test_a_key_echoed_in_json_escapes_is_masked(harness: Make) -> None:
    escaped = "".join(f"\\u{ord(char):04x}" for char in API_KEY)
    body = ('{"message": "bad key ' + escaped + '"}').encode()
    h = harness(httpx.Response(401, headers={"Content-Type": "application/json"}, content=body))

    with pytest.raises(pa.AuthenticationError) as caught:
        h.get("bot")

    _keyless(caught.value)
    assert caught.value.message == "bad key ***"


def test_a_key_echoed_in_an_unreadable_answer_is_masked_whatever_its_case(harness: Make) -> None:
    """httpx reports an unknown Content-Encoding lowered: the echo must still be masked."""
    encoding = {"Content-Encoding": API_KEY.upper()}
    answer = httpx.Response(200, headers=encoding, stream=httpx.ByteStream(b"{}"))
    h = harness(lambda _: answer, max_retries=0)

    with pytest.raises(pa.ResponseValidationError) as caught:
        h.get_results(1)

    _keyless(caught.value)
    assert "unsupported Content-Encoding '***'" in str(caught.value)

"""The API key never shows: not in repr, str, errors or log records."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents._flows import Send

from ..fakes import Make, node, reply, started
from ..helpers import API_KEY


def test_reprs_hide_the_key() -> None:
    agents = pa.Agents(api_key=API_KEY)
    client = pa.api_client(api_key=API_KEY)

    for shown in [repr(agents), str(agents), repr(agents.settings), repr(client), str(client)]:
        assert API_KEY not in shown
    assert "token='***'" in repr(client)
    assert repr(Send({"headers": {"X-API-KEY": API_KEY}}, 1.0)).count(API_KEY) == 0
    agents.close()


def test_api_client_is_configured_like_agents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTLAYER_API_KEY", API_KEY)
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", "http://127.0.0.1:9")

    with pa.api_client(timeout=7.0) as client:
        http = client.get_httpx_client()

        assert http.headers["X-API-KEY"] == API_KEY
        assert str(http.base_url) == "http://127.0.0.1:9"
        assert http.timeout.read == 7.0


def test_errors_and_logs_never_carry_the_key(
    harness: Make, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(
        started(warning="Missing input variables: q"),
        reply(503),
        reply(202, {"A": node("RUNNING", output=True)}),
        default=reply(401, {"message": "Invalid API key"}),
    )
    shown: list[str] = []

    with caplog.at_level(logging.DEBUG):
        h.run("bot")
        calls: list[Callable[[], object]] = [lambda: h.wait(787, timeout=1.0), lambda: h.get("bot")]
        for call in calls:
            with pytest.raises(pa.PromptLayerError) as caught:
                call()
            shown += [str(caught.value), repr(caught.value), repr(vars(caught.value))]

    shown += [record.getMessage() for record in caplog.records]
    assert caplog.records, "expected the warning and retry to be logged"
    assert not [text for text in shown if API_KEY in text]


def test_a_key_read_from_a_file_loses_its_newline(harness: Make) -> None:
    h = harness(started(), api_key=f"{API_KEY}\n")

    h.run("bot")

    assert h.api.requests[0].headers["X-API-KEY"] == API_KEY


@pytest.mark.parametrize(
    "key", [f"{API_KEY} x", f"{API_KEY}\x00", f"pl_\u00e9{API_KEY}", f"{API_KEY}\nsecond line"]
)
def test_a_key_that_cannot_be_a_header_is_refused_without_repeating_it(key: str) -> None:
    with pytest.raises(pa.ConfigurationError, match="printable ASCII") as caught:
        pa.Agents(api_key=key)

    assert API_KEY not in f"{caught.value} {caught.value!r}"


def test_a_key_echoed_in_a_header_is_shown_as_stars(harness: Make) -> None:
    h = harness(reply(404, {"message": "no such agent"}, {"x-request-id": f"req-{API_KEY}"}))

    with pytest.raises(pa.NotFoundError) as caught:
        h.get("bot")

    assert str(caught.value) == "HTTP 404: no such agent [request id req-***]"
    assert caught.value.request_id == "req-***"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        # the key in plain text: masked where it is, the rest of the body left as it came
        (f'["{API_KEY}", "caf\\u00e9"]'.encode(), '["***", "caf\\u00e9"]'),
        # the key only in JSON escapes: the body is written out plainly, its text kept as text
        ('["\\u0070l_test_0123456789", "café"]'.encode(), '["***", "café"]'),
    ],
)
def test_a_key_echoed_in_a_body_is_masked_and_the_rest_kept(
    harness: Make, body: bytes, shown: str
) -> None:
    answer = httpx.Response(500, headers={"Content-Type": "application/json"}, content=body)
    h = harness(answer, max_retries=0)

    with pytest.raises(pa.InternalServerError) as caught:
        h.get("bot")

    assert caught.value.message == shown

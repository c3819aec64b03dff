"""`default_headers` and `with_options`: headers on every request, never the key's own, never
shown; a client with some settings changed that shares its connections, as in openai-python."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa

from ..fakes import AGENT, FakeClock, Harness, Make, ScriptedAPI, node, reply, started

FINISHED = {"Answer": node("SUCCESS", "42", output=True)}


def test_default_headers_go_with_every_request_and_the_key_wins(harness: Make) -> None:
    h = harness(
        started(787), reply(200, FINISHED), reply(200, AGENT), default_headers={"X-Team": "ml"}
    )
    h.run("bot")
    h.get_results(787)
    h.get("bot")
    assert [r.headers["X-Team"] for r in h.api.requests] == ["ml"] * 3
    assert all(r.headers["X-API-KEY"] == h.agents.settings.api_key for r in h.api.requests)


def test_default_headers_never_show_in_repr(harness: Make) -> None:
    h = harness(default_headers={"Proxy-Authorization": "Basic c2VjcmV0"})
    assert "c2VjcmV0" not in repr(h.agents) and "c2VjcmV0" not in repr(h.agents.settings)


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"X-API-KEY": "other"}, "api_key, not X-API-KEY"),
        ({"x-api-key": "other"}, "api_key, not X-API-KEY"),
        ({"Bad Name": "v"}, "'Bad Name' is not a header name"),
        ({"": "v"}, "'' is not a header name"),
        ({"X-Ok": "line\r\nX-Injected: 1"}, "X-Ok must be text on one line"),
        ({"X-Ok": 3}, "X-Ok must be text on one line"),
        (["X-Ok", "v"], "must be a mapping"),
    ],
)
def test_bad_default_headers_are_refused_at_construction(
    mode: str, clock: FakeClock, headers: Any, problem: str
) -> None:
    api = ScriptedAPI([])
    with pytest.raises(pa.ConfigurationError, match=problem.replace("(", r"\(")):
        Harness(mode, api, clock, default_headers=headers)
    assert api.requests == []


@settings(max_examples=50, deadline=None)
@given(st.text(), st.sampled_from("\r\n\0"), st.text())
def test_no_header_value_can_carry_a_line_break(before: str, breaking: str, after: str) -> None:
    with pytest.raises(pa.ConfigurationError, match="one line"):
        pa.Agents(api_key="pl_test_key_123", default_headers={"X-Note": before + breaking + after})


def test_with_options_changes_only_what_it_is_given(harness: Make) -> None:
    h = harness(default_headers={"X-Team": "ml"}, timeout=30, max_retries=2)
    copy = h.agents.with_options(timeout=5, default_headers={"X-Trace": "t1"})
    assert type(copy) is type(h.agents)
    assert (copy.settings.timeout, copy.settings.max_retries) == (5.0, 2)
    assert dict(copy.settings.default_headers) == {"X-Team": "ml", "X-Trace": "t1"}
    assert copy.settings.api_key == h.agents.settings.api_key
    assert copy.settings.base_url == h.agents.settings.base_url
    assert (h.agents.settings.timeout, dict(h.agents.settings.default_headers)) == (
        30.0,
        {"X-Team": "ml"},
    )


def test_with_options_shares_the_connections_and_applies_its_settings(
    mode: str, clock: FakeClock
) -> None:
    api = ScriptedAPI([reply(503), reply(503), reply(200, AGENT), reply(503), reply(200, AGENT)])
    h = Harness(mode, api, clock, max_retries=2)
    once = Harness(mode, api, clock)
    once.agents = h.agents.with_options(max_retries=0, default_headers={"X-Call": "1"})
    assert once.agents._channel.current() is h.agents._channel.current()  # one pool
    assert h.get("bot").workflow_name == AGENT["workflow_name"]  # retried twice
    with pytest.raises(pa.InternalServerError):
        once.get("bot")  # not retried
    assert len(api.requests) == 4
    assert api.requests[3].headers["X-Call"] == "1" and "X-Call" not in api.requests[0].headers
    once.close()  # the copy does not own the connections: the client it came from goes on
    assert not h.agents._channel.current().is_closed
    assert h.get("bot").workflow_name == AGENT["workflow_name"]
    h.shut()
    once.loop.close()


def test_with_options_limits_the_answer_size(harness: Make) -> None:
    h = harness(reply(200, AGENT))
    small = h.agents.with_options(max_response_bytes=10)
    h.agents = small
    with pytest.raises(pa.ResponseValidationError, match="larger than"):
        h.get("bot")


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
        ({"default_headers": {"X-API-KEY": "k"}}, "X-API-KEY"),
    ],
)
def test_with_options_refuses_what_the_constructor_refuses(
    harness: Make, options: dict[str, Any], problem: str
) -> None:
    h = harness()
    with pytest.raises(pa.ConfigurationError, match=problem):
        h.agents.with_options(**options)
    assert h.api.requests == []


def test_with_options_keeps_an_own_http_client_open_and_unowned(mode: str) -> None:
    transport = httpx.MockTransport(lambda request: reply(200, AGENT))
    own = httpx.Client(transport=transport)
    client = pa.Agents(api_key="pl_test_key_123", http_client=own).with_options(timeout=3)
    assert client.get("bot").workflow_name == AGENT["workflow_name"]
    client.close()
    assert not own.is_closed
    own.close()


def test_closing_a_client_the_library_made_closes_what_with_options_shares() -> None:
    client = pa.Agents(api_key="pl_test_key_123")
    copy = client.with_options(timeout=5)
    shared = client._channel.current()
    copy.close()
    assert not shared.is_closed
    with pytest.raises(pa.ConfigurationError, match="closed"):
        copy.get("bot")  # closed here ...
    client.close()
    assert shared.is_closed  # ... and the owner closes what they shared
    with pytest.raises(pa.ConfigurationError, match="closed"):
        client.with_options(timeout=1).get("bot")  # a copy of a closed client sends nothing


def test_a_default_content_type_never_relabels_the_runs_json_body(harness: Make) -> None:
    h = harness(started(787), default_headers={"Content-Type": "text/plain"})

    h.run("bot", input_variables={"q": "x"})

    assert h.api.requests[0].headers["Content-Type"] == "application/json"

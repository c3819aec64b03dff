"""A cassette never holds the caller's key: not from a header, not from an upstream that echoes
it, not from an input or metadata that carries it, whatever the exchange."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from promptlayer_agents import Agents, PromptLayerError
from promptlayer_agents.sandbox import Sandbox
from promptlayer_agents.sandbox._cassette import (
    AgentExchange,
    Answer,
    ResultsExchange,
    RunExchange,
    dump,
    load,
    results_query,
)
from promptlayer_agents.sandbox._recorder import Recorder, scrubbed

from ..hostile import HostileServer, echo_key

MARK = "\x00"  # stands for the key in generated values; the key replaces it before scrubbing
KEYS = st.from_regex(r"pl_[a-z0-9]{8,40}", fullmatch=True)
TOKENS = ["a", " ", "_", "é", "\n", MARK, "pl_", '"', ": ", "[REDACTED]", "0"]
TEXT = st.lists(st.sampled_from(TOKENS), max_size=8).map("".join)
JSON = st.recursive(
    st.none() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
ANSWERS = st.one_of(
    st.builds(Answer, status=st.integers(100, 599), body=JSON, retry_after=st.none() | TEXT),
    st.builds(Answer, status=st.integers(100, 599), text=TEXT),
    st.builds(Answer, failure=st.just("transport"), message=TEXT),
)
INTERACTIONS = st.one_of(
    st.builds(
        RunExchange,
        agent=TEXT,
        label=st.none() | TEXT,
        version=st.none() | st.integers(1, 9),
        input_variables=st.dictionaries(TEXT, JSON, max_size=3),
        metadata=st.dictionaries(TEXT, TEXT, max_size=2),
        answer=ANSWERS,
        redacted_inputs=st.lists(TEXT, max_size=2).map(tuple),
    ),
    st.builds(
        ResultsExchange,
        execution_id=st.integers(1, 9),
        after=st.just(0.5),
        query=st.builds(results_query, st.booleans(), st.none() | TEXT, st.none() | TEXT),
        answer=ANSWERS,
    ),
    st.builds(AgentExchange, agent=TEXT, label=st.none() | TEXT, version=st.none(), answer=ANSWERS),
)


def _replace(value: Any, old: str, new: str) -> Any:
    """The value with `old` replaced by `new` in its strings (keys, fields, items too)."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {_replace(k, old, new): _replace(v, old, new) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_replace(item, old, new) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: _replace(getattr(value, f.name), old, new) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **fields)
    return value


@settings(max_examples=80, deadline=None)
@given(key=KEYS, interactions=st.lists(INTERACTIONS, min_size=1, max_size=4))
def test_no_exchange_written_holds_the_key(key: str, interactions: list[Any]) -> None:
    carrying = [_replace(interaction, MARK, key) for interaction in interactions]

    text = dump([scrubbed(interaction, key) for interaction in carrying])

    assert key not in text


def _record(tmp_path: Path, upstream: str, key: str, calls: Callable[[Agents], Any]) -> str:
    cassette = tmp_path / "secret.yaml"
    with (
        Sandbox(record=cassette, upstream=upstream) as proxy,
        Agents(api_key=key, base_url=proxy.url, max_retries=0) as client,
        contextlib.suppress(PromptLayerError),  # an error answer: what matters is the file
    ):
        calls(client)
    load(cassette)  # it loads
    return cassette.read_text(encoding="utf-8")


SECRET = "pl_0123456789abcdefsecret"


def test_a_key_echoed_by_upstream_is_not_recorded(tmp_path: Path) -> None:
    with HostileServer(echo_key(401)) as upstream:
        for call in [
            lambda c: c.run("greeter", input_variables={"name": "Ada"}),
            lambda c: c.get("greeter"),
        ]:
            text = _record(tmp_path, upstream.url, SECRET, call)

            assert SECRET not in text
            assert "bad key [REDACTED]" in text  # recorded, without the key
        assert all(r.headers["x-api-key"] == SECRET for r in upstream.requests)  # forwarded


def test_a_key_in_inputs_or_metadata_is_not_recorded(tmp_path: Path) -> None:
    with Sandbox(api_key=SECRET) as upstream:
        text = _record(
            tmp_path,
            upstream.url,
            SECRET,
            lambda c: c.run_and_wait(
                "greeter",
                input_variables={"name": SECRET},  # the greeting echoes it, too
                metadata={"token": SECRET},
                poll_interval=0.05,
            ),
        )

    assert SECRET not in text
    assert "Hello, [REDACTED]!" in text


def test_no_request_header_is_recorded(tmp_path: Path) -> None:
    cassette = tmp_path / "headers.yaml"
    with Sandbox() as upstream, Sandbox() as proxy:
        proxy.state.tape = Recorder(cassette, upstream=upstream.url)
        headers = {
            "X-API-KEY": upstream.api_key,
            "Authorization": "Bearer pl_authorization_header",
            "Cookie": "session=pl_cookie_value",
        }
        with httpx.Client(base_url=proxy.url, headers=headers) as http:
            http.get("/workflows/greeter")

    text = cassette.read_text(encoding="utf-8")
    assert "pl_authorization_header" not in text and "pl_cookie_value" not in text
    assert upstream.api_key not in text

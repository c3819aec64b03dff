"""What the command line prints as JSON is valid JSON, whatever numbers the API sends: NaN and the
infinities (which Python's json reads, and would write back as bare `NaN`) are printed as null."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa
from promptlayer_agents._json import json_text
from promptlayer_agents.cli import main

from ..fakes import node, reply, started

ODD = [float("nan"), {"x": float("inf")}, [-float("inf"), 1.5]]


def strict(text: str) -> Any:
    """`text` read as JSON that has no NaN or Infinity."""
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in {text}"))


@pytest.fixture
def answering_odd_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's client starts execution 787, whose output and node value are `ODD`."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return started(787)
        return reply(200, {"Out": node("SUCCESS", ODD, output=True)})

    real = pa.Agents

    def client(**options: Any) -> pa.Agents:
        return real(http_client=httpx.Client(transport=httpx.MockTransport(answer)), **options)

    monkeypatch.setattr(pa, "Agents", client)
    monkeypatch.setenv("PROMPTLAYER_API_KEY", "pl_test")


@pytest.mark.parametrize(
    "command",
    [["run", "greeter", "--json"], ["results", "787", "--json"], ["run", "greeter"]],
    ids=["run --json", "results --json", "run"],
)
def test_nan_from_the_api_is_printed_as_null(
    answering_odd_numbers: None, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main(command) == 0

    printed = strict(capsys.readouterr().out)
    output = printed["output"] if isinstance(printed, dict) else printed
    assert output == [None, {"x": None}, [None, 1.5]]


def test_json_text_keeps_every_other_value_as_json_dumps_writes_it() -> None:
    value = {"text": "Zoë 🌱", "n": [1, 2.5, True, None], "deep": [[[[{"a": float("nan")}]]]]}

    assert strict(json_text(value)) == {**value, "deep": [[[[{"a": None}]]]]}
    assert json_text({"a": 1}) == json.dumps({"a": 1})
    assert strict(json_text({"q": "\ud800"})) == {"q": "\ud800"}  # a lone surrogate, escaped


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def finite(value: Any) -> Any:
    """What `value` should read back as: every NaN or infinity None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [finite(item) for item in value]
    if isinstance(value, dict):
        return {name: finite(item) for name, item in value.items()}
    return value


@settings(max_examples=60, deadline=None)
@given(values)
def test_json_text_is_always_valid_json_of_the_same_value(value: Any) -> None:
    assert strict(json_text(value)) == finite(value)

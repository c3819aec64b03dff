"""Bad input is refused before anything is sent, with an error naming what is wrong."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents import Agents, ConfigurationError, InvalidInputError

from ..fakes import AGENT, Harness, Make, reply, started


def nested(levels: int) -> dict[str, Any]:
    """Input variables whose containers nest `levels` + 1 deep (the mapping itself included)."""
    value: Any = "leaf"
    for _ in range(levels):
        value = [value]
    return {"q": value}


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda h: h.run("bot", label="prod", version=3), "label or version, not both"),
        (lambda h: h.get("bot", label="prod", version=3), "label or version, not both"),
        (lambda h: h.run_and_wait("bot", label="prod", version=3), "label or version, not both"),
        (lambda h: h.run("bot", version=0), "version must be > 0"),
        (lambda h: h.get("bot", version=-2), "version must be > 0"),
        (lambda h: h.run("bot", version=True), "version must be an int"),
        (lambda h: h.get("bot", version="3"), "version must be an int"),
        (lambda h: h.run("bot", label=""), "label must not be empty"),
        (lambda h: h.get("bot", label=7), "label must be a string"),
        (lambda h: h.run(""), "agent name must not be empty"),
        (lambda h: h.get("   "), "agent name must not be empty"),
        (lambda h: h.run(None), "agent name must be a string"),
        (lambda h: h.get(0), "agent id must be > 0"),
        (lambda h: h.run(".."), "dot-segment"),
        (lambda h: h.get("."), "dot-segment"),
        (lambda h: h.run("bot", input_variables={"when": object()}), r"input_variables\['when'\]"),
        (lambda h: h.run("bot", input_variables={"tags": {1, 2}}), r"input_variables\['tags'\]"),
        (lambda h: h.run("bot", input_variables={"x": math.nan}), r"input_variables\['x'\]"),
        (lambda h: h.run("bot", input_variables={1: "a"}), "input_variables keys must be strings"),
        (lambda h: h.run("bot", input_variables=["a"]), "input_variables must be a mapping"),
        (lambda h: h.run("bot", metadata={"user": 42}), r"metadata\['user'\] must be a string"),
        (lambda h: h.run("bot", callback_url="example.com/cb"), "callback_url: expected text"),
        (lambda h: h.run("bot", return_all_outputs="yes"), "return_all_outputs must be True"),
        (lambda h: h.get_results(0), "execution_id must be > 0"),
        (lambda h: h.get_results("787"), "execution_id must be an int"),
        (lambda h: h.wait(787, timeout=0), "timeout must be a finite number"),
        (lambda h: h.wait(787, timeout=math.inf), "timeout must be a finite number"),
        (lambda h: h.wait(787, poll_interval=-1), "poll intervals must satisfy"),
        (lambda h: h.run_and_wait("bot", timeout="soon"), "timeout must be a number"),
        (lambda h: h.run("bot", input_variables=nested(64)), "more than 64 levels deep"),
        (lambda h: h.run("bot", input_variables=nested(100_000)), "more than 64 levels deep"),
        (lambda h: h.run("bot", input_variables={"q": "a\ud800"}), r"\['q'\] has a lone surrogate"),
        (
            lambda h: h.run("bot", input_variables={"\udc80": 1}),
            "key of input_variables has a lone",
        ),
        (lambda h: h.run("bot", input_variables={"q": [{"a": "\udfff"}]}), r"\[0\]\['a'\] has a"),
        (lambda h: h.run("bot", input_variables={"q": {1: "a"}}), r"\['q'\] keys must be strings"),
        (lambda h: h.run("bot", input_variables={"n": 10**5000}), "not JSON-serialisable"),
        (lambda h: h.run("bot", metadata={"k": "\ud800"}), r"metadata\['k'\] has a lone"),
        (lambda h: h.run("bot", metadata={"\ud800": "v"}), "a metadata key has a lone"),
        (lambda h: h.run("bot\ud800"), "agent name has a lone surrogate"),
        (lambda h: h.get("bot", label="prod\udc00"), "label has a lone surrogate"),
    ],
)
def test_bad_input_is_refused_before_sending(
    harness: Make, call: Callable[[Harness], Any], match: str
) -> None:
    h = harness()

    with pytest.raises(InvalidInputError, match=match):
        call(h)

    assert h.api.requests == []


def test_inputs_nested_to_the_limit_are_sent(harness: Make) -> None:
    h = harness(started())

    h.run("bot", input_variables=nested(63))

    assert h.api.bodies()[0]["input_variables"] == nested(63)


def test_input_errors_are_value_errors(harness: Make) -> None:
    with pytest.raises(ValueError, match="not both"):
        harness().run("bot", label="prod", version=1)


def test_numeric_agent_id_is_accepted(harness: Make) -> None:
    h = harness(started(), reply(200, AGENT))

    h.run(3)
    h.get(3, version=2)

    assert h.api.paths == ["/workflows/3/run", "/workflows/3?version=2"]


def test_run_sends_every_option(harness: Make) -> None:
    h = harness(started())

    h.run(
        "support-bot",
        input_variables={"question": "hi", "n": 2},
        metadata={"user": "42"},
        version=3,
        return_all_outputs=True,
        callback_url="https://example.com/cb",
    )

    assert h.api.bodies() == [
        {
            "input_variables": {"question": "hi", "n": 2},
            "metadata": {"user": "42"},
            "workflow_version_number": 3,
            "return_all_outputs": True,
            "callback_url": "https://example.com/cb",
        }
    ]


names = st.text(min_size=1).filter(lambda s: s.strip() and s not in (".", ".."))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_any_agent_name_stays_one_path_segment(harness: Make, name: str) -> None:
    h = harness(started())

    h.run(name)

    segments = h.api.requests[0].url.raw_path.split(b"/")
    assert segments == [b"", b"workflows", quote(name, safe="").encode(), b"run"]
    assert h.api.requests[0].url.query == b""


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inputs=st.dictionaries(st.text(), json_values, max_size=4))
def test_any_json_inputs_are_sent_as_given(harness: Make, inputs: dict[str, Any]) -> None:
    h = harness(started())

    h.run("bot", input_variables=inputs)

    assert h.api.bodies()[0]["input_variables"] == inputs


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    inputs=st.dictionaries(st.text(), json_values, max_size=3),
    bad_key=st.text(),
    bad=st.sampled_from([object(), {1, 2}, b"bytes", math.inf, complex(1, 2)]),
)
def test_a_non_json_input_is_refused_by_name(
    harness: Make, inputs: dict[str, Any], bad_key: str, bad: Any
) -> None:
    h = harness()

    with pytest.raises(InvalidInputError, match=re.escape(f"input_variables[{bad_key!r}]")):
        h.run("bot", input_variables={**inputs, bad_key: bad})

    assert h.api.requests == []


def test_missing_api_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMPTLAYER_API_KEY", raising=False)

    with pytest.raises(ConfigurationError, match="PROMPTLAYER_API_KEY"):
        Agents()


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTLAYER_API_KEY", "pl_from_env")
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", "http://127.0.0.1:8123/")

    from_env = Agents()
    explicit = Agents(api_key="pl_explicit", base_url="https://other.example")

    assert (from_env.settings.api_key, from_env.settings.base_url) == (
        "pl_from_env",
        "http://127.0.0.1:8123",
    )
    assert (explicit.settings.api_key, explicit.settings.base_url) == (
        "pl_explicit",
        "https://other.example",
    )
    from_env.close()
    explicit.close()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"base_url": "ftp://x"}, "base_url must be an http"),
        ({"base_url": "http://[::1"}, "base_url must be an http"),
        ({"base_url": "http://localhost:99999"}, "base_url must be an http"),
        ({"base_url": "http://a\x00b.example"}, "base_url must be an http"),
        ({"timeout": 0}, "timeout must be"),
        ({"max_retries": -1}, "max_retries must be"),
        ({"api_key": " "}, "no PromptLayer API key"),
        ({"max_response_bytes": 0}, "max_response_bytes must be an int > 0"),
        ({"max_response_bytes": 1.5}, "max_response_bytes must be an int > 0"),
    ],
)
def test_bad_configuration_is_refused(options: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        Agents(**{"api_key": "pl_x", **options})


@pytest.mark.parametrize("plain", [None, True, 0, 1.5, "text", [], {}])
def test_a_bad_value_before_plain_ones_is_still_found(harness: Make, plain: Any) -> None:
    """Every value is looked at, whatever comes after the bad one."""
    h = harness()

    with pytest.raises(InvalidInputError, match=r"^input_variables\['bad'\] is nan: "):
        h.run("bot", input_variables={"bad": math.nan, "after": plain, "list": [plain, plain]})

    assert h.api.requests == []


def test_the_place_of_too_deep_an_input_is_cut_to_200_characters(harness: Make) -> None:
    h = harness()

    with pytest.raises(InvalidInputError) as caught:
        h.run("bot", input_variables=nested(100))

    where = "input_variables['q']" + "[0]" * 63  # the first container past the limit
    assert len(where) > 200
    assert str(caught.value) == (
        f"input_variables nests more than 64 levels deep (at {where[:200]}...)"
    )

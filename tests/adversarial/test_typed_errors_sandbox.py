"""The sandbox answers every request with JSON, whatever a run body or a test's script holds:
what JSON cannot carry is refused up front (422), never stored to make later answers fail; a
callback URL the client would refuse is refused too; whatever a script callable raises fails
its node with a JSON answer; a callback that cannot be delivered is logged once."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents import Agents, InvalidInputError
from promptlayer_agents.sandbox import PromptLayerSandbox

from .sandbox_helpers import RESULTS, controlled, raw_client, results, until

__all__ = ["controlled"]  # the fixture, imported for the tests below

RUN = "/workflows/echo/run"
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

MARK = "\u2063mark\u2063"
NON_FINITE = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1E400", "1e+309"])
FINITE = st.floats(allow_nan=False, allow_infinity=False)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | FINITE | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@st.composite
def with_a_non_finite_number(draw: st.DrawFn) -> bytes:
    """A run body whose input variables hold, somewhere, a number JSON has not (NaN, an
    infinity, or a literal too large for a float)."""
    value = draw(JSON_VALUES)
    path = draw(st.lists(st.sampled_from(["list", "dict"]), max_size=3))
    marked: Any = MARK
    for step in path:
        marked = [value, marked] if step == "list" else {"k": marked, "other": value}
    inputs = {"text": "hi", draw(st.text(min_size=1, max_size=5)): marked}
    body = json.dumps({"input_variables": inputs})
    return body.replace(json.dumps(MARK), draw(NON_FINITE)).encode()


@SLOW
@given(body=with_a_non_finite_number())
def test_nan_and_infinity_in_run_inputs_are_refused_with_422(
    controlled: PromptLayerSandbox, body: bytes
) -> None:
    before = len(controlled.runs)
    with raw_client(controlled.url, controlled.api_key) as http:
        answer = http.post(RUN, content=body)

    assert answer.status_code == 422, answer.text
    problem = answer.json()["detail"][0]
    assert "NaN" in problem["msg"]
    assert len(controlled.runs) == before  # nothing started


def test_a_nan_input_no_longer_makes_every_results_answer_fail(
    controlled: PromptLayerSandbox,
) -> None:
    with raw_client(controlled.url, controlled.api_key) as http:
        refused = http.post(RUN, content=b'{"input_variables": {"text": "a", "n": NaN}}')
        started = http.post(RUN, json={"input_variables": {"text": "a", "n": 1.5}})
        answer = results(http, started.json()["workflow_version_execution_id"])

    assert refused.status_code == 422
    assert started.status_code == 201
    assert answer.status_code in (200, 202) and answer.json()["Twice"]["value"] in (None, "aa")


CONTROL_OR_SPACE = st.sampled_from(
    [chr(c) for c in range(0x20)] + [" ", "\x7f", "\x85", "\xa0", "\u2028", "\u3000"]
)


@st.composite
def broken_callback_urls(draw: st.DrawFn) -> str:
    """A loopback http URL with whitespace or a control character somewhere in it."""
    host = draw(st.sampled_from(["127.0.0.1", "localhost", "[::1]", "169.254.169.254"]))
    path = draw(st.text(alphabet="abc/", max_size=6))
    url = f"http://{host}:{draw(st.integers(1, 65535))}/{path}"
    at = draw(st.integers(0, len(url)))
    return url[:at] + draw(CONTROL_OR_SPACE) + url[at:]


def test_the_reported_callback_url_with_a_tab_is_refused(
    controlled: PromptLayerSandbox,
) -> None:
    url = "http://169.254.169.254\t@127.0.0.1/"
    with raw_client(controlled.url, controlled.api_key) as http:
        answer = http.post(RUN, json={"input_variables": {"text": "a"}, "callback_url": url})

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "callback_url"]
    assert controlled.runs == []


@SLOW
@given(url=broken_callback_urls())
def test_callback_urls_with_whitespace_or_control_characters_are_refused_by_both(
    controlled: PromptLayerSandbox, url: str
) -> None:
    with raw_client(controlled.url, controlled.api_key) as http:
        answer = http.post(RUN, json={"input_variables": {"text": "a"}, "callback_url": url})
    with (
        Agents(api_key=controlled.api_key, base_url=controlled.url) as agents,
        pytest.raises(InvalidInputError, match="callback_url"),
    ):
        agents.run("echo", input_variables={"text": "a"}, callback_url=url)

    assert answer.status_code == 422, url
    assert controlled.runs == []  # neither started anything


def _exception_types() -> st.SearchStrategy[type[BaseException]]:
    """Built-in exception types of every family, pytest's outcomes, and new ones."""
    builtin: list[type[BaseException]] = [
        SystemExit,
        KeyboardInterrupt,
        GeneratorExit,
        ValueError,
        KeyError,
        RecursionError,
        MemoryError,
        OSError,
        StopIteration,
        type(pytest.fail.Exception("x")),
        type(pytest.skip.Exception("x")),
    ]

    def new_type(name: str, base: type[BaseException]) -> type[BaseException]:
        return type(name, (base,), {})

    made = st.builds(
        new_type,
        st.from_regex(r"[A-Z][a-z]{2,8}Error", fullmatch=True),
        st.sampled_from([Exception, BaseException, RuntimeError]),
    )
    return st.sampled_from(builtin) | made


@SLOW
@given(kind=_exception_types(), message=st.text(max_size=30))
def test_whatever_a_script_callable_raises_fails_its_node_with_json(
    controlled: PromptLayerSandbox, kind: type[BaseException], message: str
) -> None:
    def raising(run: dict[str, Any]) -> Any:
        raise kind(message)

    controlled.script("echo", "Model", value=raising)
    with raw_client(controlled.url, controlled.api_key) as http:
        started = http.post(RUN, json={"input_variables": {"text": "a"}})
        execution_id = started.json()["workflow_version_execution_id"]
        until(lambda: results(http, execution_id).status_code == 200, what="the run to end")
        answer = results(http, execution_id)
        again = http.get("/workflows/echo")  # and the server goes on serving

    model = answer.json()["Model"]
    assert answer.headers["content-type"] == "application/json"
    assert model["status"] == "FAILED"
    assert model["error_message"].startswith(f"{kind.__name__}: ")
    assert again.status_code == 200


@SLOW
@given(
    value=st.sampled_from([float("nan"), float("inf"), {1, 2}, object(), b"bytes", "\ud800"])
    | st.recursive(st.just(float("-inf")), lambda inner: st.lists(inner, min_size=1, max_size=2))
)
def test_a_script_callable_returning_what_json_cannot_carry_fails_its_node(
    controlled: PromptLayerSandbox, value: Any
) -> None:
    controlled.script("echo", "Model", value=lambda run: value)
    with raw_client(controlled.url, controlled.api_key) as http:
        execution_id = http.post(RUN, json={"input_variables": {"text": "a"}}).json()[
            "workflow_version_execution_id"
        ]
        until(lambda: results(http, execution_id).status_code == 200, what="the run to end")
        answer = results(http, execution_id)
        output = http.get(RESULTS, params={"workflow_version_execution_id": execution_id})

    assert answer.json()["Model"]["status"] == "FAILED"
    assert "JSON" in answer.json()["Model"]["error_message"]
    assert output.status_code == 200  # a failed run answers its node map, as JSON
    assert output.json()["Model"]["status"] == "FAILED"


@pytest.mark.parametrize(
    "error",
    [httpx.InvalidURL("bad"), ValueError("odd"), RuntimeError("boom"), OSError("gone")],
    ids=lambda e: type(e).__name__,
)
def test_a_callback_that_cannot_be_delivered_is_logged_once_and_its_task_ends_cleanly(
    controlled: PromptLayerSandbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    async def failing(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> httpx.Response:
        raise error

    monkeypatch.setattr(httpx.AsyncClient, "post", failing)
    caplog.set_level(logging.WARNING, logger="promptlayer_agents.sandbox")
    body = {"input_variables": {"text": "a"}, "callback_url": "http://127.0.0.1:9/hook"}
    with raw_client(controlled.url, controlled.api_key) as http:
        answer = http.post(RUN, json=body)
    execution_id = answer.json()["workflow_version_execution_id"]
    execution = controlled.sandbox.state.executions.get(execution_id)
    assert execution is not None

    until(lambda: execution.task is not None and execution.task.done(), what="the callback")

    assert answer.status_code == 202
    assert execution.task is not None and execution.task.exception() is None
    failures = [r for r in caplog.records if "callback for execution" in r.getMessage()]
    assert len(failures) == 1 and type(error).__name__ in failures[0].getMessage()

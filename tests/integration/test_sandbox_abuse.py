"""The sandbox under abuse: huge bodies, deep nesting, malformed URLs, text JSON cannot store,
failing handlers, oversized headers, too many connections. Every error it answers is JSON in the
API's shape, and nothing poisons an execution."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptlayer_agents.sandbox import Sandbox
from promptlayer_agents.sandbox._limits import DEFAULT_MAX_BODY_BYTES

RUN = "/workflows/greeter/run"
RESULTS = "/workflow-version-execution-results"
COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))


def _api_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The answer is `status` with a JSON error body in one of the API's two shapes."""
    assert response.status_code == status, response.text[:200]
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    if "detail" in body:  # FastAPI's validation shape
        assert all({"loc", "msg", "type"} <= set(issue) for issue in body["detail"])
    else:
        assert body["success"] is False and isinstance(body["message"], str)
    return body


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    headers = {"X-API-KEY": sandbox.api_key, "Content-Type": "application/json"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=10) as client:
        yield client


def _client(sandbox: Sandbox) -> httpx.Client:
    headers = {"X-API-KEY": sandbox.api_key, "Content-Type": "application/json"}
    return httpx.Client(base_url=sandbox.url, headers=headers, timeout=10)


def _body(size: int) -> bytes:
    """A valid run body of exactly `size` bytes."""
    start, end = b'{"input_variables": {"name": "', b'"}}'
    return start + b"x" * (size - len(start) - len(end)) + end


def test_a_body_over_the_limit_is_refused_with_413(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(max_body_bytes=1000)

    def chunks(size: int) -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        body = _body(size)
        yield from (body[i : i + 100] for i in range(0, len(body), 100))

    with _client(sandbox) as http:
        at_limit = http.post(RUN, content=_body(1000))
        declared = http.post(RUN, content=_body(1001))
        streamed = http.post(RUN, content=chunks(5000))
        huge = http.post(RUN, content=b"x" * 20_000_000)

    assert at_limit.status_code == 201
    for refused in (declared, streamed, huge):
        assert "1000 bytes" in _api_error(refused, 413)["message"]
    assert len(sandbox.state.executions) == 1


def test_the_default_body_limit_is_10_mib(sandbox: Sandbox, http: httpx.Client) -> None:
    assert DEFAULT_MAX_BODY_BYTES == 10 * 1024 * 1024  # as the README says

    _api_error(http.post(RUN, content=_body(DEFAULT_MAX_BODY_BYTES + 1)), 413)
    assert http.post(RUN, content=_body(DEFAULT_MAX_BODY_BYTES)).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"input_variables": {"name": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001 + b"}",
        b'{"callback_url": "http://[::1"}',
        b'{"callback_url": "http://[::1]:99999/"}',
        b'{"input_variables": {"name": "\\ud800"}}',
        b'{"input_variables": {"\\udfff": "x"}}',
        b'{"input_variables": {"name": "Ada"}, "metadata": {"k": "\\ud83d"}}',
        b'{"input_variables": {"name": "Ada"}, "callback_url": "http://127.0.0.1/\\ud800"}',
        b'{"input_variables": {"name": "Ada"}, "workflow_label_name": "\\udc80"}',
    ],
    ids=[
        "deep array",
        "deep inputs",
        "unclosed IPv6 callback",
        "bad port callback",
        "lone surrogate value",
        "lone surrogate key",
        "lone surrogate metadata",
        "lone surrogate callback",
        "lone surrogate label",
    ],
)
def test_bodies_that_cannot_be_run_get_422_and_start_nothing(
    sandbox: Sandbox, http: httpx.Client, body: bytes
) -> None:
    _api_error(http.post(RUN, content=body), 422)

    assert len(sandbox.state.executions) == 0
    good = http.post(RUN, json={"input_variables": {"name": "Ada"}}).json()
    execution_id = good["workflow_version_execution_id"]
    answer = http.get(RESULTS, params={"workflow_version_execution_id": execution_id})
    assert answer.status_code in (200, 202)


def test_any_exception_in_a_handler_is_a_json_500(
    sandbox: Sandbox, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sandbox.state.executions, "start", broken)
    monkeypatch.setattr(sandbox.state.executions, "get", broken)

    body = _api_error(http.post(RUN, json={"input_variables": {"name": "Ada"}}), 500)
    _api_error(http.get(RESULTS, params={"workflow_version_execution_id": 1}), 500)
    assert "a bug" not in body["message"]  # the traceback goes to the server's log only


def test_headers_over_the_limit_are_refused(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(max_header_bytes=100_000)

    with _client(sandbox) as http:
        fine = http.get("/workflows/greeter", headers={"X-Notes": "a" * 50_000})
        refused = http.get("/workflows/greeter", headers={"X-Notes": "a" * 300_000})

    assert fine.status_code == 200
    assert refused.status_code == 400  # from the HTTP server itself, before the API


def test_connections_over_the_limit_get_503(sandbox_factory: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_factory(max_connections=2)
    clients = [_client(sandbox) for _ in range(3)]
    try:
        # each client keeps its connection open after its answer
        statuses = [client.get("/workflows/greeter").status_code for client in clients]
    finally:
        for client in clients:
            client.close()

    assert statuses == [200, 200, 503]


TEXT = st.text() | st.text(st.characters(categories=["Cs", "Ll"]))  # lone surrogates too
JSON_TEXT = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "input_variables",
        "metadata",
        "callback_url",
        "workflow_label_name",
        "workflow_version_number",
        "return_all_outputs",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.dictionaries(FIELDS, JSON_TEXT, max_size=4).map(lambda b: json.dumps(b).encode()),
    ),
    query=st.text(max_size=30),
)
def test_no_request_gets_a_500_or_a_body_that_is_not_json(
    sandbox: Sandbox, http: httpx.Client, body: bytes, query: str
) -> None:
    run = http.post(RUN, content=body)
    answers = [run, http.get(RESULTS, params={"workflow_version_execution_id": query})]
    if run.status_code in (201, 202):  # what was stored answers too
        execution = {"workflow_version_execution_id": run.json()["workflow_version_execution_id"]}
        answers.append(http.get(RESULTS, params={**execution, "return_all_outputs": "true"}))
    for answer in answers:
        assert answer.status_code < 500, answer.text[:200]
        assert answer.headers["content-type"] == "application/json"
        answer.json()
        if answer.status_code >= 400:
            _api_error(answer, answer.status_code)


def test_the_command_line_sets_the_body_limit() -> None:
    process = subprocess.Popen(
        [COMMAND, "sandbox", "--port", "0", "--log-level", "warning", "--max-body-bytes", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # bounded by the finally's kill if it never comes
        url = first.split(" serving ", 1)[1].split(" ", 1)[0]
        answer = httpx.post(
            f"{url}{RUN}", content=_body(101), headers={"X-API-KEY": "pl_sandbox"}, timeout=10
        )
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)

    assert "100 bytes" in _api_error(answer, 413)["message"]


def test_the_command_line_refuses_limits_below_one() -> None:
    done = subprocess.run(
        [COMMAND, "sandbox", "--max-connections", "0"], capture_output=True, text=True, timeout=30
    )

    assert done.returncode == 2
    assert "--max-connections: must be at least 1" in done.stderr

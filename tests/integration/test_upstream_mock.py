"""The client against a mock of PromptLayer's own published spec (Prism, dynamic answers).

Prism serves `upstream/promptlayer-openapi.json` on 127.0.0.1 and makes up a new answer, valid for
that document, for every request; `Prefer: code=N` picks the documented status. Every answer must
be parsed with the meaning the published spec gives it, or raised as the typed error for its
status. Bounded: a fixed number of requests, Prism started and stopped within the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from promptlayer_agents import (
    Agents,
    AuthenticationError,
    BadRequestError,
    ExecutionResult,
    NotFoundError,
    PermissionDeniedError,
    PromptLayerError,
    ResponseValidationError,
    UnprocessableEntityError,
)

from ..helpers import ROOT

PRISM = ROOT / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "upstream" / "promptlayer-openapi.json"
STARTUP_LIMIT = 40.0
ROUNDS = 15
"""Answers asked for per operation and success status (each one different)."""

NODE_RESULT_FIELDS = {"status", "value", "error_message", "raw_error_message", "is_output_node"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    """Prism mocking the vendored official spec; its base URL. Stopped after the module."""
    if shutil.which("node") is None or not PRISM.exists():
        pytest.fail("Prism is not installed: run `make install` (npm ci)")
    port = _free_port()
    command = [str(PRISM), "mock", "--dynamic", "-h", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "-p", str(port), str(SPEC)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Prism did not start (exit code {process.poll()})")
            time.sleep(0.2)  # polling a subprocess's port: there is no event to wait on
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Recorder:
    """The facade on a client that asks Prism for one status and records each raw answer."""

    def __init__(self, base_url: str, code: int) -> None:
        self.bodies: list[Any] = []
        http = httpx.Client(
            headers={"Prefer": f"code={code}"}, event_hooks={"response": [self._keep]}
        )
        self.agents = Agents(api_key="pl_mock", base_url=base_url, http_client=http, max_retries=0)

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        try:
            self.bodies.append(response.json())
        except ValueError:
            self.bodies.append(None)

    @property
    def last(self) -> Any:
        return self.bodies[-1]


def _expect_results(result: ExecutionResult, body: Any, code: int, all_outputs: bool) -> None:
    """The result means what the published spec says of this body."""
    assert result.done is (code == 200)
    objects = isinstance(body, dict) and all(isinstance(v, dict) for v in body.values())
    if objects and (
        all_outputs or (body and all(v.keys() >= NODE_RESULT_FIELDS for v in body.values()))
    ):
        assert list(result.nodes) == list(body)
        for name, node in body.items():
            expected = node.get("status")
            assert result.nodes[name].status == ("FAILED" if expected == "FAILURE" else expected)
            assert result.nodes[name].value == node.get("value")
        if result.done and not result.succeeded_outputs:
            # Prism's statuses are made-up words: never reported as a success.
            assert result.status == "FAILED" or all(
                n.status in ("SUCCESS", "SKIPPED") for n in result.nodes.values()
            )
    else:
        assert (result.output, result.nodes) == (body, {})


@pytest.mark.parametrize("code", [200, 202])
@pytest.mark.parametrize("all_outputs", [True, False])
def test_every_results_answer_is_read_with_its_meaning(
    prism: str, code: int, all_outputs: bool
) -> None:
    recorder = Recorder(prism, code)
    with recorder.agents as agents:
        for _ in range(ROUNDS):
            result = agents.get_results(787, return_all_outputs=all_outputs)
            _expect_results(result, recorder.last, code, all_outputs)


@pytest.mark.parametrize("code", [201, 202])
def test_every_run_answer_is_read_or_refused_for_its_id(prism: str, code: int) -> None:
    recorder = Recorder(prism, code)
    with recorder.agents as agents:
        for _ in range(ROUNDS):
            try:
                started = agents.run("my-agent", input_variables={"q": "hi"})
            except ResponseValidationError as error:
                # The published spec allows any integer; only a positive one names an execution.
                assert recorder.last["workflow_version_execution_id"] < 1
                assert "workflow_version_execution_id" in str(error)
            else:
                assert started.execution_id == recorder.last["workflow_version_execution_id"]
                assert started.accepted_for_callback is (code == 202)


def test_every_get_agent_answer_is_read(prism: str) -> None:
    recorder = Recorder(prism, 200)
    with recorder.agents as agents:
        for _ in range(ROUNDS):
            agent = agents.get("my-agent")
            body = recorder.last
            assert (agent.workflow_name, agent.version) == (body["workflow_name"], body["version"])
            assert [n.name for n in agent.nodes] == [n["name"] for n in body["nodes"]]
            conditionals = [len(e.get("conditionals", [])) for e in body["edges"]]
            assert [len(e.conditionals or []) for e in agent.edges] == conditionals


TYPED = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
}
ERROR_CODES = {
    "run": [400, 401, 404, 422],
    "results": [400, 401, 403, 404, 422],
    "get": [401, 404, 422],
}


@pytest.mark.parametrize(
    ("operation", "code"), [(op, code) for op, codes in ERROR_CODES.items() for code in codes]
)
def test_every_documented_error_is_its_typed_error(prism: str, operation: str, code: int) -> None:
    recorder = Recorder(prism, code)
    calls = {
        "run": lambda a: a.run("my-agent"),
        "results": lambda a: a.get_results(787),
        "get": lambda a: a.get("my-agent"),
    }
    with recorder.agents as agents:
        for _ in range(3):
            with pytest.raises(PromptLayerError) as caught:
                calls[operation](agents)
            assert type(caught.value) is TYPED[code]
            assert caught.value.status_code == code

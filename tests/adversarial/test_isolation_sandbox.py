"""No client and no test can take the sandbox from the others: a connection that sends nothing,
or sends its request slowly, is closed and frees its slot; a script callable that raises anything
or blocks fails its own node (and, blocked, its own test), and the next test gets a clean, working
sandbox, whose execution ids start again at 1."""

from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptlayer_agents.sandbox import ConnectionTimeouts, PromptLayerSandbox, Sandbox

from .sandbox_helpers import controlled, raw_client, run_pytest, until

__all__ = ["controlled"]  # the fixture, imported for the tests below

SHORT = ConnectionTimeouts(idle=0.3, header=0.3, body=0.3)
BOUND = 15.0  # seconds a test waits for the server to close a connection: far above SHORT
BODY = b'{"input_variables": {"name": "x"}}'
REQUEST = (
    b"POST /workflows/greeter/run HTTP/1.1\r\nHost: sandbox\r\nX-API-KEY: pl_sandbox\r\n"
    b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
)


def _connect(sandbox: Sandbox) -> socket.socket:
    host, port = sandbox.url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=BOUND)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed the connection (read to its end within BOUND); it answers
    nothing else first."""
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def test_connections_holding_every_slot_are_closed_and_the_sandbox_serves_again(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(max_connections=3, timeouts=SHORT)
    held = [_connect(sandbox) for _ in range(3)]
    try:
        held[1].sendall(REQUEST[:40])  # half a request line
        held[2].sendall(REQUEST[:-10])  # the head, and part of the body
        closed = [_closed_by_server(sock) for sock in held]
    finally:
        for sock in held:
            sock.close()

    assert closed == [True, True, True]
    with raw_client(sandbox.url, sandbox.api_key) as http:
        assert http.get("/workflows/greeter").status_code == 200
    assert len(sandbox.state.executions) == 0  # the cut-off run started nothing


@pytest.fixture(scope="module")
def impatient() -> Iterator[Sandbox]:
    """One sandbox with SHORT timeouts for every example."""
    with Sandbox(timeouts=SHORT) as sandbox:
        yield sandbox


@settings(max_examples=15, deadline=None)
@given(cut=st.integers(0, len(REQUEST) - 1))
def test_a_request_cut_off_anywhere_is_closed_and_starts_nothing(
    impatient: Sandbox, cut: int
) -> None:
    with _connect(impatient) as sock:
        sock.sendall(REQUEST[:cut])
        assert _closed_by_server(sock)
    assert len(impatient.state.executions) == 0


def test_a_request_trickled_byte_by_byte_is_closed_at_its_deadline(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sandbox = sandbox_factory(timeouts=ConnectionTimeouts(idle=5, header=0.5, body=5))
    endless_head = b"GET /workflows/greeter HTTP/1.1\r\nX-Slow: " + b"a" * 100_000
    started = time.monotonic()
    with _connect(sandbox) as sock:
        for byte in range(len(endless_head)):
            readable, _, _ = select.select([sock], [], [], 0.05)  # a slow client's pace
            if readable or time.monotonic() - started > BOUND:
                break
            try:
                sock.sendall(endless_head[byte : byte + 1])
            except OSError:
                break
        assert _closed_by_server(sock)
    assert time.monotonic() - started < BOUND  # closed though bytes kept arriving


def test_the_default_timeouts_are_those_documented() -> None:
    assert ConnectionTimeouts() == ConnectionTimeouts(idle=5, header=10, body=30)


USER_TESTS = """
import threading

import pytest

from promptlayer_agents import Agents, ExecutionFailedError

BOT = {
    "workflow_name": "bot",
    "version": 1,
    "nodes": [{"name": "Model", "node_type": "PROMPT_TEMPLATE", "is_output_node": True}],
}
RELEASE = threading.Event()


def ask():
    with Agents() as agents:
        return agents.run_and_wait("bot", timeout=60)


@pytest.mark.parametrize("kind", [SystemExit, KeyboardInterrupt, GeneratorExit])
def test_a_callable_raising_fails_its_node(promptlayer_sandbox, kind):
    promptlayer_sandbox.add_agent(BOT)

    def leave(run):
        raise kind("bye")

    promptlayer_sandbox.script("bot", "Model", value=leave)
    with pytest.raises(ExecutionFailedError, match=f"Model: {kind.__name__}: bye"):
        ask()


def test_pytest_fail_in_a_callable_fails_its_node(promptlayer_sandbox):
    promptlayer_sandbox.add_agent(BOT)
    promptlayer_sandbox.script("bot", "Model", value=lambda run: pytest.fail("not here"))
    with pytest.raises(ExecutionFailedError, match="Model: Failed: not here"):
        ask()


@pytest.mark.promptlayer(callable_timeout=0.5)
def test_blocked(promptlayer_sandbox):
    promptlayer_sandbox.add_agent(BOT)
    promptlayer_sandbox.script("bot", "Model", value=lambda run: RELEASE.wait(120))
    with pytest.raises(ExecutionFailedError, match="did not return within 0.5 s"):
        ask()


def test_the_next_test_gets_a_working_sandbox_and_ids_from_1(promptlayer_sandbox):
    promptlayer_sandbox.add_agent(BOT)
    promptlayer_sandbox.script("bot", "Model", value=lambda run: "fine")
    assert ask().output == "fine"
    assert [run.execution_id for run in promptlayer_sandbox.runs] == [1]
"""


def test_a_callable_that_raises_or_blocks_breaks_only_its_own_node_and_test(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_service.py").write_text(textwrap.dedent(USER_TESTS))

    done = run_pytest(tmp_path, "-p", "no:randomly", "test_service.py")

    report = done.stdout + done.stderr
    assert "6 passed, 1 error" in done.stdout, report
    assert "ERROR at teardown of test_blocked" in done.stdout, report
    assert (
        "script callable(s) still running at the end of the test, abandoned: "
        "agent 'bot', node 'Model'"
    ) in done.stdout, report
    assert "TimeoutError" not in report


def test_execution_ids_start_at_1_after_each_reset(controlled: PromptLayerSandbox) -> None:
    with raw_client(controlled.url, controlled.api_key) as http:
        for _ in range(3):
            http.post("/workflows/echo/run", json={"input_variables": {"text": "a"}})
        controlled.reset()
        controlled.add_agent(
            {"workflow_name": "solo", "version": 1, "nodes": [{"name": "N", "node_type": "X"}]}
        )
        answer = http.post("/workflows/solo/run", json={"input_variables": {}})
        stale = http.get(
            "/workflow-version-execution-results", params={"workflow_version_execution_id": 3}
        )

    assert answer.json()["workflow_version_execution_id"] == 1
    assert [run.execution_id for run in controlled.runs] == [1]
    assert stale.status_code == 404  # an id of before the reset is not this test's


def test_runs_record_each_nodes_result_and_the_output(controlled: PromptLayerSandbox) -> None:
    controlled.script("echo", "Model", value=lambda run: {"said": run["Twice"]})
    with raw_client(controlled.url, controlled.api_key) as http:
        http.post("/workflows/echo/run", json={"input_variables": {"text": "ab"}})
        until(lambda: controlled.runs[0].status == "SUCCESS", what="the run to end")
        answered = http.get(
            "/workflow-version-execution-results",
            params={"workflow_version_execution_id": 1, "return_all_outputs": "true"},
        ).json()

    [run] = controlled.runs
    assert run.output == {"said": "abab"}
    assert run.nodes["Twice"]["value"] == "abab" and run.nodes["Twice"]["status"] == "SUCCESS"
    assert run.nodes == answered  # exactly what the results endpoint answers


def test_a_blocked_callable_does_not_hold_up_other_requests(
    controlled: PromptLayerSandbox,
) -> None:
    release = threading.Event()
    controlled.configure(callable_timeout=60)
    controlled.script("echo", "Model", value=lambda run: release.wait(60))
    try:
        with raw_client(controlled.url, controlled.api_key) as http:
            http.post("/workflows/echo/run", json={"input_variables": {"text": "a"}})
            until(lambda: controlled.blocked_scripts() != [], what="the callable to start")
            served = http.get("/workflows/echo", timeout=httpx.Timeout(5.0))
            assert served.status_code == 200  # the loop is free while the callable blocks
            assert controlled.runs[0].status == "RUNNING"
    finally:
        release.set()
    until(lambda: controlled.blocked_scripts() == [], what="the callable to return")


COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))


def test_the_command_line_sets_the_timeouts_and_refuses_ones_not_above_zero() -> None:
    refused = subprocess.run(
        [COMMAND, "sandbox", "--header-timeout", "0"], capture_output=True, text=True, timeout=60
    )
    process = subprocess.Popen(
        [COMMAND, "sandbox", "--port", "0", "--log-level", "warning", "--idle-timeout", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" serving ", 1)[1].split(" ", 1)[0]
        host, port = url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=BOUND) as sock:
            closed = _closed_by_server(sock)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)

    assert refused.returncode == 2
    assert "--header-timeout: must be a number of seconds > 0" in refused.stderr
    assert closed

"""The facade, sync and async, against the sandbox over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents.sandbox import Faults, Sandbox

from ..fakes import SameCalls
from ..helpers import load_spec

Start = Callable[..., Sandbox]


class Client(SameCalls):
    """Agents or AsyncAgents pointed at a sandbox."""

    def __init__(self, mode: str, sandbox: Sandbox, **options: Any) -> None:
        super().__init__(mode)
        options = {"api_key": sandbox.api_key, "base_url": sandbox.url, **options}
        self.agents = pa.Agents(**options) if mode == "sync" else pa.AsyncAgents(**options)


@pytest.fixture
def connect(mode: str) -> Iterator[Callable[..., Client]]:
    clients: list[Client] = []

    def make(sandbox: Sandbox, **options: Any) -> Client:
        clients.append(Client(mode, sandbox, **options))
        return clients[-1]

    yield make
    for client in clients:
        client.shut()


Connect = Callable[..., Client]


def test_run_and_wait_through_202s(sandbox: Sandbox, connect: Connect) -> None:
    client = connect(sandbox)

    result = client.run_and_wait("greeter", input_variables={"name": "Ada"}, timeout=30)

    assert (result.status, result.output) == ("SUCCESS", "Hello, Ada!")
    assert {name: n.status for name, n in result.nodes.items()} == {
        "Name": "SUCCESS",
        "Greeting": "SUCCESS",
    }
    assert sandbox.state.requests["GET results"] >= 2  # at least one 202 before the 200


def test_run_then_get_results_then_wait(sandbox: Sandbox, connect: Connect) -> None:
    client = connect(sandbox)

    started = client.run("support-bot", input_variables={"question": "hi"}, version=1)
    early = client.get_results(started.execution_id, return_all_outputs=True)
    final = client.wait(started.execution_id, timeout=30)

    assert early.execution_id == final.execution_id == started.execution_id
    assert final.output == "v1: hi"
    assert started.warning is None


def test_conditional_edges_decide_what_runs(sandbox: Sandbox, connect: Connect) -> None:
    client = connect(sandbox)

    runs = [
        client.run("support-bot", input_variables={"question": "q", "tier": tier}, label="staging")
        for tier in ("premium", "basic")
    ]
    premium, basic = (client.wait(run.execution_id) for run in runs)

    assert premium.output == "A person will call you about: q"
    assert (premium.nodes["Escalate"].status, premium.nodes["Answer"].status) == (
        "SUCCESS",
        "SKIPPED",
    )
    assert basic.output == "Self-service answer for: q"
    assert basic.nodes["Escalate"].status == "SKIPPED"


def test_first_output_node_to_succeed_is_the_main_output(
    sandbox: Sandbox, connect: Connect
) -> None:
    result = connect(sandbox).run_and_wait("two-answers", input_variables={"question": "why"})

    assert result.output == "A quick answer to: why"
    assert len(result.succeeded_outputs) == 2


def test_failed_run(sandbox: Sandbox, connect: Connect) -> None:
    client = connect(sandbox)

    with pytest.raises(pa.ExecutionFailedError) as caught:
        client.run_and_wait("flaky-extractor", input_variables={"document": "x"})

    assert list(caught.value.failed_nodes) == ["Parse"]
    assert "ParseError: unexpected token" in str(caught.value)
    assert caught.value.result.nodes["Summary"].status == "SKIPPED"
    main_only = client.get_results(caught.value.execution_id)
    assert main_only.status == "FAILED"  # the node map answered where the main output was asked


def test_versions_and_labels(sandbox: Sandbox, connect: Connect) -> None:
    client = connect(sandbox)

    assert client.get("support-bot").version == 3
    assert client.get("support-bot", label="prod").version == 2
    assert client.get("support-bot", version=1).version == 1
    assert client.run_and_wait(
        "support-bot", input_variables={"question": "x"}, label="prod"
    ).output == ("See account settings for: x")


def test_missing_inputs_give_a_warning(sandbox: Sandbox, connect: Connect) -> None:
    started = connect(sandbox).run("greeter", input_variables={"nmae": "typo"})

    assert started.warning == "Missing input variables: name; Unexpected input variables: nmae"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.get("no-such-agent"), pa.NotFoundError),
        (lambda c: c.run("no-such-agent"), pa.NotFoundError),
        (lambda c: c.get("support-bot", version=9), pa.NotFoundError),
        (lambda c: c.run("support-bot", label="canary"), pa.NotFoundError),
        (lambda c: c.get_results(999_999), pa.NotFoundError),
    ],
)
def test_api_errors(
    sandbox: Sandbox, connect: Connect, call: Callable[[Client], Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        call(connect(sandbox))


def test_wrong_key_is_401(sandbox: Sandbox, connect: Connect) -> None:
    with pytest.raises(pa.AuthenticationError, match="Invalid API key"):
        connect(sandbox, api_key="pl_wrong").get("greeter")


def test_label_and_version_together_and_malformed_bodies_are_422(sandbox: Sandbox) -> None:
    headers = {"X-API-KEY": sandbox.api_key}
    with httpx.Client(base_url=sandbox.url, headers=headers) as http:
        both = http.get("/workflows/support-bot", params={"label": "prod", "version": 1})
        run_both = http.post(
            "/workflows/support-bot/run",
            json={"workflow_label_name": "prod", "workflow_version_number": 1},
        )
        malformed = http.post("/workflows/greeter/run", content=b"{not json")
        wrong_type = http.post("/workflows/greeter/run", json={"input_variables": []})

    assert (both.status_code, run_both.status_code) == (422, 422)
    assert "mutually exclusive" in both.json()["message"]
    assert malformed.status_code == wrong_type.status_code == 422
    assert wrong_type.json()["detail"][0]["loc"] == ["body", "input_variables"]
    assert sandbox.state.executions.get(1) is None


def test_agent_name_with_spaces_and_slashes(sandbox_factory: Start, connect: Connect) -> None:
    name = "support team/triage bot?v=2#x%20"
    agents = {
        "agents": [
            {
                "workflow_name": name,
                "versions": [
                    {
                        "nodes": [
                            {
                                "name": "Out",
                                "node_type": "VARIABLE",
                                "configuration": {"value": "routed"},
                                "is_output_node": True,
                            },
                        ]
                    }
                ],
            }
        ]
    }
    sandbox = sandbox_factory(agents)
    client = connect(sandbox)

    assert client.get(name).workflow_name == name
    assert client.run_and_wait(name).output == "routed"
    assert client.run_and_wait(1).output == "routed"  # by numeric id


def test_agent_without_output_node(sandbox_factory: Start, connect: Connect) -> None:
    agents = {
        "agents": [
            {
                "workflow_name": "no-output",
                "versions": [
                    {
                        "nodes": [
                            {
                                "name": "Only",
                                "node_type": "VARIABLE",
                                "configuration": {"value": 1},
                            },
                        ]
                    }
                ],
            }
        ]
    }
    client = connect(sandbox_factory(agents))

    result = client.run_and_wait("no-output")

    assert (result.done, result.status, result.output) == (True, "SUCCESS", None)
    assert result.nodes["Only"].value == 1


def test_gets_are_retried_through_injected_429_and_503(
    sandbox_factory: Start, connect: Connect
) -> None:
    faults = Faults(rate_limit=0.3, unavailable=0.3, retry_after=0, seed=7)
    sandbox = sandbox_factory(faults=faults)
    client = connect(sandbox, max_retries=20)

    for _ in range(5):
        assert client.get("greeter").workflow_name == "greeter"

    assert sandbox.state.requests["GET agent"] > 5


@pytest.mark.parametrize(
    ("faults", "error", "created"),
    [
        (Faults(unavailable=1.0), pa.InternalServerError, 0),
        (Faults(drop=1.0), pa.APIConnectionError, 1),
    ],
)
def test_a_run_is_never_sent_twice(
    sandbox_factory: Start, connect: Connect, faults: Faults, error: type[Exception], created: int
) -> None:
    sandbox = sandbox_factory(faults=faults, log_level="critical")

    with pytest.raises(error):
        connect(sandbox, max_retries=5).run("greeter", input_variables={"name": "x"})

    assert sandbox.state.requests["POST run"] == 1
    assert len(sandbox.state.executions) == created


def test_a_rate_limited_run_is_retried(sandbox_factory: Start, connect: Connect) -> None:
    sandbox = sandbox_factory(faults=Faults(rate_limit=0.5, retry_after=0, seed=3))

    started = connect(sandbox, max_retries=10).run("greeter", input_variables={"name": "x"})

    assert sandbox.state.requests["POST run"] > 1
    assert len(sandbox.state.executions) == 1
    execution = sandbox.state.executions.get(started.execution_id)
    assert execution and execution.inputs == {"name": "x"}


class CallbackReceiver:
    """An HTTP server on 127.0.0.1 that records the bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.end_headers()
                receiver.arrived.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/done"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CallbackReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def test_callback_delivery(sandbox: Sandbox, connect: Connect) -> None:
    with CallbackReceiver() as receiver:
        client = connect(sandbox)
        started = client.run("greeter", input_variables={"name": "Cy"}, callback_url=receiver.url)
        assert receiver.arrived.wait(timeout=20), "no callback within 20 s"

    assert started.accepted_for_callback
    result = pa.parse_callback(receiver.bodies[0])
    assert (result.execution_id, result.output, result.status) == (
        started.execution_id,
        "Hello, Cy!",
        "SUCCESS",
    )


def test_callbacks_go_to_loopback_only_unless_allowed(sandbox: Sandbox, connect: Connect) -> None:
    client = connect(sandbox)

    started = client.run(
        "support-bot",
        version=1,
        input_variables={"question": "q"},
        callback_url="https://example.com/cb",
    )
    result = client.wait(started.execution_id)

    assert started.accepted_for_callback
    assert started.warning is not None and "loopback addresses only" in started.warning
    assert sandbox.state.executions.get(result.execution_id).callback_url is None  # type: ignore[union-attr]


def test_old_executions_are_dropped(sandbox_factory: Start, connect: Connect) -> None:
    sandbox = sandbox_factory(max_executions=3)
    client = connect(sandbox)

    ids = [client.run("greeter", input_variables={"name": "x"}).execution_id for _ in range(5)]

    assert len(sandbox.state.executions) == 3
    with pytest.raises(pa.NotFoundError):
        client.get_results(ids[0])
    assert client.wait(ids[-1]).done


def test_get_answer_matches_the_spec_example_shape(sandbox: Sandbox, connect: Connect) -> None:
    example = load_spec()["paths"]["/workflows/{workflow_id_or_name}"]["get"]["responses"]["200"][
        "content"
    ]["application/json"]["examples"]["agent"]["value"]

    answer = connect(sandbox).get("support-bot").to_dict()

    assert set(answer) == set(example)
    assert set(answer["nodes"][0]) == set(example["nodes"][0])


def test_stopped_sandbox_leaves_nothing_listening() -> None:
    with Sandbox() as sandbox:
        host, port = sandbox.url.removeprefix("http://").split(":")
        assert httpx.get(f"{sandbox.url}/workflows/greeter").status_code == 401

    with pytest.raises(ConnectionRefusedError), socket.create_connection((host, int(port)), 2):
        pass


def test_cancelled_async_wait_leaves_no_open_connection(sandbox_factory: Start) -> None:
    sandbox = sandbox_factory(faults=Faults(latency=30.0), log_level="critical")

    async def scenario() -> None:
        async with pa.AsyncAgents(api_key=sandbox.api_key, base_url=sandbox.url) as agents:
            task = asyncio.create_task(agents.wait(1))
            while sandbox.state.requests["GET results"] == 0:
                await asyncio.sleep(0.01)  # bounded: the request is on its way
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            pool = agents._channel.current()._transport._pool  # type: ignore[attr-defined]
            assert pool.connections == []

    asyncio.run(asyncio.wait_for(scenario(), timeout=20))


def test_json_bodies_round_trip_unicode(sandbox: Sandbox, connect: Connect) -> None:
    result = connect(sandbox).run_and_wait("greeter", input_variables={"name": "Zoë 日本"})

    assert result.output == "Hello, Zoë 日本!"


def test_in_poll_mode_the_poll_that_finishes_the_run_sends_its_callback(
    sandbox: Sandbox, connect: Connect
) -> None:
    sandbox.state.executions.polls_per_node = 1
    client = connect(sandbox)
    with CallbackReceiver() as receiver:
        started = client.run("greeter", input_variables={"name": "Di"}, callback_url=receiver.url)
        first = client.get_results(started.execution_id, return_all_outputs=True)
        assert receiver.bodies == []  # nothing moves between polls, so nothing is sent
        second = client.get_results(started.execution_id)
        assert receiver.arrived.wait(timeout=20), "no callback within 20 s"

    assert [n.status for n in first.nodes.values()] == ["SUCCESS", "RUNNING"]
    assert (second.done, second.output) == (True, "Hello, Di!")
    assert pa.parse_callback(receiver.bodies[0]).output == "Hello, Di!"


def test_results_filtered_to_one_node(sandbox: Sandbox, connect: Connect) -> None:
    client = connect(sandbox)
    started = client.run("greeter", input_variables={"name": "Ada"})
    client.wait(started.execution_id, timeout=30)
    greeting = next(n for n in client.get("greeter").nodes if n.name == "Greeting")

    by_name = client.get_results(started.execution_id, return_all_outputs=True, node_name="Name")
    by_id = client.get_results(started.execution_id, return_all_outputs=True, node_id=greeting.id)
    unknown = client.get_results(started.execution_id, return_all_outputs=True, node_name="Nope")

    assert (list(by_name.nodes), list(by_id.nodes), unknown.nodes) == (["Name"], ["Greeting"], {})


@pytest.mark.parametrize("segment", ["%C2%B9", "%C2%B3", "%D9%A1"])
def test_numeric_ids_are_ascii_digits_only(sandbox: Sandbox, segment: str) -> None:
    """Superscript one, superscript three, Arabic-Indic one: names, never agent 1."""
    answer = httpx.get(
        f"{sandbox.url}/workflows/{segment}", headers={"X-API-KEY": sandbox.api_key}, timeout=10
    )

    assert (answer.status_code, answer.json()["message"]) == (404, "Workflow not found")

"""Recording through the sandbox as a proxy, then replaying with upstream gone: the client sees the
same outputs, failures, 202 progressions and definitions. Time is a fake clock shared by the
client and the proxy (or the replayer), so nothing sleeps."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from promptlayer_agents import Agents, PromptLayerError
from promptlayer_agents.sandbox import Faults, Sandbox
from promptlayer_agents.sandbox._cassette import load
from promptlayer_agents.sandbox._recorder import Recorder
from promptlayer_agents.sandbox._replayer import Replayer

from .. import hostile
from ..fakes import FakeClock

Start = Callable[..., Sandbox]


def _client(url: str, key: str, clock: FakeClock) -> Agents:
    client = Agents(api_key=key, base_url=url, max_retries=4)
    client._ctx = dataclasses.replace(client._ctx, clock=clock)
    return client


def _outcome(call: Callable[[], Any]) -> Any:
    """What a call gave the client: its value, or its error's type and message."""
    try:
        return call()
    except PromptLayerError as error:
        return (type(error).__name__, str(error))


def _start(client: Agents, agent: str, inputs: dict[str, Any]) -> int:
    return client.run(agent, input_variables=inputs).execution_id


def _wait(client: Agents, execution_id: int, progress: Callable[[Any], None]) -> Any:
    return client.wait(execution_id, poll_interval=0.5, on_progress=progress).output


def _session(client: Agents) -> list[Any]:
    """A service's calls, and everything it saw: every poll's node states too."""
    seen: list[Any] = []

    def progress(result: Any) -> None:
        seen.append({name: node.status for name, node in result.nodes.items()})

    for agent, inputs in [
        ("slow-report", {"topic": "tides"}),
        ("flaky-extractor", {"document": "invoice"}),
        ("greeter", {"name": "Ada"}),
        ("greeter", {"name": "Ada"}),  # the same run again
    ]:
        started = _outcome(partial(_start, client, agent, inputs))
        seen.append(started)
        if isinstance(started, int):
            seen.append(_outcome(partial(_wait, client, started, progress)))
    seen.append(_outcome(lambda: client.get("support-bot", label="prod").to_dict()))
    seen.append(_outcome(lambda: client.get("no-such-agent").to_dict()))
    return seen


def _without_ids(seen: list[Any]) -> list[Any]:
    """What was seen, execution ids left out (a replay gives new ones)."""
    return ["<id>" if type(item) is int else item for item in seen]


FAULTS = [
    Faults(),
    *(Faults(rate_limit=0.1, unavailable=0.1, drop=0.05, retry_after=0, seed=s) for s in (1, 2, 3)),
]


@pytest.mark.parametrize("faults", FAULTS, ids=["no-faults", "seed1", "seed2", "seed3"])
def test_a_replay_shows_the_client_what_the_recording_did(
    sandbox_factory: Start, tmp_path: Path, faults: Faults
) -> None:
    cassette = tmp_path / "session.yaml"
    upstream = sandbox_factory(faults=faults)
    upstream.state.executions.polls_per_node = 1  # progress by polls: the same on every run
    proxy = sandbox_factory()
    recording_clock = FakeClock()
    proxy.state.tape = Recorder(cassette, upstream=upstream.url, clock=recording_clock.monotonic)
    with _client(proxy.url, upstream.api_key, recording_clock) as client:
        recorded = _session(client)
    upstream.stop()
    proxy.stop()

    replay = sandbox_factory(api_key="pl_replay")
    replaying_clock = FakeClock()
    replay.state.tape = Replayer(load(cassette), clock=replaying_clock.monotonic)
    with _client(replay.url, "pl_replay", replaying_clock) as client:
        replayed = _session(client)

    assert _without_ids(replayed) == _without_ids(recorded)
    assert any(isinstance(item, dict) and "RUNNING" in item.values() for item in recorded)
    assert any(isinstance(item, tuple) for item in recorded)  # failures seen, and replayed
    if faults == Faults():
        assert "Report: Draft from notes on tides" in recorded
        assert "Hello, Ada!" in recorded
        assert recorded[-2]["workflow_name"] == "support-bot"
        assert recorded[-1] == ("NotFoundError", "HTTP 404: Workflow not found")
    assert replay.state.executions.records() == []  # nothing was executed: all of it replayed


def test_recorded_faults_replay_as_the_same_failures(
    sandbox_factory: Start, tmp_path: Path
) -> None:
    cassette = tmp_path / "faults.yaml"
    upstream = sandbox_factory(faults=Faults(unavailable=1.0, retry_after=7))
    proxy = sandbox_factory(record=cassette, upstream=upstream.url)
    with httpx.Client(base_url=proxy.url, headers={"X-API-KEY": upstream.api_key}) as http:
        recorded = http.post("/workflows/greeter/run", json={"input_variables": {"name": "A"}})
    upstream.stop()

    replay = sandbox_factory(replay=cassette)
    with httpx.Client(base_url=replay.url, headers={"X-API-KEY": replay.api_key}) as http:
        replayed = http.post("/workflows/greeter/run", json={"input_variables": {"name": "A"}})

    assert recorded.status_code == replayed.status_code == 503
    assert replayed.json() == recorded.json()
    assert replayed.headers["retry-after"] == recorded.headers["retry-after"] == "7"


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_an_unreachable_upstream_is_a_dropped_connection_recorded_and_replayed(
    sandbox_factory: Start, tmp_path: Path
) -> None:
    cassette = tmp_path / "down.yaml"
    proxy = sandbox_factory(record=cassette, upstream=_closed_port_url())
    with (
        httpx.Client(base_url=proxy.url, headers={"X-API-KEY": "pl_any"}) as http,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        http.get("/workflows/greeter")

    [exchange] = load(cassette).agents
    assert exchange.answer.failure == "connect"

    replay = sandbox_factory(replay=cassette)
    with (
        httpx.Client(base_url=replay.url, headers={"X-API-KEY": replay.api_key}) as http,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        http.get("/workflows/greeter")


def _record_slow_report(start: Start, cassette: Path, polls: int) -> list[Any]:
    """A slow-report run recorded with a poll every second; the bodies in order."""
    upstream = start()
    upstream.state.executions.polls_per_node = 1
    proxy = start()
    clock = FakeClock()
    proxy.state.tape = Recorder(cassette, upstream=upstream.url, clock=clock.monotonic)
    bodies = []
    with httpx.Client(base_url=proxy.url, headers={"X-API-KEY": upstream.api_key}) as http:
        run = http.post("/workflows/slow-report/run", json={"input_variables": {"topic": "t"}})
        execution_id = run.json()["workflow_version_execution_id"]
        for _ in range(polls):
            clock.sleep(1.0)
            params = {"workflow_version_execution_id": execution_id, "return_all_outputs": True}
            bodies.append(http.get("/workflow-version-execution-results", params=params).json())
    upstream.stop()
    proxy.stop()
    return bodies


@pytest.mark.parametrize("schedules", [(0.3, 1.1), (2.5, 0.7, 0.2), (5.0,)])
def test_clients_polling_on_any_schedule_see_one_consistent_progression(
    sandbox_factory: Start, tmp_path: Path, schedules: tuple[float, ...]
) -> None:
    cassette = tmp_path / "slow.yaml"
    recorded = _record_slow_report(sandbox_factory, cassette, polls=6)
    assert recorded[0] != recorded[-1]
    clock = FakeClock()
    replay = sandbox_factory()
    replay.state.tape = Replayer(load(cassette), clock=clock.monotonic)
    headers = {"X-API-KEY": replay.api_key}
    with httpx.Client(base_url=replay.url, headers=headers) as http:
        run = http.post("/workflows/slow-report/run", json={"input_variables": {"topic": "t"}})
        params = {"workflow_version_execution_id": run.json()["workflow_version_execution_id"]}
        params["return_all_outputs"] = True
        due = dict.fromkeys(range(len(schedules)), 0.0)
        seen: dict[int, list[int]] = {client: [] for client in due}
        while clock.now < 8.0:  # every client polls on its own schedule, interleaved in time
            client = min(due, key=lambda c: due[c])
            clock.now = due[client]
            answer = http.get("/workflow-version-execution-results", params=params)
            seen[client].append(recorded.index(answer.json()))
            due[client] += schedules[client]

    last = recorded.index(recorded[-1])  # the final answer, first seen there
    assert last >= 2  # several 202s before it
    for indices in seen.values():
        assert indices == sorted(indices), seen  # never an earlier state after a later one
        assert indices[-1] == last  # and all end with the final answer
    merged = sorted(i for indices in seen.values() for i in indices)
    assert merged == sorted(merged)


def test_a_run_that_matches_nothing_is_refused_naming_what_differs(
    sandbox_factory: Start, tmp_path: Path
) -> None:
    cassette = tmp_path / "one.yaml"
    _record_slow_report(sandbox_factory, cassette, polls=1)
    replay = sandbox_factory(replay=cassette)

    with Agents(api_key=replay.api_key, base_url=replay.url) as client:
        other_input = _outcome(lambda: client.run("slow-report", input_variables={"topic": "u"}))
        other_label = _outcome(
            lambda: client.run("slow-report", input_variables={"topic": "t"}, label="prod")
        )
        other_agent = _outcome(lambda: client.run("greeter", input_variables={"topic": "t"}))
        extra_input = _outcome(
            lambda: client.run("slow-report", input_variables={"topic": "t", "tone": "dry"})
        )

    assert other_input[0] == other_label[0] == other_agent[0] == "NotFoundError"
    assert "interaction 1 of" in other_input[1] and str(cassette) in other_input[1]
    assert """input 'topic' is "u" (recorded "t")""" in other_input[1]
    assert """label "prod" (recorded null)""" in other_label[1]
    assert """agent "greeter" (recorded "slow-report")""" in other_agent[1]
    assert "input 'tone' was not recorded" in extra_input[1]
    assert replay.state.executions.records() == []  # nothing invented


def test_fallback_execute_runs_what_matches_nothing(sandbox_factory: Start, tmp_path: Path) -> None:
    cassette = tmp_path / "one.yaml"
    _record_slow_report(sandbox_factory, cassette, polls=1)
    replay = sandbox_factory(replay=cassette, fallback="execute")

    with Agents(api_key=replay.api_key, base_url=replay.url) as client:
        replayed_id = client.run("slow-report", input_variables={"topic": "t"}).execution_id
        result = client.run_and_wait("greeter", input_variables={"name": "Bo"}, poll_interval=0.05)

    assert result.output == "Hello, Bo!"
    [executed] = replay.state.executions.records()
    assert executed.agent == "greeter" and executed.execution_id != replayed_id


def test_redacted_inputs_are_not_recorded_and_match_any_value(
    sandbox_factory: Start, tmp_path: Path
) -> None:
    cassette = tmp_path / "redacted.yaml"
    upstream = sandbox_factory()
    proxy = sandbox_factory(record=cassette, upstream=upstream.url, redact_inputs=["name"])
    with Agents(api_key=upstream.api_key, base_url=proxy.url) as client:
        recorded = client.run("greeter", input_variables={"name": "Secret Person"})
    upstream.stop()

    assert "Secret Person" not in cassette.read_text(encoding="utf-8")
    replay = sandbox_factory(replay=cassette)
    with Agents(api_key=replay.api_key, base_url=replay.url) as client:
        replayed = client.run("greeter", input_variables={"name": "Someone Else"})
    assert replayed.warning == recorded.warning


def test_record_and_replay_options_are_checked(tmp_path: Path) -> None:
    cassette = tmp_path / "c.yaml"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"record": cassette, "replay": cassette}, "exclude each other"),
        ({"upstream": "http://x"}, "go with record"),
        ({"replay": cassette, "speed": 0}, "go with replay|speed must be"),
        ({"speed": 2.0}, "go with replay"),
        ({"record": cassette, "upstream": "ftp://x"}, "http"),
        ({"replay": tmp_path / "none.yaml"}, "none.yaml: no such file"),
    ]
    for options, problem in cases:
        with pytest.raises(ValueError, match=problem):
            Sandbox(**options)


@pytest.mark.parametrize(
    ("behaviour", "failure"),
    [(hostile.hang, "timeout"), (hostile.raw(b"not http at all\r\n\r\n"), "transport")],
    ids=["timeout", "garbage"],
)
def test_an_upstream_that_hangs_or_answers_garbage_is_recorded_and_replayed_as_such(
    sandbox_factory: Start, tmp_path: Path, behaviour: hostile.Behaviour, failure: str
) -> None:
    cassette = tmp_path / "hostile.yaml"
    with hostile.HostileServer(behaviour) as upstream:
        proxy = sandbox_factory()
        proxy.state.tape = Recorder(cassette, upstream=upstream.url, timeout=0.5)
        with Agents(api_key="pl_k", base_url=proxy.url, max_retries=0) as client:
            recorded = _outcome(lambda: client.get("greeter").to_dict())
        proxy.stop()

    [exchange] = load(cassette).agents
    assert exchange.answer.failure == failure
    replay = sandbox_factory(replay=cassette)
    with Agents(api_key=replay.api_key, base_url=replay.url, max_retries=0) as client:
        replayed = _outcome(lambda: client.get("greeter").to_dict())
    assert recorded[0] == replayed[0] == "APIConnectionError"  # a typed error, both times


def test_a_cassette_that_cannot_be_written_still_relays_upstreams_answer(
    sandbox_factory: Start, tmp_path: Path
) -> None:
    cassette = tmp_path / "gone.yaml"
    upstream = sandbox_factory()
    proxy = sandbox_factory(record=cassette, upstream=upstream.url)
    cassette.unlink()
    (cassette / "in-the-way").mkdir(parents=True)  # the rename onto it fails

    with Agents(api_key=upstream.api_key, base_url=proxy.url, max_retries=0) as client:
        started = client.run("greeter", input_variables={"name": "Ada"})

    assert [run.execution_id for run in upstream.state.executions.records()] == [
        started.execution_id
    ]  # started once, and the caller knows its id

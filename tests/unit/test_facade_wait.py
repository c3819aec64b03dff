"""Waiting: polls until final, backs off, honours a deadline, and reports failure."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents._config import POLL_INITIAL, POLL_JITTER, POLL_MAXIMUM, POLL_MULTIPLIER

from ..fakes import FakeClock, Harness, Make, ScriptedAPI, node, reply, started

RUNNING = {"Lookup": node("SUCCESS", "x"), "Answer": node("RUNNING", output=True)}
FINISHED = {"Lookup": node("SUCCESS", "x"), "Answer": node("SUCCESS", "42", output=True)}


def test_polls_until_final(harness: Make, clock: FakeClock) -> None:
    h = harness(reply(202, RUNNING), reply(202, RUNNING), reply(200, FINISHED))

    result = h.wait(787)

    assert (result.done, result.status, result.output) == (True, "SUCCESS", "42")
    assert len(h.api.requests) == 3
    assert all(r.url.params["return_all_outputs"] == "true" for r in h.api.requests)
    assert clock.sleeps == pytest.approx([POLL_INITIAL, POLL_INITIAL * POLL_MULTIPLIER])


def test_backoff_grows_to_a_cap_with_jitter(harness: Make, clock: FakeClock) -> None:
    h = harness(*[reply(202, RUNNING)] * 12, reply(200, FINISHED))
    clock._random = 0.999999

    h.wait(787)

    assert clock.sleeps[0] == pytest.approx(POLL_INITIAL * (1 + POLL_JITTER), rel=1e-3)
    assert clock.sleeps == sorted(clock.sleeps)
    assert max(clock.sleeps) == pytest.approx(POLL_MAXIMUM * (1 + POLL_JITTER), rel=1e-3)


def test_fixed_poll_interval(harness: Make, clock: FakeClock) -> None:
    h = harness(*[reply(202, RUNNING)] * 3, reply(200, FINISHED))

    h.wait(787, poll_interval=2.0)

    assert clock.sleeps == [2.0, 2.0, 2.0]


def test_retry_after_on_202_is_honoured(harness: Make, clock: FakeClock) -> None:
    h = harness(reply(202, RUNNING, {"Retry-After": "5"}), reply(200, FINISHED))

    h.wait(787)

    assert clock.sleeps == [5.0]


def test_deadline_raises_wait_timeout_with_what_a_caller_needs(
    harness: Make, clock: FakeClock
) -> None:
    h = harness(default=reply(202, RUNNING))

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=10.0)

    error = caught.value
    assert error.execution_id == 787
    assert error.waited == pytest.approx(10.0)
    assert clock.now == pytest.approx(10.0)
    assert error.last_result is not None
    assert error.last_result.nodes["Answer"].status == "RUNNING"
    assert "wait(787)" in str(error)
    assert isinstance(error, TimeoutError)


def test_wait_can_be_resumed_later(harness: Make) -> None:
    h = harness(reply(202, RUNNING), reply(202, RUNNING), reply(200, FINISHED))

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=POLL_INITIAL)
    result = h.wait(caught.value.execution_id)

    assert result.output == "42"
    assert len(h.api.requests) == 3  # two polls before the deadline (the last at it), one after


def test_transient_errors_until_the_deadline_are_a_wait_timeout(
    harness: Make, clock: FakeClock
) -> None:
    h = harness(reply(202, RUNNING), default=reply(503), max_retries=100)

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.wait(787, timeout=5.0)

    assert isinstance(caught.value.__cause__, pa.InternalServerError)
    assert clock.now <= 5.0


def test_requests_while_waiting_do_not_outlast_the_deadline(harness: Make) -> None:
    h = harness(reply(202, RUNNING), reply(200, FINISHED), timeout=30.0)

    h.wait(787, timeout=3.0)

    first, second = (r.extensions["timeout"]["read"] for r in h.api.requests)
    assert first == pytest.approx(3.0)
    assert second == pytest.approx(3.0 - POLL_INITIAL)


def test_failed_execution_raises_naming_the_failed_nodes(harness: Make) -> None:
    failed = {
        "Lookup": node("FAILED", error="Variable 'question' not found"),
        "Answer": node("SKIPPED", output=True),
    }
    h = harness(reply(202, RUNNING), reply(200, failed))

    with pytest.raises(pa.ExecutionFailedError) as caught:
        h.wait(787)

    error = caught.value
    assert error.execution_id == 787
    assert list(error.failed_nodes) == ["Lookup"]
    assert "Lookup: Variable 'question' not found" in str(error)
    assert error.result.status == "FAILED"


def test_failed_node_with_a_successful_output_is_not_a_failure(harness: Make) -> None:
    partial = {
        "Draft": node("FAILED", output=True, error="x"),
        "Plan B": node("SUCCESS", 1, output=True),
    }
    h = harness(reply(200, partial))

    result = h.wait(787)

    assert (result.status, result.output) == ("SUCCESS", 1)


def test_on_progress_gets_each_intermediate_result(harness: Make) -> None:
    h = harness(
        reply(202, {"A": node("QUEUED", output=True)}), reply(202, RUNNING), reply(200, FINISHED)
    )
    seen: list[pa.ExecutionResult] = []

    h.wait(787, on_progress=seen.append)

    assert [sorted((name, n.status) for name, n in r.nodes.items()) for r in seen] == [
        [("A", "QUEUED")],
        [("Answer", "RUNNING"), ("Lookup", "SUCCESS")],
    ]


def test_several_successful_outputs_take_the_api_main_output(harness: Make) -> None:
    both = {
        "Fast": node("SUCCESS", "fast", output=True),
        "Slow": node("SUCCESS", "slow", output=True),
    }
    h = harness(reply(200, both), reply(200, "slow"))

    result = h.wait(787)

    assert result.output == "slow"
    assert [r.url.params["return_all_outputs"] for r in h.api.requests] == ["true", "false"]
    assert set(result.nodes) == {"Fast", "Slow"}


def test_run_and_wait(harness: Make) -> None:
    h = harness(started(901), reply(202, RUNNING), reply(200, FINISHED))

    result = h.run_and_wait("bot", input_variables={"question": "hi"}, label="prod")

    assert (result.execution_id, result.output) == (901, "42")
    assert h.api.paths[0] == "/workflows/bot/run"
    assert h.api.bodies()[0] == {
        "workflow_label_name": "prod",
        "input_variables": {"question": "hi"},
        "return_all_outputs": False,
    }


def test_run_and_wait_timeout_covers_the_run_too(harness: Make, clock: FakeClock) -> None:
    def slow_start(request: httpx.Request) -> httpx.Response:
        clock.now += 8.0
        return started(902)

    h = harness(slow_start, default=reply(202, RUNNING))

    with pytest.raises(pa.WaitTimeoutError) as caught:
        h.run_and_wait("bot", timeout=10.0)

    assert caught.value.execution_id == 902
    assert clock.now == pytest.approx(10.0)


def test_cancelling_an_async_wait_leaves_no_background_work() -> None:
    asleep = asyncio.Event()

    class SleepsUntilCancelled(FakeClock):
        async def async_sleep(self, seconds: float) -> None:
            asleep.set()
            await asyncio.Event().wait()

    api = ScriptedAPI(default=reply(202, RUNNING))
    agents = Harness("async", api, SleepsUntilCancelled()).agents
    assert isinstance(agents, pa.AsyncAgents)

    async def scenario() -> None:
        task = asyncio.create_task(agents.wait(787))
        await asyncio.wait_for(asleep.wait(), timeout=5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert asyncio.all_tasks() == {asyncio.current_task()}
        assert len(api.requests) == 1

    asyncio.run(scenario())


def test_ctrl_c_while_waiting_stops_at_once() -> None:
    class Interrupted(FakeClock):
        def sleep(self, seconds: float) -> None:
            raise KeyboardInterrupt

    api = ScriptedAPI(default=reply(202, RUNNING))
    agents = Harness("sync", api, Interrupted()).agents
    assert isinstance(agents, pa.Agents)

    with pytest.raises(KeyboardInterrupt):
        agents.wait(787)

    assert len(api.requests) == 1


def test_async_client_keeps_at_most_max_in_flight_requests_per_loop() -> None:
    """Hundreds of requests queued inside httpx's pool make it CPU-bound until they time out;
    AsyncAgents queues them itself instead. A second event loop gets slots of its own."""
    from promptlayer_agents._config import MAX_IN_FLIGHT

    in_flight = 0
    most = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        for _ in range(5):  # let every other task that can start its request do so
            await asyncio.sleep(0)
        in_flight -= 1
        return reply(200, FINISHED)

    agents = pa.AsyncAgents(
        api_key="pl_test", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )

    async def burst() -> None:
        calls = [
            agents.get_results(787, return_all_outputs=True) for _ in range(MAX_IN_FLIGHT + 50)
        ]
        results = await asyncio.gather(*calls)
        assert all(r.output == "42" for r in results)

    asyncio.run(burst())
    asyncio.run(burst())

    assert most == MAX_IN_FLIGHT

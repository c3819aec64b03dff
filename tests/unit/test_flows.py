"""The flows driven directly: canned outcomes in, the actions they ask for out. No client, no
transport, no event loop: this is what the sans-I/O design buys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
import pytest

import promptlayer_agents as pa
from promptlayer_agents._config import resolve_settings
from promptlayer_agents._flows import (
    Context,
    Flow,
    Notify,
    Send,
    Sleep,
    get,
    run,
    run_and_wait,
    wait,
)
from promptlayer_agents._http import Unreadable

from ..fakes import AGENT, FakeClock, node, reply, started
from ..helpers import API_KEY

T = TypeVar("T")
RUNNING = {"A": node("RUNNING", output=True)}
DONE = {"A": node("SUCCESS", "hi", output=True)}


def context(max_retries: int = 2) -> tuple[Context, FakeClock]:
    clock = FakeClock()
    settings = resolve_settings(
        api_key=API_KEY, base_url="https://pl.test", timeout=30.0, max_retries=max_retries
    )
    return Context(settings, clock), clock


def drive(
    flow: Flow[T],
    clock: FakeClock,
    outcomes: Sequence[httpx.Response | httpx.TransportError | Unreadable],
) -> tuple[T | BaseException, list[Send | Sleep | Notify]]:
    """Run the flow on these outcomes, advancing the clock on each Sleep: (result or error,
    the actions it asked for)."""
    actions: list[Send | Sleep | Notify] = []
    pending = list(outcomes)
    answer: Any = None
    try:
        while True:
            action = flow.send(answer)
            actions.append(action)
            if isinstance(action, Sleep):
                clock.sleep(action.seconds)
                answer = None
            elif isinstance(action, Notify):
                action.callback(action.result)
                answer = None
            else:
                answer = pending.pop(0)
    except StopIteration as stop:
        return stop.value, actions
    except pa.PromptLayerError as error:
        return error, actions


def sends(actions: list[Send | Sleep | Notify]) -> list[Send]:
    return [a for a in actions if isinstance(a, Send)]


RUN_ARGS: dict[str, Any] = {
    "input_variables": {"q": "x"},
    "metadata": None,
    "label": None,
    "version": None,
    "return_all_outputs": False,
    "callback_url": None,
}


def test_run_sends_one_post_with_the_key_and_the_request_timeout() -> None:
    ctx, clock = context()
    result, actions = drive(run(ctx, "bot", **RUN_ARGS), clock, [started(9)])
    assert isinstance(result, pa.RunStarted) and result.execution_id == 9
    (send,) = sends(actions)
    assert send.request["method"] == "post"
    assert send.request["url"] == "https://pl.test/workflows/bot/run"
    assert send.request["headers"]["X-API-KEY"] == API_KEY
    assert send.timeout == 30.0


def test_bad_input_is_refused_before_the_first_action() -> None:
    ctx, _ = context()
    flow = run(ctx, "bot", **{**RUN_ARGS, "label": "prod", "version": 2})
    with pytest.raises(pa.InvalidInputError, match="not both"):
        next(flow)


def test_a_run_whose_answer_was_lost_is_not_sent_again() -> None:
    ctx, clock = context(max_retries=5)
    error, actions = drive(run(ctx, "bot", **RUN_ARGS), clock, [httpx.ReadError("lost")])
    assert isinstance(error, pa.APIConnectionError)
    assert len(sends(actions)) == 1


def test_a_run_refused_before_sending_is_retried_after_a_pause() -> None:
    ctx, clock = context()
    outcomes: list[httpx.Response | httpx.TransportError] = [httpx.ConnectError("no"), started()]
    result, actions = drive(run(ctx, "bot", **RUN_ARGS), clock, outcomes)
    assert isinstance(result, pa.RunStarted)
    assert [type(a) for a in actions] == [Send, Sleep, Send]


def test_wait_polls_with_growing_pauses_until_done() -> None:
    ctx, clock = context()
    outcomes: list[httpx.Response | httpx.TransportError] = [
        reply(202, RUNNING),
        reply(202, RUNNING),
        reply(200, DONE),
    ]
    result, actions = drive(wait(ctx, 7, 60.0, None, None), clock, outcomes)
    assert isinstance(result, pa.ExecutionResult) and result.output == "hi"
    pauses = [a.seconds for a in actions if isinstance(a, Sleep)]
    assert len(pauses) == 2 and pauses[0] < pauses[1]
    assert all(s.request["params"]["return_all_outputs"] is True for s in sends(actions))


def test_wait_stops_at_its_deadline_with_the_last_result() -> None:
    ctx, clock = context()
    flow = wait(ctx, 7, 2.0, 0.5, None)
    error, actions = drive(flow, clock, [reply(202, RUNNING) for _ in range(10)])
    assert isinstance(error, pa.WaitTimeoutError)
    assert error.last_result is not None and error.last_result.execution_id == 7
    assert clock.now == pytest.approx(2.0)
    assert len(sends(actions)) == 5


def test_requests_made_while_waiting_never_outlast_the_deadline() -> None:
    ctx, clock = context()
    flow = wait(ctx, 7, 10.0, 4.0, None)
    _, actions = drive(flow, clock, [reply(202, RUNNING) for _ in range(3)] + [reply(200, DONE)])
    timeouts = [s.timeout for s in sends(actions)]
    assert timeouts == [10.0, 6.0, 2.0, 1.0]


def test_run_and_wait_covers_both_with_one_deadline() -> None:
    ctx, clock = context()
    flow = run_and_wait(
        ctx,
        "bot",
        input_variables=None,
        metadata=None,
        label=None,
        version=None,
        timeout=1.0,
        poll_interval=0.6,
        on_progress=None,
    )
    error, _ = drive(flow, clock, [started(3)] + [reply(202, RUNNING) for _ in range(5)])
    assert isinstance(error, pa.WaitTimeoutError) and error.execution_id == 3
    assert not getattr(error, "__notes__", None)  # its message says how to resume already
    assert clock.now == pytest.approx(1.0)


def test_a_failed_execution_raises_with_its_nodes() -> None:
    ctx, clock = context()
    failed = {"A": node("FAILED", error="boom"), "B": node("SKIPPED", output=True)}
    error, _ = drive(wait(ctx, 7, 60.0, None, None), clock, [reply(200, failed)])
    assert isinstance(error, pa.ExecutionFailedError)
    assert "A: boom" in str(error)


def test_get_retries_a_server_error_then_reads_the_definition() -> None:
    ctx, clock = context()
    result, actions = drive(get(ctx, "bot", "prod", None), clock, [reply(503), reply(200, AGENT)])
    assert isinstance(result, pa.AgentDefinition) and result.workflow_name == "bot"
    assert sends(actions)[0].request["params"] == {"label": "prod"}
    assert [type(a) for a in actions] == [Send, Sleep, Send]


@pytest.mark.parametrize(
    ("outcome", "started"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("connect"), False),
        (httpx.PoolTimeout("pool"), False),
        (reply(429), False),
        (reply(422, {"message": "bad"}), False),
        (reply(404, {"message": "no agent"}), False),
        (reply(300), False),
        (reply(307), False),
        (reply(499), False),
        (httpx.ReadTimeout("read"), True),
        (httpx.WriteTimeout("write"), True),
        (httpx.RemoteProtocolError("dropped"), True),
        (reply(500), True),
        (reply(503), True),
        (reply(201, {"no": "id"}), True),
        (Unreadable(201, "too large"), True),
        (Unreadable(500, "corrupt gzip"), True),
    ],
)
def test_a_failed_run_says_whether_it_may_have_started(
    outcome: httpx.Response | httpx.TransportError | Unreadable, started: bool
) -> None:
    ctx, clock = context(max_retries=0)
    error, _ = drive(run(ctx, "bot", **RUN_ARGS), clock, [outcome])
    assert isinstance(error, pa.PromptLayerError)
    assert error.may_have_started is started
    assert error.execution_id is None
    for chained in (error.__cause__, error.__context__):  # no httpx request, with its headers
        assert not isinstance(chained, httpx.HTTPError)


def test_a_single_call_does_not_wait_for_a_retry_after_past_its_budget() -> None:
    ctx, clock = context(max_retries=2)  # 30 s timeout: a budget of 3 x 30 + 2 x 8 = 106 s
    busy = reply(503, headers={"Retry-After": "60"})
    error, actions = drive(get(ctx, "bot", None, None), clock, [busy, busy, reply(200, AGENT)])
    assert isinstance(error, pa.InternalServerError)
    assert [type(a) for a in actions] == [Send, Sleep, Send]  # 60 s waited once; 46 s were left
    assert clock.now == 60.0


def test_run_and_wait_sends_its_run_within_the_wait_deadline() -> None:
    ctx, clock = context()
    flow = run_and_wait(
        ctx,
        "bot",
        input_variables=None,
        metadata=None,
        label=None,
        version=None,
        timeout=2.0,
        poll_interval=None,
        on_progress=None,
    )
    error, actions = drive(flow, clock, [started(3), reply(404, {"message": "gone"})])
    assert sends(actions)[0].timeout == 2.0
    assert isinstance(error, pa.NotFoundError)
    assert error.execution_id == 3 and error.may_have_started is True
    assert "wait(3)" in "".join(error.__notes__)


def test_errors_while_waiting_carry_the_execution_id() -> None:
    ctx, clock = context(max_retries=0)
    error, _ = drive(wait(ctx, 7, 60.0, None, None), clock, [httpx.ReadError("reset")])
    assert isinstance(error, pa.APIConnectionError)
    assert error.execution_id == 7 and error.may_have_started is False


def test_a_key_echoed_by_the_server_is_taken_out_of_the_answer() -> None:
    ctx, clock = context(max_retries=0)
    echo = reply(401, {"message": f"bad key {API_KEY}"}, headers={"X-Request-Id": API_KEY})
    error, _ = drive(get(ctx, "bot", None, None), clock, [echo])
    assert isinstance(error, pa.AuthenticationError)
    assert API_KEY not in f"{error} {error.body} {error.request_id}"
    assert error.message == "bad key ***"

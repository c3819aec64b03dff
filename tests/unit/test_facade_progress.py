"""`on_progress`: the async client awaits an `async def` callback before its next poll; the
blocking client refuses one before anything is sent, never dropping a coroutine unawaited."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import FakeClock, Harness, ScriptedAPI, node, reply, started

RUNNING = {"Answer": node("RUNNING", output=True)}
FINISHED = {"Answer": node("SUCCESS", "42", output=True)}


def answers() -> list[httpx.Response]:
    return [reply(202, RUNNING), reply(202, RUNNING), reply(200, FINISHED)]


class AsyncRecorder:
    """A callable object whose `__call__` is a coroutine function."""

    def __init__(self, api: ScriptedAPI) -> None:
        self.api = api
        self.seen: list[tuple[str | None, int]] = []

    async def __call__(self, result: pa.ExecutionResult) -> None:
        await asyncio.sleep(0)
        self.seen.append((result.status, len(self.api.requests)))


@pytest.mark.parametrize("style", ["async def", "async __call__", "lambda returning a coroutine"])
@pytest.mark.parametrize("call", ["wait", "run_and_wait"])
def test_the_async_client_awaits_an_async_callback_before_the_next_poll(
    clock: FakeClock, style: str, call: str
) -> None:
    api = ScriptedAPI([started(787), *answers()] if call == "run_and_wait" else answers())
    h = Harness("async", api, clock)
    recorder = AsyncRecorder(api)

    async def callback(result: pa.ExecutionResult) -> None:
        await recorder(result)

    on_progress: Any = {
        "async def": callback,
        "async __call__": recorder,
        "lambda returning a coroutine": lambda result: callback(result),
    }[style]
    polls_before = 1 if call == "run_and_wait" else 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine ... was never awaited" fails the test
        if call == "wait":
            result = h.wait(787, on_progress=on_progress)
        else:
            result = h.run_and_wait("bot", on_progress=on_progress)
        h.shut()
    assert result.output == "42"
    # Each call ran to its end before the next request: it saw exactly the requests so far.
    assert recorder.seen == [("RUNNING", polls_before + 1), ("RUNNING", polls_before + 2)]


@pytest.mark.parametrize("call", ["wait", "run_and_wait"])
def test_the_blocking_client_refuses_an_async_callback_before_sending(
    clock: FakeClock, call: str
) -> None:
    api = ScriptedAPI([], default=reply(200, FINISHED))
    h = Harness("sync", api, clock)

    async def callback(result: pa.ExecutionResult) -> None:
        return None

    for on_progress in (callback, AsyncRecorder(api)):
        with pytest.raises(pa.InvalidInputError) as caught:
            if call == "wait":
                h.wait(787, on_progress=on_progress)
            else:
                h.run_and_wait("bot", on_progress=on_progress)
        assert str(caught.value) == (
            "on_progress is an async function, which Agents cannot await: pass a plain "
            "function, or use AsyncAgents"
        )
    assert api.requests == []
    h.shut()


def test_a_blocking_callback_that_returns_an_awaitable_is_refused_and_closed(
    clock: FakeClock,
) -> None:
    api = ScriptedAPI(answers())
    h = Harness("sync", api, clock)
    made: list[Awaitable[None]] = []

    async def later() -> None:
        return None

    def sneaky(result: pa.ExecutionResult) -> Awaitable[None]:
        made.append(later())
        return made[-1]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(pa.InvalidInputError, match="returned an awaitable") as caught:
            h.wait(787, on_progress=sneaky)
        h.shut()
    assert caught.value.execution_id == 787
    assert len(made) == 1 and made[0].cr_frame is None  # type: ignore[attr-defined]  # closed


def test_a_plain_callback_still_works_on_both_clients(harness: Any) -> None:
    h = harness(*answers())
    seen: list[str | None] = []
    assert h.wait(787, on_progress=lambda r: seen.append(r.status)).output == "42"
    assert seen == ["RUNNING", "RUNNING"]


def test_an_error_from_the_callback_reaches_the_caller_with_the_execution(harness: Any) -> None:
    h = harness(*answers())

    def failing(result: pa.ExecutionResult) -> None:
        raise pa.InvalidInputError("the caller's own check failed")

    with pytest.raises(pa.InvalidInputError, match="own check") as caught:
        h.wait(787, on_progress=failing)
    assert caught.value.execution_id == 787
    assert len(h.api.requests) == 1  # nothing more was asked once the callback failed

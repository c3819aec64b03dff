"""The operations as I/O-free steps, shared by the sync and the async client.

Each operation is a generator: it yields `Send` (a request to make) or `Sleep` (a pause) and is
resumed with the outcome (an `httpx.Response`, or the `httpx.TransportError` that sending raised).
All decisions (retries, deadlines, polling, errors) are made here; `Agents` and `AsyncAgents` only
carry the actions out, with a blocking or an awaiting client.

Requests are built and answers parsed by the generated code (`_get_kwargs`, `_parse_response` of
each generated operation module): the facade sends them itself so it can retry, bound the time
taken, and report an answer that fails to parse with its status and an excerpt.
"""

from __future__ import annotations

import logging
import random as _random
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import httpx

from promptlayer_agents_api import Client
from promptlayer_agents_api.api.agents import get_agent, get_execution_results, run_agent
from promptlayer_agents_api.models import (
    AgentSummaryResponse,
    AgentVersion,
    ExecutionNodeMap,
    NoOutputNodeError,
    RunAgentRequest,
    RunAgentResponse,
)
from promptlayer_agents_api.types import UNSET

from . import inputs, results
from .config import Settings
from .errors import (
    ExecutionFailedError,
    ResponseValidationError,
    WaitTimeoutError,
    connection_error,
    excerpt,
    status_error,
)
from .polling import PollPolicy, poll_delay, poll_policy
from .results import ExecutionResult
from .retries import may_retry, retry_after, retry_delay

logger = logging.getLogger("promptlayer_agents")

T = TypeVar("T")

# Requests made while waiting get at least this long to answer, even right at the deadline.
MIN_REQUEST_TIMEOUT = 1.0
# The generated parsers take a client only to decide about undocumented statuses, which the
# facade has already turned into errors before parsing.
_PARSER = Client(base_url="", raise_on_unexpected_status=True)


@dataclass(frozen=True)
class Send:
    """Make this request (httpx.Client.request keyword arguments) with this timeout."""

    request: dict[str, Any] = field(repr=False)
    timeout: float


@dataclass(frozen=True)
class Sleep:
    """Pause this many seconds."""

    seconds: float


Outcome = httpx.Response | httpx.TransportError
Flow = Generator[Send | Sleep, Outcome | None, T]


class Clock(Protocol):
    """Time and chance, injectable so tests run without waiting."""

    def monotonic(self) -> float: ...
    def time(self) -> float: ...
    def random(self) -> float: ...


class SystemClock:
    """The real clocks and random numbers."""

    monotonic = staticmethod(time.monotonic)
    time = staticmethod(time.time)
    random = staticmethod(_random.random)


@dataclass(frozen=True)
class RunStarted:
    """A started execution: its id for `wait`/`get_results`, and the API's warning, if any
    (missing or unexpected input variables; the run started anyway)."""

    execution_id: int
    warning: str | None
    message: str
    accepted_for_callback: bool


@dataclass(frozen=True)
class Context:
    """What every flow reads: the settings and the clock."""

    settings: Settings
    clock: Clock


class _DeadlineReached(Exception):
    """A retry would end after the wait's deadline; the cause is the last failure."""


def send(
    ctx: Context, call: dict[str, Any], *, idempotent: bool, deadline: float | None = None
) -> Flow[httpx.Response]:
    """Send `call` (generated request kwargs), retrying what `may_retry` allows, up to
    `max_retries` times and never past `deadline`. Answers the last response, whatever its status;
    raises APIConnectionError/APITimeoutError when no answer came."""
    settings = ctx.settings
    request = {
        **call,
        "url": settings.base_url + call["url"],
        "headers": {**call.get("headers", {}), "X-API-KEY": settings.api_key},
    }
    attempt = 0
    while True:
        timeout = settings.timeout
        if deadline is not None:
            timeout = min(timeout, max(deadline - ctx.clock.monotonic(), MIN_REQUEST_TIMEOUT))
        outcome = yield Send(request, timeout)
        assert outcome is not None
        if attempt >= settings.max_retries or not may_retry(outcome, idempotent=idempotent):
            break
        delay = retry_delay(outcome, attempt, now=ctx.clock.time(), random=ctx.clock.random())
        if deadline is not None and ctx.clock.monotonic() + delay > deadline:
            raise _DeadlineReached() from _as_error(outcome)
        logger.info(
            "retrying %s %s in %.2fs after %s",
            call["method"].upper(),
            call["url"],
            delay,
            _describe(outcome),
        )
        yield Sleep(delay)
        attempt += 1
    if isinstance(outcome, httpx.Response):
        return outcome
    raise connection_error(outcome) from outcome


def _as_error(outcome: Outcome) -> Exception:
    return (
        status_error(outcome) if isinstance(outcome, httpx.Response) else connection_error(outcome)
    )


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, httpx.Response):
        return f"HTTP {outcome.status_code}"
    return type(outcome).__name__


def _parse(module: Any, response: httpx.Response, expected: set[int]) -> Any:
    """The generated parse of a response whose status is one of `expected`; an error status is
    raised as its typed error, anything unreadable as ResponseValidationError."""
    if response.status_code not in expected:
        if response.status_code >= 400:
            raise status_error(response)
        raise ResponseValidationError(
            "unexpected status", status_code=response.status_code, excerpt=excerpt(response)
        )
    try:
        return module._parse_response(client=_PARSER, response=response)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ResponseValidationError(
            f"the answer does not match the API description ({type(error).__name__}: {error})",
            status_code=response.status_code,
            excerpt=excerpt(response),
        ) from error


def _expect(cls: type[T], parsed: object, response: httpx.Response) -> T:
    """`parsed` as the model the operation promises for this status."""
    if not isinstance(parsed, cls):
        raise ResponseValidationError(
            f"expected a {cls.__name__}",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    return parsed


def run(ctx: Context, agent: object, body: RunAgentRequest) -> Flow[RunStarted]:
    """Start an execution. Sent at most once unless it certainly did not arrive."""
    call = run_agent._get_kwargs(inputs.agent_ref(agent), body=body)
    response = yield from send(ctx, call, idempotent=False)
    parsed = _expect(RunAgentResponse, _parse(run_agent, response, {201, 202}), response)
    warning = parsed.warning if isinstance(parsed.warning, str) else None
    if warning:
        logger.warning("run of %r: %s", agent, warning)
    return RunStarted(
        execution_id=parsed.workflow_version_execution_id,
        warning=warning,
        message=parsed.message,
        accepted_for_callback=response.status_code == 202,
    )


def _results(
    ctx: Context, execution_id: int, return_all_outputs: bool, deadline: float | None = None
) -> Flow[tuple[ExecutionResult, float | None]]:
    """One results request: the result and the server's Retry-After, if any."""
    call = get_execution_results._get_kwargs(
        workflow_version_execution_id=execution_id, return_all_outputs=return_all_outputs
    )
    response = yield from send(ctx, call, idempotent=True, deadline=deadline)
    parsed = _parse(get_execution_results, response, {200, 202, 400})
    if isinstance(parsed, NoOutputNodeError):
        if not isinstance(parsed.output, ExecutionNodeMap):
            raise status_error(response)
        result = results.from_no_output_node(execution_id, parsed.output)
    else:
        result = results.from_results_body(execution_id, parsed, done=response.status_code == 200)
    return result, retry_after(response, now=ctx.clock.time())


def get_results(
    ctx: Context, execution_id: object, return_all_outputs: object
) -> Flow[ExecutionResult]:
    """The execution's state now, finished or not, failed or not."""
    checked_id = inputs.execution_id(execution_id)
    all_outputs = inputs.flag(return_all_outputs, "return_all_outputs")
    result, _ = yield from _results(ctx, checked_id, all_outputs)
    return result


def wait(
    ctx: Context,
    execution_id: object,
    timeout: object,
    poll_interval: float | PollPolicy | None,
    on_progress: Callable[[ExecutionResult], object] | None,
) -> Flow[ExecutionResult]:
    """Poll until the execution is final or `timeout` seconds have passed."""
    checked_id = inputs.execution_id(execution_id)
    seconds = inputs.seconds(timeout, "timeout")
    policy = poll_policy(poll_interval)
    return (yield from _wait(ctx, checked_id, seconds, policy, on_progress))


def _wait(
    ctx: Context,
    execution_id: int,
    timeout: float,
    policy: PollPolicy,
    on_progress: Callable[[ExecutionResult], object] | None,
) -> Flow[ExecutionResult]:
    start = ctx.clock.monotonic()
    deadline = start + timeout
    last: ExecutionResult | None = None
    polls = 0
    while True:
        try:
            result, server_delay = yield from _results(ctx, execution_id, True, deadline)
        except _DeadlineReached as reached:
            waited = ctx.clock.monotonic() - start
            raise WaitTimeoutError(execution_id, waited=waited, last_result=last) from (
                reached.__cause__
            )
        if result.done:
            return (yield from _finish(ctx, result, deadline))
        last = result
        if on_progress is not None:
            on_progress(result)
        remaining = deadline - ctx.clock.monotonic()
        if remaining <= 0:
            waited = ctx.clock.monotonic() - start
            raise WaitTimeoutError(execution_id, waited=waited, last_result=last)
        delay = poll_delay(policy, polls, retry_after=server_delay, random=ctx.clock.random())
        yield Sleep(min(delay, remaining))
        polls += 1


def _finish(ctx: Context, result: ExecutionResult, deadline: float) -> Flow[ExecutionResult]:
    """A final result, with the API's own main output when several output nodes succeeded (the
    node map does not say which succeeded first); raises when the execution failed."""
    if len(result.succeeded_outputs) > 1:
        main, _ = yield from _results(ctx, result.execution_id, False, deadline)
        if not main.nodes:
            result = ExecutionResult(result.execution_id, True, main.output, result.nodes)
    if result.status == "FAILED":
        raise ExecutionFailedError(result)
    return result


def run_and_wait(
    ctx: Context,
    agent: object,
    body: RunAgentRequest,
    timeout: object,
    poll_interval: float | PollPolicy | None,
    on_progress: Callable[[ExecutionResult], object] | None,
) -> Flow[ExecutionResult]:
    """Start an execution and wait for it; `timeout` covers both."""
    seconds = inputs.seconds(timeout, "timeout")
    policy = poll_policy(poll_interval)
    start = ctx.clock.monotonic()
    started = yield from run(ctx, agent, body)
    remaining = seconds - (ctx.clock.monotonic() - start)
    return (yield from _wait(ctx, started.execution_id, remaining, policy, on_progress))


def get(ctx: Context, agent: object, label: object, version: object) -> Flow[AgentVersion]:
    """The agent's definition: the latest version, or the one with this label or number."""
    ref = inputs.agent_ref(agent)
    label_name, version_number = inputs.version_choice(label, version)
    call = get_agent._get_kwargs(
        ref,
        label=UNSET if label_name is None else label_name,
        version=UNSET if version_number is None else version_number,
    )
    response = yield from send(ctx, call, idempotent=True)
    parsed = _parse(get_agent, response, {200})
    if isinstance(parsed, AgentSummaryResponse):
        raise ResponseValidationError(
            "the API answered only the agent's summary (an older form of this endpoint), "
            "not its definition",
            status_code=response.status_code,
            excerpt=excerpt(response),
        )
    return _expect(AgentVersion, parsed, response)

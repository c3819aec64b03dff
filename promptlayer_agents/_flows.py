"""The operations as I/O-free steps, shared by the sync and the async client.

Each operation is a generator: it yields `Send` (a request to make) or `Sleep` (a pause) and is
resumed with the outcome (an `httpx.Response`, or the `httpx.TransportError` that sending raised).
Every decision (argument checks, retries, deadlines, polling, errors) is made here or in the
plain modules these call; `Agents` and `AsyncAgents` only carry the actions out, with a blocking or
an awaiting client. Requests are built and answers parsed by `_operations`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from promptlayer_agents_api.models import AgentVersion, ExecutionNodeMap, NoOutputNodeError

from . import _inputs, _operations, _results
from ._clock import Clock
from ._config import MIN_REQUEST_TIMEOUT, Settings
from ._errors import (
    ExecutionFailedError,
    WaitTimeoutError,
    connection_error,
    status_error,
)
from ._polling import PollPolicy, poll_delay, poll_policy
from ._results import ExecutionResult, RunStarted
from ._retries import may_retry, retry_after, retry_delay

logger = logging.getLogger("promptlayer_agents")

T = TypeVar("T")
ProgressCallback = Callable[[ExecutionResult], object]


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
        timeout = settings.request_timeout
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


def run(
    ctx: Context,
    agent: object,
    *,
    input_variables: object,
    metadata: object,
    label: object,
    version: object,
    return_all_outputs: object,
    callback_url: object,
) -> Flow[RunStarted]:
    """Start an execution. Sent at most once unless it certainly did not arrive."""
    ref = _inputs.agent_ref(agent)
    body = _inputs.run_request(
        input_variables=input_variables,
        metadata=metadata,
        label=label,
        version=version,
        return_all_outputs=return_all_outputs,
        callback_url=callback_url,
    )
    response = yield from send(ctx, _operations.run_call(ref, body), idempotent=False)
    parsed = _operations.parse_run(response)
    warning = parsed.warning if isinstance(parsed.warning, str) else None
    if warning:
        logger.warning("run of %r: %s", ref, warning)
    return RunStarted(
        execution_id=parsed.workflow_version_execution_id,
        warning=warning,
        message=parsed.message,
        accepted_for_callback=response.status_code == 202,
    )


def _results_once(
    ctx: Context, execution_id: int, return_all_outputs: bool, deadline: float | None = None
) -> Flow[tuple[ExecutionResult, float | None]]:
    """One results request: the result and the server's Retry-After, if any."""
    call = _operations.results_call(execution_id, return_all_outputs)
    response = yield from send(ctx, call, idempotent=True, deadline=deadline)
    parsed = _operations.parse_results(response)
    if isinstance(parsed, NoOutputNodeError):
        if not isinstance(parsed.output, ExecutionNodeMap):
            raise status_error(response)
        result = _results.from_no_output_node(execution_id, parsed.output)
    else:
        result = _results.from_results_body(execution_id, parsed, done=response.status_code == 200)
    return result, retry_after(response, now=ctx.clock.time())


def get_results(
    ctx: Context, execution_id: object, return_all_outputs: object
) -> Flow[ExecutionResult]:
    """The execution's state now, finished or not, failed or not."""
    checked_id = _inputs.execution_id(execution_id)
    all_outputs = _inputs.flag(return_all_outputs, "return_all_outputs")
    result, _ = yield from _results_once(ctx, checked_id, all_outputs)
    return result


def wait(
    ctx: Context,
    execution_id: object,
    timeout: object,
    poll_interval: object,
    on_progress: ProgressCallback | None,
) -> Flow[ExecutionResult]:
    """Poll until the execution is final or the wait deadline (`timeout` seconds) has passed."""
    checked_id = _inputs.execution_id(execution_id)
    wait_deadline = _inputs.seconds(timeout, "timeout")
    policy = poll_policy(poll_interval)
    start = ctx.clock.monotonic()
    return (yield from _wait(ctx, checked_id, start + wait_deadline, policy, on_progress))


def run_and_wait(
    ctx: Context,
    agent: object,
    *,
    input_variables: object,
    metadata: object,
    label: object,
    version: object,
    timeout: object,
    poll_interval: object,
    on_progress: ProgressCallback | None,
) -> Flow[ExecutionResult]:
    """Start an execution and wait for it; the wait deadline (`timeout`) covers both. Every
    argument is checked before the run is sent."""
    wait_deadline = _inputs.seconds(timeout, "timeout")
    policy = poll_policy(poll_interval)
    start = ctx.clock.monotonic()
    started = yield from run(
        ctx,
        agent,
        input_variables=input_variables,
        metadata=metadata,
        label=label,
        version=version,
        return_all_outputs=False,
        callback_url=None,
    )
    return (yield from _wait(ctx, started.execution_id, start + wait_deadline, policy, on_progress))


def _wait(
    ctx: Context,
    execution_id: int,
    deadline: float,
    policy: PollPolicy,
    on_progress: ProgressCallback | None,
) -> Flow[ExecutionResult]:
    """Poll until final; `deadline` is on the clock's monotonic scale."""
    start = ctx.clock.monotonic()
    last: ExecutionResult | None = None
    polls = 0
    while True:
        try:
            result, server_delay = yield from _results_once(ctx, execution_id, True, deadline)
            last = result
            if result.done:  # the main-output request in _finish is bound by the deadline too
                return (yield from _finish(ctx, result, deadline))
        except _DeadlineReached as reached:
            waited = ctx.clock.monotonic() - start
            raise WaitTimeoutError(execution_id, waited=waited, last_result=last) from (
                reached.__cause__
            )
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
        main, _ = yield from _results_once(ctx, result.execution_id, False, deadline)
        if not main.nodes:
            result = ExecutionResult(result.execution_id, True, main.output, result.nodes)
    if result.status == "FAILED":
        raise ExecutionFailedError(result)
    return result


def get(ctx: Context, agent: object, label: object, version: object) -> Flow[AgentVersion]:
    """The agent's definition: the latest version, or the one with this label or number."""
    ref = _inputs.agent_ref(agent)
    label_name, version_number = _inputs.version_choice(label, version)
    call = _operations.agent_call(ref, label_name, version_number)
    response = yield from send(ctx, call, idempotent=True)
    return _operations.parse_agent(response)

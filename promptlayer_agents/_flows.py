"""The operations as I/O-free steps, shared by the sync and the async client.

Each operation is a generator: it yields `Send` (a request to make) or `Sleep` (a pause) and is
resumed with the outcome (a fully read `httpx.Response`, the `httpx.TransportError` that sending
raised, or an `Unreadable` answer).
Every decision (argument checks, retries, deadlines, polling, errors) is made here or in the
plain modules these call; `Agents` and `AsyncAgents` only carry the actions out, with a blocking or
an awaiting client. Requests are built and answers parsed by `_operations`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx

from promptlayer_agents_api.models import ExecutionNodeMap, NoOutputNodeError

from . import _inputs, _operations, _results
from ._config import DEFAULT_MAX_RESPONSE_BYTES, MIN_REQUEST_TIMEOUT
from ._config import Context as Context  # its home is _config; flows are written against it
from ._errors import (
    ExecutionFailedError,
    PromptLayerError,
    WaitTimeoutError,
    connection_error,
    request_id,
    status_error,
    unreadable_error,
)
from ._http import Outcome, Unreadable
from ._polling import PollPolicy, poll_delay, poll_policy
from ._results import ExecutionResult, RunStarted
from ._retries import call_budget, may_retry, retry_after, retry_delay, run_may_have_started
from ._secrets import credential_headers, of_settings
from .definitions import AgentDefinition
from .rules import results_answer_done

logger = logging.getLogger("promptlayer_agents")

T = TypeVar("T")
P = ParamSpec("P")
ProgressCallback = Callable[[ExecutionResult], object]


@dataclass(frozen=True)
class Send:
    """Make this request (httpx.Client.request keyword arguments) within `timeout` seconds in all,
    reading at most `max_bytes` bytes of answer (after decompression)."""

    request: dict[str, Any] = field(repr=False)
    timeout: float
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass(frozen=True)
class Sleep:
    """Pause this many seconds."""

    seconds: float


@dataclass(frozen=True)
class Notify:
    """Call the caller's `on_progress` with this intermediate result. The async client awaits
    what it returns when that is awaitable (an `async def` callback)."""

    callback: ProgressCallback
    result: ExecutionResult


Flow = Generator[Send | Sleep | Notify, Outcome | None, T]


def _log(ctx: Context, level: int, message: str, *args: object) -> None:
    """Log through the package's logger, every secret masked in the arguments (a server's
    warning may echo the key)."""
    if logger.isEnabledFor(level):
        secrets = of_settings(ctx.settings)
        logger.log(level, message, *(secrets.mask_json(arg) for arg in args))


def _masks_errors(
    flow: Callable[Concatenate[Context, P], Flow[T]],
) -> Callable[Concatenate[Context, P], Flow[T]]:
    """The flows the clients call: any error they raise leaves with every secret masked in it
    and in its causes (`Secrets.mask_error`), wherever it was made."""

    @functools.wraps(flow)
    def masked(ctx: Context, /, *args: P.args, **kwargs: P.kwargs) -> Flow[T]:
        try:
            return (yield from flow(ctx, *args, **kwargs))
        except PromptLayerError as error:
            of_settings(ctx.settings).mask_error(error)
            raise

    return masked


class _DeadlineReached(Exception):
    """A retry would end after the wait's deadline; the cause is the last failure."""


def attempts(
    ctx: Context, call: dict[str, Any], *, idempotent: bool, deadline: float | None = None
) -> Flow[tuple[Outcome, bool]]:
    """Send `call` (generated request kwargs), retrying what `may_retry` allows, up to
    `max_retries` times, never past `deadline` (by default the single call's budget). Answers the
    last outcome as it came (a successful answer is never masked) and whether the deadline
    stopped retries."""
    settings = ctx.settings
    if deadline is None:
        budget = call_budget(settings.request_timeout, settings.max_retries)
        deadline = ctx.clock.monotonic() + budget
    request = {
        **call,
        "url": settings.base_url + call["url"],
        "headers": {
            **settings.default_headers,
            **call.get("headers", {}),
            **credential_headers(settings),
        },
    }
    attempt = 0
    while True:
        left = max(deadline - ctx.clock.monotonic(), MIN_REQUEST_TIMEOUT)
        timeout = min(settings.request_timeout, left)
        outcome = yield Send(request, timeout, settings.max_response_bytes)
        assert outcome is not None
        if attempt >= settings.max_retries or not may_retry(outcome, idempotent=idempotent):
            return outcome, False
        delay = retry_delay(outcome, attempt, now=ctx.clock.time(), random=ctx.clock.random())
        if ctx.clock.monotonic() + delay > deadline:
            _log(
                ctx,
                logging.INFO,
                "not retrying %s: a %.2fs pause ends past the deadline",
                call["url"],
                delay,
            )
            return outcome, True
        _log(
            ctx,
            logging.INFO,
            "retrying %s %s in %.2fs after %s",
            call["method"].upper(),
            call["url"],
            delay,
            _describe(outcome),
        )
        yield Sleep(delay)
        attempt += 1


def send(
    ctx: Context, call: dict[str, Any], *, idempotent: bool, deadline: float | None = None
) -> Flow[httpx.Response]:
    """`attempts`, then the answer, whatever its status; raises APIConnectionError or
    APITimeoutError when no answer came, ResponseValidationError when it could not be read, and
    `_DeadlineReached` (caused by that error) when a `deadline` given here stopped the retries."""
    outcome, out_of_time = yield from attempts(ctx, call, idempotent=idempotent, deadline=deadline)
    if out_of_time and deadline is not None:
        raise _DeadlineReached() from _as_error(outcome)
    if isinstance(outcome, httpx.Response):
        return outcome
    raise _as_error(outcome)


def _as_error(outcome: Outcome) -> PromptLayerError:
    """The typed error for a failed outcome (not chained to any httpx exception)."""
    if isinstance(outcome, httpx.Response):
        return status_error(outcome)
    if isinstance(outcome, Unreadable):
        return unreadable_error(outcome.status_code, outcome.reason)
    return connection_error(outcome)


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, httpx.Response | Unreadable):
        return f"HTTP {outcome.status_code}"
    return type(outcome).__name__


@_masks_errors
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
    deadline: float | None = None,
) -> Flow[RunStarted]:
    """Start an execution. Sent at most once unless it certainly did not arrive; an error says
    whether the execution may have started (`may_have_started`)."""
    ref = _inputs.agent_ref(agent)
    body = _inputs.run_request(
        input_variables=input_variables,
        metadata=metadata,
        label=label,
        version=version,
        return_all_outputs=return_all_outputs,
        callback_url=callback_url,
    )
    call = _operations.run_call(ref, body)
    outcome, _ = yield from attempts(ctx, call, idempotent=False, deadline=deadline)
    try:
        if not isinstance(outcome, httpx.Response):
            raise _as_error(outcome)
        parsed = _operations.parse_run(outcome)
    except PromptLayerError as error:
        error.may_have_started = run_may_have_started(outcome)
        raise
    if parsed.warning:
        _log(ctx, logging.WARNING, "run of %r: %s", ref, parsed.warning)
    return parsed


def _results_once(
    ctx: Context,
    execution_id: int,
    return_all_outputs: bool,
    deadline: float | None = None,
    node_id: str | None = None,
    node_name: str | None = None,
) -> Flow[tuple[ExecutionResult, float | None]]:
    """One results request: the result and the server's Retry-After, if any."""
    call = _operations.results_call(execution_id, return_all_outputs, node_id, node_name)
    response = yield from send(ctx, call, idempotent=True, deadline=deadline)
    parsed = _operations.parse_results(response, all_outputs=return_all_outputs)
    nodes = parsed.output if isinstance(parsed, NoOutputNodeError) else parsed
    answer_id = request_id(response)
    if isinstance(nodes, ExecutionNodeMap):
        done = results_answer_done(response.status_code, nodes)
        result = _results.from_node_map(execution_id, nodes, done=done, request_id=answer_id)
    else:
        done = results_answer_done(response.status_code, None)
        result = _results.from_main_output(execution_id, parsed, done=done, request_id=answer_id)
    return result, retry_after(response, now=ctx.clock.time())


@_masks_errors
def get_results(
    ctx: Context,
    execution_id: object,
    return_all_outputs: object,
    node_id: object = None,
    node_name: object = None,
) -> Flow[ExecutionResult]:
    """The execution's state now, finished or not, failed or not; with `node_id` or `node_name`,
    only that node's result (filters PromptLayer's backend accepts but its spec omits), read from
    the node map, which a filter therefore always asks for."""
    checked_id = _inputs.execution_id(execution_id)
    all_outputs = _inputs.flag(return_all_outputs, "return_all_outputs")
    checked_node_id = _inputs.optional_text(node_id, "node_id")
    checked_node_name = _inputs.optional_text(node_name, "node_name")
    all_outputs = all_outputs or checked_node_id is not None or checked_node_name is not None
    result, _ = yield from _results_once(
        ctx, checked_id, all_outputs, node_id=checked_node_id, node_name=checked_node_name
    )
    return result


@_masks_errors
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
    progress = _inputs.progress_callback(on_progress, awaited=ctx.awaits_callbacks)
    start = ctx.clock.monotonic()
    return (yield from _wait(ctx, checked_id, start + wait_deadline, policy, progress))


@_masks_errors
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
    argument is checked before the run is sent. Every error raised once the run has started
    carries its `execution_id` (resume with `wait`) and `may_have_started=True`."""
    wait_deadline = _inputs.seconds(timeout, "timeout")
    policy = poll_policy(poll_interval)
    progress = _inputs.progress_callback(on_progress, awaited=ctx.awaits_callbacks)
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
        deadline=start + wait_deadline,
    )
    try:
        return (
            yield from _wait(ctx, started.execution_id, start + wait_deadline, policy, progress)
        )
    except PromptLayerError as error:
        error.may_have_started = True
        error.run_warning = started.warning
        raise


def _wait(
    ctx: Context,
    execution_id: int,
    deadline: float,
    policy: PollPolicy,
    on_progress: ProgressCallback | None,
) -> Flow[ExecutionResult]:
    """Poll until final; `deadline` is on the clock's monotonic scale. Every error it raises
    carries `execution_id`."""
    try:
        return (yield from _poll(ctx, execution_id, deadline, policy, on_progress))
    except PromptLayerError as error:
        if error.execution_id is None:
            error.execution_id = execution_id
            error.add_note(f"execution {execution_id} started; resume with wait({execution_id})")
        raise


def _poll(
    ctx: Context,
    execution_id: int,
    deadline: float,
    policy: PollPolicy,
    on_progress: ProgressCallback | None,
) -> Flow[ExecutionResult]:
    """The polls of `_wait`: results until final, a pause between them, never past `deadline`."""
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
            yield Notify(on_progress, result)
        remaining = deadline - ctx.clock.monotonic()
        if remaining <= 0:
            waited = ctx.clock.monotonic() - start
            raise WaitTimeoutError(execution_id, waited=waited, last_result=last)
        delay = poll_delay(
            policy,
            polls,
            waited=ctx.clock.monotonic() - start,
            retry_after=server_delay,
            random=ctx.clock.random(),
        )
        yield Sleep(min(delay, remaining))
        polls += 1


def _finish(ctx: Context, result: ExecutionResult, deadline: float) -> Flow[ExecutionResult]:
    """A final result, with the API's own main output when several output nodes succeeded (the
    node map does not say which succeeded first); raises when the execution failed."""
    if len(result.succeeded_outputs) > 1:
        main, _ = yield from _results_once(ctx, result.execution_id, False, deadline)
        if not main.nodes:
            result = replace(result, output=main.output, request_id=main.request_id)
    if result.status == "FAILED":
        raise ExecutionFailedError(result)
    return result


@_masks_errors
def get(ctx: Context, agent: object, label: object, version: object) -> Flow[AgentDefinition]:
    """The agent's definition: the latest version, or the one with this label or number."""
    ref = _inputs.agent_ref(agent)
    label_name, version_number = _inputs.version_choice(label, version)
    call = _operations.agent_call(ref, label_name, version_number)
    response = yield from send(ctx, call, idempotent=True)
    return _operations.parse_agent(response)

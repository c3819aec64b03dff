"""The sandbox's HTTP API: the three operations of openapi.yaml, with their status codes and bodies.

Agent names in paths (`_paths`), fault injection (`_faults`), request checks (`_checks`), the body
size limit (`_limits`) and callback delivery (`_callbacks`) live in their own modules.

Every error it answers is JSON in the API's shape: a body over the size limit gets 413 before more
of it is read, and an exception in a handler 500 (the server log has the traceback).
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from promptlayer_agents_api.models import AgentVersion

from . import _checks, _faults
from ._callbacks import REMOTE_CALLBACK_WARNING, Callbacks, is_loopback
from ._catalog import Catalog, input_names, load_catalog
from ._engine import Executions, narrowed
from ._errors import error_response, invalid
from ._faults import Faults
from ._limits import DEFAULT_MAX_BODY_BYTES, BodyLimit
from ._memory import DEFAULT_MAX_STORED_BYTES, gone
from ._paths import agent_segment

DEFAULT_API_KEY = "pl_sandbox"
logger = logging.getLogger(__name__)
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Tape(Protocol):
    """What answers instead of the sandbox's own executions: the recording proxy (`_recorder`)
    or a replay (`_replayer`). None lets the sandbox answer as usual."""

    async def answer(
        self, request: Request, operation: str, state: SandboxState
    ) -> Response | None:
        """The answer to the operation ("run", "agent" or "results"), or None."""


@dataclass
class SandboxState:
    """Everything the running app holds; tests read it to see what the server saw."""

    catalog: Catalog
    executions: Executions
    api_key: str
    faults: Faults
    allow_remote_callbacks: bool
    requests: Counter[str] = field(default_factory=Counter)
    random: random.Random = field(default_factory=random.Random)
    callbacks: Callbacks = field(default_factory=Callbacks)
    tape: Tape | None = None  # recording or replaying, when set


Handler = Callable[[Request, SandboxState], Awaitable[Response]]


async def _serve(request: Request, name: str, handler: Handler) -> Response:
    """Count the request; let the tape (recording or replaying) answer it if there is one and
    it does; else apply injected faults, check the API key, then handle it."""
    state: SandboxState = request.app.state.sandbox
    state.requests[f"{request.method} {name}"] += 1
    taped = await state.tape.answer(request, name, state) if state.tape else None
    if taped is not None:
        return taped
    await _faults.delay(state.faults)
    fault = _faults.injected(state.faults, state.random)
    if fault is not None:
        return fault
    if request.headers.get("x-api-key") != state.api_key:
        return error_response(401, "Invalid API key")
    try:
        response = await handler(request, state)
    except ClientDisconnect:  # gone before its body arrived: nothing started, no one to answer
        return error_response(400, "The client disconnected before sending its whole body")
    except HTTPException:
        raise  # answered by the app's handler, in the same JSON shape
    except Exception:  # a bug: a JSON 500, the connection kept, the traceback in the log
        logger.exception("sandbox: %s %s failed", request.method, request.url.path)
        return error_response(500, "Internal server error")
    return _faults.maybe_dropped(state.faults, state.random, response)


async def _workflows(request: Request) -> Response:
    """POST /workflows/<name>/run and GET /workflows/<name>, each allowing only its method."""
    target = agent_segment(request)
    if target is None:
        return error_response(404, "Not found")
    name, rest = target
    allowed = ("POST",) if rest == "run" else ("GET", "HEAD")
    if request.method not in allowed:
        return error_response(405, "Method not allowed", headers={"Allow": ", ".join(allowed)})
    if rest == "run":
        return await _serve(request, "run", lambda r, s: _run(r, s, name))
    return await _serve(request, "agent", lambda r, s: _get_agent(r, s, name))


async def _results_endpoint(request: Request) -> Response:
    return await _serve(request, "results", _results)


async def _get_agent(request: Request, state: SandboxState, name: str) -> Response:
    version, problem = _checks.positive_int(
        request.query_params.get("version"), ["query", "version"]
    )
    if problem:
        return invalid(problem)
    label = request.query_params.get("label")
    if label is not None and version is not None:
        return error_response(422, "version and label are mutually exclusive")
    found = _find_version(state, name, version, label)
    return found if isinstance(found, Response) else JSONResponse(found.to_dict())


def _find_version(
    state: SandboxState, name: str, number: int | None, label: str | None
) -> AgentVersion | Response:
    """The agent version asked for, or the 404 that says whether the agent or the version is
    unknown."""
    agent = state.catalog.find(name)
    if agent is None:
        return error_response(404, "Workflow not found")
    version = agent.version(number=number, label=label)
    if version is None:
        return error_response(404, "Workflow version not found")
    return version


async def _run(request: Request, state: SandboxState, name: str) -> Response:
    body, problems = _checks.run_body(await request.body())
    if body is None or problems:
        return invalid(*problems)
    label, number = body.workflow_label_name, body.workflow_version_number
    if label is not None and number is not None:
        return error_response(
            422, "workflow_label_name and workflow_version_number are mutually exclusive"
        )
    callback_url = body.callback_url
    version = _find_version(state, name, number, label)
    if isinstance(version, Response):
        return version
    inputs = dict(body.input_variables or {})
    warnings = [_checks.input_warning(input_names(version), set(inputs))]
    deliver_to = callback_url
    if callback_url and not state.allow_remote_callbacks and not is_loopback(callback_url):
        deliver_to = None
        warnings.append(REMOTE_CALLBACK_WARNING)
    metadata = dict(body.metadata or {})
    execution = state.executions.start(
        version, inputs, deliver_to, state.callbacks.deliver, metadata
    )
    warnings += execution.warnings()
    answer = {
        "success": True,
        "message": "Workflow execution created successfully",
        "warning": "; ".join(filter(None, warnings)) or None,
        "workflow_version_execution_id": execution.id,
    }
    return JSONResponse(answer, status_code=202 if callback_url else 201)


async def _results(request: Request, state: SandboxState) -> Response:
    params = request.query_params
    loc: list[str | int] = ["query", "workflow_version_execution_id"]
    if "workflow_version_execution_id" not in params:
        return invalid((loc, "Field required", "missing"))
    execution_id, problem = _checks.positive_int(params["workflow_version_execution_id"], loc)
    if problem:
        return invalid(problem)
    everything, problem = _checks.flag(
        params.get("return_all_outputs"), ["query", "return_all_outputs"]
    )
    if problem:
        return invalid(problem)
    executions = state.executions
    execution = executions.get(execution_id) if execution_id else None
    if execution is None and execution_id and executions.was_given_out(execution_id):
        message = gone(execution_id, executions.limit, executions.max_stored_bytes)
        return error_response(404, message)  # 404, as the client's NotFoundError reads it
    if execution is None:
        return error_response(404, "Workflow version execution not found")
    state.executions.observe(execution)
    await state.executions.settle(execution)
    if not execution.has_output_node:
        return error_response(
            400,
            "No output node found for this workflow version execution",
            output=execution.node_map(),
        )
    everything = everything or execution.failed_without_output
    body = execution.node_map() if everything else execution.main_output
    if everything:
        body = narrowed(
            body,
            execution.version,
            params.get("workflow_node_id"),
            params.get("workflow_node_name"),
        )
    return JSONResponse(body, status_code=200 if execution.done else 202)


def create_app(
    agents: str | Any | None = None,
    *,
    api_key: str = DEFAULT_API_KEY,
    faults: Faults | None = None,
    max_executions: int = 1000,
    allow_remote_callbacks: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_stored_bytes: int = DEFAULT_MAX_STORED_BYTES,
) -> Starlette:
    """The sandbox as an ASGI app. `agents` is a YAML/JSON file, loaded data, or None for the
    bundled demo agents. A request body over `max_body_bytes` is refused with 413; executions
    past `max_executions`, or past `max_stored_bytes` in all, are forgotten (`_memory`)."""
    if max_body_bytes < 1 or max_stored_bytes < 1:
        raise ValueError("max_body_bytes and max_stored_bytes must be at least 1")
    faults = faults or Faults()
    state = SandboxState(
        catalog=load_catalog(agents),
        executions=Executions(max_executions, max_stored_bytes),
        api_key=api_key,
        faults=faults,
        allow_remote_callbacks=allow_remote_callbacks,
        random=random.Random(faults.seed),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await state.executions.stop()
        await state.callbacks.close()

    async def http_error(request: Request, error: Exception) -> Response:
        """Unknown paths and methods answer a JSON error body like every other error."""
        assert isinstance(error, HTTPException)
        return error_response(error.status_code, error.detail, headers=error.headers)

    async def server_error(request: Request, error: Exception) -> Response:
        """Any exception outside a handler: a JSON 500 in the API's shape, not starlette's
        text (the server then logs it and closes the connection)."""
        return error_response(500, "Internal server error")

    app = Starlette(
        middleware=[Middleware(BodyLimit, limit=max_body_bytes)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        routes=[
            Route("/workflow-version-execution-results", _results_endpoint, methods=["GET"]),
            Route("/workflows/{rest:anything}", _workflows, methods=ANY_METHOD),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = state
    return app

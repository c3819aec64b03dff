"""The sandbox's HTTP API: the three operations of openapi.yaml, with their status codes and bodies.

Agent names are read from the raw request path, one percent-encoded segment, so a name with `/`,
`?` or `#` in it reaches its agent just as with PromptLayer.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from promptlayer_agents_api.models import AgentVersion

from .catalog import Catalog, input_names, load_catalog
from .engine import Execution, Executions

logger = logging.getLogger("promptlayer_agents.sandbox")

DEFAULT_API_KEY = "pl_sandbox"
CALLBACK_TIMEOUT = 5.0
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
TRUE = frozenset({"true", "1", "yes", "on"})
FALSE = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True)
class Faults:
    """Failures to inject, all off by default. Fractions are of requests, in [0, 1]."""

    latency: float = 0.0
    rate_limited: float = 0.0
    unavailable: float = 0.0
    dropped: float = 0.0
    retry_after: int = 1
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("rate_limited", "unavailable", "dropped"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"faults.{name} is a fraction in [0, 1]")
        if self.latency < 0 or self.retry_after < 0:
            raise ValueError("faults.latency and faults.retry_after must be >= 0")


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
    http: httpx.AsyncClient | None = None


def _error(
    status: int, message: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"success": False, "message": message, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


Issue = tuple[list[str | int], str, str]


def _invalid(*issues: Issue) -> JSONResponse:
    """422 in FastAPI's form: a list of (location, message, type)."""
    detail = [{"loc": loc, "msg": msg, "type": kind} for loc, msg, kind in issues]
    return JSONResponse({"detail": detail}, status_code=422)


class _DroppedConnection(Response):
    """Starts an answer and never finishes it: the client sees the connection drop."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"succ', "more_body": True})


class _Anything(Convertor[str]):
    """A path remainder that may hold any character, newlines too (`path` stops at them)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anything", _Anything())

Handler = Callable[[Request, SandboxState], Awaitable[Response]]


async def _serve(request: Request, name: str, handler: Handler) -> Response:
    """Count the request, apply injected faults, check the API key, then handle it."""
    state: SandboxState = request.app.state.sandbox
    state.requests[f"{request.method} {name}"] += 1
    faults = state.faults
    if faults.latency:
        await asyncio.sleep(faults.latency)
    roll = state.random.random()
    retry = {"Retry-After": str(faults.retry_after)}
    if roll < faults.rate_limited:
        return _error(429, "Too many requests (sandbox fault injection)", headers=retry)
    if roll < faults.rate_limited + faults.unavailable:
        return _error(503, "Service unavailable (sandbox fault injection)", headers=retry)
    if request.headers.get("x-api-key") != state.api_key:
        return _error(401, "Invalid API key")
    response = await handler(request, state)
    if state.random.random() < faults.dropped:
        return _DroppedConnection()
    return response


def _agent_segment(request: Request) -> tuple[str, str] | None:
    """(agent name, "run" or "") from the raw path /workflows/<segment>[/run]."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    parts = raw.split(b"?", 1)[0].decode("latin-1").split("/")
    if len(parts) == 3 and parts[1] == "workflows" and parts[2]:
        return unquote(parts[2]), ""
    if len(parts) == 4 and parts[1] == "workflows" and parts[2] and parts[3] == "run":
        return unquote(parts[2]), "run"
    return None


async def _workflows(request: Request) -> Response:
    """POST /workflows/<name>/run and GET /workflows/<name>, each allowing only its method."""
    target = _agent_segment(request)
    if target is None:
        return _error(404, "Not found")
    name, rest = target
    allowed = ("POST",) if rest == "run" else ("GET", "HEAD")
    if request.method not in allowed:
        return _error(405, "Method not allowed", headers={"Allow": ", ".join(allowed)})
    if rest == "run":
        return await _serve(request, "run", lambda r, s: _run(r, s, name))
    return await _serve(request, "agent", lambda r, s: _get_agent(r, s, name))


async def _results_endpoint(request: Request) -> Response:
    return await _serve(request, "results", _results)


def _positive_int(text: str | None, loc: list[str | int]) -> tuple[int | None, Any]:
    if text is None:
        return None, None
    try:
        value = int(text)
    except ValueError:
        return None, (loc, "Input should be a valid integer", "int_parsing")
    if value <= 0:
        return None, (loc, "Input should be greater than 0", "greater_than")
    return value, None


async def _get_agent(request: Request, state: SandboxState, name: str) -> Response:
    version, problem = _positive_int(request.query_params.get("version"), ["query", "version"])
    if problem:
        return _invalid(problem)
    label = request.query_params.get("label")
    if label is not None and version is not None:
        return _error(422, "version and label are mutually exclusive")
    found = _find_version(state, name, version, label)
    return found if isinstance(found, Response) else JSONResponse(found.to_dict())


def _find_version(
    state: SandboxState, name: str, number: int | None, label: str | None
) -> AgentVersion | Response:
    """The agent version asked for, or the 404 that says whether the agent or the version is
    unknown."""
    agent = state.catalog.find(name)
    if agent is None:
        return _error(404, "Workflow not found")
    version = agent.version(number=number, label=label)
    if version is None:
        return _error(404, "Workflow version not found")
    return version


RUN_FIELDS: dict[str, tuple[Callable[[Any], bool], str, str]] = {
    "workflow_label_name": (
        lambda v: v is None or (isinstance(v, str) and v != ""),
        "Input should be a non-empty string",
        "string_type",
    ),
    "workflow_version_number": (
        lambda v: v is None or (_is_integral(v) and v > 0),
        "Input should be an integer greater than 0",
        "int_type",
    ),
    "metadata": (
        lambda v: (
            v is None or (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))
        ),
        "Input should be an object of strings",
        "dict_type",
    ),
    "input_variables": (lambda v: isinstance(v, dict), "Input should be an object", "dict_type"),
    "return_all_outputs": (lambda v: isinstance(v, bool), "Input should be a boolean", "bool_type"),
    "callback_url": (lambda v: v is None or _is_http_url(v), "Input should be a URL", "url_type"),
}


def _is_integral(value: object) -> bool:
    """An integer as JSON Schema counts one: 3 and 3.0 alike, never a boolean."""
    return type(value) is int or (type(value) is float and value.is_integer())


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _input_warning(expected: set[str], given: set[str]) -> str | None:
    notes = []
    if missing := sorted(expected - given):
        notes.append(f"Missing input variables: {', '.join(missing)}")
    if unexpected := sorted(given - expected):
        notes.append(f"Unexpected input variables: {', '.join(unexpected)}")
    return "; ".join(notes) or None


async def _run(request: Request, state: SandboxState, name: str) -> Response:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return _invalid((["body"], "JSON decode error", "json_invalid"))
    if not isinstance(body, dict):
        return _invalid((["body"], "Input should be an object", "dict_type"))
    problems: list[Issue] = [
        (["body", key], msg, kind)
        for key, (ok, msg, kind) in RUN_FIELDS.items()
        if key in body and not ok(body[key])
    ]
    if problems:
        return _invalid(*problems)
    label, number = body.get("workflow_label_name"), body.get("workflow_version_number")
    number = None if number is None else int(number)
    if label is not None and number is not None:
        return _error(422, "workflow_label_name and workflow_version_number are mutually exclusive")
    callback_url = body.get("callback_url")
    version = _find_version(state, name, number, label)
    if isinstance(version, Response):
        return version
    inputs = body.get("input_variables", {})
    warnings = [_input_warning(input_names(version), set(inputs))]
    deliver_to = callback_url
    if callback_url and not state.allow_remote_callbacks and not _is_loopback(callback_url):
        deliver_to = None
        warnings.append(
            "the sandbox posts callbacks to loopback addresses only, so this callback will not "
            "be sent (start it with --allow-remote-callbacks to lift this)"
        )
    execution = state.executions.start(version, inputs, deliver_to, _deliver(state))
    answer = {
        "success": True,
        "message": "Workflow execution created successfully",
        "warning": "; ".join(filter(None, warnings)) or None,
        "workflow_version_execution_id": execution.id,
    }
    return JSONResponse(answer, status_code=202 if callback_url else 201)


def _deliver(state: SandboxState) -> Callable[[Execution], Awaitable[None]]:
    """POST the final result to the execution's callback URL, once, within CALLBACK_TIMEOUT."""

    async def deliver(execution: Execution) -> None:
        if not execution.callback_url:
            return
        body = {"workflow_version_execution_id": execution.id, "final_output": execution.node_map()}
        if state.http is None:
            state.http = httpx.AsyncClient(timeout=CALLBACK_TIMEOUT)
        try:
            await state.http.post(execution.callback_url, json=body)
        except httpx.HTTPError as error:
            logger.warning("callback for execution %s failed: %r", execution.id, error)

    return deliver


async def _results(request: Request, state: SandboxState) -> Response:
    params = request.query_params
    loc: list[str | int] = ["query", "workflow_version_execution_id"]
    if "workflow_version_execution_id" not in params:
        return _invalid((loc, "Field required", "missing"))
    execution_id, problem = _positive_int(params["workflow_version_execution_id"], loc)
    if problem:
        return _invalid(problem)
    flag = params.get("return_all_outputs", "false").lower()
    if flag not in TRUE | FALSE:
        return _invalid(
            (["query", "return_all_outputs"], "Input should be a valid boolean", "bool_parsing")
        )
    execution = state.executions.get(execution_id) if execution_id else None
    if execution is None:
        return _error(404, "Workflow version execution not found")
    if not execution.has_output_node:
        return _error(
            400,
            "No output node found for this workflow version execution",
            output=execution.node_map(),
        )
    everything = flag in TRUE or execution.failed_without_output
    body = execution.node_map() if everything else execution.main_output
    return JSONResponse(body, status_code=200 if execution.done else 202)


def create_app(
    agents: str | Any | None = None,
    *,
    api_key: str = DEFAULT_API_KEY,
    faults: Faults | None = None,
    max_executions: int = 1000,
    allow_remote_callbacks: bool = False,
) -> Starlette:
    """The sandbox as an ASGI app. `agents` is a YAML/JSON file, loaded data, or None for the
    bundled demo agents."""
    faults = faults or Faults()
    state = SandboxState(
        catalog=load_catalog(agents),
        executions=Executions(max_executions),
        api_key=api_key,
        faults=faults,
        allow_remote_callbacks=allow_remote_callbacks,
        random=random.Random(faults.seed),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await state.executions.stop()
        if state.http is not None:
            await state.http.aclose()

    async def http_error(request: Request, error: Exception) -> Response:
        """Unknown paths and methods answer a JSON error body like every other error."""
        assert isinstance(error, HTTPException)
        return _error(error.status_code, error.detail, headers=error.headers)

    app = Starlette(
        exception_handlers={HTTPException: http_error},
        routes=[
            Route("/workflow-version-execution-results", _results_endpoint, methods=["GET"]),
            Route("/workflows/{rest:anything}", _workflows, methods=ANY_METHOD),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = state
    return app

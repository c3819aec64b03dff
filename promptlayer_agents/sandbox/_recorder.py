"""The sandbox as a recording proxy: each request goes to upstream (PromptLayer by default) with the
caller's key, the caller gets exactly what upstream answered, and the exchange is appended to a
cassette (`_cassette`).

What is recorded: a run (agent, label or version, inputs, metadata) and its answer; every results
answer for an execution a recorded run started, with the seconds since that run arrived; every Get
Agent answer. A run whose body is not a JSON object, results for executions started elsewhere, and
HEAD requests are forwarded but not recorded. Upstream not answering (connection refused, a
timeout, a broken answer) is answered by dropping the connection, and recorded as that failure.

Never recorded: the key or any other header but Retry-After. Every string of an exchange has the
caller's key replaced (an upstream that echoes it, or an input that holds it) before it is written,
and `redact_inputs` replaces the values of the named inputs.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ..rules import is_http_url
from . import _checks
from ._app import SandboxState
from ._cassette import (
    REDACTED,
    AgentExchange,
    Answer,
    CassetteWriter,
    Interaction,
    ResultsExchange,
    RunExchange,
    response_for,
    results_query,
)
from ._errors import error_response
from ._paths import agent_segment

DEFAULT_UPSTREAM = "https://api.promptlayer.com"
DEFAULT_UPSTREAM_TIMEOUT = 60.0
RELAYED_HEADERS = ("content-type", "retry-after")  # from upstream's answer to the caller
logger = logging.getLogger(__name__)
T = TypeVar("T")


class Recorder:
    """Forwards the three operations to `upstream` and appends each exchange to the cassette
    at `path` (continued when `append` and it exists, else started afresh)."""

    def __init__(
        self,
        path: Any,
        *,
        upstream: str = DEFAULT_UPSTREAM,
        redact_inputs: Iterable[str] = (),
        append: bool = True,
        timeout: float = DEFAULT_UPSTREAM_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not is_http_url(upstream):
            raise ValueError(f"upstream must be an http(s) URL, not {upstream!r}")
        if not timeout > 0:
            raise ValueError("the upstream timeout must be a number of seconds > 0")
        self.upstream = upstream.rstrip("/")
        self.redact_inputs = frozenset(redact_inputs)
        self.timeout = timeout
        self.clock = clock
        self.writer = CassetteWriter.open(path, append=append)
        self.started: dict[int, float] = {}  # upstream's execution id -> when its run arrived
        self._tls = httpx.create_ssl_context()  # made once: each takes ~0.1 s

    async def answer(self, request: Request, operation: str, state: SandboxState) -> Response:
        """Forward the request, record the exchange, and answer what upstream answered."""
        arrived = self.clock()
        try:
            body = await request.body()
        except ClientDisconnect:
            return error_response(400, "The client disconnected before sending its whole body")
        answer, relayed = await self._forward(request, body)
        interaction = self._interaction(request, operation, body, answer, arrived)
        if interaction is not None:
            key = request.headers.get("x-api-key")
            try:
                self.writer.append(scrubbed(interaction, key) if key else interaction)
            except OSError:  # the caller still gets upstream's answer: a run has started
                logger.exception("sandbox: cannot write the cassette %s", self.writer.path)
        return relayed

    async def _forward(self, request: Request, body: bytes) -> tuple[Answer, Response]:
        """Upstream's answer, as recorded and as relayed to the caller."""
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        url = (
            self.upstream
            + raw_path.decode("latin-1")
            + ("?" + query.decode("latin-1") if query else "")
        )
        headers = {"accept": "application/json"}
        for name in ("x-api-key", "content-type"):
            if name in request.headers:
                headers[name] = request.headers[name]
        try:
            async with httpx.AsyncClient(timeout=self.timeout, verify=self._tls) as client:
                reply = await client.request(request.method, url, content=body, headers=headers)
        except httpx.ConnectError as error:
            answer = Answer(failure="connect", message=_reason(error))
        except httpx.TimeoutException as error:
            answer = Answer(failure="timeout", message=_reason(error))
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            answer = Answer(failure="transport", message=_reason(error))
        else:
            answer = _answer_of(reply)
            kept = {k: v for k, v in reply.headers.items() if k.lower() in RELAYED_HEADERS}
            return answer, Response(reply.content, reply.status_code, kept)
        logger.warning("sandbox: upstream %s failed: %s", url, answer.message)
        return answer, response_for(answer)

    def _interaction(
        self, request: Request, operation: str, body: bytes, answer: Answer, arrived: float
    ) -> Interaction | None:
        """The exchange as the cassette holds it, or None for one that is not recorded."""
        if request.method == "HEAD":
            return None
        if operation == "run":
            run = self._run(request, body, answer)
            if run is not None and run.execution_id is not None:
                self.started[run.execution_id] = arrived
            return run
        params = request.query_params
        if operation == "agent":
            target = agent_segment(request)
            version, problem = _checks.positive_int(params.get("version"), ["query", "version"])
            if target is None or problem:
                return None
            return AgentExchange(target[0], params.get("label"), version, answer)
        execution_id, problem = _checks.positive_int(
            params.get("workflow_version_execution_id"), ["query"]
        )
        everything, bad_flag = _checks.flag(params.get("return_all_outputs"), ["query"])
        if problem or bad_flag or execution_id not in self.started:
            return None
        assert execution_id is not None
        query = results_query(
            everything, params.get("workflow_node_id"), params.get("workflow_node_name")
        )
        after = max(0.0, arrived - self.started[execution_id])
        return ResultsExchange(execution_id, after, query, answer)

    def _run(self, request: Request, body: bytes, answer: Answer) -> RunExchange | None:
        """The run request's matched fields, with the named inputs redacted."""
        target = agent_segment(request)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if target is None or not isinstance(data, dict):
            return None
        label, number = data.get("workflow_label_name"), data.get("workflow_version_number")
        inputs, metadata = data.get("input_variables", {}), data.get("metadata") or {}
        if number is not None and type(number) is float and number.is_integer():
            number = int(number)
        if (
            not isinstance(inputs, dict)
            or not isinstance(metadata, dict)
            or (label is not None and not isinstance(label, str))
            or (number is not None and (type(number) is not int or number < 1))
        ):
            return None
        redacted = sorted(self.redact_inputs & set(inputs))
        shown = {name: REDACTED if name in redacted else v for name, v in inputs.items()}
        return RunExchange(target[0], label, number, shown, metadata, answer, tuple(redacted))


def _answer_of(reply: httpx.Response) -> Answer:
    """An upstream answer as the cassette holds it: JSON as data, any other body as text."""
    retry_after = reply.headers.get("retry-after")
    try:
        return Answer(reply.status_code, body=json.loads(reply.content), retry_after=retry_after)
    except (ValueError, RecursionError):
        text = reply.content.decode("utf-8", "replace")
        return Answer(reply.status_code, text=text, retry_after=retry_after)


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def scrubbed(value: T, secret: str) -> T:
    """The value with every occurrence of `secret` in its strings (keys too, fields of
    dataclasses, items of lists and tuples) replaced by [REDACTED]."""
    found: Any = value
    if isinstance(found, str):
        found = found.replace(secret, REDACTED)
    elif isinstance(found, dict):
        found = {scrubbed(k, secret): scrubbed(v, secret) for k, v in found.items()}
    elif isinstance(found, list | tuple):
        found = type(found)(scrubbed(item, secret) for item in found)
    elif dataclasses.is_dataclass(found) and not isinstance(found, type):
        changes = {
            f.name: scrubbed(getattr(found, f.name), secret) for f in dataclasses.fields(found)
        }
        found = dataclasses.replace(found, **changes)
    return found  # type: ignore[no-any-return]

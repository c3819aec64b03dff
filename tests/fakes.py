"""Test doubles for the facade: a clock that only moves when slept on, and a scripted API.

`SameCalls` (and `Harness` on top of it) runs the same calls on `Agents` or `AsyncAgents`, so every
behaviour is tested on both.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from promptlayer_agents import Agents, AsyncAgents
from promptlayer_agents._clock import Clock

from .helpers import API_KEY, json_response

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeClock(Clock):
    """Monotonic and wall time that advance only when `sleep` is called; jitter fixed at 0.5."""

    def __init__(self, random: float = 0.5) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._random = random

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_800_000_000.0 + self.now

    def random(self) -> float:
        return self._random

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class ScriptedAPI:
    """Answers requests from a script, one answer per request, and records what was sent.

    An answer is a response, an exception to raise (as a transport would), or a function of the
    request. When the script runs out, `default` answers (if given). More than `MAX_REQUESTS`
    requests fail the test: no scenario needs that many, and a client that keeps sending (a retry
    or poll loop that does not stop) must fail fast rather than run forever on a clock that never
    runs out.
    """

    MAX_REQUESTS = 500

    def __init__(self, answers: Iterable[Answer] = (), default: Answer | None = None) -> None:
        self.answers = list(answers)
        self.default = default
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if len(self.requests) > self.MAX_REQUESTS:
            raise AssertionError(f"more than {self.MAX_REQUESTS} requests: the client never stops")
        answer = self.answers.pop(0) if self.answers else self.default
        if answer is None:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            # A fresh copy: a response object can be read by one client only.
            return httpx.Response(answer.status_code, headers=answer.headers, content=answer.read())
        return answer(request)

    @property
    def paths(self) -> list[str]:
        return [request.url.raw_path.decode() for request in self.requests]

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON answer with optional headers."""
    response = json_response(status, body)
    response.headers.update(headers or {})
    return response


def started(execution_id: int = 787, warning: str | None = None) -> httpx.Response:
    """The run's 201 answer."""
    return reply(
        201,
        {
            "success": True,
            "message": "Workflow execution created successfully",
            "warning": warning,
            "workflow_version_execution_id": execution_id,
        },
    )


AGENT = {
    "success": True,
    "workflow_id": 1,
    "workflow_name": "bot",
    "version": 1,
    "workflow_version_id": 1,
    "nodes": [],
    "edges": [],
}
"""The smallest valid Get Agent answer."""


def node(status: str, value: Any = None, *, output: bool = False, error: str | None = None) -> Any:
    """One node of a node map."""
    return {
        "status": status,
        "value": value,
        "error_message": error,
        "raw_error_message": error,
        "is_output_node": output,
    }


class SameCalls:
    """Calls `self.agents`, an Agents or an AsyncAgents, with the same arguments either way. Async
    calls run to completion on one event loop of this object's own, since open connections belong
    to the loop that made them; `shut()` closes the client and the loop."""

    agents: Agents | AsyncAgents

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.loop = asyncio.new_event_loop()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.agents, name)
        if self.mode == "sync":
            return method  # type: ignore[no-any-return]
        return lambda *args, **kwargs: self.loop.run_until_complete(method(*args, **kwargs))

    def shut(self) -> None:
        self.close()
        self.loop.close()


class Harness(SameCalls):
    """The facade, sync or async, on a ScriptedAPI and a FakeClock."""

    def __init__(self, mode: str, api: ScriptedAPI, clock: FakeClock, **options: Any) -> None:
        super().__init__(mode)
        self.api = api
        self.clock = clock
        transport = httpx.MockTransport(api)
        options.setdefault("api_key", API_KEY)
        options.setdefault("base_url", "https://api.promptlayer.com")
        if mode == "sync":
            self.agents = Agents(http_client=httpx.Client(transport=transport), **options)
        else:
            self.agents = AsyncAgents(http_client=httpx.AsyncClient(transport=transport), **options)
        self.agents._ctx = dataclasses.replace(self.agents._ctx, clock=clock)


Make = Callable[..., Harness]
"""The `harness` fixture: make(*answers, default=None, **client_options) -> a Harness."""

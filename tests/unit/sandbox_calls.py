"""Requests to a sandbox app in this process, with no socket and no thread: each call runs the ASGI
app on its own event loop and gives what a client would have received, a connection the app
dropped before its answer was complete included."""

from __future__ import annotations

import asyncio
import functools
import json
import ssl
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

import httpx
import pytest
from starlette.applications import Starlette

from promptlayer_agents.sandbox._app import DEFAULT_API_KEY, SandboxState

_TLS = httpx.create_ssl_context
RUN = "/workflows/{}/run"
RESULTS = "/workflow-version-execution-results"


@dataclass
class Reply:
    """What the client got: the status, headers (lower-case names), the body, and whether the
    answer was complete (False: the connection dropped)."""

    status: int
    headers: dict[str, str]
    body: bytes
    complete: bool

    def json(self) -> Any:
        return json.loads(self.body)


@functools.cache
def _tls() -> ssl.SSLContext:
    return _TLS()


def share_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give every recorder made in this test one TLS context: each takes a few tenths of a
    second to make, as long as the rest of a test."""
    monkeypatch.setattr(httpx, "create_ssl_context", _tls)


def state_of(app: Starlette) -> SandboxState:
    state: SandboxState = app.state.sandbox
    return state


def call(
    app: Starlette,
    method: str,
    path: str,
    *,
    key: str | None = DEFAULT_API_KEY,
    params: dict[str, Any] | None = None,
    body: Any = None,
    content: bytes | None = None,
    disconnect: bool = False,
    headers: dict[str, str] | None = None,
    omit: tuple[str, ...] = (),
) -> Reply:
    """One request to `path` (percent-encoded, as on the wire): `body` is sent as JSON,
    `content` as it is, with `headers` added; `disconnect` makes the client go before sending
    its body; `omit` leaves those keys out of the ASGI scope (a server need not send them)."""
    raw = content if content is not None else b"" if body is None else json.dumps(body).encode()
    sent = [(b"host", b"sandbox.test"), (b"content-length", str(len(raw)).encode())]
    if key is not None:
        sent.append((b"x-api-key", key.encode()))
    if body is not None or content is not None:
        sent.append((b"content-type", b"application/json"))
    sent += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": quote(path, safe="/%").encode(),
        "query_string": urlencode(params or {}).encode(),
        "root_path": "",
        "headers": sent,
        "client": ("127.0.0.1", 50000),
        "server": ("sandbox.test", 80),
    }
    for key in omit:
        del scope[key]
    return asyncio.run(_exchange(app, scope, raw, disconnect))


async def _exchange(app: Starlette, scope: dict[str, Any], raw: bytes, disconnect: bool) -> Reply:
    sent = asyncio.Event()
    finished = asyncio.Event()
    reply = Reply(0, {}, b"", False)

    async def receive() -> dict[str, Any]:
        if disconnect or sent.is_set():
            await (asyncio.sleep(0) if disconnect else finished.wait())
            return {"type": "http.disconnect"}
        sent.set()
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            reply.status = message["status"]
            reply.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            reply.body += message.get("body", b"")
            if not message.get("more_body", False):
                reply.complete = True
                finished.set()

    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return reply

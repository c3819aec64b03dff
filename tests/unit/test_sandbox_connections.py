"""A connection that overstays its phase is closed: idle, sending its head, sending its body; one
being answered is not. A real sandbox on a thread, raw sockets, short timeouts, bounded waits."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from promptlayer_agents.sandbox import ConnectionTimeouts, Faults, Sandbox

AGENT: dict[str, Any] = {
    "workflow_name": "a",
    "nodes": [
        {
            "name": "N",
            "node_type": "VARIABLE",
            "configuration": {"value": 1},
            "is_output_node": True,
        }
    ],
}
SHORT = 0.3
LONG = 30.0  # the other phases' deadlines: never reached within BOUND
BOUND = 5.0  # far above SHORT: a connection still open then was not closed at its deadline
HEAD = b"GET /workflows/a HTTP/1.1\r\nHost: x\r\nX-API-KEY: pl_sandbox\r\n"


def serving(short: str = "", **options: Any) -> Iterator[Sandbox]:
    """A sandbox whose `short` phase (all three when not given) has a short deadline."""
    timeouts = ConnectionTimeouts(
        **{phase: SHORT if short in ("", phase) else LONG for phase in ("idle", "header", "body")}
    )
    with Sandbox(AGENT, timeouts=timeouts, log_level="info", **options) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    yield from serving(getattr(request, "param", ""))


@pytest.fixture
def closings(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The server's log lines (uvicorn's, at info)."""
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    return caplog


def connect(sandbox: Sandbox) -> socket.socket:
    parts = urlsplit(sandbox.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=BOUND)
    return sock


def closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> float | None:
    """Seconds until the server closes the connection (reading what it sends meanwhile), sending
    `trickle` one byte at a time every 50 ms; None when still open after `seconds`."""
    began = time.monotonic()
    sock.settimeout(0.05)
    sent = 0
    while time.monotonic() - began < seconds:
        try:
            if not sock.recv(65536):
                return time.monotonic() - began
        except TimeoutError:
            pass
        except ConnectionResetError:
            return time.monotonic() - began
        if trickle:
            try:
                sock.sendall(trickle[sent % len(trickle) : sent % len(trickle) + 1])
            except OSError:
                return time.monotonic() - began
            sent += 1
    return None


def answer(sock: socket.socket) -> bytes:
    """One whole answer: its head, then as many bytes of body as Content-Length says."""
    sock.settimeout(BOUND)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def too_slow(caplog: pytest.LogCaptureFixture) -> int:
    message = "sandbox: closed a connection too slow sending its request"
    return sum(record.getMessage() == message for record in caplog.records)


@pytest.mark.parametrize("sandbox", ["idle"], indirect=True)
def test_an_idle_connection_is_closed(sandbox: Sandbox, closings: pytest.LogCaptureFixture) -> None:
    with connect(sandbox) as sock:
        took = closed_within(sock, BOUND)

    assert took is not None
    assert too_slow(closings) == 0  # idle is not slow: nothing to log


@pytest.mark.parametrize("sandbox", ["header"], indirect=True)
def test_a_head_trickling_in_is_closed_at_its_deadline(
    sandbox: Sandbox, closings: pytest.LogCaptureFixture
) -> None:
    with connect(sandbox) as sock:
        sock.sendall(b"GET /workflows/a HTTP/1.1\r\n")
        took = closed_within(sock, BOUND, trickle=b"X-Slow: a\r\n")

    assert took is not None  # trickling does not extend the deadline
    assert too_slow(closings) == 1


@pytest.mark.parametrize("sandbox", ["body"], indirect=True)
def test_a_body_trickling_in_is_closed_and_starts_nothing(
    sandbox: Sandbox, closings: pytest.LogCaptureFixture
) -> None:
    with connect(sandbox) as sock:
        sock.sendall(
            b"POST /workflows/a/run HTTP/1.1\r\nHost: x\r\nX-API-KEY: pl_sandbox\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        took = closed_within(sock, BOUND, trickle=b" ")

    assert took is not None
    assert too_slow(closings) == 1
    assert len(sandbox.state.executions) == 0


def test_a_request_being_answered_has_no_deadline() -> None:
    for sandbox in serving(faults=Faults(latency=SHORT * 2)):
        with connect(sandbox) as sock:
            sock.sendall(HEAD + b"\r\n")
            head = answer(sock)

        assert head.startswith(b"HTTP/1.1 200 ")


@pytest.mark.parametrize("sandbox", ["idle"], indirect=True)
def test_a_kept_alive_connection_serves_again_then_idles_out(sandbox: Sandbox) -> None:
    with connect(sandbox) as sock:
        answers = []
        for _ in range(2):
            sock.sendall(HEAD + b"\r\n")
            answers.append(answer(sock))
        took = closed_within(sock, BOUND)

    assert all(answer.startswith(b"HTTP/1.1 200 ") for answer in answers)
    assert took is not None

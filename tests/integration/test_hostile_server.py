"""The client against a hostile server on 127.0.0.1: garbage, bombs, bad encodings, deep nesting,
odd statuses, redirects, trickled headers and bodies. Whatever it sends, every call ends in a
result or a typed PromptLayerError, within its deadline, and no error or log line shows the key.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import SameCalls
from ..hostile import (
    Behaviour,
    HostileServer,
    Request,
    answer,
    deep_json,
    echo_key,
    gzip_bomb,
    gzipped,
    hang,
    head,
    json_answer,
    raw,
    trickle_body,
    trickle_headers,
)

KEY = "pl_hostile_0123456789"
Connect = Callable[..., SameCalls]

STARTED = {
    "success": True,
    "message": "Workflow execution created successfully",
    "warning": None,
    "workflow_version_execution_id": 5,
}


@pytest.fixture
def connect(mode: str) -> Iterator[Connect]:
    """connect(url, **options) -> the sync or async client on that server; closed after."""
    made: list[SameCalls] = []

    def make(url: str, **options: Any) -> SameCalls:
        calls = SameCalls(mode)
        options = {"api_key": KEY, "base_url": url, **options}
        calls.agents = pa.Agents(**options) if mode == "sync" else pa.AsyncAgents(**options)
        made.append(calls)
        return calls

    yield make
    for calls in made:
        calls.shut()


def chain(error: BaseException) -> list[BaseException]:
    """The error and every exception chained to it."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def assert_keyless(error: BaseException) -> None:
    """Neither the error nor anything chained to it shows the key, or holds an httpx request."""
    for link in chain(error):
        assert not isinstance(link, httpx.HTTPError), f"chained to {type(link).__name__}"
        for shown in (
            str(link),
            repr(link),
            repr(vars(link)),
            "".join(getattr(link, "__notes__", [])),
        ):
            assert KEY not in shown


def by_method(post: Behaviour, get: Behaviour) -> Behaviour:
    def behaviour(connection: socket.socket, request: Request, stop: threading.Event) -> None:
        (post if request.line.startswith("POST") else get)(connection, request, stop)

    return behaviour


CALLS: dict[str, Callable[[SameCalls], object]] = {
    "run": lambda h: h.run("bot"),
    "get": lambda h: h.get("bot"),
    "get_results": lambda h: h.get_results(1),
    "wait": lambda h: h.wait(1, timeout=5),
}

JSON = {"Content-Type": "application/json"}
HOSTILE: dict[str, tuple[Behaviour, type[pa.PromptLayerError]]] = {
    "garbage": (raw(b"\x00\xff not http at all\r\n\r\n"), pa.APIConnectionError),
    "truncated body": (
        raw(head(200, {"Content-Length": "100", **JSON}) + b'{"A": '),
        pa.APIConnectionError,
    ),
    "gzip bomb": (
        answer(200, gzip_bomb(200), {"Content-Encoding": "gzip", **JSON}),
        pa.ResponseValidationError,
    ),
    "gzip bomb in gzip": (
        answer(200, gzipped(gzip_bomb(200)), {"Content-Encoding": "gzip, gzip", **JSON}),
        pa.ResponseValidationError,
    ),
    "unknown encoding": (
        answer(200, b"{}", {"Content-Encoding": "br", **JSON}),
        pa.ResponseValidationError,
    ),
    "corrupt gzip": (
        answer(200, b"not gzip at all", {"Content-Encoding": "gzip", **JSON}),
        pa.ResponseValidationError,
    ),
    "deep nesting": (answer(200, deep_json(100_000), JSON), pa.ResponseValidationError),
    "deep nesting in an error": (answer(500, deep_json(100_000), JSON), pa.InternalServerError),
    "undecodable bytes": (
        answer(200, b'\xff\xfe\xfa{"A', {"Content-Type": "application/json; charset=utf-8"}),
        pa.ResponseValidationError,
    ),
    "unknown charset": (
        answer(404, b'{"message": "gone"}', {"Content-Type": "application/json; charset=nope"}),
        pa.NotFoundError,
    ),
    "redirect": (
        answer(307, b"", {"Location": "http://127.0.0.1:9/elsewhere"}),
        pa.ResponseValidationError,
    ),
    "status 299": (answer(299, b"{}", JSON), pa.ResponseValidationError),
    "status 418": (answer(418, b"teapot"), pa.APIStatusError),
    "status 999": (answer(999, b"?"), pa.APIStatusError),
    "5 MB message": (json_answer(400, {"message": "x" * 5_000_000}), pa.BadRequestError),
}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("case", HOSTILE)
def test_every_hostile_answer_is_a_typed_error(connect: Connect, case: str, call: str) -> None:
    behaviour, expected = HOSTILE[case]
    with HostileServer(behaviour) as server:
        h = connect(server.url, timeout=2.0, max_retries=0)

        with pytest.raises(pa.PromptLayerError) as caught:
            CALLS[call](h)

    error = caught.value
    assert isinstance(error, expected), repr(error)
    assert len(str(error)) < 1000
    assert_keyless(error)
    if call == "wait":
        assert error.execution_id == 1
    assert len(server.requests) == 1  # nothing retried, no redirect followed


def test_the_full_message_stays_on_the_error(connect: Connect) -> None:
    with HostileServer(json_answer(400, {"message": "x" * 5_000_000})) as server:
        h = connect(server.url)
        with pytest.raises(pa.BadRequestError) as caught:
            h.get("bot")

    assert len(caught.value.message) == 5_000_000
    assert str(caught.value).endswith("more characters)")


@pytest.mark.parametrize(
    ("behaviour", "started", "sent"),
    [
        (hang, True, 1),
        (raw(b""), True, 1),  # the connection closed: the answer was lost
        (answer(502, b"bad gateway"), True, 1),
        (answer(200, b"not json", JSON), True, 1),
        (answer(200, gzip_bomb(50), {"Content-Encoding": "gzip", **JSON}), True, 1),
        (json_answer(422, {"message": "bad body"}), False, 1),
        (json_answer(429, {"message": "slow down"}, {"Retry-After": "0"}), False, 2),
    ],
)
def test_a_failed_run_says_whether_it_may_have_started(
    connect: Connect, behaviour: Behaviour, started: bool, sent: int
) -> None:
    with HostileServer(behaviour) as server:
        h = connect(server.url, timeout=1.0, max_retries=1)
        with pytest.raises(pa.PromptLayerError) as caught:
            h.run("bot")

    assert caught.value.may_have_started is started
    assert caught.value.execution_id is None
    assert len(server.requests) == sent  # sent again only when it certainly did not start


def test_a_refused_connection_certainly_did_not_start(connect: Connect) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    h = connect(f"http://127.0.0.1:{port}", max_retries=0)

    with pytest.raises(pa.APIConnectionError) as caught:
        h.run("bot")

    assert caught.value.may_have_started is False


def test_errors_after_the_run_started_carry_its_execution_id(connect: Connect) -> None:
    behaviour = by_method(post=json_answer(201, STARTED), get=answer(500, b"broken"))
    with HostileServer(behaviour) as server:
        h = connect(server.url, max_retries=0)
        with pytest.raises(pa.InternalServerError) as caught:
            h.run_and_wait("bot", timeout=10)

    assert caught.value.execution_id == 5
    assert caught.value.may_have_started is True
    assert "wait(5)" in "".join(caught.value.__notes__)


# Deadlines: generous upper bounds only (the deadline plus 1.5 s).


def elapsed(call: Callable[[], object]) -> tuple[BaseException, float]:
    start = time.monotonic()
    with pytest.raises(pa.PromptLayerError) as caught:
        call()
    return caught.value, time.monotonic() - start


@pytest.mark.parametrize("behaviour", [trickle_headers(0.25), trickle_body(0.25), hang])
def test_one_attempt_never_outlasts_its_timeout(connect: Connect, behaviour: Behaviour) -> None:
    with HostileServer(behaviour) as server:
        h = connect(server.url, timeout=1.0, max_retries=0)
        error, took = elapsed(lambda: h.run("bot"))

    assert isinstance(error, pa.APITimeoutError)
    assert error.may_have_started is True
    assert took < 1.0 + 1.5


@pytest.mark.parametrize("part", ["headers", "body"])
def test_the_timeout_holds_with_a_client_of_your_own(mode: str, part: str) -> None:
    """In all with AsyncAgents; with Agents, for the body only (checked between chunks): its
    headers are bounded per read, as the README says, since the whole-attempt deadline needs the
    transport of the client Agents makes."""
    if (mode, part) == ("sync", "headers"):
        pytest.skip("an httpx.Client of your own bounds the headers per read only")
    behaviour = trickle_headers(0.25) if part == "headers" else trickle_body(0.25)
    with HostileServer(behaviour) as server:
        calls = SameCalls(mode)
        http: httpx.Client | httpx.AsyncClient = (
            httpx.Client() if mode == "sync" else httpx.AsyncClient()
        )
        agents_type = pa.Agents if mode == "sync" else pa.AsyncAgents
        calls.agents = agents_type(
            api_key=KEY,
            base_url=server.url,
            timeout=1.0,
            max_retries=0,
            http_client=http,  # type: ignore[arg-type]
        )
        try:
            error, took = elapsed(lambda: calls.get_results(1))
        finally:
            if isinstance(http, httpx.Client):
                http.close()
            else:
                calls.loop.run_until_complete(http.aclose())
            calls.shut()

    assert isinstance(error, pa.APITimeoutError)
    assert took < 1.0 + 1.5


@pytest.mark.parametrize("behaviour", [trickle_headers(0.25), trickle_body(0.25)])
def test_wait_ends_at_its_deadline_whatever_the_server_does(
    connect: Connect, behaviour: Behaviour
) -> None:
    with HostileServer(behaviour) as server:
        h = connect(server.url, timeout=30.0)
        error, took = elapsed(lambda: h.wait(1, timeout=2.0))

    assert isinstance(error, pa.WaitTimeoutError) and error.execution_id == 1
    assert took < 2.0 + 1.5


def test_run_and_wait_ends_at_its_deadline_with_the_execution_id(connect: Connect) -> None:
    behaviour = by_method(post=json_answer(201, STARTED), get=trickle_body(0.25))
    with HostileServer(behaviour) as server:
        h = connect(server.url, timeout=30.0)
        error, took = elapsed(lambda: h.run_and_wait("bot", timeout=2.0))

    assert isinstance(error, pa.WaitTimeoutError) and error.execution_id == 5
    assert error.may_have_started is True
    assert took < 2.0 + 1.5


def test_a_retry_after_longer_than_the_time_left_is_not_waited_for(connect: Connect) -> None:
    behaviour = json_answer(503, {"message": "busy"}, {"Retry-After": "100000"})
    with HostileServer(behaviour) as server:
        h = connect(server.url, timeout=1.0, max_retries=2)
        error, took = elapsed(lambda: h.get("bot"))

    assert isinstance(error, pa.InternalServerError)
    assert len(server.requests) == 1
    assert took < 1.5


# Secrets.


def test_an_echoed_key_shows_in_no_error_and_no_log_of_ours(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    # httpcore logs response headers at DEBUG as they came: a server that echoes the key in a
    # header has it there (README); this package's own records never hold it.
    with (
        caplog.at_level(logging.DEBUG, "promptlayer_agents"),
        HostileServer(echo_key(503)) as server,
    ):
        h = connect(server.url, max_retries=1)
        errors = []
        for call in CALLS.values():
            with pytest.raises(pa.InternalServerError) as caught:
                call(h)
            errors.append(caught.value)

    assert server.requests[0].headers["x-api-key"] == KEY  # the key was sent...
    for error in errors:  # ...and shows nowhere
        assert_keyless(error)
        assert "***" in str(error) and "***" in str(error.body)
    assert caplog.records  # the retries were logged
    assert not [r for r in caplog.records if KEY in r.getMessage()]


def test_nothing_logged_at_any_level_holds_the_key(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    behaviour = by_method(post=json_answer(201, STARTED), get=trickle_headers(0.25))
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="httpx"),  # whatever an earlier test set
        caplog.at_level(logging.DEBUG, logger="httpcore"),
        caplog.at_level(logging.DEBUG, logger="promptlayer_agents"),
        HostileServer(behaviour) as server,
    ):
        h = connect(server.url, timeout=1.0)
        with pytest.raises(pa.PromptLayerError):
            h.run_and_wait("bot", timeout=1.5)

    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore"} <= loggers
    assert not [r for r in caplog.records if KEY in r.getMessage() or KEY in str(r.args)]


# Memory.

MEASURE = """
import asyncio, sys
import promptlayer_agents as pa

url = sys.argv[1]
kinds = []
with pa.Agents(api_key="pl_x", base_url=url, max_retries=0) as agents:
    try:
        agents.get_results(1)
    except pa.PromptLayerError as error:
        kinds.append(type(error).__name__)

async def main():
    async with pa.AsyncAgents(api_key="pl_x", base_url=url, max_retries=0) as agents:
        try:
            await agents.get_results(1)
        except pa.PromptLayerError as error:
            kinds.append(type(error).__name__)

asyncio.run(main())
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(*kinds, int(peak.split()[1]) // 1024)
"""


def test_a_decompression_bomb_costs_little_memory() -> None:
    bomb = gzip_bomb(1000)  # 1000 MiB of zeros in about 1 MB
    with HostileServer(answer(200, bomb, {"Content-Encoding": "gzip", **JSON})) as server:
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, server.url],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    sync_error, async_error, peak_mib = done.stdout.split()
    assert sync_error == async_error == "ResponseValidationError"
    assert int(peak_mib) < 300

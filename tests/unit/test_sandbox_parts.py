"""The sandbox's smaller parts, each as its caller sees it: request checks, agent names in paths,
answer sizes, callbacks, the package's lazy names, and the server's socket and limits."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import signal
import socket
import sys
import threading
import time
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import Request

import promptlayer_agents.sandbox as sandbox_package
from promptlayer_agents.sandbox import (
    ConnectionTimeouts,
    Faults,
    Sandbox,
    _checks,
    _server,
    load_catalog,
)
from promptlayer_agents.sandbox._callables import Call, wait_for_any
from promptlayer_agents.sandbox._callbacks import CALLBACK_TIMEOUT, Callbacks, is_loopback
from promptlayer_agents.sandbox._engine import Execution
from promptlayer_agents.sandbox._memory import gone, json_size, node_map_size
from promptlayer_agents.sandbox._nodes import NodeFailed
from promptlayer_agents.sandbox._paths import agent_segment

# --- request checks (_checks) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (None, (None, None)),
        ("7", (7, None)),
        ("1", (1, None)),
        ("x", (None, (["q"], "Input should be a valid integer", "int_parsing"))),
        ("1.5", (None, (["q"], "Input should be a valid integer", "int_parsing"))),
        ("0", (None, (["q"], "Input should be greater than 0", "greater_than"))),
        ("-3", (None, (["q"], "Input should be greater than 0", "greater_than"))),
    ],
)
def test_positive_int_reads_a_query_parameter(text: str | None, answer: Any) -> None:
    assert _checks.positive_int(text, ["q"]) == answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (None, (False, None)),
        ("", (False, None)),
        ("True", (True, None)),
        ("1", (True, None)),
        ("yes", (True, None)),
        ("ON", (True, None)),
        ("false", (False, None)),
        ("0", (False, None)),
        ("No", (False, None)),
        ("off", (False, None)),
        ("2", (False, (["f"], "Input should be a valid boolean", "bool_parsing"))),
    ],
)
def test_flag_reads_a_boolean_query_parameter(text: str | None, answer: Any) -> None:
    assert _checks.flag(text, ["f"]) == answer


@pytest.mark.parametrize(
    ("expected", "given_names", "warning"),
    [
        ({"a"}, {"a"}, None),
        (set(), set(), None),
        ({"b", "a", "c"}, {"c"}, "Missing input variables: a, b"),
        ({"a"}, {"a", "z", "y"}, "Unexpected input variables: y, z"),
        ({"a"}, {"b"}, "Missing input variables: a; Unexpected input variables: b"),
    ],
)
def test_input_warning_names_missing_and_unexpected_inputs(
    expected: set[str], given_names: set[str], warning: str | None
) -> None:
    assert _checks.input_warning(expected, given_names) == warning


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ({"a": [1, "é", None]}, True),
        (float("nan"), False),
        (float("inf"), False),
        ("\ud800", False),
        ({1, 2}, False),
    ],
)
def test_storable_values_are_those_json_answers_carry(value: Any, ok: bool) -> None:
    assert _checks.storable(value) is ok


def test_storable_keeps_room_for_the_answer_around_a_value() -> None:
    """A value deep enough that, wrapped in the answer's levels, the encoder gives up."""
    depth = next(d for d in range(1, 100_000) if not _encodes(_nested(d)))
    value = _nested(depth - 1)  # encodes alone

    assert not _checks.storable(value)
    assert _checks.storable(_nested(depth - _checks.ANSWER_NESTING - 2))


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def _encodes(value: Any) -> bool:
    try:
        json.dumps(value)
    except RecursionError:
        return False
    return True


@pytest.mark.parametrize(
    ("raw", "issue"),
    [
        (b"[", (["body"], "JSON decode error", "json_invalid")),
        (b'{"a": Infinity}', (["body"], "NaN and Infinity are not JSON", "json_invalid")),
        (b"[" * 100_000 + b"]" * 100_000, (["body"], "JSON nested too deeply", "json_invalid")),
        (b'"text"', (["body"], "expected an object", "type_error")),
        (
            b'{"workflow_version_number": 0}',
            (["body", "workflow_version_number"], None, "greater_than"),
        ),
        (
            b'{"callback_url": "ftp://x"}',
            (["body", "callback_url"], None, "string_pattern_mismatch"),
        ),
        (
            b'{"input_variables": {"\\ud800": "x"}, "metadata": 5}',
            (["body", "metadata"], None, "type_error"),
        ),
    ],
)
def test_a_bad_run_body_gives_one_issue_naming_the_field(
    raw: bytes, issue: tuple[list[Any], str | None, str]
) -> None:
    body, problems = _checks.run_body(raw)

    assert body is None
    [(loc, message, kind)] = problems
    assert (loc, kind) == (issue[0], issue[2])
    if issue[1] is not None:
        assert message.startswith(issue[1])


def test_a_key_with_a_lone_surrogate_is_named_escaped() -> None:
    _, [(loc, _, _)] = _checks.run_body(b'{"metadata": {"\\ud800": 1}}')

    assert loc == ["body", "metadata", "\\ud800"]
    loc[-1].encode("utf-8")  # type: ignore[union-attr]


def test_run_body_reads_a_good_body_and_names_each_unstorable_field() -> None:
    good, none = _checks.run_body(b'{"input_variables": {"x": 1}, "workflow_label_name": "p"}')
    bad, problems = _checks.run_body(
        b'{"input_variables": {"x": 1e999}, "metadata": {"k": "v"}, "workflow_label_name": "p"}'
    )

    assert none == [] and good is not None
    assert good.workflow_label_name == "p"
    assert good.input_variables is not None and good.input_variables.to_dict() == {"x": 1}
    assert bad is not None
    assert problems == [(["body", "input_variables"], _checks.UNSTORABLE, "value_error")]


# --- agent names in paths (_paths) ----------------------------------------------------------


def _request(raw_path: bytes | None, path: str = "/") -> Request:
    scope: dict[str, Any] = {"type": "http", "path": path, "query_string": b"", "headers": []}
    if raw_path is not None:
        scope["raw_path"] = raw_path
    return Request(scope)


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        (b"/workflows/bot", ("bot", "")),
        (b"/workflows/bot/run", ("bot", "run")),
        (b"/workflows/a%2Fb%3Fc%23d%0A/run", ("a/b?c#d\n", "run")),
        (b"/workflows/caf%C3%A9?version=2", ("caf\u00e9", "")),
        (b"/workflows/bot/run?x=/y/z", ("bot", "run")),
        (b"/workflows/bot/run?x=1?y=2", ("bot", "run")),
        (b"/workflows/", None),
        (b"/workflows//run", None),
        (b"/workflows/bot/walk", None),
        (b"/workflows/bot/run/more", None),
        (b"/agents/bot", None),
        (b"/agents/bot/run", None),
    ],
)
def test_the_agent_name_is_one_percent_encoded_segment(
    raw: bytes, answer: tuple[str, str] | None
) -> None:
    assert agent_segment(_request(raw)) == answer


def test_without_a_raw_path_the_path_is_read() -> None:
    assert agent_segment(_request(None, "/workflows/bot/run")) == ("bot", "run")


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1), st.booleans())
def test_any_name_quoted_into_the_path_reaches_its_agent(name: str, run: bool) -> None:
    segment = "".join(f"%{b:02X}" for b in name.encode("utf-8"))
    raw = f"/workflows/{segment}{'/run' if run else ''}?label=a/b".encode()

    assert agent_segment(_request(raw)) == (name, "run" if run else "")


# --- answer sizes (_memory) -----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=5),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner),
            max_leaves=5,
        ),
        max_size=4,
    )
)
def test_node_map_size_is_the_size_of_the_map_as_answered(entries: dict[str, Any]) -> None:
    sizes = {name: json_size(value) for name, value in entries.items()}
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))

    assert json_size(entries) == len(text.encode("utf-8"))
    assert node_map_size(sizes) == json_size(entries)


def test_json_size_counts_utf8_bytes_of_compact_json() -> None:
    assert json_size({"a": [1, 2]}) == len('{"a":[1,2]}')
    assert json_size("é") == 4
    with pytest.raises(ValueError):
        json_size(float("nan"))


def test_gone_says_what_the_sandbox_keeps() -> None:
    assert gone(7, 3, 100) == (
        "Workflow version execution 7 is no longer kept: the sandbox keeps the last 3 "
        "executions, and at most 100 bytes of their inputs, metadata and node values "
        "(--max-executions, --max-stored-bytes)"
    )


# --- callbacks (_callbacks) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost:8000/hook", True),
        ("http://127.0.0.1/hook", True),
        ("http://127.9.9.9:1/", True),
        ("http://[::1]:80/x", True),
        ("http://LOCALHOST/x", True),
        ("http://localhost.example.com/x", False),
        ("https://example.com/hook", False),
        ("http://10.0.0.1/hook", False),
        ("http://[::2]/x", False),
        ("not a url", False),
        ("", False),
    ],
)
def test_is_loopback_is_true_for_this_machine_only(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


AGENT: dict[str, Any] = {
    "workflow_name": "a",
    "nodes": [{"name": "N", "node_type": "VARIABLE", "configuration": {"value": 1}}],
}


def _finished(callback_url: str | None) -> Execution:
    version = load_catalog(AGENT).find("a").versions[0]  # type: ignore[union-attr]
    execution = Execution(5, version, {}, callback_url)
    execution.advance()
    return execution


_REAL_CLIENT = httpx.AsyncClient


class _Recorder:
    """An httpx.AsyncClient factory on a MockTransport: the requests sent, the timeout asked."""

    def __init__(self, answer: Exception | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.timeouts: list[Any] = []
        self.clients: list[httpx.AsyncClient] = []
        self.answer = answer

    def __call__(self, *, timeout: Any) -> httpx.AsyncClient:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            if self.answer is not None:
                raise self.answer
            return httpx.Response(204)

        self.timeouts.append(timeout)
        client = _REAL_CLIENT(transport=httpx.MockTransport(handle))
        self.clients.append(client)
        return client


def test_a_callback_posts_the_final_result_once_on_one_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(httpx, "AsyncClient", recorder)
    callbacks = Callbacks()

    async def main() -> None:
        await callbacks.deliver(_finished("http://127.0.0.1:9/hook"))
        await callbacks.deliver(_finished("http://127.0.0.1:9/other"))
        await callbacks.close()

    asyncio.run(main())

    first, second = recorder.requests
    assert (first.method, str(first.url)) == ("POST", "http://127.0.0.1:9/hook")
    assert json.loads(first.content) == {
        "workflow_version_execution_id": 5,
        "final_output": _finished(None).node_map(),
    }
    assert str(second.url) == "http://127.0.0.1:9/other"
    assert recorder.timeouts == [CALLBACK_TIMEOUT]
    assert recorder.clients[0].is_closed


def test_no_callback_url_posts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder()
    monkeypatch.setattr(httpx, "AsyncClient", recorder)
    callbacks = Callbacks()

    async def main() -> None:
        await callbacks.deliver(_finished(None))
        await callbacks.deliver(_finished(""))
        await callbacks.close()

    asyncio.run(main())

    assert recorder.requests == [] and recorder.clients == []


def test_a_failed_callback_is_logged_once_and_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = _Recorder(httpx.ConnectError("refused"))
    monkeypatch.setattr(httpx, "AsyncClient", recorder)

    async def main() -> None:
        await Callbacks().deliver(_finished("http://127.0.0.1:9/hook"))

    with caplog.at_level(logging.WARNING, logger="promptlayer_agents.sandbox"):
        asyncio.run(main())

    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "callback for execution 5 failed: ConnectError('refused')"


# --- the package's lazy names (sandbox/__init__) --------------------------------------------


def test_public_names_load_from_their_modules() -> None:
    for name in sandbox_package.__all__:
        value = getattr(sandbox_package, name)
        assert getattr(value, "__name__", name) == name or name == "DEFAULT_API_KEY"
    assert sandbox_package.DEFAULT_API_KEY == "pl_sandbox"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"module 'promptlayer_agents.sandbox' has no attr"):
        sandbox_package.Nothing  # noqa: B018


def test_a_missing_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "promptlayer_agents.sandbox._server", raising=False)
    monkeypatch.setitem(sys.modules, "uvicorn", None)

    with pytest.raises(ImportError) as raised:
        sandbox_package.Sandbox  # noqa: B018

    assert str(raised.value) == (
        "promptlayer_agents.sandbox needs the 'sandbox' extra (uvicorn is missing): "
        "pip install 'promptlayer-agents[sandbox]'"
    )
    assert raised.value.name == "uvicorn"


def test_a_missing_module_that_is_not_the_extra_is_raised_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "promptlayer_agents.sandbox._server", raising=False)
    monkeypatch.setitem(sys.modules, "promptlayer_agents.sandbox._tapes", None)

    with pytest.raises(ModuleNotFoundError) as raised:
        sandbox_package.Sandbox  # noqa: B018

    assert not str(raised.value).startswith("promptlayer_agents.sandbox needs")


# --- the server's socket, limits and log (_server, _connections) ----------------------------


def test_bind_listens_on_a_free_port_and_url_of_names_it() -> None:
    sock = _server.bind("127.0.0.1", 0)
    try:
        host, port = sock.getsockname()
        assert _server.url_of(sock) == f"http://127.0.0.1:{port}"
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0
        assert sock.proto == socket.IPPROTO_TCP
        with socket.create_connection((host, port), timeout=5):
            pass  # it listens before any server runs
    finally:
        sock.close()


def test_bind_on_ipv6_names_the_host_in_brackets() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        sock = _server.bind("::1", 0)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        assert sock.family == socket.AF_INET6
        assert _server.url_of(sock) == f"http://[::1]:{sock.getsockname()[1]}"
    finally:
        sock.close()


def test_bind_on_a_port_in_use_raises_and_leaves_no_socket_open() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        with pytest.raises(OSError):
            _server.bind("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()


def _record(message: str, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, None) if error is not None else None
    return logging.LogRecord("uvicorn.error", logging.ERROR, "", 0, message, (), exc_info)


def test_the_quiet_filter_drops_only_shutdown_noise() -> None:
    quiet = _server._QuietShutdown()

    assert not quiet.filter(_record("Exception in ASGI application", asyncio.CancelledError()))
    assert not quiet.filter(_record("ASGI callable returned without completing response."))
    assert quiet.filter(_record("Exception in ASGI application", RuntimeError("bug")))
    assert quiet.filter(_record("Started server process"))
    assert quiet.filter(_record("see: ASGI callable returned without completing"))


def test_uvicorn_gets_the_sandbox_limits() -> None:
    from promptlayer_agents.sandbox import create_app

    timeouts = ConnectionTimeouts(idle=2.5, header=1, body=1)
    server = _server.uvicorn_server(
        create_app(),
        log_level="error",
        access_log=True,
        max_connections=7,
        max_header_bytes=1234,
        timeouts=timeouts,
    )
    default = _server.uvicorn_server(create_app(), log_level="info")

    config = server.config
    assert config.limit_concurrency == 8
    assert config.h11_max_incomplete_event_size == 1234
    assert config.timeout_keep_alive == 3
    assert config.access_log is True and config.log_level == "error"
    assert config.lifespan == "on" and config.timeout_graceful_shutdown == 2
    assert config.http.__name__ == "TimedH11Protocol"  # type: ignore[union-attr]
    assert default.config.limit_concurrency == _server.DEFAULT_MAX_CONNECTIONS + 1
    assert default.config.h11_max_incomplete_event_size == _server.DEFAULT_MAX_HEADER_BYTES
    assert default.config.timeout_keep_alive == 5 and default.config.access_log is False
    short = ConnectionTimeouts(idle=0.1)
    quick = _server.uvicorn_server(create_app(), log_level="info", timeouts=short)
    assert quick.config.timeout_keep_alive == 1
    filters = logging.getLogger("uvicorn.error").filters
    assert sum(isinstance(f, _server._QuietShutdown) for f in filters) == 1


@pytest.mark.parametrize("limits", [{"max_connections": 0}, {"max_header_bytes": 0}])
def test_server_limits_under_one_are_refused(limits: dict[str, Any]) -> None:
    from promptlayer_agents.sandbox import create_app

    with pytest.raises(ValueError, match="max_connections and max_header_bytes must be at least 1"):
        _server.uvicorn_server(create_app(), log_level="info", **limits)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"idle": True}, "the idle timeout is a number of seconds, not True"),
        ({"header": "5"}, "the header timeout is a number of seconds, not '5'"),
        ({"body": None}, "the body timeout is a number of seconds, not None"),
        ({"idle": 0}, "the idle timeout must be > 0 seconds and finite, not 0"),
        ({"header": -1.5}, "the header timeout must be > 0 seconds and finite, not -1.5"),
        ({"body": float("inf")}, "the body timeout must be > 0 seconds and finite, not inf"),
        ({"body": float("nan")}, "the body timeout must be > 0 seconds and finite, not nan"),
    ],
)
def test_connection_timeouts_are_positive_finite_seconds(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as raised:
        ConnectionTimeouts(**fields)

    assert str(raised.value) == message


def test_connection_timeouts_default_and_accept_whole_seconds() -> None:
    assert ConnectionTimeouts() == ConnectionTimeouts(idle=5.0, header=10.0, body=30.0)
    assert ConnectionTimeouts(idle=1, header=2, body=3).body == 3


def test_a_sandbox_serves_on_its_url_until_stopped() -> None:
    sandbox = Sandbox(AGENT, api_key="pl_k")
    with pytest.raises(RuntimeError, match="the sandbox is not running"):
        sandbox.url  # noqa: B018

    with sandbox:
        url = sandbox.url
        answer = httpx.get(f"{url}/workflows/a", headers={"X-API-KEY": "pl_k"}, timeout=10)
        assert url.startswith("http://127.0.0.1:")
        assert answer.status_code == 200 and answer.json()["workflow_name"] == "a"
        assert sandbox.state.requests == {"GET agent": 1}
        assert sandbox.api_key == "pl_k"

    with pytest.raises(RuntimeError, match="not running"):
        sandbox.url  # noqa: B018
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/workflows/a", timeout=5)


# --- script callables, isolated (_callables) ------------------------------------------------


def _outcome(function: Any, timeout: float = 10.0) -> tuple[Any, Call]:
    """Call `function` as the engine does and wait for it; (its value or the failure, the call)."""

    async def main() -> Call:
        call = Call(function, {"i": 1}, timeout)
        await wait_for_any([call])
        return call

    call = asyncio.run(asyncio.wait_for(main(), 20))
    try:
        return call.outcome(), call
    except NodeFailed as failed:
        return f"failed: {failed}", call


def test_a_callable_gets_the_values_and_its_return_is_the_value() -> None:
    assert _outcome(lambda values: {"got": values})[0] == {"got": {"i": 1}}


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (SystemExit(3), "failed: SystemExit: 3"),
        (KeyboardInterrupt(), "failed: KeyboardInterrupt: "),
        (ValueError("bad"), "failed: ValueError: bad"),
    ],
)
def test_whatever_a_callable_raises_fails_its_node(error: BaseException, message: str) -> None:
    def raising(values: dict[str, Any]) -> Any:
        raise error

    assert _outcome(raising)[0] == message


def test_a_callable_returning_what_json_cannot_carry_fails_its_node() -> None:
    value, _ = _outcome(lambda values: float("nan"))

    assert value.startswith("failed: the script callable returned a value JSON cannot carry")


def test_a_callable_is_named_by_its_qualified_name_or_its_type() -> None:
    class Reply:
        def __call__(self, values: dict[str, Any]) -> str:
            return "r"

    def named(values: dict[str, Any]) -> str:
        return "n"

    assert _outcome(named)[1].label == named.__qualname__
    assert _outcome(Reply())[1].label == "Reply"


def test_a_callable_past_its_timeout_is_abandoned() -> None:
    release = threading.Event()
    try:
        value, call = _outcome(lambda values: release.wait(10), timeout=0.05)
    finally:
        release.set()

    assert value == (
        f"failed: the script callable {call.label} did not return within 0.05 s, "
        "so the sandbox abandoned it"
    )
    assert call.label.endswith("<locals>.<lambda>")
    assert call.settled and call.remaining() == 0.0


def test_waiting_is_bounded_by_the_limit_given() -> None:
    release = threading.Event()

    async def main() -> tuple[bool, float, float]:
        call = Call(lambda values: release.wait(10), {}, 10.0)
        began = time.monotonic()
        await wait_for_any([call], 0.01)
        await wait_for_any([call], -1.0)
        return call.settled, time.monotonic() - began, call.remaining()

    try:
        settled, took, remaining = asyncio.run(asyncio.wait_for(main(), 20))
    finally:
        release.set()

    assert not settled and took < 5 and 5 < remaining <= 10


def test_a_callable_returning_after_its_loop_closed_is_harmless() -> None:
    release = threading.Event()
    failures: list[Any] = []
    hook, threading.excepthook = threading.excepthook, failures.append
    try:

        async def main() -> Call:
            return Call(lambda values: release.wait(10) and "late", {}, 10.0)

        call = asyncio.run(main())
        release.set()
        assert call.returned.wait(10)
        call._thread.join(10)
    finally:
        threading.excepthook = hook

    assert failures == [] and call.outcome() == "late"


class _FakeServer:
    """Stands in for uvicorn's server: records what it was asked to serve."""

    def __init__(self) -> None:
        self.sockets: list[Any] = []

    def run(self, sockets: list[Any]) -> None:
        self.sockets = sockets


def test_serve_runs_uvicorn_with_the_limits_given_on_the_socket_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from promptlayer_agents.sandbox import create_app

    made: list[tuple[Any, dict[str, Any], _FakeServer]] = []

    def recorded(app: Any, **options: Any) -> _FakeServer:
        made.append((app, options, _FakeServer()))
        return made[-1][2]

    monkeypatch.setattr(_server, "uvicorn_server", recorded)
    sock, app, timeouts = object(), create_app(AGENT), ConnectionTimeouts(idle=1)

    _server.serve(sock, app)  # type: ignore[arg-type]
    _server.serve(
        sock,  # type: ignore[arg-type]
        app,
        log_level="error",
        access_log=True,
        max_connections=4,
        max_header_bytes=4096,
        timeouts=timeouts,
    )

    (first_app, defaults, first), (_, given, second) = made
    assert first_app is app and first.sockets == [sock] and second.sockets == [sock]
    assert defaults == {
        "log_level": "info",
        "access_log": False,
        "max_connections": _server.DEFAULT_MAX_CONNECTIONS,
        "max_header_bytes": _server.DEFAULT_MAX_HEADER_BYTES,
        "timeouts": None,
    }
    assert given == {
        "log_level": "error",
        "access_log": True,
        "max_connections": 4,
        "max_header_bytes": 4096,
        "timeouts": timeouts,
    }


class _StuckThread:
    """A server thread that will not end."""

    def __init__(self) -> None:
        self.joined: list[float] = []

    def join(self, timeout: float) -> None:
        self.joined.append(timeout)

    def is_alive(self) -> bool:
        return True


def test_a_sandbox_that_does_not_stop_in_time_says_so() -> None:
    sandbox = Sandbox(AGENT)
    server = _server.uvicorn_server(sandbox.app, log_level="error")
    thread = _StuckThread()
    sandbox._server, sandbox._thread = server, thread  # type: ignore[assignment]

    with pytest.raises(RuntimeError) as raised:
        sandbox.stop()

    assert str(raised.value) == "the sandbox did not stop within its timeout"

    assert server.should_exit is True and thread.joined == [_server.STOP_TIMEOUT]


def _serving_loop(server: Any, ticks: list[int], stop_after: int | None = None) -> threading.Thread:
    """The server's main loop on a thread of its own, recording each tick's counter; ends after
    `stop_after` ticks when given. Returns once the first tick has decided whether to go on."""

    async def tick(counter: int) -> bool:
        done = server.should_exit or (stop_after is not None and len(ticks) + 1 >= stop_after)
        ticks.append(counter)  # after deciding: a wake from now on is seen by the next tick
        return done

    server.on_tick = tick
    thread = threading.Thread(target=asyncio.run, args=(server.main_loop(),), daemon=True)
    thread.start()
    began = time.monotonic()
    while not ticks and time.monotonic() - began < 10:
        threading.Event().wait(0.001)
    assert ticks, "the main loop never ticked"
    return thread


def test_the_main_loop_ticks_at_its_interval_counting_from_zero() -> None:
    server = _server.uvicorn_server(Sandbox(AGENT).app, log_level="error")
    server.TICK = 0.001
    ticks: list[int] = []

    _serving_loop(server, ticks, stop_after=4).join(10)

    assert ticks == [0, 1, 2, 3]  # uvicorn refreshes the Date header when counter % 10 == 0


@pytest.mark.parametrize("how", ["wake", "signal"])
def test_a_server_told_to_exit_stops_at_once_not_at_its_next_tick(how: str) -> None:
    server = _server.uvicorn_server(Sandbox(AGENT).app, log_level="error")
    server.TICK = 60.0  # a stop that waited for the next tick would outlast the bound below
    ticks: list[int] = []
    thread = _serving_loop(server, ticks)

    if how == "wake":
        server.wake()
    else:
        server.handle_exit(signal.SIGTERM, None)
    thread.join(10)

    assert not thread.is_alive() and server.should_exit is True
    assert ticks == [0, 1]  # the wait was cut short, then the tick saw the exit


def test_a_server_is_woken_before_it_serves_and_after_it_ended_without_error() -> None:
    early = _server.uvicorn_server(Sandbox(AGENT).app, log_level="error")
    early.wake()
    assert early.should_exit is True

    ended = _server.uvicorn_server(Sandbox(AGENT).app, log_level="error")
    ended.TICK = 0.001
    _serving_loop(ended, [], stop_after=1).join(10)
    ended.wake()  # its loop is closed: nothing to wake
    assert ended.should_exit is True


def test_a_second_ctrl_c_still_forces_the_exit() -> None:
    server = _server.uvicorn_server(Sandbox(AGENT).app, log_level="error")
    server.handle_exit(signal.SIGINT, None)
    assert (server.should_exit, server.force_exit) == (True, False)

    server.handle_exit(signal.SIGINT, None)
    assert server.force_exit is True


def test_stopping_a_sandbox_never_started_does_nothing_and_a_stopped_one_closes_its_socket() -> (
    None
):
    never = Sandbox(AGENT)
    never.stop()

    with Sandbox(AGENT) as sandbox:
        sock = sandbox._sock
        assert sock is not None and sock.fileno() != -1
    assert sock.fileno() == -1


def test_the_wait_is_the_first_remaining_time_or_the_limit_when_shorter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    timeouts: list[float] = []

    async def wait(waiters: Any, timeout: float) -> None:
        timeouts.append(timeout)

    async def main() -> list[float]:
        quick = Call(lambda values: release.wait(10), {}, 2.0)
        slow = Call(lambda values: release.wait(10), {}, 8.0)
        monkeypatch.setattr("promptlayer_agents.sandbox._callables.asyncio.wait", wait)
        for limit in (None, 0.25, -1.0, 5.0):
            await wait_for_any([slow, quick], limit)
        return [quick.remaining(), slow.remaining()]

    try:
        quick_left, _ = asyncio.run(asyncio.wait_for(main(), 20))
    finally:
        release.set()

    unlimited, limited, negative, longer = timeouts
    assert quick_left <= unlimited <= 2.0 and quick_left <= longer <= 2.0
    assert (limited, negative) == (0.25, 0.0)


def test_a_callable_runs_on_a_named_daemon_thread_that_never_keeps_the_process_alive() -> None:
    release = threading.Event()

    def stuck(values: dict[str, Any]) -> str:
        release.wait(10)
        return "late"

    async def main() -> list[threading.Thread]:
        before = set(threading.enumerate())  # other tests' abandoned callables may still run
        Call(stuck, {}, 10.0)
        return [t for t in threading.enumerate() if t not in before]

    try:
        [worker] = asyncio.run(asyncio.wait_for(main(), 20))
    finally:
        release.set()

    assert worker.name == f"sandbox script {stuck.__qualname__}"
    assert worker.daemon is True


def test_a_started_sandbox_serves_with_its_limits_on_a_daemon_thread() -> None:
    timeouts = ConnectionTimeouts(idle=3)
    sandbox = Sandbox(
        AGENT, log_level="error", max_connections=7, max_header_bytes=1234, timeouts=timeouts
    )
    with sandbox:
        server, thread = sandbox._server, sandbox._thread
        assert server is not None and thread is not None
        config = server.config
        assert (config.log_level, config.limit_concurrency) == ("error", 8)
        assert (config.h11_max_incomplete_event_size, config.timeout_keep_alive) == (1234, 3)
        assert thread.daemon is True


def test_sandboxes_started_together_each_get_a_free_port() -> None:
    with Sandbox(AGENT) as first, Sandbox(AGENT) as second:
        assert first.url != second.url


def test_a_sandbox_passes_its_tape_options_and_app_options_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    tape = object()

    def tape_for(state: Any, **options: Any) -> Any:
        calls.append((state, options))
        return tape

    monkeypatch.setattr(_server, "tape_for", tape_for)

    sandbox = Sandbox(
        AGENT,
        api_key="pl_x",
        faults=Faults(seed=3),
        record="r.yaml",
        upstream="http://u",
        redact_inputs=["x"],
        replay="p.yaml",
        speed=2.0,
        fallback="execute",
        max_executions=3,
        allow_remote_callbacks=True,
    )

    [(state, options)] = calls
    assert state is sandbox.state and sandbox.state.tape is tape
    assert options == {
        "record": "r.yaml",
        "upstream": "http://u",
        "redact_inputs": ["x"],
        "replay": "p.yaml",
        "speed": 2.0,
        "fallback": "execute",
    }
    assert sandbox.state.executions.limit == 3 and sandbox.state.allow_remote_callbacks
    assert sandbox.state.api_key == "pl_x" == sandbox.api_key
    assert sandbox.state.faults == Faults(seed=3)
    assert sandbox.state.catalog.names == ["a"]


def test_a_sandbox_without_tape_options_executes() -> None:
    assert Sandbox(AGENT).state.tape is None


def test_uvicorn_server_adds_its_quiet_filter_to_uvicorns_error_log_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from promptlayer_agents.sandbox import create_app

    errors = logging.getLogger("uvicorn.error")
    monkeypatch.setattr(errors, "filters", [])

    for _ in range(2):
        _server.uvicorn_server(create_app(AGENT), log_level="error")

    assert [type(f) for f in errors.filters] == [_server._QuietShutdown]


def test_one_connection_and_one_header_byte_are_limits_allowed() -> None:
    from promptlayer_agents.sandbox import create_app

    server = _server.uvicorn_server(
        create_app(AGENT), log_level="error", max_connections=1, max_header_bytes=1
    )

    assert server.config.limit_concurrency == 2
    with pytest.raises(ValueError) as refused:
        _server.uvicorn_server(create_app(AGENT), log_level="error", max_header_bytes=0)
    assert str(refused.value) == "max_connections and max_header_bytes must be at least 1"


def test_a_missing_part_of_an_extra_names_the_extra_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "promptlayer_agents.sandbox._app", raising=False)
    monkeypatch.setitem(sys.modules, "starlette.responses", None)

    with pytest.raises(ImportError) as raised:
        sandbox_package.create_app  # noqa: B018

    assert str(raised.value).startswith(
        "promptlayer_agents.sandbox needs the 'sandbox' extra (starlette.responses is missing)"
    )


def test_a_missing_submodule_of_an_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as above without importing anything: fast enough to meet every mutant."""

    def missing(name: str, package: str | None = None) -> None:
        raise ModuleNotFoundError(
            "No module named 'starlette.responses'", name="starlette.responses"
        )

    monkeypatch.setattr(importlib, "import_module", missing)

    with pytest.raises(ImportError) as raised:
        sandbox_package.create_app  # noqa: B018

    assert str(raised.value).startswith(
        "promptlayer_agents.sandbox needs the 'sandbox' extra (starlette.responses is missing)"
    )

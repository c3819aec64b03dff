"""The recording proxy, in process against a scripted upstream: what it forwards, what the caller
gets back, what the cassette holds (and never holds), and what it leaves unrecorded."""

from __future__ import annotations

import dataclasses
import json
import logging
import ssl
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from promptlayer_agents.sandbox._app import create_app
from promptlayer_agents.sandbox._cassette import (
    AgentExchange,
    Answer,
    ResultsExchange,
    RunExchange,
    load,
    results_query,
)
from promptlayer_agents.sandbox._recorder import (
    DEFAULT_UPSTREAM,
    DEFAULT_UPSTREAM_TIMEOUT,
    Recorder,
    scrubbed,
)

from ..fakes import FakeClock
from .sandbox_calls import RESULTS, RUN, Reply, call, share_tls, state_of

KEY = "pl_live_secret"
UPSTREAM = "http://upstream.test"
Handler = Callable[[httpx.Request], httpx.Response]
HTTPX_OWN = ("host", "content-length", "accept-encoding", "connection", "user-agent")


class Upstream:
    """A scripted upstream: answers with `handler`, keeps every request and each client's
    settings."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.clients: list[dict[str, Any]] = []
        self.handler: Handler = lambda request: httpx.Response(200, json={})

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Upstream]:
    scripted = Upstream()
    real = httpx.AsyncClient

    def client(**options: Any) -> httpx.AsyncClient:
        scripted.clients.append(options)
        return real(transport=httpx.MockTransport(scripted.answer), **options)

    monkeypatch.setattr(httpx, "AsyncClient", client)
    share_tls(monkeypatch)
    yield scripted


class Proxy:
    """A sandbox app recording to `path`, on a fake clock."""

    def __init__(self, path: Path, **options: Any) -> None:
        self.app = create_app({"agents": []})
        self.clock = FakeClock()
        self.path = path
        options.setdefault("upstream", UPSTREAM)
        self.recorder = Recorder(path, clock=self.clock.monotonic, **options)
        state_of(self.app).tape = self.recorder

    def send(self, method: str, path: str, **options: Any) -> Reply:
        options.setdefault("key", KEY)
        return call(self.app, method, path, **options)

    def run(self, body: Any = None, agent: str = "greeter", **options: Any) -> Reply:
        return self.send("POST", RUN.format(agent), body=body, **options)

    @property
    def recorded(self) -> list[Any]:
        return list(load(self.path).interactions)


def _started(execution_id: int = 41) -> Handler:
    body = {"success": True, "workflow_version_execution_id": execution_id}
    return lambda request: httpx.Response(201, json=body)


# -- forwarding ---------------------------------------------------------------------------------


def test_a_request_is_forwarded_with_its_path_query_body_key_and_type_only(
    tmp_path: Path, upstream: Upstream
) -> None:
    proxy = Proxy(tmp_path / "c.yaml", upstream=UPSTREAM + "/base/")
    raw = b'{"input_variables": {"a": 1}}'

    cookies = {"Cookie": "session=1", "Authorization": "Bearer t", "Accept": "text/html"}
    proxy.send("POST", "/workflows/a%2Fb/run", content=raw, params={"x": "1 2"}, headers=cookies)

    [sent] = upstream.requests
    assert str(sent.url) == UPSTREAM + "/base/workflows/a%2Fb/run?x=1+2"
    assert (sent.method, sent.content) == ("POST", raw)
    assert {k: v for k, v in sent.headers.items() if k not in HTTPX_OWN} == {
        "accept": "application/json",
        "x-api-key": KEY,
        "content-type": "application/json",
    }


def test_a_request_without_a_query_or_key_is_forwarded_without_them(
    tmp_path: Path, upstream: Upstream
) -> None:
    proxy = Proxy(tmp_path / "c.yaml")

    proxy.send("GET", "/workflows/greeter", key=None)

    [sent] = upstream.requests
    assert str(sent.url) == UPSTREAM + "/workflows/greeter"
    assert "x-api-key" not in sent.headers
    assert "content-type" not in sent.headers


def test_a_server_that_sends_no_raw_path_or_query_has_the_path_forwarded_alone(
    tmp_path: Path, upstream: Upstream
) -> None:
    proxy = Proxy(tmp_path / "c.yaml")

    proxy.run({}, agent="a%20b", omit=("raw_path", "query_string"))

    assert str(upstream.requests[0].url) == UPSTREAM + "/workflows/a%20b/run"


def test_upstream_is_reached_with_the_timeout_and_certificate_checks(
    tmp_path: Path, upstream: Upstream
) -> None:
    Proxy(tmp_path / "a.yaml").send("GET", "/workflows/greeter")
    Proxy(tmp_path / "b.yaml", timeout=2.5).send("GET", "/workflows/greeter")

    assert [c["timeout"] for c in upstream.clients] == [DEFAULT_UPSTREAM_TIMEOUT, 2.5]
    assert [r.extensions["timeout"]["read"] for r in upstream.requests] == [60.0, 2.5]
    tls = upstream.clients[0]["verify"]
    assert isinstance(tls, ssl.SSLContext) and tls.verify_mode == ssl.CERT_REQUIRED


def test_the_caller_gets_upstreams_status_body_type_and_retry_after_only(
    tmp_path: Path, upstream: Upstream
) -> None:
    headers = {"Content-Type": "text/csv", "Retry-After": "9", "Set-Cookie": "s=1", "X-Other": "o"}
    upstream.handler = lambda request: httpx.Response(429, content=b"a,b", headers=headers)
    proxy = Proxy(tmp_path / "c.yaml")

    reply = proxy.send("GET", "/workflows/greeter")

    assert (reply.status, reply.body) == (429, b"a,b")
    assert {k: v for k, v in reply.headers.items() if k != "content-length"} == {
        "content-type": "text/csv",
        "retry-after": "9",
    }
    [exchange] = proxy.recorded
    assert exchange.answer == Answer(429, text="a,b", retry_after="9")


@pytest.mark.parametrize(
    ("error", "failure", "message"),
    [
        (httpx.ConnectError("refused"), "connect", "ConnectError: refused"),
        (httpx.ReadTimeout("slow"), "timeout", "ReadTimeout: slow"),
        (httpx.ConnectTimeout(""), "timeout", "ConnectTimeout"),
        (httpx.RemoteProtocolError("broken"), "transport", "RemoteProtocolError: broken"),
        (httpx.InvalidURL("bad"), "transport", "InvalidURL: bad"),
    ],
)
def test_an_upstream_that_does_not_answer_is_a_dropped_connection_recorded_as_such(
    tmp_path: Path,
    upstream: Upstream,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    failure: str,
    message: str,
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    upstream.handler = fail
    proxy = Proxy(tmp_path / "c.yaml")

    with caplog.at_level(logging.WARNING, "promptlayer_agents.sandbox._recorder"):
        reply = proxy.send("GET", "/workflows/greeter")

    assert not reply.complete
    assert proxy.recorded == [
        AgentExchange("greeter", None, None, Answer(failure=failure, message=message))
    ]
    assert caplog.messages == [f"sandbox: upstream {UPSTREAM}/workflows/greeter failed: {message}"]


def test_a_client_gone_before_its_body_gets_400_and_nothing_is_forwarded(
    tmp_path: Path, upstream: Upstream
) -> None:
    proxy = Proxy(tmp_path / "c.yaml")

    reply = proxy.run({"input_variables": {}}, disconnect=True)

    assert (reply.status, reply.json()) == (
        400,
        {"success": False, "message": "The client disconnected before sending its whole body"},
    )
    assert upstream.requests == [] and proxy.recorded == []


# -- what is recorded ---------------------------------------------------------------------------


def test_a_run_and_the_results_of_its_execution_are_recorded_with_their_times(
    tmp_path: Path, upstream: Upstream
) -> None:
    proxy = Proxy(tmp_path / "c.yaml")
    upstream.handler = _started(41)
    proxy.clock.sleep(100)
    proxy.run({"input_variables": {"name": "Ada"}, "metadata": {"k": "v"}})
    upstream.handler = lambda request: httpx.Response(202, json={"Reply": {"status": "RUNNING"}})
    proxy.clock.sleep(1.5)
    params = {"workflow_version_execution_id": "41", "return_all_outputs": "true"}
    proxy.send("GET", RESULTS, params={**params, "workflow_node_name": "Reply"})
    proxy.clock.sleep(0.5)
    proxy.send("GET", RESULTS, params={"workflow_version_execution_id": "41"})
    proxy.send("GET", RESULTS, params={**params, "workflow_node_id": "n7"})

    answer = Answer(202, body={"Reply": {"status": "RUNNING"}})
    assert proxy.recorded == [
        RunExchange(
            "greeter",
            None,
            None,
            {"name": "Ada"},
            {"k": "v"},
            Answer(201, body={"success": True, "workflow_version_execution_id": 41}),
        ),
        ResultsExchange(41, 1.5, results_query(True, None, "Reply"), answer),
        ResultsExchange(41, 2.0, results_query(False, None, None), answer),
        ResultsExchange(41, 2.0, results_query(True, "n7", None), answer),
    ]
    assert proxy.recorder.started == {41: 100.0}


def test_the_time_of_results_is_never_negative(tmp_path: Path, upstream: Upstream) -> None:
    clock = iter([10.0, 4.0])
    proxy = Proxy(tmp_path / "c.yaml")
    proxy.recorder.clock = lambda: next(clock)  # a clock that went back
    upstream.handler = _started(41)
    proxy.run({})
    proxy.send("GET", RESULTS, params={"workflow_version_execution_id": "41"})

    assert proxy.recorded[1].after == 0.0


@pytest.mark.parametrize(
    "params",
    [
        {"workflow_version_execution_id": "99"},  # an execution started elsewhere
        {"workflow_version_execution_id": "0"},
        {"workflow_version_execution_id": "x"},
        {"workflow_version_execution_id": "41", "return_all_outputs": "maybe"},
        {},
    ],
)
def test_results_that_are_not_of_a_recorded_run_are_forwarded_but_not_recorded(
    tmp_path: Path, upstream: Upstream, params: dict[str, str]
) -> None:
    proxy = Proxy(tmp_path / "c.yaml")
    upstream.handler = _started(41)
    proxy.run({})

    proxy.send("GET", RESULTS, params=params)

    assert len(upstream.requests) == 2
    assert len(proxy.recorded) == 1


def test_a_get_agent_is_recorded_with_its_label_or_version(
    tmp_path: Path, upstream: Upstream
) -> None:
    proxy = Proxy(tmp_path / "c.yaml")

    proxy.send("GET", "/workflows/a%2Fb", params={"label": "prod"})
    proxy.send("GET", "/workflows/greeter", params={"version": "3"})
    proxy.send("GET", "/workflows/greeter", params={"version": "0"})  # not recorded
    proxy.send("HEAD", "/workflows/greeter")  # not recorded

    assert len(upstream.requests) == 4
    assert proxy.recorded == [
        AgentExchange("a/b", "prod", None, Answer(200, body={})),
        AgentExchange("greeter", None, 3, Answer(200, body={})),
    ]


@pytest.mark.parametrize(
    ("body", "inputs", "metadata", "label", "version"),
    [
        ({}, {}, {}, None, None),
        ({"metadata": None, "workflow_label_name": "prod"}, {}, {}, "prod", None),
        ({"workflow_version_number": 2.0, "input_variables": {"x": [1]}}, {"x": [1]}, {}, None, 2),
        ({"workflow_version_number": 1}, {}, {}, None, 1),
    ],
)
def test_a_run_is_recorded_with_what_replay_matches_on(
    tmp_path: Path,
    upstream: Upstream,
    body: dict[str, Any],
    inputs: dict[str, Any],
    metadata: dict[str, Any],
    label: str | None,
    version: int | None,
) -> None:
    proxy = Proxy(tmp_path / "c.yaml")

    proxy.run(body)

    [run] = proxy.recorded
    assert (run.input_variables, run.metadata, run.label, run.version) == (
        inputs,
        metadata,
        label,
        version,
    )
    assert type(run.version) is type(version)


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[1]",
        b"[" * 100_000,
        json.dumps({"input_variables": [1]}).encode(),
        json.dumps({"metadata": "x"}).encode(),
        json.dumps({"workflow_label_name": 3}).encode(),
        json.dumps({"workflow_version_number": 0}).encode(),
        json.dumps({"workflow_version_number": 1.5}).encode(),
        json.dumps({"workflow_version_number": "2"}).encode(),
        json.dumps({"workflow_version_number": True}).encode(),
    ],
)
def test_a_run_replay_could_never_match_is_forwarded_but_not_recorded(
    tmp_path: Path, upstream: Upstream, content: bytes
) -> None:
    upstream.handler = _started(41)
    proxy = Proxy(tmp_path / "c.yaml")

    reply = proxy.run(content=content)

    assert reply.status == 201 and upstream.requests[0].content == content
    assert proxy.recorded == []
    assert proxy.recorder.started == {}


def test_a_run_that_started_nothing_is_recorded_but_its_results_are_not(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.handler = lambda request: httpx.Response(503, json={"success": False})
    proxy = Proxy(tmp_path / "c.yaml")

    proxy.run({})

    assert [i.answer.status for i in proxy.recorded] == [503]
    assert proxy.recorder.started == {}


def test_named_inputs_are_recorded_redacted_and_listed(tmp_path: Path, upstream: Upstream) -> None:
    proxy = Proxy(tmp_path / "c.yaml", redact_inputs=["token", "ssn", "absent"])

    proxy.run({"input_variables": {"token": "t0k", "ssn": 123, "name": "Ada"}})

    [run] = proxy.recorded
    assert run.input_variables == {"token": "[REDACTED]", "ssn": "[REDACTED]", "name": "Ada"}
    assert run.redacted_inputs == ("ssn", "token")


def test_the_callers_key_is_never_written_even_when_upstream_echoes_it(
    tmp_path: Path, upstream: Upstream
) -> None:
    upstream.handler = lambda request: httpx.Response(
        401, json={"message": f"bad key {request.headers['x-api-key']}", KEY: [KEY]}
    )
    proxy = Proxy(tmp_path / "c.yaml")

    reply = proxy.run({"input_variables": {"k": KEY}})

    assert KEY in reply.body.decode()  # the caller gets what upstream answered
    text = proxy.path.read_text(encoding="utf-8")
    assert KEY not in text
    [run] = proxy.recorded
    assert run.input_variables == {"k": "[REDACTED]"}
    assert run.answer.body == {"message": "bad key [REDACTED]", "[REDACTED]": ["[REDACTED]"]}


def test_a_cassette_that_cannot_be_written_still_gives_the_caller_its_answer(
    tmp_path: Path, upstream: Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.handler = _started(41)
    proxy = Proxy(tmp_path / "c.yaml")
    proxy.path.unlink()
    proxy.path.mkdir()  # the rename onto it fails

    with caplog.at_level(logging.ERROR, "promptlayer_agents.sandbox._recorder"):
        reply = proxy.run({})

    assert reply.status == 201
    assert caplog.messages == [f"sandbox: cannot write the cassette {proxy.path}"]


def test_a_json_answer_is_recorded_with_its_retry_after(tmp_path: Path, upstream: Upstream) -> None:
    upstream.handler = lambda request: httpx.Response(
        429, json={"success": False}, headers={"Retry-After": "12"}
    )
    proxy = Proxy(tmp_path / "c.yaml")

    proxy.send("GET", "/workflows/greeter")

    assert proxy.recorded[0].answer == Answer(429, body={"success": False}, retry_after="12")


def test_an_answer_that_is_not_json_is_recorded_as_text(tmp_path: Path, upstream: Upstream) -> None:
    upstream.handler = lambda request: httpx.Response(500, content=b"oops \xff")
    proxy = Proxy(tmp_path / "c.yaml")

    proxy.send("GET", "/workflows/greeter")

    assert proxy.recorded[0].answer == Answer(500, text="oops \ufffd")


# -- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://x", "api.promptlayer.com", "http://a b"])
def test_an_upstream_that_is_not_an_http_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ValueError, match=f"upstream must be an http\\(s\\) URL, not {url!r}"):
        Recorder(tmp_path / "c.yaml", upstream=url)
    assert not (tmp_path / "c.yaml").exists()


@pytest.mark.parametrize("timeout", [0, -1, float("nan")])
def test_a_timeout_that_is_not_above_0_is_refused(tmp_path: Path, timeout: float) -> None:
    with pytest.raises(ValueError) as caught:
        Recorder(tmp_path / "c.yaml", timeout=timeout)
    assert str(caught.value) == "the upstream timeout must be a number of seconds > 0"


def test_a_timeout_under_a_second_is_taken(tmp_path: Path, upstream: Upstream) -> None:
    assert Recorder(tmp_path / "c.yaml", timeout=0.5).timeout == 0.5


def test_only_the_upstreams_trailing_slashes_are_dropped(
    tmp_path: Path, upstream: Upstream
) -> None:
    recorder = Recorder(tmp_path / "c.yaml", upstream="http://upstream.test/boX//")

    assert recorder.upstream == "http://upstream.test/boX"


def test_recording_forwards_to_promptlayer_by_default(tmp_path: Path, upstream: Upstream) -> None:
    recorder = Recorder(tmp_path / "c.yaml")

    assert (recorder.upstream, DEFAULT_UPSTREAM) == (
        DEFAULT_UPSTREAM,
        "https://api.promptlayer.com",
    )
    assert recorder.timeout == 60.0


def test_a_recording_continues_its_cassette_unless_told_to_start_afresh(
    tmp_path: Path, upstream: Upstream
) -> None:
    path = tmp_path / "c.yaml"
    Proxy(path).send("GET", "/workflows/one")
    Proxy(path).send("GET", "/workflows/two")
    assert [i.agent for i in load(path).agents] == ["one", "two"]

    Proxy(path, append=False).send("GET", "/workflows/three")
    assert [i.agent for i in load(path).agents] == ["three"]


# -- scrubbing ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Holder:
    text: str
    items: tuple[Any, ...]
    number: int


def test_scrubbing_replaces_the_secret_everywhere_and_keeps_the_shape() -> None:
    value = {
        "a-s3cret-b": ["s3cret", ("xs3crets3cret", 5)],
        "k": _Holder("s3cret", ("s3cret",), 7),
        "n": None,
    }

    assert scrubbed(value, "s3cret") == {
        "a-[REDACTED]-b": ["[REDACTED]", ("x[REDACTED][REDACTED]", 5)],
        "k": _Holder("[REDACTED]", ("[REDACTED]",), 7),
        "n": None,
    }
    assert scrubbed(_Holder, "s3cret") is _Holder  # a class is not a value to scrub

"""The httpx clients the package makes: what they send where (a proxy of the environment, or
direct), the certificates they trust, and the deadline of an attempt on every connect, read and
write of the blocking one. Checked against a small HTTP server in this process."""

from __future__ import annotations

import asyncio
import socketserver
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import certifi
import httpcore
import httpx
import pytest

from promptlayer_agents import _transport, api_client
from promptlayer_agents._errors import ConfigurationError

from ..helpers import API_KEY

NETWORK_VARIABLES = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "SSLKEYLOGFILE",
    "REQUEST_METHOD",
    "NETRC",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network variable of the machine running the tests leaks into them."""
    for name in NETWORK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


class _Recording(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        head: list[str] = []
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            head.append(line.decode("latin-1").rstrip("\r\n"))
        self.server.heads.append(head)  # type: ignore[attr-defined]
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


@pytest.fixture
def server() -> Iterator[Any]:
    """An HTTP server on 127.0.0.1 that answers `ok` to anything and records each request's
    head (request line and headers), as an origin server or a proxy."""
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Recording) as made:
        made.daemon_threads = True
        made.heads = []  # type: ignore[attr-defined]
        thread = threading.Thread(target=made.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield made
        finally:
            made.shutdown()
            thread.join(timeout=10)


TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"
"""A test certificate authority (`ca.pem`) and a certificate it signed for 127.0.0.1 with its
key (`server.pem`), made for these tests only, valid until 2126."""


class _TLSServer(socketserver.ThreadingTCPServer):
    """The recording server, over TLS with the test certificate."""

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()
        connection.settimeout(10)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(TLS / "server.pem")
        return context.wrap_socket(connection, server_side=True), address


@pytest.fixture
def tls_server() -> Iterator[Any]:
    """The recording server over TLS (a client that does not trust the test CA fails)."""
    with _TLSServer(("127.0.0.1", 0), _Recording) as made:
        made.daemon_threads = True
        made.heads = []  # type: ignore[attr-defined]
        thread = threading.Thread(target=made.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield made
        finally:
            made.shutdown()
            thread.join(timeout=10)


def get(mode: str, url: str) -> httpx.Response:
    """One GET with the client the package makes for `mode`."""
    if mode == "sync":
        with _transport.blocking_client() as client:
            return client.get(url)

    async def main() -> httpx.Response:
        async with _transport.async_client() as client:
            return await client.get(url)

    return asyncio.run(main())


def test_requests_go_through_the_environments_proxy(
    mode: str, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = server.server_address[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://user:pw@127.0.0.1:{port}")

    answer = get(mode, "http://agents.invalid/x?y=1")

    assert answer.text == "ok"
    (head,) = server.heads
    assert head[0] == "GET http://agents.invalid/x?y=1 HTTP/1.1"  # a proxy's request line
    assert "Proxy-Authorization: Basic dXNlcjpwdw==" in head


def test_no_proxy_hosts_are_reached_directly(
    mode: str, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = server.server_address[1]
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    answer = get(mode, f"http://127.0.0.1:{port}/direct")

    assert answer.text == "ok"
    assert server.heads[0][0] == "GET /direct HTTP/1.1"


def test_without_proxy_settings_requests_go_direct(mode: str, server: Any) -> None:
    port = server.server_address[1]

    assert get(mode, f"http://127.0.0.1:{port}/plain").text == "ok"
    assert server.heads[0][0] == "GET /plain HTTP/1.1"


@pytest.mark.parametrize("proxied", [False, True])
def test_a_blocking_attempt_past_its_deadline_does_not_connect(
    server: Any, monkeypatch: pytest.MonkeyPatch, proxied: bool
) -> None:
    port = server.server_address[1]
    if proxied:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    token = _transport.attempt_deadline.set(0.0)  # long passed on the monotonic clock
    try:
        with _transport.blocking_client() as client, pytest.raises(httpx.ConnectTimeout) as raised:
            client.get(f"http://127.0.0.1:{port}/late")
    finally:
        _transport.attempt_deadline.reset(token)
    assert str(raised.value) == "the request timeout has passed"
    assert server.heads == []


# The certificates trusted.


def test_the_clients_trust_the_certificates_of_ssl_cert_file(
    mode: str, tls_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"https://127.0.0.1:{tls_server.server_address[1]}/tls"
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        get(mode, url)

    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "ca.pem"))

    assert get(mode, url).text == "ok"
    assert tls_server.heads[-1][0] == "GET /tls HTTP/1.1"


def one_certificate(tmp_path: Path) -> Path:
    """A file holding the first certificate of certifi's bundle."""
    bundle = Path(certifi.where()).read_text(encoding="ascii")
    end = "-----END CERTIFICATE-----"
    path = tmp_path / "one.pem"
    path.write_text(bundle[bundle.index("-----BEGIN") : bundle.index(end) + len(end)] + "\n")
    return path


def trusting_the_test_ca(environ: Any) -> ssl.SSLContext:
    """`_transport._ssl_context` as if the environment named the test CA, without the variable
    that OpenSSL's own defaults would read too."""
    return ssl.create_default_context(cafile=TLS / "ca.pem")


def test_the_clients_verify_with_the_context_made_from_the_environment(
    mode: str, tls_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_transport, "_ssl_context", trusting_the_test_ca)

    assert get(mode, f"https://127.0.0.1:{tls_server.server_address[1]}/tls").text == "ok"


def test_the_generated_client_trusts_them_too(
    tls_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_transport, "_ssl_context", trusting_the_test_ca)
    client = api_client(
        api_key=API_KEY, base_url=f"https://127.0.0.1:{tls_server.server_address[1]}"
    )

    with client as opened:
        assert opened.get_httpx_client().get("/generated").text == "ok"
    assert tls_server.heads[0][0] == "GET /generated HTTP/1.1"


CERTIFI_COUNT = Path(certifi.where()).read_text(encoding="ascii").count("BEGIN CERTIFICATE")


def test_without_settings_certifis_certificates_are_trusted() -> None:
    """certifi's, as httpx trusts, not the system's store."""
    context = _transport.network_from_environment({}).ssl_context

    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(context.get_ca_certs()) == CERTIFI_COUNT


def test_ssl_cert_file_replaces_the_certificates_trusted(tmp_path: Path) -> None:
    path = str(one_certificate(tmp_path))
    for environ in ({"SSL_CERT_FILE": path}, {"SSL_CERT_FILE": path, "SSL_CERT_DIR": "/nowhere"}):
        context = _transport.network_from_environment(environ).ssl_context
        assert len(context.get_ca_certs()) == 1
        assert context.verify_mode == ssl.CERT_REQUIRED


def test_ssl_cert_dir_is_used_when_it_is_a_directory(tmp_path: Path) -> None:
    context = _transport.network_from_environment({"SSL_CERT_DIR": str(tmp_path)}).ssl_context

    assert (
        context.get_ca_certs() == []
    )  # certificates of a directory load when needed, not certifi's
    assert context.verify_mode == ssl.CERT_REQUIRED


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"SSL_CERT_FILE": "/nonexistent/ca.pem"},
            "the environment variable SSL_CERT_FILE holds no usable certificates "
            "(No such file or directory)",
        ),
        (
            {"SSL_CERT_DIR": "/nonexistent/certs"},
            "the environment variable SSL_CERT_DIR is not a directory",
        ),
        (
            {"SSLKEYLOGFILE": "/nonexistent/dir/keys.log"},
            "the environment variable SSLKEYLOGFILE cannot be written (No such file or directory)",
        ),
    ],
)
def test_an_unusable_certificate_setting_is_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _transport.network_from_environment(environ)
    assert str(raised.value) == message


def test_a_file_that_holds_no_certificate_is_named(tmp_path: Path) -> None:
    garbage = tmp_path / "ca.pem"
    garbage.write_text("not a certificate\n", encoding="utf-8")

    with pytest.raises(ConfigurationError) as raised:
        _transport.network_from_environment({"SSL_CERT_FILE": str(garbage)})
    assert str(raised.value).startswith(
        "the environment variable SSL_CERT_FILE holds no usable certificates ("
    )
    assert str(raised.value) != (
        "the environment variable SSL_CERT_FILE holds no usable certificates (None)"
    )


def test_empty_certificate_settings_are_unset(tmp_path: Path) -> None:
    context = _transport.network_from_environment(
        {"SSL_CERT_FILE": "", "SSL_CERT_DIR": "", "SSLKEYLOGFILE": ""}
    ).ssl_context
    assert len(context.get_ca_certs()) == CERTIFI_COUNT


def test_sslkeylogfile_is_opened_for_appending_as_ssl_would(tmp_path: Path) -> None:
    keylog = tmp_path / "keys.log"
    keylog.write_text("kept\n", encoding="utf-8")

    _transport.network_from_environment({"SSLKEYLOGFILE": str(keylog)})
    _transport.network_from_environment({"SSLKEYLOGFILE": str(tmp_path / "new.log")})

    assert keylog.read_text(encoding="utf-8") == "kept\n"
    assert (tmp_path / "new.log").exists()


def test_sslkeylogfile_is_not_checked_when_python_ignores_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under `python -E` ssl does not read it, so it cannot fail."""
    monkeypatch.setattr(
        _transport, "sys", SimpleNamespace(flags=SimpleNamespace(ignore_environment=1))
    )

    _transport.network_from_environment({"SSLKEYLOGFILE": "/nonexistent/dir/keys.log"})


# The proxies and direct routes.


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "ftp://proxy.example:21",
            "the environment variable HTTPS_PROXY names a proxy of scheme 'ftp': only http, "
            "https, socks5, socks5h proxies can be used",
        ),
        (
            "socks5://proxy.example:1080",
            "the environment variable HTTPS_PROXY names a SOCKS proxy, which needs the socksio "
            "package: pip install 'httpx[socks]'",
        ),
        ("http://:8080", "the environment variable HTTPS_PROXY names a proxy without a host"),
    ],
)
def test_an_unusable_proxy_is_named_without_its_value(value: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _transport._routes({"HTTPS_PROXY": value})
    assert str(raised.value) == message


def test_an_invalid_proxy_url_is_named() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _transport._routes({"HTTP_PROXY": "http://user:s3cret@proxy.example:notaport"})
    assert str(raised.value).startswith("the environment variable HTTP_PROXY is not a valid URL (")
    assert "s3cret" not in str(raised.value)


def finding(find_spec: Any) -> Any:
    """`importlib` for `_transport`, whose `util.find_spec` is this function."""
    return SimpleNamespace(util=SimpleNamespace(find_spec=find_spec))


@pytest.mark.parametrize("scheme", ["http", "https", "socks5", "socks5h"])
def test_each_proxy_scheme_is_usable(monkeypatch: pytest.MonkeyPatch, scheme: str) -> None:
    monkeypatch.setattr(_transport, "importlib", finding(lambda name: object()))

    routes = _transport._routes({"all_proxy": f"{scheme}://proxy.example:1"})

    proxy = routes["all://"]
    assert proxy is not None and str(proxy.url) == f"{scheme}://proxy.example:1"


def test_the_socks_check_looks_for_socksio(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(_transport, "importlib", finding(asked.append))

    with pytest.raises(ConfigurationError, match="socksio"):
        _transport._routes({"ALL_PROXY": "socks5://proxy.example:1080"})
    assert asked == ["socksio"]


def test_each_scheme_has_its_route_and_no_proxy_names_its_own_variable() -> None:
    routes = _transport._routes(
        {
            "HTTP_PROXY": "http://p1:1",
            "HTTPS_PROXY": "http://p2:2",
            "ALL_PROXY": "http://p3:3",
            "NO_PROXY": "a.test,,  ,10.0.0.0/8",
        }
    )
    assert {k: None if v is None else str(v.url) for k, v in routes.items()} == {
        "http://": "http://p1:1",
        "https://": "http://p2:2",
        "all://": "http://p3:3",
        "all://*a.test": None,
        "all://10.0.0.0/8": None,
    }
    for variable in ("NO_PROXY", "no_proxy"):
        with pytest.raises(ConfigurationError) as raised:
            _transport._routes({variable: "good.test, [::1"})
        assert str(raised.value) == (
            f"the environment variable {variable} has an entry that is not a host name: '[::1'"
        )


def test_long_values_are_cut_in_messages() -> None:
    with pytest.raises(ConfigurationError) as raised:
        _transport._routes({"NO_PROXY": "x" * 70 + ":notaport"})
    assert str(raised.value).endswith(f"not a host name: {'x' * 60!r}")
    scheme = "s" * 30
    with pytest.raises(ConfigurationError) as raised:
        _transport._routes({"HTTP_PROXY": f"{scheme}://proxy.example"})
    assert f"names a proxy of scheme {'s' * 20!r}: only" in str(raised.value)


def test_localhost_is_matched_exactly_in_any_case() -> None:
    assert _transport._direct_pattern("NO_PROXY", "LocalHost") == "all://LocalHost"


# The deadline of an attempt, on each step of a blocking connection.


class Moment:
    """`time` for `_transport`: a monotonic clock that stands still at `now`."""

    def __init__(self, now: float) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def deadline(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """set(seconds_left): an attempt in progress with that many seconds left."""
    monkeypatch.setattr(_transport, "time", Moment(1000.0))
    tokens = []

    def set_left(left: float) -> None:
        tokens.append(_transport.attempt_deadline.set(1000.0 + left))

    yield set_left
    for token in reversed(tokens):
        _transport.attempt_deadline.reset(token)


def test_without_an_attempt_timeouts_are_left_as_they_are() -> None:
    assert _transport._capped(None, httpcore.ReadTimeout) is None
    assert _transport._capped(3.0, httpcore.ReadTimeout) == 3.0


@pytest.mark.parametrize(
    ("timeout", "left", "expected"),
    [(None, 2.5, 2.5), (3.0, 2.5, 2.5), (2.0, 2.5, 2.0), (5.0, 0.5, 0.5), (None, 0.25, 0.25)],
)
def test_a_timeout_is_cut_to_the_time_left(
    deadline: Any, timeout: float | None, left: float, expected: float
) -> None:
    deadline(left)
    assert _transport._capped(timeout, httpcore.ReadTimeout) == expected


@pytest.mark.parametrize("left", [0.0, -1.0])
def test_no_time_left_is_a_timeout_of_the_step(deadline: Any, left: float) -> None:
    deadline(left)
    with pytest.raises(httpcore.WriteTimeout, match=r"^the request timeout has passed$"):
        _transport._capped(5.0, httpcore.WriteTimeout)


class Inner(httpcore.NetworkBackend, httpcore.NetworkStream):
    """A network backend and stream that record each call and its timeout."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def connect_tcp(self, *args: Any) -> Inner:
        self.calls.append(("connect_tcp", *args))
        return self

    def connect_unix_socket(self, *args: Any) -> Inner:
        self.calls.append(("connect_unix_socket", *args))
        return self

    def sleep(self, seconds: float) -> None:
        self.calls.append(("sleep", seconds))

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.calls.append(("read", max_bytes, timeout))
        return b"data"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.calls.append(("write", buffer, timeout))

    def close(self) -> None:
        self.calls.append(("close",))

    def start_tls(self, *args: Any) -> Inner:
        self.calls.append(("start_tls", *args))
        return self

    def get_extra_info(self, info: str) -> Any:
        self.calls.append(("get_extra_info", info))
        return "info"


def test_every_step_of_a_connection_ends_by_the_deadline(deadline: Any) -> None:
    """Each step gets its own timeout or the time left, whichever is shorter (2 s left here)."""
    deadline(2.0)
    inner = Inner()
    backend = _transport._DeadlineBackend(inner)
    options = [("opt", 1, 2)]

    stream = backend.connect_tcp("h.test", 443, 1.5, "10.0.0.1", options)
    assert isinstance(stream, _transport._DeadlineStream)
    assert stream.read(10, None) == b"data"
    stream.read(10, 5.0)
    stream.write(b"x", 0.25)
    stream.write(b"y", None)
    tls = stream.start_tls("ctx", "h.test", 0.5)
    assert isinstance(tls, _transport._DeadlineStream)
    stream.start_tls("ctx", "h.test", 9.0)
    assert stream.get_extra_info("ssl_object") == "info"
    stream.close()
    unix = backend.connect_unix_socket("/tmp/s", 1.0, options)
    assert isinstance(unix, _transport._DeadlineStream)
    backend.connect_tcp("h.test", 443, None)
    backend.connect_unix_socket("/tmp/s", None)
    backend.sleep(0.5)

    assert inner.calls == [
        ("connect_tcp", "h.test", 443, 1.5, "10.0.0.1", options),
        ("read", 10, 2.0),
        ("read", 10, 2.0),
        ("write", b"x", 0.25),
        ("write", b"y", 2.0),
        ("start_tls", "ctx", "h.test", 0.5),
        ("start_tls", "ctx", "h.test", 2.0),
        ("get_extra_info", "ssl_object"),
        ("close",),
        ("connect_unix_socket", "/tmp/s", 1.0, options),
        ("connect_tcp", "h.test", 443, 2.0, None, None),
        ("connect_unix_socket", "/tmp/s", 2.0, None),
        ("sleep", 0.5),
    ]


@pytest.mark.parametrize(
    ("step", "error"),
    [
        (lambda b: b.connect_tcp("h", 1), httpcore.ConnectTimeout),
        (lambda b: b.connect_unix_socket("/s"), httpcore.ConnectTimeout),
        (lambda b: _transport._DeadlineStream(Inner()).read(1), httpcore.ReadTimeout),
        (lambda b: _transport._DeadlineStream(Inner()).write(b"x"), httpcore.WriteTimeout),
        (lambda b: _transport._DeadlineStream(Inner()).start_tls("c"), httpcore.ConnectTimeout),
    ],
)
def test_a_step_begun_after_the_deadline_is_its_kind_of_timeout(
    deadline: Any, step: Any, error: type[Exception]
) -> None:
    deadline(0.0)
    with pytest.raises(error):
        step(_transport._DeadlineBackend(Inner()))


# The blocking transport over an httpcore pool.


class Body:
    """An httpcore answer body: these chunks, then `error` if any."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b"o"
        yield b"k"
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.closed = True
        if self.error is not None:
            raise self.error


class Pool:
    """An httpcore pool that answers every request with `body`, or raises `error`."""

    def __init__(self, body: Any = None, error: Exception | None = None) -> None:
        self.body = Body() if body is None else body
        self.error = error
        self.sent: list[httpcore.Request] = []
        self.closed = False

    def handle_request(self, request: httpcore.Request) -> httpcore.Response:
        self.sent.append(request)
        if self.error is not None:
            raise self.error
        return httpcore.Response(
            201, headers=[(b"X-Reply", b"1")], content=self.body, extensions={"seen": True}
        )

    def close(self) -> None:
        self.closed = True
        if self.error is not None:
            raise self.error


def test_the_transport_sends_the_request_as_it_is_and_streams_the_answer() -> None:
    pool = Pool()
    transport = _transport.DeadlineTransport(pool)  # type: ignore[arg-type]
    request = httpx.Request(
        "POST",
        "https://h.test:8443/p%20q?x=1",
        headers={"X-A": "1"},
        content=b"body",
        extensions={"timeout": {"read": 1}},
    )

    answer = transport.handle_request(request)

    (sent,) = pool.sent
    assert (sent.method, sent.url.scheme, sent.url.host, sent.url.port, sent.url.target) == (
        b"POST",
        b"https",
        b"h.test",
        8443,
        b"/p%20q?x=1",
    )
    assert sent.headers == request.headers.raw
    body: Any = sent.stream
    assert b"".join(body) == b"body"
    assert sent.extensions == {"timeout": {"read": 1}}
    assert (answer.status_code, answer.headers["x-reply"], answer.extensions) == (
        201,
        "1",
        {"seen": True},
    )
    assert answer.read() == b"ok"
    answer.close()
    assert pool.body.closed
    transport.close()
    assert pool.closed


def test_httpcore_errors_of_the_transport_are_httpx_errors() -> None:
    request = httpx.Request("GET", "http://h.test/")
    refused = _transport.DeadlineTransport(Pool(error=httpcore.ConnectError("refused")))  # type: ignore[arg-type]
    with pytest.raises(httpx.ConnectError, match="refused"):
        refused.handle_request(request)
    with pytest.raises(httpx.ConnectError, match="refused"):
        refused.close()

    broken = _transport.DeadlineTransport(Pool(Body(httpcore.ReadError("reset"))))  # type: ignore[arg-type]
    answer = broken.handle_request(request)
    with pytest.raises(httpx.ReadError, match="reset"):
        answer.read()
    with pytest.raises(httpx.ReadError, match="reset"):
        answer.close()


def test_a_body_without_close_is_left_as_it_is() -> None:
    answer = _transport.DeadlineTransport(Pool([b"ok"])).handle_request(  # type: ignore[arg-type]
        httpx.Request("GET", "http://h.test/")
    )
    assert answer.read() == b"ok"
    answer.close()


def test_pools_go_direct_or_through_their_proxy() -> None:
    context = ssl.create_default_context()
    assert type(_transport._pool(None, context)) is httpcore.ConnectionPool
    for url in ("http://p.test:1", "https://p.test:1"):
        assert type(_transport._pool(httpx.Proxy(url), context)) is httpcore.HTTPProxy


def test_environment_defaults_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://from-env.test:3")

    routes = _transport.network_from_environment().routes

    proxy = routes["https://"]
    assert proxy is not None and str(proxy.url) == "http://from-env.test:3"

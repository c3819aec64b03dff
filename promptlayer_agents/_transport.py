"""The httpx clients this package makes for itself, built from httpx's and httpcore's public
interfaces only, and the network settings they take from the environment.

- The blocking client sends through `DeadlineTransport`: an httpx transport over an httpcore pool
  (direct, or through an HTTP or SOCKS proxy) whose network backend gives every connect, read and
  write at most the time left before the deadline of the attempt in progress (`attempt_deadline`).
  httpx's own timeouts apply to each read, so without it a server that sends a byte every half
  second could hold one attempt for ever.
- The asyncio client needs no such backend (`_http` runs each attempt under `asyncio.timeout`):
  it uses httpx's own transports.
- Both honour the proxy and certificate settings of the environment as httpx would (HTTP_PROXY,
  HTTPS_PROXY, ALL_PROXY, NO_PROXY, SSL_CERT_FILE, SSL_CERT_DIR, and SSLKEYLOGFILE, which Python's
  ssl reads), read and checked here: one that cannot be used is a `ConfigurationError` naming the
  variable when the client is made, before anything is sent.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import ssl
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from ._errors import ConfigurationError

MAX_CONNECTIONS = 100
MAX_KEEPALIVE_CONNECTIONS = 20
KEEPALIVE_EXPIRY = 5.0
"""The pool limits: httpx's defaults."""

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")

attempt_deadline: ContextVar[float | None] = ContextVar(
    "promptlayer_agents_attempt_deadline", default=None
)
"""The monotonic time by which the attempt in progress must end (None: no attempt)."""


@dataclass(frozen=True)
class Network:
    """What the environment says about connections: the certificates to trust, and for each URL
    pattern (httpx's `mounts` keys) the proxy to go through, or None to go direct."""

    ssl_context: ssl.SSLContext
    routes: dict[str, httpx.Proxy | None]


def network_from_environment(environ: Mapping[str, str] = os.environ) -> Network:
    """The environment's network settings, each checked (`ConfigurationError` naming the
    variable): a proxy or certificate setting that cannot be used fails here, not at a send."""
    return Network(ssl_context=_ssl_context(environ), routes=_routes(environ))


def blocking_client() -> httpx.Client:
    """The blocking client `Agents` makes: every step of an attempt ends by its deadline."""
    network = network_from_environment()

    def transport(proxy: httpx.Proxy | None) -> DeadlineTransport:
        return DeadlineTransport(_pool(proxy, network.ssl_context))

    mounts = {
        pattern: None if proxy is None else transport(proxy)
        for pattern, proxy in network.routes.items()
    }
    return httpx.Client(transport=transport(None), mounts=mounts, trust_env=False)


def async_client() -> httpx.AsyncClient:
    """The asyncio client `AsyncAgents` makes, with httpx's own transports."""
    network = network_from_environment()

    def transport(proxy: httpx.Proxy | None) -> httpx.AsyncHTTPTransport:
        return httpx.AsyncHTTPTransport(
            verify=network.ssl_context, proxy=proxy, trust_env=False, limits=_limits()
        )

    mounts = {
        pattern: None if proxy is None else transport(proxy)
        for pattern, proxy in network.routes.items()
    }
    return httpx.AsyncClient(transport=transport(None), mounts=mounts, trust_env=False)


def _limits() -> httpx.Limits:
    return httpx.Limits(
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )


def _ssl_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    """The certificates to trust: SSL_CERT_FILE, else SSL_CERT_DIR, else certifi's (as httpx
    does); Python's ssl also opens SSLKEYLOGFILE here, so it is checked too."""
    keylog = environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:  # ssl ignores it under `python -E`
        try:
            with open(keylog, "a"):  # what ssl does with it, so that its error names it
                pass
        except OSError as error:
            raise _unusable("SSLKEYLOGFILE", f"cannot be written ({error.strerror})") from None
    cafile, capath = environ.get("SSL_CERT_FILE"), environ.get("SSL_CERT_DIR")
    if cafile:
        return _trusting("SSL_CERT_FILE", cafile, None)
    if capath:
        if not os.path.isdir(capath):
            raise _unusable("SSL_CERT_DIR", "is not a directory")
        return _trusting("SSL_CERT_DIR", None, capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _trusting(variable: str, cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """A context trusting the certificates `variable` points to."""
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        reason = getattr(error, "strerror", None) or str(error)
        raise _unusable(variable, f"holds no usable certificates ({reason})") from None


def _unusable(variable: str, what: str) -> ConfigurationError:
    return ConfigurationError(f"the environment variable {variable} {what}")


def _setting(environ: Mapping[str, str], scheme: str) -> tuple[str, str] | None:
    """The variable that sets the proxy for `scheme` ("http", "https", "all" or "no") and its
    value, picked as Python's urllib picks it: the lowercase name before the uppercase one, an
    empty value meaning none, and HTTP_PROXY ignored in a CGI script (REQUEST_METHOD set)."""
    lower = f"{scheme}_proxy"
    cgi = scheme == "http" and "REQUEST_METHOD" in environ
    for name in (lower,) if cgi else (lower, lower.upper()):
        if name in environ:
            return (name, environ[name]) if environ[name] else None
    return None


def _routes(environ: Mapping[str, str]) -> dict[str, httpx.Proxy | None]:
    """httpx's `mounts` for the environment's proxies: NO_PROXY's hosts go direct, "*" sends
    everything direct (and leaves the other variables unused, so unchecked)."""
    routes: dict[str, httpx.Proxy | None] = {}
    no_proxy = _setting(environ, "no")
    hosts = [host.strip() for host in no_proxy[1].split(",")] if no_proxy else []
    if "*" in hosts:
        return routes
    for scheme in ("http", "https", "all"):
        setting = _setting(environ, scheme)
        if setting is not None:
            routes[f"{scheme}://"] = _proxy(*setting)
    for host in filter(None, hosts):
        routes[_direct_pattern(no_proxy[0] if no_proxy else "NO_PROXY", host)] = None
    return routes


def _proxy(variable: str, value: str) -> httpx.Proxy:
    """The proxy a variable names, checked; its value is never repeated (it may hold a
    password)."""
    try:
        url = httpx.URL(value if "://" in value else f"http://{value}")
    except httpx.InvalidURL as error:
        raise _unusable(variable, f"is not a valid URL ({error})") from None
    if url.scheme not in PROXY_SCHEMES:
        raise _unusable(
            variable,
            f"names a proxy of scheme {url.scheme[:20]!r}: only "
            f"{', '.join(PROXY_SCHEMES)} proxies can be used",
        )
    if not url.host:
        raise _unusable(variable, "names a proxy without a host")
    if url.scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        raise _unusable(
            variable,
            "names a SOCKS proxy, which needs the socksio package: pip install 'httpx[socks]'",
        )
    return httpx.Proxy(url)


def _direct_pattern(variable: str, host: str) -> str:
    """The mounts pattern for one NO_PROXY entry, as httpx reads NO_PROXY: a URL as it is, an
    IP address or localhost exactly, any other name with its subdomains (curl's rules)."""
    if "://" in host:
        pattern = host
    elif _is_ip(host, ipaddress.IPv4Address):
        pattern = f"all://{host}"
    elif _is_ip(host, ipaddress.IPv6Address):
        pattern = f"all://[{host}]"
    elif host.lower() == "localhost":
        pattern = f"all://{host}"
    else:
        pattern = f"all://*{host}"
    try:
        httpx.URL(pattern)
    except httpx.InvalidURL:
        what = f"has an entry that is not a host name: {host[:60]!r}"
        raise _unusable(variable, what) from None
    return pattern


def _is_ip(host: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(host.split("/")[0])
    except ValueError:
        return False
    return True


def _pool(
    proxy: httpx.Proxy | None, ssl_context: ssl.SSLContext
) -> httpcore.ConnectionPool | httpcore.HTTPProxy | httpcore.SOCKSProxy:
    """An httpcore pool whose connections use the deadline backend: direct, or through
    `proxy`."""
    options: dict[str, Any] = {
        "ssl_context": ssl_context,
        "max_connections": MAX_CONNECTIONS,
        "max_keepalive_connections": MAX_KEEPALIVE_CONNECTIONS,
        "keepalive_expiry": KEEPALIVE_EXPIRY,
        "network_backend": _DeadlineBackend(httpcore.SyncBackend()),
    }
    if proxy is None:
        return httpcore.ConnectionPool(**options)
    url = httpcore.URL(
        scheme=proxy.url.raw_scheme,
        host=proxy.url.raw_host,
        port=proxy.url.port,
        target=proxy.url.raw_path,
    )
    if proxy.url.scheme in ("http", "https"):
        return httpcore.HTTPProxy(
            proxy_url=url, proxy_auth=proxy.raw_auth, proxy_headers=proxy.headers.raw, **options
        )
    return httpcore.SOCKSProxy(proxy_url=url, proxy_auth=proxy.raw_auth, **options)


class DeadlineTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool whose every connect, read and write ends by the
    deadline of the attempt in progress."""

    def __init__(
        self, pool: httpcore.ConnectionPool | httpcore.HTTPProxy | httpcore.SOCKSProxy
    ) -> None:
        self._pool = pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; the answer's body streams from the connection."""
        body: Any = request.stream  # a SyncByteStream: this is the blocking client
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=body,
            extensions=request.extensions,
        )
        with _httpx_errors():
            answer = self._pool.handle_request(sent)
        stream: Any = answer.stream
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_Body(stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        """Close every connection of the pool."""
        with _httpx_errors():
            self._pool.close()


class _Body(httpx.SyncByteStream):
    """An answer's body as it comes from httpcore, its errors made httpx's."""

    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            with _httpx_errors():
                close()


_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
}
"""httpcore's errors and the httpx errors they are (the same names)."""


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """Raise httpcore's errors as the httpx errors of the same name, as httpx's transports do."""
    try:
        yield
    except Exception as error:
        mapped = next((_HTTPX_ERRORS[c] for c in type(error).__mro__ if c in _HTTPX_ERRORS), None)
        if mapped is None:
            raise
        raise mapped(str(error)) from error


def _capped(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout`, cut to the time left before the current attempt's deadline."""
    deadline = attempt_deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request timeout has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineBackend(httpcore.NetworkBackend):
    """A blocking network backend whose every step ends by the current attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes end by the current attempt's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

"""How the environment's proxy settings are read (as httpx and Python's urllib read them), and
httpcore's errors given as httpx's."""

from __future__ import annotations

import httpcore
import httpx
import pytest

from promptlayer_agents import _transport
from promptlayer_agents._errors import ConfigurationError


def routes(**environ: str) -> dict[str, str | None]:
    found = _transport._routes(environ)
    return {pattern: None if proxy is None else str(proxy.url) for pattern, proxy in found.items()}


def test_a_lowercase_variable_wins_and_an_empty_one_unsets() -> None:
    assert routes(HTTP_PROXY="http://upper:1", http_proxy="http://lower:2") == {
        "http://": "http://lower:2"
    }
    assert routes(HTTPS_PROXY="http://upper:1", https_proxy="") == {}


def test_http_proxy_is_ignored_in_a_cgi_script_but_not_its_lowercase_name() -> None:
    assert routes(HTTP_PROXY="http://injected:1", REQUEST_METHOD="GET") == {}
    assert routes(http_proxy="http://mine:1", REQUEST_METHOD="GET") == {"http://": "http://mine:1"}


def test_a_proxy_without_a_scheme_is_http_and_its_password_leaves_the_url() -> None:
    found = _transport._routes({"ALL_PROXY": "user:s3cret@proxy.example:3128"})

    proxy = found["all://"]
    assert proxy is not None
    assert (str(proxy.url), proxy.auth) == ("http://proxy.example:3128", ("user", "s3cret"))


def test_no_proxy_entries_become_direct_routes_as_httpx_reads_them() -> None:
    assert routes(
        HTTP_PROXY="http://p:1", NO_PROXY="10.0.0.1, ::1, localhost, .example.com, http://x.test"
    ) == {
        "http://": "http://p:1",
        "all://10.0.0.1": None,
        "all://[::1]": None,
        "all://localhost": None,
        "all://*.example.com": None,
        "http://x.test": None,
    }


def test_no_proxy_star_sends_everything_direct_and_checks_no_proxy() -> None:
    assert routes(HTTP_PROXY="ftp://unusable", no_proxy="*") == {}


def test_a_proxy_without_a_host_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY names a proxy without a host"):
        routes(HTTPS_PROXY="http://:8080")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpcore.ConnectTimeout("t"), httpx.ConnectTimeout),
        (httpcore.ReadTimeout("t"), httpx.ReadTimeout),
        (httpcore.WriteTimeout("t"), httpx.WriteTimeout),
        (httpcore.PoolTimeout("t"), httpx.PoolTimeout),
        (httpcore.ConnectError("c"), httpx.ConnectError),
        (httpcore.ReadError("r"), httpx.ReadError),
        (httpcore.WriteError("w"), httpx.WriteError),
        (httpcore.RemoteProtocolError("p"), httpx.RemoteProtocolError),
        (httpcore.LocalProtocolError("p"), httpx.LocalProtocolError),
        (httpcore.ProxyError("p"), httpx.ProxyError),
        (httpcore.UnsupportedProtocol("u"), httpx.UnsupportedProtocol),
    ],
)
def test_httpcore_errors_are_raised_as_httpx_errors_of_the_same_kind(
    error: Exception, expected: type[httpx.TransportError]
) -> None:
    with pytest.raises(expected, match=str(error)), _transport._httpx_errors():
        raise error


def test_other_errors_pass_through_unchanged() -> None:
    with pytest.raises(KeyError), _transport._httpx_errors():
        raise KeyError("x")

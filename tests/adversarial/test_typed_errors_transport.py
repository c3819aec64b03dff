"""Typed errors from what surrounds a call: the environment's network settings and a closed
client. Whatever the proxy and certificate variables hold, making a client gives a client or a
ConfigurationError naming the variable (the command line exits with its usage code); a closed
client refuses every method with a ConfigurationError before anything is sent."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa

from ..fakes import Make, SameCalls

KEY = "pl_transport_0123456789"
PROXY_VARIABLES = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"]
NETWORK_VARIABLES = [
    *PROXY_VARIABLES,
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "SSLKEYLOGFILE",
]


@pytest.fixture(autouse=True)
def clean_environment() -> Iterator[None]:
    """No network variable of the machine running the tests leaks into them."""
    names = [*NETWORK_VARIABLES, *(n.upper() for n in NETWORK_VARIABLES), "REQUEST_METHOD"]
    with mock.patch.dict(os.environ):
        for name in names:
            os.environ.pop(name, None)
        yield


def make(mode: str) -> pa.Agents | pa.AsyncAgents:
    """A client of the mode, with the client's own httpx client."""
    kind = pa.Agents if mode == "sync" else pa.AsyncAgents
    return kind(api_key=KEY, base_url="http://127.0.0.1:9")


def shut(client: pa.Agents | pa.AsyncAgents) -> None:
    calls = SameCalls("sync" if isinstance(client, pa.Agents) else "async")
    calls.agents = client
    calls.shut()


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("ALL_PROXY", "socks5://127.0.0.1:1080", "socksio"),
        ("HTTP_PROXY", "ftp://proxy.example:21", "scheme 'ftp'"),
        ("HTTP_PROXY", "http://proxy.example:notaport", "not a valid URL"),
        ("HTTPS_PROXY", "http://user:s3cret@[::1", "not a valid URL"),
        ("SSL_CERT_FILE", "/nonexistent/ca.pem", "no usable certificates"),
        ("SSL_CERT_DIR", "/nonexistent/certs", "not a directory"),
        ("SSLKEYLOGFILE", "/nonexistent/dir/keys.log", "cannot be written"),
        ("NO_PROXY", "example.com,[::1", "not a host name"),
    ],
)
def test_each_unusable_setting_is_a_configuration_error_naming_it(
    mode: str, variable: str, value: str, says: str
) -> None:
    os.environ[variable] = value

    with pytest.raises(pa.ConfigurationError) as caught:
        make(mode)

    assert variable in str(caught.value) and says in str(caught.value)
    assert "s3cret" not in str(caught.value)  # a proxy's password is never repeated
    assert caught.value.may_have_started is False


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ALL_PROXY", "socks5://127.0.0.1:1080"), ("SSL_CERT_FILE", "/nonexistent/ca.pem")],
)
def test_the_generated_client_checks_the_environment_the_same_way(
    variable: str, value: str
) -> None:
    os.environ[variable] = value

    with pytest.raises(pa.ConfigurationError, match=variable):
        pa.api_client(api_key=KEY).get_httpx_client()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY"])
def test_no_proxy_star_or_a_lowercase_setting_wins_as_httpx_reads_them(variable: str) -> None:
    """NO_PROXY=* leaves the proxies unused (so unchecked); a lowercase variable wins over its
    uppercase one, and an empty one unsets it."""
    os.environ[variable] = "ftp://unusable.example"
    os.environ["NO_PROXY"] = "example.com, *"
    shut(make("sync"))

    del os.environ["NO_PROXY"]
    os.environ[variable.lower()] = ""
    shut(make("sync"))


NAMES = st.sampled_from(NETWORK_VARIABLES)
VALUES = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40),
    st.builds(
        "{}://{}".format,
        st.sampled_from(["ftp", "socks4", "socks5", "file", "http", "https", "", "HTTP"]),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20),
    ),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    environment=st.dictionaries(NAMES, VALUES, max_size=3), mode=st.sampled_from(["sync", "async"])
)
def test_whatever_the_environment_holds_a_client_or_a_configuration_error(
    environment: dict[str, str], mode: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if "SSLKEYLOGFILE" in environment:  # only ever written inside a temporary folder
        folder = tmp_path_factory.mktemp("keylog")
        environment["SSLKEYLOGFILE"] = str(folder / environment["SSLKEYLOGFILE"].replace("/", "_"))
    with mock.patch.dict(os.environ, environment):
        try:
            client = make(mode)
        except pa.ConfigurationError as error:
            assert any(name in str(error) for name in environment)
        else:
            shut(client)


def test_the_command_line_exits_with_its_usage_code(tmp_path: Path) -> None:
    command = str(Path(sys.executable).with_name("promptlayer-agents"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PROMPTLAYER_")},
        "PROMPTLAYER_API_KEY": KEY,
        "PROMPTLAYER_BASE_URL": "http://127.0.0.1:9",
        "HTTP_PROXY": "ftp://proxy.example:21",
    }

    done = subprocess.run(
        [command, "get", "greeter"], capture_output=True, text=True, timeout=60, env=env
    )

    assert done.returncode == 2, done.stderr
    assert "HTTP_PROXY" in done.stderr and "Traceback" not in done.stderr


CALLS: dict[str, tuple[Any, ...]] = {
    "run": ("bot",),
    "get_results": (787,),
    "wait": (787,),
    "run_and_wait": ("bot",),
    "get": ("bot",),
}


@pytest.mark.parametrize("method", list(CALLS))
def test_a_closed_client_refuses_every_method_before_sending(harness: Make, method: str) -> None:
    h = harness()
    h.close()

    with pytest.raises(pa.ConfigurationError, match="closed") as caught:
        getattr(h, method)(*CALLS[method])

    assert caught.value.may_have_started is False
    assert h.api.requests == []


@pytest.mark.parametrize("method", list(CALLS))
def test_a_client_of_your_own_that_you_closed_is_refused_too(mode: str, method: str) -> None:
    calls = SameCalls(mode)
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(record)
    if mode == "sync":
        blocking = httpx.Client(transport=transport)
        blocking.close()
        calls.agents = pa.Agents(api_key=KEY, http_client=blocking)
    else:
        awaiting = httpx.AsyncClient(transport=transport)
        calls.loop.run_until_complete(awaiting.aclose())
        calls.agents = pa.AsyncAgents(api_key=KEY, http_client=awaiting)
    try:
        with pytest.raises(pa.ConfigurationError, match="closed") as caught:
            getattr(calls, method)(*CALLS[method])
    finally:
        calls.shut()

    assert caught.value.may_have_started is False
    assert sent == []


def test_the_clients_own_connections_closed_refuse_the_run(mode: str) -> None:
    calls = SameCalls(mode)
    calls.agents = make(mode)
    calls.close()
    try:
        with pytest.raises(pa.ConfigurationError, match="closed") as caught:
            calls.run("bot")
    finally:
        calls.loop.close()

    assert caught.value.may_have_started is False

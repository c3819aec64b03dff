"""A base_url's credentials are accepted and never shown: not in a repr, an error or a log line,
httpx's own included, since they are taken out of the URL and sent as `Authorization: Basic`. A
base_url with a query or a fragment, which would send every request elsewhere, is refused before
anything is sent, naming what is wrong."""

from __future__ import annotations

import base64
import logging
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa

from ..fakes import reply, started
from ..helpers import API_KEY

CREDENTIAL = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=8, max_size=20
)


def _url(user: str, password: str, rest: str = "api.example/v1") -> str:
    return f"https://{quote(user, safe='')}:{quote(password, safe='')}@{rest}"


def _hidden(text: str, user: str, password: str) -> bool:
    return user not in text and password not in text and quote(password, safe="") not in text


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(user=CREDENTIAL, password=CREDENTIAL)
def test_credentials_in_base_url_are_sent_as_basic_auth_and_never_shown(
    caplog: pytest.LogCaptureFixture, user: str, password: str
) -> None:
    sent: list[httpx.Request] = []
    answers = iter([started(787), reply(401, {"message": f"bad {user}:{password}"})])

    def api(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return next(answers)

    caplog.clear()
    logs = caplog.at_level(logging.DEBUG, logger="httpx")
    with logs, caplog.at_level(logging.DEBUG, logger="promptlayer_agents"):
        agents = pa.Agents(
            api_key=API_KEY,
            base_url=_url(user, password),
            max_retries=0,
            http_client=httpx.Client(transport=httpx.MockTransport(api)),
        )
        agents.run("bot")
        with pytest.raises(pa.AuthenticationError) as caught:
            agents.get("bot")

    expected = base64.b64encode(f"{user}:{password}".encode()).decode()
    assert [r.headers["Authorization"] for r in sent] == [f"Basic {expected}"] * 2
    assert [str(r.url) for r in sent] == [
        "https://api.example/v1/workflows/bot/run",
        "https://api.example/v1/workflows/bot",
    ]
    assert caplog.records, "httpx logs each request at INFO"
    shown = [repr(agents), repr(agents.settings), str(caught.value), repr(vars(caught.value))]
    shown += [record.getMessage() for record in caplog.records]
    assert [text for text in shown if not _hidden(text, user, password)] == []


@pytest.mark.parametrize(
    "base_url",
    ["ftp://user:s3cr3t-pw@host", "https://user:s3cr3t-pw@", "http://user:s3cr3t-pw@host:99999"],
)
def test_a_bad_base_url_is_refused_without_showing_its_credentials(base_url: str) -> None:
    with pytest.raises(pa.ConfigurationError, match="base_url") as caught:
        pa.Agents(api_key=API_KEY, base_url=base_url)

    assert "s3cr3t" not in f"{caught.value} {caught.value!r}"
    assert "***@" in str(caught.value)


@settings(max_examples=50, deadline=None)
@given(
    mark=st.sampled_from("?#"),
    tail=st.text(st.characters(codec="ascii", min_codepoint=33, max_codepoint=126), max_size=20),
    path=st.sampled_from(["", "/", "/v1", "/v1/"]),
)
def test_a_base_url_with_a_query_or_fragment_is_refused_naming_it(
    mark: str, tail: str, path: str
) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or reply(200))  # type: ignore[func-returns-value]
    name = "query" if mark == "?" else "fragment"
    url = f"http://user:pw1234567@api.example{path}{mark}{tail}"

    with pytest.raises(pa.ConfigurationError, match=f"must not have a {name}") as caught:
        pa.Agents(api_key=API_KEY, base_url=url, http_client=httpx.Client(transport=transport))
    assert "pw1234567" not in str(caught.value)
    with pytest.raises(pa.ConfigurationError, match=f"must not have a {name}"):
        pa.AsyncAgents(api_key=API_KEY, base_url=url)
    with pytest.raises(pa.ConfigurationError, match=f"must not have a {name}"):
        pa.api_client(api_key=API_KEY, base_url=url)
    assert sent == []


def test_the_generated_clients_headers_show_no_credential() -> None:
    client = pa.api_client(api_key=API_KEY, base_url="http://user:pw1234567@127.0.0.1:9")

    for http in (client.get_httpx_client(), client.get_async_httpx_client()):
        assert http.headers["X-API-KEY"] == API_KEY  # sent, as before
        for shown in (repr(http.headers), str(http.headers), repr(client)):
            assert API_KEY not in shown and "pw1234567" not in shown
        assert str(http.base_url) == "http://127.0.0.1:9"

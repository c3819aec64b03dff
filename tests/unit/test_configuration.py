"""The client's settings: what is accepted, what is refused (before anything is sent), and what is
kept of each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from promptlayer_agents import Agents, ConfigurationError
from promptlayer_agents._config import (
    _TOKEN,
    MAX_REQUEST_TIMEOUT,
    checked_headers,
    resolve_settings,
)


@pytest.fixture(autouse=True)
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMPTLAYER_API_KEY", raising=False)
    monkeypatch.delenv("PROMPTLAYER_BASE_URL", raising=False)


@pytest.fixture
def made() -> Iterator[list[Agents]]:
    clients: list[Agents] = []
    yield clients
    for client in clients:
        client.close()


def agents(made: list[Agents], **options: Any) -> Agents:
    made.append(Agents(**{"api_key": "pl_x", **options}))
    return made[-1]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"timeout": "30"}, "timeout must be a number of seconds > 0, not '30'"),
        ({"timeout": True}, "timeout must be a number of seconds > 0, not True"),
        ({"timeout": -1}, "timeout must be a number of seconds > 0, not -1"),
        ({"timeout": None}, "timeout must be a number of seconds > 0, not None"),
        ({"max_retries": "2"}, "max_retries must be an int >= 0, not '2'"),
        ({"max_retries": 2.0}, "max_retries must be an int >= 0, not 2.0"),
        ({"max_retries": False}, "max_retries must be an int >= 0, not False"),
        ({"base_url": "api.promptlayer.com"}, "base_url must be an http(s) URL"),
        ({"api_key": ""}, "no PromptLayer API key: pass api_key=... or set PROMPTLAYER_API_KEY"),
    ],
)
def test_unusable_settings_are_refused_with_what_was_wrong(
    options: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Agents(**{"api_key": "pl_x", **options})

    assert str(caught.value).startswith(match)


def test_no_key_anywhere_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="PROMPTLAYER_API_KEY"):
        Agents()


def test_small_timeouts_and_zero_retries_are_accepted(made: list[Agents]) -> None:
    settings = agents(made, timeout=0.5, max_retries=0).settings
    assert (settings.timeout, settings.request_timeout, settings.max_retries) == (0.5, 0.5, 0)
    assert agents(made, timeout=1).settings.timeout == 1.0


def test_the_defaults(made: list[Agents]) -> None:
    settings = agents(made).settings
    assert (settings.base_url, settings.timeout, settings.max_retries) == (
        "https://api.promptlayer.com",
        30.0,
        2,
    )


@pytest.mark.parametrize(
    ("base_url", "kept"),
    [
        ("https://proxy.example/team-X/", "https://proxy.example/team-X"),
        ("http://127.0.0.1:8123///", "http://127.0.0.1:8123"),
        ("https://api.promptlayer.com", "https://api.promptlayer.com"),
    ],
)
def test_only_trailing_slashes_are_taken_off_the_base_url(
    made: list[Agents], base_url: str, kept: str
) -> None:
    assert agents(made, base_url=base_url).settings.base_url == kept


@pytest.mark.parametrize("port", [1, 80, 65535])
def test_every_tcp_port_is_accepted_in_the_base_url(made: list[Agents], port: int) -> None:
    url = f"http://127.0.0.1:{port}"
    assert agents(made, base_url=url).settings.base_url == url


@pytest.mark.parametrize("port", [0, 65536, 99999])
def test_a_port_no_server_can_listen_on_is_refused(port: int) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Agents(api_key="pl_x", base_url=f"http://127.0.0.1:{port}")

    assert str(caught.value) == f"base_url must be an http(s) URL, not 'http://127.0.0.1:{port}'"


@pytest.mark.parametrize("port", ["-1", "+80", "\u0663", "00"])
def test_a_port_not_written_in_ascii_digits_in_range_is_refused(port: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url must be an http"):
        Agents(api_key="pl_x", base_url=f"http://127.0.0.1:{port}")  # httpx reads some of them


@pytest.mark.parametrize("host", ["xn--", "[v1.x]", "\ufffd", "a\u200b"])
def test_a_host_httpx_cannot_read_is_refused(host: str) -> None:
    url = f"http://{host}/v1"
    with pytest.raises(ConfigurationError) as caught:
        Agents(api_key="pl_x", base_url=url)

    assert str(caught.value) == f"base_url must be an http(s) URL, not {url!r}"


def test_a_key_may_use_every_printable_ascii_character(made: list[Agents]) -> None:
    key = "".join(chr(code) for code in range(ord("!"), ord("~") + 1))
    assert agents(made, api_key=key).settings.api_key == key


@pytest.mark.parametrize(
    ("key", "where"),
    [("pl x", "position 3 of 4"), ("\x7fpl", "position 1 of 3"), ("plé", "position 3 of 3")],
)
def test_a_key_with_a_character_no_header_can_carry_names_its_position(
    key: str, where: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Agents(api_key=key)

    assert str(caught.value) == (
        f"the API key has a character that is not allowed at {where}: "
        "a key is printable ASCII with no spaces or control characters"
    )


def test_a_timeout_must_be_below_the_largest_one(made: list[Agents]) -> None:
    assert agents(made, timeout=1e9 - 1).settings.timeout == 1e9 - 1
    for timeout in (1e9, float("inf")):
        with pytest.raises(ConfigurationError) as caught:
            Agents(api_key="pl_x", timeout=timeout)
        assert str(caught.value) == (
            f"timeout must be a finite number of seconds below 1e+09, not {timeout!r}"
        )


def test_an_answer_limit_of_one_byte_is_accepted_and_zero_is_refused(made: list[Agents]) -> None:
    assert agents(made, max_response_bytes=1).settings.max_response_bytes == 1
    with pytest.raises(ConfigurationError) as caught:
        Agents(api_key="pl_x", max_response_bytes=0)
    assert str(caught.value) == "max_response_bytes must be an int > 0, not 0"


@pytest.mark.parametrize(
    ("url", "part", "start"),
    [
        ("https://h.example/v1?team=a", "query", "?"),
        ("https://h.example/v1#top", "fragment", "#"),
        ("https://h.example/v1#top?team=a", "fragment", "#"),  # whichever comes first
        ("https://h.example/v1?team=a#top", "query", "?"),
    ],
)
def test_a_base_url_with_a_query_or_fragment_is_refused_naming_the_part(
    url: str, part: str, start: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(api_key="pl_x", base_url=url, timeout=5, max_retries=0)

    said = f"must not have a {part} (the part from {start!r}): {url!r}; "
    assert str(caught.value) == f"base_url {said}the API's paths would be appended to it"
    assert caught.value.argument == "base_url"
    assert caught.value.problem == f"the base URL {said}the API's paths would be appended to it"


def test_a_missing_key_is_named_as_the_problem_with_api_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_settings(api_key="", base_url=None, timeout=5, max_retries=0, environ={})

    assert (caught.value.argument, caught.value.problem) == ("api_key", "no PromptLayer API key")


def test_user_info_in_the_base_url_is_kept_apart_from_it() -> None:
    settings = resolve_settings(
        api_key="pl_x", base_url="https://ann:pw@h.example/v1/", timeout=5, max_retries=0
    )

    assert (settings.base_url, settings.user_info) == ("https://h.example/v1", ("ann", "pw"))


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (["X-Team"], "default_headers must be a mapping of names to values, not list"),
        ({"x-api-key": "k"}, "default_headers: pass the key as api_key, not X-API-KEY"),
        ({"X-Team": "a\nb"}, "default_headers: the value of X-Team must be text on one line"),
    ],
)
def test_unusable_default_headers_are_refused_saying_why(headers: Any, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        checked_headers(headers)

    assert str(caught.value) == message


def test_any_header_name_http_allows_and_any_one_line_value_are_kept() -> None:
    every_token_character = "".join(sorted(_TOKEN))
    headers = {every_token_character: "X-X", "X-Team": "XX team"}

    assert dict(checked_headers(headers)) == headers


@pytest.mark.parametrize(
    ("url", "part"),
    [
        ("https://h.example/v1#a?b#c", "fragment"),  # the first of ? and #, not the last
        ("https://h.example/v1?a#b?c", "query"),
    ],
)
def test_the_part_named_is_the_one_that_comes_first(url: str, part: str) -> None:
    with pytest.raises(ConfigurationError, match=f"must not have a {part} "):
        resolve_settings(api_key="pl_x", base_url=url, timeout=5, max_retries=0)


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({"base_url": "http://h.example:1/X/"}, ("base_url", "http://h.example:1/X")),
        ({"api_key": "pl_!~"}, ("api_key", "pl_!~")),
        ({"max_response_bytes": 1}, ("max_response_bytes", 1)),
    ],
)
def test_the_edges_of_what_is_accepted_are_kept(
    options: dict[str, Any], kept: tuple[str, Any]
) -> None:
    settings = resolve_settings(
        **{"api_key": "pl_x", "base_url": None, "timeout": 5, "max_retries": 0, **options}
    )

    assert getattr(settings, kept[0]) == kept[1]


def test_a_timeout_as_large_as_the_limit_is_refused() -> None:
    with pytest.raises(
        ConfigurationError, match="timeout must be a finite number of seconds below"
    ):
        resolve_settings(api_key="pl_x", base_url=None, timeout=MAX_REQUEST_TIMEOUT, max_retries=0)

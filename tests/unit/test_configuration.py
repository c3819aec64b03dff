"""The client's settings: what is accepted, what is refused (before anything is sent), and what is
kept of each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from promptlayer_agents import Agents, ConfigurationError


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

"""The pytest plugin's command-line options, its marker, and the cassette settings it gives each
test: the record mode and upstream from the command line, the upstream and key from the
environment as it was before the fixture pointed it at the sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from promptlayer_agents.sandbox import _pytest_plugin as plugin
from promptlayer_agents.sandbox._recorder import DEFAULT_UPSTREAM


class _Group:
    def __init__(self) -> None:
        self.options: dict[str, dict[str, Any]] = {}

    def addoption(self, name: str, **settings: Any) -> None:
        self.options[name] = settings


class _Parser:
    """Keeps the groups and options a plugin adds, as pytest's parser takes them."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], _Group] = {}

    def getgroup(self, name: str, description: str = "") -> _Group:
        return self.groups.setdefault((name, description), _Group())


class _Config:
    """What `_cassettes` reads of pytest's config: options, the stash, marker lines."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.stash = pytest.Stash()
        self.lines: list[tuple[str, str]] = []

    def getoption(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def addinivalue_line(self, name: str, line: str) -> None:
        self.lines.append((name, line))


class _Node:
    name = "test_x[a/b]"


class _Request:
    def __init__(self, config: _Config, path: Path) -> None:
        self.config, self.path, self.node = config, path, _Node()


def test_the_options_choose_the_record_mode_and_the_upstream() -> None:
    parser = _Parser()

    plugin.pytest_addoption(parser)  # type: ignore[arg-type]

    [(name, group)] = parser.groups.items()
    assert name == ("promptlayer", "PromptLayer sandbox cassettes")
    assert group.options == {
        "--promptlayer-record": {
            "choices": ("none", "once", "all"),
            "default": "none",
            "help": "promptlayer_sandbox.replay(): none replays only (default); once records the "
            "cassettes that are missing; all records every one again",
        },
        "--promptlayer-upstream": {
            "metavar": "URL",
            "default": None,
            "help": "where recording forwards (default: PROMPTLAYER_BASE_URL, else PromptLayer)",
        },
    }


def test_the_marker_is_registered_for_strict_markers() -> None:
    config = _Config()

    plugin.pytest_configure(config)  # type: ignore[arg-type]

    assert config.lines == [("markers", plugin.MARKER)]
    assert plugin.MARKER.startswith("promptlayer(polls_per_node=None, callable_timeout=10, ")


def test_a_tests_cassettes_follow_the_command_line_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", "http://from-env.test")
    monkeypatch.setenv("PROMPTLAYER_API_KEY", "pl_env")
    config = _Config(promptlayer_record="once", promptlayer_upstream="http://option.test")
    request = _Request(config, tmp_path / "test_mod.py")

    settings = plugin._cassettes(request, monkeypatch)  # type: ignore[arg-type]

    assert (settings.mode, settings.directory) == ("once", tmp_path)
    assert settings.path(None) == tmp_path / "cassettes" / "test_mod" / "test_x_a_b_.yaml"
    assert (settings.upstream, settings.api_key) == ("http://option.test", "pl_env")
    settings.use_key("pl_forwarded")
    assert os.environ["PROMPTLAYER_API_KEY"] == "pl_forwarded"
    settings.recorded.add(tmp_path)
    again = plugin._cassettes(request, monkeypatch)  # type: ignore[arg-type]
    assert again.recorded is settings.recorded  # one record of recorded cassettes per session


def test_without_options_a_test_replays_and_records_to_the_environments_upstream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", "http://from-env.test")
    monkeypatch.delenv("PROMPTLAYER_API_KEY", raising=False)
    request = _Request(_Config(), tmp_path / "test_mod.py")

    settings = plugin._cassettes(request, monkeypatch)  # type: ignore[arg-type]

    assert (settings.mode, settings.upstream, settings.api_key) == (
        "none",
        "http://from-env.test",
        None,
    )
    monkeypatch.delenv("PROMPTLAYER_BASE_URL")
    settings = plugin._cassettes(request, monkeypatch)  # type: ignore[arg-type]
    assert settings.upstream == DEFAULT_UPSTREAM

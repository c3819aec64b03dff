"""`promptlayer_sandbox.replay()` under each record mode: what it records, what it replays, where
the cassette lives, and that a test's replay ends with the test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptlayer_agents import Agents
from promptlayer_agents.sandbox import PromptLayerSandbox, Sandbox
from promptlayer_agents.sandbox._cassette import load
from promptlayer_agents.sandbox._record_modes import Cassettes, default_name


@pytest.fixture
def plugin_sandbox() -> Iterator[PromptLayerSandbox]:
    sandbox = PromptLayerSandbox()
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _greet(url: str, key: str, name: str = "Ada") -> str:
    with Agents(api_key=key, base_url=url) as agents:
        result = agents.run_and_wait("greeter", input_variables={"name": name}, poll_interval=0.05)
    return str(result.output)


def _settings(tmp_path: Path, mode: str, upstream: Sandbox, used: list[str]) -> Cassettes:
    return Cassettes(
        mode=mode,
        directory=tmp_path,
        default_name=default_name("test_mod", "test_x[a/b c]"),
        upstream=upstream.url,
        api_key=upstream.api_key,
        use_key=used.append,
    )


def test_once_records_a_missing_cassette_then_replays_it(
    plugin_sandbox: PromptLayerSandbox, tmp_path: Path
) -> None:
    used: list[str] = []
    with Sandbox() as upstream:
        plugin_sandbox.cassettes = _settings(tmp_path, "once", upstream, used)
        path = plugin_sandbox.replay()
        assert _greet(plugin_sandbox.url, upstream.api_key) == "Hello, Ada!"
        assert upstream.state.requests["POST run"] == 1  # recorded through to upstream
    assert path == tmp_path / "cassettes" / "test_mod" / "test_x_a_b_c_.yaml"
    assert used == [upstream.api_key]  # the test's client was given the key to forward

    plugin_sandbox.reset()  # the next session: a new record of what it recorded
    plugin_sandbox.cassettes = dataclasses.replace(plugin_sandbox.cassettes, recorded=set())
    assert plugin_sandbox.replay() == path  # it exists now: replayed, upstream gone
    assert _greet(plugin_sandbox.url, plugin_sandbox.api_key) == "Hello, Ada!"
    assert plugin_sandbox.runs == []  # replayed, not executed
    assert len(used) == 1


@pytest.mark.parametrize("mode", ["once", "all"])
def test_a_shared_cassette_holds_every_test_of_the_session_that_recorded_it(
    plugin_sandbox: PromptLayerSandbox, tmp_path: Path, mode: str
) -> None:
    (tmp_path / "shared.yaml").write_text("left from an older session", encoding="utf-8")
    if mode == "once":
        (tmp_path / "shared.yaml").unlink()
    session: set[Path] = set()
    with Sandbox() as upstream:
        for name in ("Ada", "Bo"):  # two tests of one session, one cassette
            settings = _settings(tmp_path, mode, upstream, [])
            plugin_sandbox.cassettes = dataclasses.replace(settings, recorded=session)
            path = plugin_sandbox.replay("shared.yaml")
            _greet(plugin_sandbox.url, upstream.api_key, name)
            plugin_sandbox.reset()

    assert [run.input_variables for run in load(path).runs] == [{"name": "Ada"}, {"name": "Bo"}]
    plugin_sandbox.cassettes = Cassettes(mode="none", directory=tmp_path)  # the next session
    for name in ("Bo", "Ada"):
        plugin_sandbox.replay("shared.yaml")
        assert _greet(plugin_sandbox.url, plugin_sandbox.api_key, name) == f"Hello, {name}!"
        plugin_sandbox.reset()


def test_none_replays_only_and_names_a_missing_cassette(
    plugin_sandbox: PromptLayerSandbox, tmp_path: Path
) -> None:
    with Sandbox() as upstream:
        plugin_sandbox.cassettes = _settings(tmp_path, "none", upstream, [])

        with pytest.raises(
            ValueError, match=r"no cassette .*mine\.yaml to replay \(record mode none\)"
        ):
            plugin_sandbox.replay("mine.yaml")
        assert upstream.state.requests == {}


def test_recording_without_a_key_says_what_is_missing(
    plugin_sandbox: PromptLayerSandbox, tmp_path: Path
) -> None:
    plugin_sandbox.cassettes = Cassettes(mode="once", directory=tmp_path, api_key=None)

    with pytest.raises(ValueError, match="needs PROMPTLAYER_API_KEY"):
        plugin_sandbox.replay("new.yaml")
    assert not (tmp_path / "new.yaml").exists()


def test_reset_ends_a_replay(plugin_sandbox: PromptLayerSandbox, tmp_path: Path) -> None:
    with Sandbox() as upstream:
        plugin_sandbox.cassettes = _settings(tmp_path, "once", upstream, [])
        plugin_sandbox.replay("c.yaml")
        _greet(plugin_sandbox.url, upstream.api_key)
    plugin_sandbox.reset()
    plugin_sandbox.replay("c.yaml")

    plugin_sandbox.reset()
    plugin_sandbox.add_agent(Sandbox().state.catalog.find("greeter").versions[0])  # type: ignore[union-attr]

    assert _greet(plugin_sandbox.url, plugin_sandbox.api_key, "Cy") == "Hello, Cy!"  # executed
    assert [run.agent for run in plugin_sandbox.runs] == ["greeter"]


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="one of none, once, all, not 'sometimes'"):
        Cassettes(mode="sometimes")

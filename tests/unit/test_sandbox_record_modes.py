"""Record and replay options: which combinations are refused and how, what each one makes the
sandbox do (execute, record or replay), and where a test's cassette lives under each record mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from promptlayer_agents.sandbox._app import SandboxState, create_app
from promptlayer_agents.sandbox._cassette import AgentExchange, Answer, CassetteError, dump, load
from promptlayer_agents.sandbox._record_modes import Cassettes, default_name
from promptlayer_agents.sandbox._recorder import DEFAULT_UPSTREAM, Recorder
from promptlayer_agents.sandbox._replayer import Replayer
from promptlayer_agents.sandbox._tapes import tape_for

from .sandbox_calls import share_tls, state_of

KEPT = AgentExchange("greeter", None, None, Answer(200, body={"kept": True}))
DEFINED = AgentExchange(
    "recorded-bot",
    None,
    None,
    Answer(200, body={"workflow_name": "recorded-bot", "version": 1, "nodes": []}),
)


@pytest.fixture
def state(monkeypatch: pytest.MonkeyPatch) -> SandboxState:
    share_tls(monkeypatch)
    return state_of(create_app({"agents": []}))


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    path = tmp_path / "recorded.yaml"
    path.write_text(dump([]), encoding="utf-8")
    return path


# -- tape_for -----------------------------------------------------------------------------------


def test_no_cassette_means_executing(state: SandboxState) -> None:
    assert tape_for(state) is None
    assert tape_for(state, fallback="none") is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"record": "a.yaml", "replay": "b.yaml"},
            "record and replay exclude each other: give one cassette",
        ),
        ({"upstream": "http://u.test"}, "upstream and redact_inputs go with record=FILE"),
        ({"redact_inputs": ["x"]}, "upstream and redact_inputs go with record=FILE"),
        ({"redact_inputs": "x"}, "upstream and redact_inputs go with record=FILE"),
        ({"speed": 2}, "speed and fallback go with replay=FILE"),
        ({"fallback": "execute"}, "speed and fallback go with replay=FILE"),
        ({"replay": "b.yaml", "fallback": "run"}, "fallback is one of none, execute, not 'run'"),
        ({"record": "a.yaml", "fallback": "none", "speed": 1.0, "replay": None}, None),
    ],
)
def test_options_that_do_not_go_together_are_refused_with_the_reason(
    state: SandboxState, tmp_path: Path, options: dict[str, Any], message: str | None
) -> None:
    options = {
        k: tmp_path / v if k in ("record", "replay") and v else v for k, v in options.items()
    }
    if message is None:
        assert isinstance(tape_for(state, **options), Recorder)
        return
    with pytest.raises(ValueError) as caught:
        tape_for(state, **options)
    assert str(caught.value) == message
    assert list(tmp_path.iterdir()) == []  # nothing recorded or started


def test_record_makes_a_recording_proxy_with_the_options_given(
    state: SandboxState, tmp_path: Path
) -> None:
    (tmp_path / "kept.yaml").write_text(dump([]), encoding="utf-8")

    default = tape_for(state, record=tmp_path / "a.yaml")
    chosen = tape_for(
        state, record=tmp_path / "b.yaml", upstream="http://u.test", redact_inputs="token"
    )
    fresh = tape_for(state, record=tmp_path / "kept.yaml", append=False)

    assert isinstance(default, Recorder) and isinstance(chosen, Recorder)
    assert (default.upstream, default.redact_inputs) == (DEFAULT_UPSTREAM, frozenset())
    assert (chosen.upstream, chosen.redact_inputs) == ("http://u.test", frozenset({"token"}))
    assert isinstance(fresh, Recorder) and fresh.writer.interactions == []
    assert isinstance(tape_for(state, record=tmp_path / "a.yaml"), Recorder)


def test_appending_is_the_default_when_recording(state: SandboxState, tmp_path: Path) -> None:
    path = tmp_path / "kept.yaml"
    path.write_text(dump([KEPT]), encoding="utf-8")

    recorder = tape_for(state, record=path, redact_inputs=["a", "b"])

    assert isinstance(recorder, Recorder) and recorder.redact_inputs == {"a", "b"}
    assert recorder.writer.path == path
    assert load(path).interactions == (KEPT,)


def test_replay_with_fallback_serves_the_recorded_definitions(
    state: SandboxState, tmp_path: Path
) -> None:
    path = tmp_path / "defs.yaml"
    path.write_text(dump([DEFINED]), encoding="utf-8")

    tape_for(state, replay=path, fallback="execute")

    assert state.catalog.names == ["recorded-bot"]


@pytest.mark.parametrize(
    ("fallback", "executes"), [(None, False), ("none", False), ("execute", True)]
)
def test_replay_makes_a_replayer_at_the_speed_and_fallback_given(
    state: SandboxState, cassette: Path, fallback: str | None, executes: bool
) -> None:
    replayer = tape_for(state, replay=cassette, speed=3, fallback=fallback)

    assert isinstance(replayer, Replayer)
    assert (replayer.speed, replayer.fallback) == (3.0, executes)
    assert replayer.cassette.path == str(cassette)


def test_replay_refuses_a_bad_speed_and_a_cassette_that_does_not_load(
    state: SandboxState, tmp_path: Path, cassette: Path
) -> None:
    with pytest.raises(ValueError, match="speed must be a number > 0"):
        tape_for(state, replay=cassette, speed=0)
    with pytest.raises(CassetteError, match=r"missing\.yaml: no such file"):
        tape_for(state, replay=tmp_path / "missing.yaml")


# -- Cassettes ----------------------------------------------------------------------------------


def test_an_unknown_record_mode_is_refused_naming_the_modes() -> None:
    with pytest.raises(ValueError, match="the record mode is one of none, once, all, not 'new'"):
        Cassettes(mode="new")


def test_the_defaults_replay_only_from_the_working_folder() -> None:
    settings = Cassettes()

    assert (settings.mode, settings.directory) == ("none", Path.cwd())
    assert (settings.upstream, settings.api_key, settings.recorded) == (
        DEFAULT_UPSTREAM,
        None,
        set(),
    )
    settings.use_key("pl_any")  # outside pytest there is no environment to point at the key


def test_a_cassette_path_is_the_one_given_or_the_tests_own(tmp_path: Path) -> None:
    settings = Cassettes(directory=tmp_path, default_name="test_mod/test_a.yaml")

    assert settings.path("x/c.yaml") == tmp_path / "x" / "c.yaml"
    assert settings.path(tmp_path.parent / "abs.yaml") == tmp_path.parent / "abs.yaml"
    assert settings.path(None) == tmp_path / "cassettes" / "test_mod" / "test_a.yaml"
    with pytest.raises(ValueError) as caught:
        Cassettes(directory=tmp_path).path(None)
    assert str(caught.value) == "replay() needs a cassette path outside a pytest test"


@pytest.mark.parametrize(
    ("mode", "exists", "recorded", "records"),
    [
        ("none", False, False, False),
        ("none", True, True, False),
        ("once", False, False, True),
        ("once", True, False, False),
        ("once", True, True, True),  # shared, started this session: goes on recording
        ("all", True, False, True),
        ("all", False, False, True),
    ],
)
def test_each_mode_records_or_replays(
    tmp_path: Path, mode: str, exists: bool, recorded: bool, records: bool
) -> None:
    path = tmp_path / "c.yaml"
    if exists:
        path.write_text(dump([]), encoding="utf-8")
    settings = Cassettes(mode=mode, recorded={path} if recorded else set())

    assert settings.records(path) is records


def test_replaying_a_missing_cassette_says_how_to_record_it(
    state: SandboxState, tmp_path: Path
) -> None:
    settings = Cassettes(directory=tmp_path)

    with pytest.raises(ValueError) as caught:
        settings.use(state, "gone.yaml", 1.0, None, ())

    assert str(caught.value) == (
        f"no cassette {tmp_path / 'gone.yaml'} to replay (record mode none): "
        "record it with pytest --promptlayer-record=once"
    )
    assert state.tape is None


@pytest.mark.parametrize("mode", ["none", "once"])
def test_replaying_sets_the_sandbox_to_replay_the_cassette(
    state: SandboxState, tmp_path: Path, mode: str
) -> None:
    keys: list[str] = []
    cassette = tmp_path / "defs.yaml"
    cassette.write_text(dump([DEFINED]), encoding="utf-8")
    settings = Cassettes(mode=mode, directory=tmp_path, api_key="pl_live", use_key=keys.append)

    assert settings.use(state, cassette.name, 2.0, "execute", ()) == cassette
    assert state.catalog.names == ["recorded-bot"]  # the fallback serves what was recorded

    assert isinstance(state.tape, Replayer)
    assert (state.tape.speed, state.tape.fallback) == (2.0, True)
    assert keys == [] and settings.recorded == set()  # the client keeps the sandbox's key


@pytest.mark.parametrize("key", [None, ""])
def test_recording_without_a_key_is_refused_naming_the_variable(
    state: SandboxState, tmp_path: Path, key: str | None
) -> None:
    settings = Cassettes(mode="all", directory=tmp_path, upstream="http://u.test", api_key=key)

    with pytest.raises(ValueError) as caught:
        settings.use(state, "c.yaml", 1.0, None, ())

    assert str(caught.value) == (
        f"recording {tmp_path / 'c.yaml'} needs PROMPTLAYER_API_KEY in the environment: the key "
        "the sandbox forwards to http://u.test"
    )
    assert not (tmp_path / "c.yaml").exists()


def test_recording_starts_a_cassette_then_appends_to_it_and_hands_over_the_key(
    state: SandboxState, cassette: Path
) -> None:
    keys: list[str] = []
    settings = Cassettes(
        mode="all",
        directory=cassette.parent,
        upstream="http://u.test",
        api_key="pl_live",
        use_key=keys.append,
    )
    cassette.write_text(dump([]).replace("interactions: []", "interactions: [x]"), "utf-8")

    settings.use(state, cassette, 1.0, None, ["token"])  # the first: started afresh
    first = state.tape
    assert isinstance(first, Recorder) and first.writer.interactions == []
    first.writer.append(KEPT)
    settings.use(state, cassette, 1.0, None, ())  # the second: appended
    assert load(cassette).interactions == (KEPT,)

    assert isinstance(first, Recorder) and isinstance(state.tape, Recorder)
    assert (first.upstream, first.redact_inputs) == ("http://u.test", frozenset({"token"}))
    assert settings.recorded == {cassette}
    assert keys == ["pl_live", "pl_live"]


@pytest.mark.parametrize(
    ("test", "name"),
    [
        ("test_a", "test_mod/test_a.yaml"),
        ("test_a[x/y z]", "test_mod/test_a_x_y_z_.yaml"),
        ("test_a[ü-1.5]", "test_mod/test_a__-1.5_.yaml"),
        ("test_Upper[Z9]", "test_mod/test_Upper_Z9_.yaml"),
    ],
)
def test_a_tests_cassette_name_holds_only_safe_characters(test: str, name: str) -> None:
    assert default_name("test_mod", test) == name

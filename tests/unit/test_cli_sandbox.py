"""`promptlayer-agents sandbox` up to the point where it serves: the options checked while parsing,
each option handed to the sandbox it builds, the banner that says where it serves and with which
key, and what a setup that fails prints. Serving itself is replaced by a recorder; the real server
runs in tests/integration/test_sandbox_cli.py."""

from __future__ import annotations

import io
import json
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

import promptlayer_agents.sandbox as sandbox_package
from promptlayer_agents.cli import main
from promptlayer_agents.sandbox import _server, _tapes
from promptlayer_agents.sandbox._connections import ConnectionTimeouts
from promptlayer_agents.sandbox._limits import DEFAULT_MAX_BODY_BYTES
from promptlayer_agents.sandbox._memory import DEFAULT_MAX_STORED_BYTES

Calls = dict[str, dict[str, Any]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """What the command built the sandbox with, and served it with (`serve` returns at once,
    as after Ctrl-C, and records whether the socket was still open)."""
    seen: Calls = {}
    real_app, real_tape = sandbox_package.create_app, _tapes.tape_for

    def create_app(agents: Any, **options: Any) -> Any:
        seen["app"] = {"agents": agents, **options}
        seen["made"] = {"app": real_app(agents, **options)}
        return seen["made"]["app"]

    def tape_for(state: Any, **options: Any) -> Any:
        seen["tape"] = options
        return real_tape(state, **options)

    def serve(sock: socket.socket, app: Any, **options: Any) -> None:
        url = _server.url_of(sock)
        seen["serve"] = {"open": sock.fileno() != -1, "sock": sock, "url": url, "app": app}
        seen["serve"].update(options)
        raise KeyboardInterrupt  # how uvicorn ends on Ctrl-C

    monkeypatch.setattr(sandbox_package, "create_app", create_app)
    monkeypatch.setattr(_tapes, "tape_for", tape_for)
    monkeypatch.setattr(_server, "serve", serve)
    return seen


def test_the_defaults_serve_the_demo_agents_on_port_8765_with_the_sandbox_key(
    calls: Calls, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bound: list[tuple[str, int]] = []
    real_bind = _server.bind

    def bind(host: str, port: int) -> socket.socket:
        bound.append((host, port))
        return real_bind(host, 0)  # 8765 may be taken on this machine

    monkeypatch.setattr(_server, "bind", bind)
    names = _agent_names()

    assert main(["sandbox"]) == 0

    out = capsys.readouterr().out
    url = calls["serve"]["url"]
    assert bound == [("127.0.0.1", 8765)]
    assert out.splitlines() == [
        f"PromptLayer sandbox serving {url} with API key pl_sandbox",
        f"Agents: {', '.join(names)}",
        "Point a client at it:",
        f"  export PROMPTLAYER_BASE_URL={url}",
        "  export PROMPTLAYER_API_KEY=pl_sandbox",
        "Press Ctrl-C to stop.",
        "Sandbox stopped.",
    ]
    app = calls["app"]
    assert app["agents"] is None and app["api_key"] == "pl_sandbox"
    assert (app["max_executions"], app["allow_remote_callbacks"]) == (1000, False)
    assert (app["max_body_bytes"], app["max_stored_bytes"]) == (
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_STORED_BYTES,
    )
    faults = app["faults"]
    assert (faults.latency, faults.rate_limit, faults.unavailable, faults.drop) == (0, 0, 0, 0)
    assert (faults.retry_after, faults.seed) == (1, None)
    served = calls["serve"]
    assert served["app"] is calls["made"]["app"]
    assert served["open"] and served["sock"].fileno() == -1  # closed once serving ended
    assert (served["log_level"], served["access_log"]) == ("info", False)
    assert (served["max_connections"], served["max_header_bytes"]) == (
        _server.DEFAULT_MAX_CONNECTIONS,
        _server.DEFAULT_MAX_HEADER_BYTES,
    )
    assert served["timeouts"] == ConnectionTimeouts()
    assert calls["tape"] == {
        "record": None,
        "upstream": None,
        "redact_inputs": [],
        "replay": None,
        "speed": 1.0,
        "fallback": "none",
    }


def _agent_names() -> list[str]:
    return list(sandbox_package.create_app(None).state.sandbox.catalog.names)


def test_every_option_reaches_the_sandbox(
    calls: Calls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agents = tmp_path / "agents.json"
    agents.write_text(json.dumps({"agents": [{"workflow_name": "solo", "versions": [{}]}]}))

    code = main(
        [
            "sandbox",
            "--port", "0",
            "--agents", str(agents),
            "--api-key", "pl_mine",
            "--latency", "0.5",
            "--rate-limit", "0.1",
            "--unavailable", "0.2",
            "--drop", "0.3",
            "--retry-after", "7",
            "--seed", "11",
            "--max-executions", "5",
            "--allow-remote-callbacks",
            "--max-body-bytes", "1234",
            "--max-stored-bytes", "5678",
            "--idle-timeout", "1.5",
            "--header-timeout", "2.5",
            "--body-timeout", "3.5",
            "--max-connections", "9",
            "--max-header-bytes", "4096",
            "--log-level", "warning",
            "--access-log",
        ]
    )  # fmt: skip

    assert code == 0
    out = capsys.readouterr().out
    assert " with API key pl_mine\nAgents: solo\n" in out
    assert "  export PROMPTLAYER_API_KEY=pl_mine\n" in out
    app = calls["app"]
    assert (app["agents"], app["api_key"], app["max_executions"]) == (str(agents), "pl_mine", 5)
    assert app["allow_remote_callbacks"] is True
    assert (app["max_body_bytes"], app["max_stored_bytes"]) == (1234, 5678)
    faults = app["faults"]
    assert (faults.latency, faults.rate_limit, faults.unavailable, faults.drop) == (
        0.5,
        0.1,
        0.2,
        0.3,
    )
    assert (faults.retry_after, faults.seed) == (7, 11)
    served = calls["serve"]
    assert (served["log_level"], served["access_log"]) == ("warning", True)
    assert (served["max_connections"], served["max_header_bytes"]) == (9, 4096)
    assert served["timeouts"] == ConnectionTimeouts(idle=1.5, header=2.5, body=3.5)


def test_connection_options_before_the_command_do_not_trouble_the_sandbox(
    calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--base-url", "http://127.0.0.1:9", "sandbox", "--port", "0"])

    assert code == 0
    assert "serve" in calls


def test_a_recording_proxy_says_where_it_forwards_and_keeps_the_callers_key(
    calls: Calls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "tape.jsonl"

    code = main(
        [
            "sandbox",
            "--port", "0",
            "--record", str(cassette),
            "--upstream", "http://127.0.0.1:9",
            "--redact-input", "secret",
            "--redact-input", "other",
        ]
    )  # fmt: skip

    assert code == 0
    url = calls["serve"]["url"]
    assert capsys.readouterr().out.splitlines() == [
        f"PromptLayer recording proxy serving {url}",
        f"Forwarding to http://127.0.0.1:9 with each caller's key; recording {cassette}",
        "Point a client at it:",
        f"  export PROMPTLAYER_BASE_URL={url}",
        "  # and keep your own PROMPTLAYER_API_KEY: the proxy forwards it",
        "Press Ctrl-C to stop.",
        "Sandbox stopped.",
    ]
    tape = calls["tape"]
    assert (tape["record"], tape["upstream"]) == (str(cassette), "http://127.0.0.1:9")
    assert tape["redact_inputs"] == ["secret", "other"]


def test_a_recording_proxy_forwards_to_promptlayer_by_default(
    calls: Calls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "tape.jsonl"

    main(["sandbox", "--port", "0", "--record", str(cassette)])

    assert (
        f"Forwarding to https://api.promptlayer.com with each caller's key; recording {cassette}"
        in (capsys.readouterr().out)
    )


def test_a_replay_says_what_it_plays_how_fast_and_its_fallback(
    calls: Calls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "tape.jsonl"
    cassette.write_text("promptlayer_cassette: 1\ninteractions: []\ncomplete: true\n", "utf-8")

    code = main(
        [
            "sandbox",
            "--port",
            "0",
            "--replay",
            str(cassette),
            "--speed",
            "2.5",
            "--fallback",
            "execute",
        ]
    )

    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"Replaying {cassette} at speed 2.5 (fallback: execute)"
    assert "Agents:" not in " ".join(out)
    assert out[-3] == "  export PROMPTLAYER_API_KEY=pl_sandbox"
    tape = calls["tape"]
    assert (tape["replay"], tape["speed"], tape["fallback"]) == (str(cassette), 2.5, "execute")


RECORDED_AGENT = """\
promptlayer_cassette: 1
interactions:
- agent: {agent: recorded-bot, label: null, version: null}
  answer:
    status: 200
    body:
      success: true
      workflow_id: 77
      workflow_name: recorded-bot
      version: 1
      workflow_version_id: 1
      edges: []
      nodes:
      - id: n1
        name: Out
        node_type: VARIABLE
        is_output_node: true
        configuration: {value: {type: string, value: hi}}
        dependencies: []
complete: true
"""


def test_a_replay_that_falls_back_to_executing_serves_the_recorded_agents(
    calls: Calls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "tape.yaml"
    cassette.write_text(RECORDED_AGENT, "utf-8")

    code = main(["sandbox", "--port", "0", "--replay", str(cassette), "--fallback", "execute"])

    assert code == 0
    assert "recorded-bot" in calls["made"]["app"].state.sandbox.catalog.names


def test_a_setup_that_fails_is_one_line_and_a_usage_error(
    calls: Calls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sandbox", "--port", "0", "--agents", str(tmp_path / "missing.yaml")])

    shown = capsys.readouterr()
    assert code == 2 and shown.out == ""
    assert shown.err.startswith("promptlayer-agents sandbox: ") and shown.err.count("\n") == 1
    assert "missing.yaml" in shown.err
    assert "serve" not in calls


def test_a_bad_address_is_reported_as_it_is(
    calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["sandbox", "--host", "no such host!", "--port", "0"])

    err = capsys.readouterr().err
    assert code == 2 and err.startswith("promptlayer-agents sandbox: ")
    assert "in use" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--rate-limit", "1.5"], "argument --rate-limit: 1.5 is not a fraction between 0 and 1"),
        (["--drop", "-0.1"], "argument --drop: -0.1 is not a fraction between 0 and 1"),
        (["--unavailable", "x"], "argument --unavailable: invalid _fraction value: 'x'"),
        (["--max-body-bytes", "0"], "argument --max-body-bytes: must be at least 1, not 0"),
        (
            ["--idle-timeout", "0"],
            "argument --idle-timeout: must be a number of seconds > 0, not 0",
        ),
        (
            ["--body-timeout", "inf"],
            "argument --body-timeout: must be a number of seconds > 0, not inf",
        ),
        (["--speed", "0"], "argument --speed: must be a number > 0, not 0"),
        (["--speed", "nan"], "argument --speed: must be a number > 0, not nan"),
        (["--fallback", "maybe"], "argument --fallback: invalid choice: 'maybe'"),
        (
            ["--record", "a", "--replay", "b"],
            "argument --replay: not allowed with argument --record",
        ),
    ],
)
def test_bad_options_stop_the_command_while_parsing(
    argv: list[str], said: str, calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", *argv])

    assert exited.value.code == 2
    assert f"promptlayer-agents sandbox: error: {said}" in capsys.readouterr().err
    assert calls == {}


@pytest.mark.parametrize(
    ("argv", "accepted"),
    [
        (["--rate-limit", "0", "--drop", "1"], True),
        (["--max-connections", "1", "--idle-timeout", "0.001"], True),
    ],
)
def test_the_bounds_themselves_are_accepted(
    argv: list[str], accepted: bool, calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "--port", "0", *argv]) == 0


def test_a_port_in_use_says_which_and_how_to_get_a_free_one(
    calls: Calls, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        code = main(["sandbox", "--port", str(port)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"promptlayer-agents sandbox: port {port} on 127.0.0.1 is in use; choose another with "
        "--port N, or --port 0 for any free port\n"
    )


def test_the_banner_is_out_before_serving_begins(
    calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script reading the address from a pipe gets it while the sandbox serves."""
    piped = io.BytesIO()
    stdout = io.TextIOWrapper(piped, encoding="utf-8", write_through=False)
    monkeypatch.setattr(sys, "stdout", stdout)
    seen: list[bytes] = []
    recorder: Any = _server.serve  # the fixture's recorder

    def serve(sock: socket.socket, app: object, **options: object) -> None:
        seen.append(piped.getvalue())
        recorder(sock, app, **options)

    monkeypatch.setattr(_server, "serve", serve)

    assert main(["sandbox", "--port", "0"]) == 0

    assert seen[0].decode().endswith("Press Ctrl-C to stop.\n")
    assert b"export PROMPTLAYER_BASE_URL=http://127.0.0.1:" in seen[0]
    stdout.detach()


def test_without_the_sandbox_extra_it_says_what_to_install(
    calls: Calls, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "promptlayer_agents.sandbox._server", None)

    code = main(["sandbox", "--port", "0"])

    shown = capsys.readouterr()
    assert (code, shown.out) == (2, "")
    assert shown.err == (
        "the sandbox needs the 'sandbox' extra (promptlayer_agents.sandbox._server is missing): "
        "pip install 'promptlayer-agents[sandbox]'\n"
    )

"""The command line under bad arguments and unexpected failures: one readable line, a documented
exit code, never a traceback, never the API key, wherever `--api-key` is placed."""

from __future__ import annotations

import pytest

import promptlayer_agents as pa
from promptlayer_agents.cli import _agents, main
from promptlayer_agents.cli._common import (
    EXIT_API,
    EXIT_INTERNAL,
    MESSAGE_CHARS,
    one_line,
    report,
)

KEY = "pl_secret_do_not_show_0123"

USAGE_ERRORS = [
    ["--api-key", KEY],  # no command
    ["--api-key", KEY, "run"],  # no agent name
    ["--api-key", KEY, "bogus"],  # no such command
    [f"--api-key={KEY}", "run", "a", "--bogus"],
    ["run", "a", "--api-key", KEY, "--bogus", "x"],
    ["run", "a", f"--api-key={KEY}", "extra", "words"],
    ["run", "a", "--api", KEY, "--bogus"],  # argparse's abbreviation
    ["run", "a", "--apikey", KEY],  # a look-alike argparse echoes back as unrecognized
    ["--api_key", KEY, "run", "a"],
]


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=" ".join)
def test_usage_errors_never_echo_the_key(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)

    shown = capsys.readouterr()
    assert exited.value.code == 2
    assert "error:" in shown.err
    assert KEY not in shown.out + shown.err


def _raise(error: BaseException) -> object:
    def client(*args: object, **kwargs: object) -> object:
        raise error

    return client


@pytest.mark.parametrize("position", ["before", "after"])
def test_an_unexpected_exception_is_one_line_and_exit_70(
    position: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_agents, "client", _raise(RuntimeError(f"boom {KEY}\n" + "x" * 5000)))
    key = ["--api-key", KEY]
    argv = [*key, "get", "a"] if position == "before" else ["get", "a", *key]

    code = main(argv)

    shown = capsys.readouterr().err
    assert code == EXIT_INTERNAL
    assert shown.startswith("promptlayer-agents: internal error: RuntimeError: boom ***")
    assert shown.count("\n") == 1 and "Traceback" not in shown
    assert KEY not in shown
    assert len(shown) < MESSAGE_CHARS + 100


def test_the_key_from_the_environment_is_masked_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROMPTLAYER_API_KEY", KEY)
    monkeypatch.setattr(_agents, "client", _raise(pa.APIConnectionError(f"sent {KEY}")))

    code = main(["get", "a"])

    assert code == EXIT_API
    assert KEY not in capsys.readouterr().err


def test_a_long_error_is_cut_to_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    error = pa.BadRequestError(
        "line one\nline two\r\x1b[31m" + "y" * 10_000, status_code=400, body=None, request_id=None
    )

    code = report(error)

    shown = capsys.readouterr().err
    assert code == EXIT_API
    assert shown.count("\n") == 1 and "\x1b" not in shown and "\r" not in shown
    assert "line one line two" in shown
    assert len(shown) < MESSAGE_CHARS + 100


def test_a_cut_message_says_so() -> None:
    cut = one_line("z" * 1000)

    assert len(cut) == MESSAGE_CHARS and cut.endswith("…")
    assert one_line("short") == "short"


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "soon"])
@pytest.mark.parametrize(
    "command", [["run", "bot"], ["batch", "bot", "--inputs", "i", "--out", "o"]]
)
def test_a_bad_timeout_stops_the_command_before_anything_is_sent(
    command: list[str], value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked while parsing: no client is made, so no run can start."""
    with pytest.raises(SystemExit) as stopped:
        main([*command, "--timeout", value, "--base-url", "http://127.0.0.1:9"])

    assert stopped.value.code == 2
    assert "--timeout" in capsys.readouterr().err


def test_an_ambiguous_abbreviation_of_api_key_is_masked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "bot", "--a=pl_secret_value"])

    assert "pl_secret_value" not in capsys.readouterr().err

"""How the command line reports: each error class's exit code and hint, the line printed for a
timeout, a usage error or a bug, the checks made while parsing (--timeout, --out), and the
options every command shares (--api-key and --base-url before or after the command, -q and -v,
--version)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

import pytest

import promptlayer_agents as pa
from promptlayer_agents._config import DEFAULT_WAIT_DEADLINE
from promptlayer_agents._secrets import Secrets
from promptlayer_agents.cli import _agents, main
from promptlayer_agents.cli._common import (
    EXIT_CODES,
    EXIT_MEANINGS,
    MESSAGE_CHARS,
    exit_code,
    one_line,
    output_path,
    report,
    report_unexpected,
    seconds,
    usage_error,
)
from promptlayer_agents.cli._main import command_secrets, given_keys, parser


def _status(cls: type[pa.APIStatusError], code: int) -> pa.APIStatusError:
    return cls(f"HTTP {code}: no", status_code=code, body=None, request_id=None)


FAILED = pa.ExecutionResult(3, done=True, nodes={"A": pa.NodeState(status="FAILED")})

# Each error class: its exit code and the hint its line ends with ("" for none).
ERRORS: list[tuple[pa.PromptLayerError, int, str]] = [
    (_status(pa.AuthenticationError, 401), 3, " (check --api-key or PROMPTLAYER_API_KEY)"),
    (_status(pa.NotFoundError, 404), 3, " (check the agent name, version, label or execution id)"),
    (
        pa.APIConnectionError("refused"),
        3,
        " (check PROMPTLAYER_BASE_URL or --base-url, and the network)",
    ),
    (pa.APITimeoutError("slow"), 3, " (check PROMPTLAYER_BASE_URL or --base-url, and the network)"),
    (
        pa.ResponseValidationError("not JSON", status_code=200, excerpt="x"),
        3,
        " (check PROMPTLAYER_BASE_URL or --base-url, and the network)",
    ),
    (_status(pa.InternalServerError, 500), 3, ""),
    (_status(pa.PermissionDeniedError, 403), 3, ""),
    (pa.InvalidInputError("--inputs x: bad"), 2, ""),
    (
        pa.InvalidInputError("bad label", argument="label", problem="is empty"),
        2,
        " (check --label)",
    ),
    (pa.ConfigurationError("closed client"), 2, " (see --help)"),
    (
        pa.ConfigurationError("no key", argument="api_key", problem="no API key"),
        2,
        " (check --api-key or PROMPTLAYER_API_KEY)",
    ),
    (pa.ExecutionFailedError(FAILED), 1, ""),
]


@pytest.mark.parametrize(("error", "code", "hint"), ERRORS, ids=lambda e: type(e).__name__)
def test_each_error_has_its_exit_code_and_hint(
    error: pa.PromptLayerError, code: int, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report(error) == code == exit_code(error)

    shown = capsys.readouterr()
    assert shown.out == ""
    assert shown.err.startswith("promptlayer-agents: ") and shown.err.endswith(hint + "\n")
    assert shown.err.count("(check") + shown.err.count("(see") == (1 if hint else 0)


def test_an_argument_error_is_said_in_the_command_lines_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    error = pa.ConfigurationError("api_key: no API key", argument="api_key", problem="no API key")

    report(error)

    assert capsys.readouterr().err == (
        "promptlayer-agents: no API key (check --api-key or PROMPTLAYER_API_KEY)\n"
    )


def test_a_timeout_says_how_long_and_how_to_resume(capsys: pytest.CaptureFixture[str]) -> None:
    error = pa.WaitTimeoutError(12, waited=30.04, last_result=None)

    assert report(error) == 4

    assert capsys.readouterr().err == (
        "promptlayer-agents: execution 12 still running after 30.0s "
        "(resume with: promptlayer-agents results 12 --wait)\n"
    )


def test_a_reported_error_has_its_secrets_masked(capsys: pytest.CaptureFixture[str]) -> None:
    report(pa.APIConnectionError("sent pl_hidden_key"), Secrets.of(["pl_hidden_key"]))

    assert "pl_hidden_key" not in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_naming_its_type(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = report_unexpected(KeyError("pl_hidden_key"), Secrets.of(["pl_hidden_key"]))

    assert code == 70
    assert capsys.readouterr().err == (
        "promptlayer-agents: internal error: KeyError: '***' (this is a bug; please report it)\n"
    )


def test_a_usage_error_says_where_the_usage_is(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        usage_error("prog", "bad\nthing")

    assert exited.value.code == 2
    assert capsys.readouterr().err == "prog: error: bad thing (see prog --help)\n"


def test_the_exit_codes_are_listed_one_a_line_in_the_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = EXIT_CODES.splitlines()
    assert lines[0] == "exit codes:"
    assert lines[1:] == [f"  {code:<4} {meaning}" for code, meaning in EXIT_MEANINGS.items()]
    assert "  0    success" in lines and "  130  interrupted (Ctrl-C)" in lines

    with pytest.raises(SystemExit) as exited:
        main(["--help"])

    assert exited.value.code == 0
    assert EXIT_CODES in capsys.readouterr().out  # as written, not re-wrapped


# --- one line -----------------------------------------------------------------------------------


def test_a_message_is_cut_at_the_limit_and_says_so() -> None:
    assert one_line("x" * MESSAGE_CHARS) == "x" * MESSAGE_CHARS
    assert one_line("x" * (MESSAGE_CHARS + 1)) == "x" * (MESSAGE_CHARS - 1) + "…"
    assert one_line("abcdef", limit=4) == "abc…"


def test_an_html_page_keeps_the_text_before_it_and_its_request_id() -> None:
    page = "HTTP 503: '<HTML><HEAD><TITLE>Down\nfor now</TITLE></HEAD></HTML>' [request id r-1]"

    assert one_line(page) == "HTTP 503: Down for now [request id r-1]"


def test_an_html_page_without_a_title_gives_its_words_without_the_request_id_twice() -> None:
    page = "HTTP 502: <div><p>Bad   gateway</p></div> [request id r-2]"

    assert one_line(page) == "HTTP 502: Bad gateway [request id r-2]"


def test_a_page_without_a_request_id_ends_with_its_words() -> None:
    assert one_line("not JSON: <p>Sign in</p>") == "not JSON: Sign in"


def test_only_quotes_and_spaces_around_a_page_are_taken_off() -> None:
    assert one_line("proxy BOX <p>Retry in 5 MAX</p>") == "proxy BOX Retry in 5 MAX"


def test_line_breaks_written_as_backslash_n_become_spaces() -> None:
    assert one_line("not JSON (HTTP 200): 'a\\nb\\n'") == "not JSON (HTTP 200): 'a b '"


def test_text_that_only_mentions_a_tag_is_not_a_page() -> None:
    assert one_line("a <b> c <pre> d") == "a <b> c <pre> d"


def test_secrets_are_masked_before_anything_else() -> None:
    assert one_line("key pl_k\nend", Secrets.of(["pl_k"])) == "key *** end"


# --- checked while parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("1", 1.0), ("0.25", 0.25), (" 2 ", 2.0)])
def test_seconds_takes_any_finite_number_above_zero(text: str, value: float) -> None:
    assert seconds(text) == value


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("soon", "'soon' is not a number of seconds"),
        ("0", "must be a finite number of seconds > 0, not 0"),
        ("-1", "must be a finite number of seconds > 0, not -1"),
        ("inf", "must be a finite number of seconds > 0, not inf"),
        ("nan", "must be a finite number of seconds > 0, not nan"),
    ],
)
def test_seconds_refuses_anything_else_saying_why(text: str, said: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        seconds(text)

    assert str(refused.value) == said


def test_the_timeout_defaults_to_the_clients_wait_deadline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in ("run", "results"):
        args = parser().parse_args([command, "1"])
        assert args.timeout == DEFAULT_WAIT_DEADLINE
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert (
        f"give up waiting for the execution after S seconds (default {DEFAULT_WAIT_DEADLINE:.0f})"
        in help_text
    )


def test_an_output_path_in_an_existing_directory_is_taken(tmp_path: Path) -> None:
    assert output_path(str(tmp_path / "out.jsonl")) == tmp_path / "out.jsonl"
    assert output_path("relative.jsonl") == Path("relative.jsonl")  # the current directory


def test_an_output_path_under_a_file_or_a_missing_directory_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("", "utf-8")

    with pytest.raises(argparse.ArgumentTypeError) as under_file:
        output_path(str(afile / "out.jsonl"))
    with pytest.raises(argparse.ArgumentTypeError) as missing:
        output_path(str(tmp_path / "no" / "out.jsonl"))

    assert str(under_file.value) == f"{str(afile)!r} is not a directory"
    assert str(missing.value) == (
        f"no directory {str(tmp_path / 'no')!r} to write 'out.jsonl' in: create it first"
    )


# --- the options every command shares ------------------------------------------------------------


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What `client()` is asked for, instead of making one: the handler then stops."""
    asked: dict[str, Any] = {}

    def client(args: argparse.Namespace) -> Any:
        asked.update(api_key=args.api_key, base_url=args.base_url, verbosity=args.verbosity)
        raise pa.APIConnectionError("stop here")

    monkeypatch.setattr(_agents, "client", client)
    return asked


@pytest.mark.parametrize(
    ("argv", "key", "url"),
    [
        (["--api-key", "A", "--base-url", "http://u", "get", "x"], "A", "http://u"),
        (["get", "x", "--api-key", "B", "--base-url", "http://v"], "B", "http://v"),
        (
            ["--api-key", "A", "--base-url", "http://u", "get", "x", "--api-key", "B"],
            "B",
            "http://u",
        ),
        (["--base-url", "http://u", "get", "x", "--base-url", "http://v"], None, "http://v"),
        (["get", "x"], None, None),
    ],
)
def test_connection_options_count_before_the_command_and_after_wins(
    argv: list[str], key: str | None, url: str | None, connection: dict[str, Any]
) -> None:
    assert main(argv) == 3

    assert (connection["api_key"], connection["base_url"]) == (key, url)


@pytest.mark.parametrize(
    ("argv", "verbosity"),
    [
        (["get", "x"], 0),
        (["-v", "get", "x"], 1),
        (["--verbose", "get", "x"], 1),
        (["get", "x", "-q"], -1),
        (["--quiet", "get", "x"], -1),
        (["-q", "get", "x", "-v"], 1),  # after the command wins
        (["-v", "get", "x", "--quiet"], -1),
    ],
)
def test_quiet_and_verbose_before_or_after_the_command(
    argv: list[str], verbosity: int, connection: dict[str, Any]
) -> None:
    main(argv)

    assert connection["verbosity"] == verbosity
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}[verbosity]
    assert logging.getLogger("promptlayer_agents").level == level


def test_quiet_and_verbose_together_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["get", "x", "-q", "-v"])

    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_version_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert (
        capsys.readouterr().out == f"promptlayer-agents {metadata.version('promptlayer-agents')}\n"
    )
    assert "print the version and exit" in parser().format_help()


def test_without_arguments_main_reads_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["promptlayer-agents", "get", "--api-key", "pl_argv"])

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "promptlayer-agents get: error: the following arguments are required: NAME_OR_ID "
        "(see promptlayer-agents get --help)\n"
    )


def test_the_parser_alone_masks_the_key_in_its_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["promptlayer-agents", "--api-key", "pl_alone", "pl_alone"])

    with pytest.raises(SystemExit):
        parser().parse_args()

    assert capsys.readouterr().err == (
        "promptlayer-agents: error: argument COMMAND: invalid choice: '***' (choose from "
        "'run', 'results', 'get', 'batch', 'sandbox') (see promptlayer-agents --help)\n"
    )
    with pytest.raises(SystemExit):
        parser().parse_args(["run", "a", "--api-key", "pl_sub", "--timeout", "pl_sub"])
    assert "pl_sub" not in capsys.readouterr().err


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])

    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "promptlayer-agents: error: the following arguments are required: COMMAND "
        "(see promptlayer-agents --help)\n"
    )


def test_a_subcommands_usage_error_names_it_and_masks_a_key_given_before_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--api-key", "pl_before", "run", "a", "--timeout", "pl_before"])

    assert capsys.readouterr().err == (
        "promptlayer-agents run: error: argument --timeout: '***' is not a number of seconds "
        "(see promptlayer-agents run --help)\n"
    )


def test_ctrl_c_outside_a_wait_says_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def client(args: argparse.Namespace) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(_agents, "client", client)

    assert main(["get", "x"]) == 130
    assert capsys.readouterr().err == "promptlayer-agents: interrupted\n"


# --- what is never printed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "keys"),
    [
        (["--api-key", "K1", "run"], ["K1"]),
        (["--api-key=K2"], ["K2"]),
        (["--API-KEY", "K3"], ["K3"]),
        (["--api", "K4", "--ap=K5", "--a", "K6"], ["K4", "K5", "K6"]),
        (
            ["--apikey", "K7", "--api_key=K8", "--key", "K9", "--secret-key", "K10"],
            ["K7", "K8", "K9", "K10"],
        ),
        (["--api_k", "K11", "--APITOKEN=K12"], ["K11", "K12"]),  # look-alikes argparse echoes
        (["run", "--api-key"], []),  # no value follows
        (["-a", "x", "--base-url", "u", "--label", "l", "api", "key", "-k", "y"], []),
        (["--", "K"], []),  # "--" alone names nothing
    ],
)
def test_every_spelling_of_the_key_option_gives_its_value(argv: list[str], keys: list[str]) -> None:
    assert given_keys(argv) == keys


def test_the_command_secrets_are_the_keys_the_environments_key_and_url_passwords() -> None:
    argv = ["--api-key", " K1 ", "--base-url=https://u:pw1@h", "https://v:pw2@h"]
    environ = {"PROMPTLAYER_API_KEY": "K2", "PROMPTLAYER_BASE_URL": "https://w:pw3@h"}

    secrets = command_secrets(argv, environ)

    masked = secrets.mask("K1 pw1 pw2 pw3 K2")
    assert all(word not in masked for word in ("K1", "pw1", "pw2", "pw3", "K2")), masked
    assert command_secrets([], {}).mask("anything at all") == "anything at all"

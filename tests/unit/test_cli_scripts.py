"""What a script relies on from the command line, before anything is sent: errors that name the
flag or environment variable (never the library's argument), one line for a usage error, inline
JSON for --inputs, no directory created behind the user's back, a hint for a port in use; and the
status texts that lead with counts, rate and time left at any width."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import re
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import promptlayer_agents as pa
from promptlayer_agents._config import resolve_settings
from promptlayer_agents.cli import main
from promptlayer_agents.cli._agents import read_inputs
from promptlayer_agents.cli._common import EXIT_USAGE, OPTIONS, report
from promptlayer_agents.cli._terminal import duration, progress_text, wait_text

CLOSED = "http://127.0.0.1:9"  # nothing listens there: a request sent would fail, not succeed
LIBRARY_NAMES = ("api_key", "base_url", "input_variables", "pass ")


def _error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def test_a_missing_key_names_the_flag_and_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PROMPTLAYER_API_KEY", raising=False)

    code, shown = _error_line(["get", "bot", "--base-url", CLOSED], capsys)

    assert code == EXIT_USAGE
    assert "--api-key" in shown and "PROMPTLAYER_API_KEY" in shown
    assert not any(name in shown for name in LIBRARY_NAMES), shown
    assert shown.count("\n") == 1


_NOT_HTTP = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30).map(lambda text: "ftp://" + text),
    st.text(st.characters(codec="utf-8", exclude_characters=":"), min_size=1, max_size=30),
)


@settings(max_examples=60, deadline=None)
@given(url=_NOT_HTTP, from_environment=st.booleans())
def test_any_bad_base_url_names_the_flag_and_the_variable(url: str, from_environment: bool) -> None:
    """Given as --base-url or in PROMPTLAYER_BASE_URL, whatever the text."""
    if any(name in url for name in LIBRARY_NAMES) or not url.strip().rstrip("/"):
        return  # the text itself would show the name; an empty URL means the default
    error = _configuration_error(url, from_environment)
    shown = io.StringIO()

    code = _report_to(error, shown)

    assert code == EXIT_USAGE
    text = shown.getvalue()
    assert "--base-url" in text and "PROMPTLAYER_BASE_URL" in text, text
    assert not any(name in text for name in LIBRARY_NAMES), text
    assert text.count("\n") == 1


def _configuration_error(url: str, from_environment: bool) -> pa.ConfigurationError:
    """What the client raises for this URL (resolve_settings is how every client reads it)."""
    try:
        resolve_settings(
            api_key="k",
            base_url=None if from_environment else url,
            timeout=30.0,
            max_retries=2,
            environ={"PROMPTLAYER_BASE_URL": url} if from_environment else {},
        )
    except pa.ConfigurationError as error:
        return error
    raise AssertionError(f"{url!r} was accepted")


def _report_to(error: pa.PromptLayerError, stream: io.StringIO) -> int:
    with contextlib.redirect_stderr(stream):
        return report(error)


@pytest.mark.parametrize("where", ["flag", "environment"])
def test_a_bad_base_url_through_the_command(
    where: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["get", "bot", "--api-key", "k"]
    if where == "flag":
        argv += ["--base-url", "ftp://x"]
    else:
        monkeypatch.setenv("PROMPTLAYER_BASE_URL", "ftp://x")

    code, shown = _error_line(argv, capsys)

    assert code == EXIT_USAGE
    assert shown == (
        "promptlayer-agents: the base URL must be an http(s) URL, not 'ftp://x' "
        "(check --base-url or PROMPTLAYER_BASE_URL)\n"
    )


@pytest.fixture(autouse=True)
def _no_base_url_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMPTLAYER_BASE_URL", raising=False)


def test_every_argument_the_library_names_has_a_command_line_spelling() -> None:
    """The arguments a command passes on: an error about any of them names a flag."""
    for argument in ("api_key", "base_url", "input_variables", "metadata", "label", "version"):
        assert OPTIONS[argument].startswith("-"), argument
    assert OPTIONS["agent"] == "NAME" and OPTIONS["execution_id"] == "EXECUTION_ID"


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["run", "bot", "--inputs", '{"a": NaN}'], "--inputs"),
        (["run", "bot", "--inputs", '{"a": "\\ud800"}'], "--inputs"),
        (["run", "bot", "--metadata", "k=\udc80"], "--metadata"),
        (["run", "bot", "--label", " "], "--label"),
        (["run", "bot", "--version", "0"], "--version"),
        (["run", ".."], "NAME"),
        (["results", "0"], "EXECUTION_ID"),
    ],
)
def test_a_bad_input_names_its_flag_and_nothing_is_sent(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown = _error_line([*argv, "--api-key", "k", "--base-url", CLOSED], capsys)

    assert code == EXIT_USAGE, shown  # not EXIT_API: no request was made
    assert f"(check {flag}" in shown, shown
    assert shown.count("\n") == 1


USAGE_ERRORS = [
    [],
    ["run"],
    ["bogus"],
    ["run", "a", "--bogus"],
    ["results", "not-a-number"],
    ["run", "a", "--label", "x", "--version", "2"],
    ["batch", "a", "--inputs", "i.jsonl"],
    ["sandbox", "--port", "http"],
]


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=" ".join)
def test_a_usage_error_is_one_line_that_says_where_help_is(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)

    shown = capsys.readouterr()
    assert exited.value.code == EXIT_USAGE
    assert shown.out == ""
    assert shown.err.count("\n") == 1, shown.err
    assert shown.err.startswith("promptlayer-agents") and "error: " in shown.err
    assert shown.err.rstrip().endswith(" --help)"), shown.err


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


def _inputs_args(given: str, *pairs: tuple[str, str]) -> argparse.Namespace:
    return argparse.Namespace(inputs_file=given, inputs=list(pairs))


@settings(max_examples=100, deadline=None)
@given(
    variables=st.dictionaries(st.text(st.characters(codec="utf-8")), _JSON_VALUES, max_size=4),
    indent=st.sampled_from([None, 2]),
    leading=st.sampled_from(["", " ", "\n\t"]),
)
def test_inline_json_is_read_as_the_object_it_is(
    variables: dict[str, object], indent: int | None, leading: str
) -> None:
    given_text = leading + json.dumps(variables, indent=indent)

    assert read_inputs(_inputs_args(given_text)) == variables


def test_inputs_from_a_file_from_stdin_and_i_on_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    braced = tmp_path / "{odd}.json"  # a file whose name starts with a brace: ./ before it
    braced.write_text('{"a": 1, "b": 2}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"s": true}'))

    assert read_inputs(_inputs_args("./{odd}.json", ("b", "x"))) == {"a": 1, "b": "x"}
    assert read_inputs(_inputs_args("-")) == {"s": True}


@pytest.mark.parametrize(
    ("given_text", "said"),
    [
        ('{"a": ', "--inputs (inline JSON): Expecting value"),
        ("no-such-file.json", "--inputs no-such-file.json: No such file or directory"),
        ("[1, 2]", "--inputs [1, 2]: No such file"),  # not a brace: a file name
        ('{"a": 1} trailing', "--inputs (inline JSON): Extra data"),
    ],
)
def test_bad_inputs_say_which_rule_applied(given_text: str, said: str, tmp_path: Path) -> None:
    with pytest.raises(pa.InvalidInputError) as raised:
        read_inputs(_inputs_args(given_text))

    assert str(raised.value).startswith(said), raised.value


def test_out_into_a_missing_directory_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text('{"name": "a"}\n', encoding="utf-8")
    missing = tmp_path / "no" / "such"

    with pytest.raises(SystemExit) as exited:
        main(["batch", "bot", "--inputs", str(inputs), "--out", str(missing / "results.jsonl")])

    shown = capsys.readouterr().err
    assert exited.value.code == EXIT_USAGE
    assert "--out" in shown and "create it first" in shown and shown.count("\n") == 1
    assert not (tmp_path / "no").exists()


def test_a_port_in_use_suggests_port_0(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        code = main(["sandbox", "--port", str(port)])

    shown = capsys.readouterr().err
    assert code == EXIT_USAGE
    assert f"port {port}" in shown and "in use" in shown and "--port 0" in shown
    assert shown.count("\n") == 1


_STATUSES = st.fixed_dictionaries(
    {key: st.integers(0, 10**6) for key in ("SUCCESS", "FAILED", "ERROR", "UNKNOWN")}
)


@settings(max_examples=300, deadline=None)
@given(
    statuses=_STATUSES,
    left=st.integers(0, 10**6),
    rate=st.floats(0, 10**4, allow_nan=False),
    width=st.integers(40, 300),
)
def test_the_progress_line_leads_with_counts_rate_and_time_left_at_any_width(
    statuses: dict[str, int], left: int, rate: float, width: int
) -> None:
    done = sum(statuses.values())
    total = done + left

    text = progress_text(done, total, statuses, rate, width)

    assert len(text) <= width - 1  # the last column stays free: a full line would wrap
    head = f"{done}/{total} done · {rate:.1f}/s · "
    if len(head) + 12 < width:  # ">99h left" and room to spare: nothing cut from it
        assert text.startswith(head), text
        assert re.match(r"(\?|>99h|(\d+h)?(\d+m)?\d+s|\d+h\d\dm) left( |$)", text[len(head) :]), (
            text
        )


@settings(max_examples=100, deadline=None)
@given(width=st.integers(1, 39), done=st.integers(0, 10**4), rate=st.floats(0, 100))
def test_a_very_narrow_terminal_still_gets_one_line(width: int, done: int, rate: float) -> None:
    text = progress_text(done, done * 2, {"SUCCESS": done}, rate, width)

    assert len(text) <= max(width - 1, 1) and "\n" not in text


def test_at_80_columns_a_large_batch_keeps_its_counts() -> None:
    statuses = {"SUCCESS": 97_000, "FAILED": 1_000, "ERROR": 0, "UNKNOWN": 2_000}

    text = progress_text(100_000, 1_000_000, statuses, 123.4, 80)

    assert text == "100000/1000000 done · 123.4/s · 2h01m left · 97000 ok, 1000 failed, 2000 unk"
    assert len(text) <= 79
    wide = progress_text(100_000, 1_000_000, statuses, 123.4, 95)
    assert wide.endswith(" · 97000 succeeded, 1000 failed, 2000 unknown")  # zero left out


def test_time_left_is_short_whatever_the_rate() -> None:
    assert [duration(s) for s in (0, 42.4, 185, 3720, 99 * 3600, math.inf)] == [
        "0s",
        "42s",
        "3m05s",
        "1h02m",
        ">99h",
        ">99h",
    ]
    assert " · 0s left" in progress_text(5, 5, {"SUCCESS": 5}, 0.0, 80)


def test_the_run_status_line_starts_with_nodes_done() -> None:
    partial = pa.ExecutionResult(
        7,
        done=False,
        nodes={
            name: pa.NodeState(status=status)
            for name, status in (("a", "SUCCESS"), ("b", "RUNNING"), ("c", "QUEUED"))
        },
    )

    assert wait_text(partial, 2.25) == (
        "1/3 nodes done · 2.2s · execution 7 · a SUCCESS · b RUNNING · c QUEUED"
    )
    assert wait_text(pa.ExecutionResult(7, done=False), 0.0).startswith("0/? nodes done · ")

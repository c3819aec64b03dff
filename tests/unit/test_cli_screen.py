"""What the command line draws on a terminal: the width it fits to, the status line drawn, redrawn
and cleared in place, the batch progress line and how often it is redrawn, and the log messages
printed above them at the level -q, -v and PROMPTLAYER_LOG ask for."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

import promptlayer_agents as pa
from promptlayer_agents._logging import HANDLER_NAME
from promptlayer_agents._secrets import Secrets
from promptlayer_agents.cli import _terminal
from promptlayer_agents.cli._terminal import (
    REFRESH,
    ProgressBar,
    StatusLine,
    TerminalLogHandler,
    WaitStatus,
    clear_status,
    columns,
    duration,
    fit,
    progress_text,
    setup_output,
)

CLEAR = "\r\x1b[2K"  # back to the left margin, erase the line


class Terminal(io.StringIO):
    """A terminal's stderr, of a width the test sets."""

    def __init__(self, width: int = 80) -> None:
        super().__init__()
        self.width = width

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def screen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`Terminal` streams report their width; no line stays active or quiet after a test."""
    monkeypatch.setattr(_terminal, "columns", lambda s: getattr(s, "width", 80))
    monkeypatch.setattr(StatusLine, "quiet", False)
    yield


class Clock:
    """time.monotonic for the module under test, moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr(_terminal, "time", SimpleNamespace(monotonic=ticking.monotonic))
    return ticking


# --- the width --------------------------------------------------------------------------------


def test_the_width_is_the_terminals_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((123, 40)))
    monkeypatch.setenv("COLUMNS", "55")

    assert columns(SimpleNamespace(fileno=lambda: 2)) == 123  # type: ignore[arg-type]


def test_a_terminal_of_width_zero_counts_as_80(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((0, 0)))

    assert columns(SimpleNamespace(fileno=lambda: 2)) == 80  # type: ignore[arg-type]


@pytest.mark.parametrize(("variable", "width"), [("55", 55), (None, 80), ("wide", 80), ("", 80)])
def test_without_a_terminal_the_width_is_columns_else_80(
    variable: str | None, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if variable is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", variable)

    assert columns(io.StringIO()) == width  # no file descriptor
    assert columns(SimpleNamespace()) == width  # type: ignore[arg-type]  # no fileno at all
    assert columns(SimpleNamespace(fileno=lambda: -1)) == width  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "width", "fitted"),
    [
        ("a  b\n c", 80, "a b c"),
        ("abcde", 6, "abcde"),
        ("abcdef", 6, "abcd…"),
        ("abc", 1, "…"),
        ("abc", 0, "…"),
        ("", 1, ""),
        ("a", 2, "a"),
    ],
)
def test_fit_leaves_the_last_column_free(text: str, width: int, fitted: str) -> None:
    assert fit(text, width) == fitted


# --- the status line --------------------------------------------------------------------------


def test_the_status_line_is_drawn_replaced_and_cleared_in_place() -> None:
    tty = Terminal(width=10)
    line = StatusLine(tty)

    line.show("first status")
    line.show("second")
    line.clear()
    line.clear()  # nothing left to clear: nothing written

    assert tty.getvalue() == f"{CLEAR}first st…{CLEAR}second{CLEAR}"
    assert StatusLine.active is None


def test_a_line_never_shown_clears_nothing_and_redraws_nothing() -> None:
    tty = Terminal()
    line = StatusLine(tty)

    line.clear()
    line.above("warning: first")

    assert tty.getvalue() == f"{CLEAR}warning: first\n"


def test_a_message_after_the_line_was_cleared_redraws_nothing() -> None:
    tty = Terminal()
    line = StatusLine(tty)
    line.show("busy")
    line.clear()

    line.above("warning: later")

    assert tty.getvalue() == f"{CLEAR}busy{CLEAR}{CLEAR}warning: later\n"


def test_a_status_line_on_a_pipe_or_with_quiet_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pipe = io.StringIO()
    StatusLine(pipe).show("x")
    monkeypatch.setattr(StatusLine, "quiet", True)
    tty = Terminal()
    quiet = StatusLine(tty)
    quiet.show("x")

    assert (pipe.getvalue(), tty.getvalue(), quiet.enabled) == ("", "", False)
    assert StatusLine.active is None


def test_the_status_line_goes_to_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    assert StatusLine().stream is sys.stderr


def test_a_message_above_the_line_draws_the_line_again_below() -> None:
    tty = Terminal()
    line = StatusLine(tty)
    line.show("working")

    line.above("warning: x")

    assert tty.getvalue() == f"{CLEAR}working{CLEAR}warning: x\nworking"


def test_clear_status_clears_only_the_line_on_screen() -> None:
    tty = Terminal()
    line = StatusLine(tty)
    clear_status()  # nothing on screen: nothing to do
    line.show("busy")

    clear_status()

    assert tty.getvalue() == f"{CLEAR}busy{CLEAR}"
    assert StatusLine.active is None


def test_clearing_another_line_leaves_the_active_one() -> None:
    shown, other = StatusLine(Terminal()), StatusLine(Terminal())
    shown.show("busy")

    other.clear()

    assert StatusLine.active is shown


def test_the_wait_status_counts_the_time_since_it_began(clock: Clock) -> None:
    tty = Terminal()
    status = WaitStatus(StatusLine(tty))
    clock.now += 2.5

    status(pa.ExecutionResult(7, done=False))

    assert tty.getvalue() == f"{CLEAR}0/? nodes done · 2.5s · execution 7"


# --- the progress line ------------------------------------------------------------------------


def test_the_bar_fills_with_the_share_done() -> None:
    text = progress_text(1, 4, {"SUCCESS": 1}, 2.0, 200)

    assert text == (
        "1/4 done · 2.0/s · 2s left · 1 succeeded, 0 failed, 0 errors, 0 unknown"
        " [######------------------]"
    )


def test_a_bar_is_drawn_only_when_ten_columns_are_left_for_it() -> None:
    head = "0/0 done · 0.0/s · 0s left · 0 succeeded, 0 failed, 0 errors, 0 unknown"
    room_for_ten = len(head) + 3 + 10 + 1  # " [", "]", the last column

    assert progress_text(0, 0, {}, 0.0, room_for_ten) == head + " [##########]"
    assert progress_text(0, 0, {}, 0.0, room_for_ten - 1) == head


def test_time_left_is_unknown_until_a_rate_is_known() -> None:
    assert progress_text(0, 5, {}, 0.0, 200).startswith("0/5 done · 0.0/s · ? left · ")
    assert progress_text(6, 5, {}, 0.0, 200).startswith("6/5 done · 0.0/s · 0s left · ")


def test_when_all_counts_do_not_fit_the_zero_ones_go_then_the_long_words() -> None:
    statuses = {"SUCCESS": 3, "UNKNOWN": 1}
    head = "4/9 done · 1.0/s · 5s left"
    nonzero = " · 3 succeeded, 1 unknown"
    short = " · 3 ok, 1 unk"

    assert progress_text(4, 9, statuses, 1.0, len(head + nonzero) + 1) == head + nonzero
    assert progress_text(4, 9, statuses, 1.0, len(head + nonzero)) == head + short
    assert progress_text(4, 9, statuses, 1.0, len(head + short)) == head + " [####------]"
    every = progress_text(4, 9, {"SUCCESS": 1, "FAILED": 1, "ERROR": 1, "UNKNOWN": 1}, 1.0, 60)
    assert every.endswith(" · 1 ok, 1 failed, 1 err, 1 unk")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(59.4, "59s"), (59.6, "1m00s"), (600, "10m00s"), (3599.6, "1h00m"), (36000, "10h00m")],
)
def test_durations_round_to_whole_seconds_at_each_boundary(seconds: float, text: str) -> None:
    assert duration(seconds) == text
    assert duration(99 * 3600 - 1) == "98h59m"


def test_the_progress_bar_is_redrawn_at_most_every_refresh(clock: Clock) -> None:
    tty = Terminal(width=60)
    bar = ProgressBar(10, StatusLine(tty))

    bar.update(0, {})  # the first update draws
    clock.now += REFRESH / 2
    bar.update(1, {"SUCCESS": 1})  # too soon
    first = tty.getvalue()
    bar.update(1, {"SUCCESS": 1}, force=True)
    forced = tty.getvalue()
    clock.now += REFRESH * 1.01
    bar.update(2, {"SUCCESS": 2})

    assert first.count(CLEAR) == 1 and first.startswith(f"{CLEAR}0/10 done · 0.0/s · ? left")
    assert forced.count(CLEAR) == 2
    assert tty.getvalue().count(CLEAR) == 3


def test_the_bar_is_redrawn_once_refresh_has_passed(clock: Clock) -> None:
    clock.now = 0.1
    tty = Terminal()
    bar = ProgressBar(10, StatusLine(tty))

    bar.update(1, {})
    clock.now = 0.2  # 0.2 - 0.1 == REFRESH exactly
    bar.update(2, {})

    assert REFRESH == 0.2 - 0.1
    assert tty.getvalue().count(CLEAR) == 2


def test_the_rate_counts_only_inputs_done_in_this_run(clock: Clock) -> None:
    tty = Terminal(width=200)
    bar = ProgressBar(100, StatusLine(tty))
    clock.now += 1.0

    bar.update(40, {"SUCCESS": 40})  # 40 were done in an earlier run
    clock.now += 4.0
    bar.update(60, {"SUCCESS": 60})

    drawn = tty.getvalue().split(CLEAR)
    assert drawn[1].startswith("40/100 done · 0.0/s · ? left · ")
    assert drawn[2].startswith("60/100 done · 4.0/s · 10s left · ")


def test_the_rate_is_shown_from_the_first_update(clock: Clock) -> None:
    tty = Terminal(width=200)
    bar = ProgressBar(10, StatusLine(tty))
    bar.update(0, {})
    clock.now += 0.5

    bar.update(2, {"SUCCESS": 2})

    assert tty.getvalue().split(CLEAR)[2].startswith("2/10 done · 4.0/s · 2s left · ")


def test_the_bar_fits_the_width_of_its_terminal(clock: Clock) -> None:
    tty = Terminal(width=30)

    ProgressBar(10, StatusLine(tty)).update(1, {"SUCCESS": 1}, force=True)

    assert tty.getvalue() == f"{CLEAR}1/10 done · 0.0/s · ? left"  # no room for the counts


def test_a_stopped_bar_is_cleared_and_never_drawn_again(clock: Clock) -> None:
    tty = Terminal()
    bar = ProgressBar(3, StatusLine(tty))
    bar.update(1, {}, force=True)

    bar.stop()
    clock.now += 10
    bar.update(2, {}, force=True)

    assert tty.getvalue().endswith(CLEAR) and tty.getvalue().count(CLEAR) == 2


def test_a_bar_on_a_pipe_draws_nothing(clock: Clock) -> None:
    pipe = io.StringIO()
    bar = ProgressBar(3, StatusLine(pipe))

    bar.update(1, {}, force=True)

    assert pipe.getvalue() == ""


# --- log messages -----------------------------------------------------------------------------


def _record(message: str, *args: object, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("promptlayer_agents", level, __file__, 1, message, args, None)


def test_a_log_message_is_printed_once_masked_at_its_level() -> None:
    out = io.StringIO()
    handler = TerminalLogHandler(out, Secrets.of(["pl_sec"]))

    handler.emit(_record("sent %s", "pl_sec"))
    handler.emit(_record("sent %s", "pl_sec"))
    handler.emit(_record("sent %s", "pl_sec", level=logging.INFO))

    assert out.getvalue() == "warning: sent ***\ninfo: sent ***\n"


def test_a_log_message_goes_above_the_status_line_on_its_stream_only() -> None:
    tty, other = Terminal(), io.StringIO()
    StatusLine(tty).show("busy")

    TerminalLogHandler(tty).emit(_record("on the terminal"))
    TerminalLogHandler(other).emit(_record("elsewhere"))

    assert tty.getvalue() == f"{CLEAR}busy{CLEAR}warning: on the terminal\nbusy"
    assert other.getvalue() == "warning: elsewhere\n"


def test_log_messages_go_to_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    TerminalLogHandler().emit(_record("to stderr"))

    assert capsys.readouterr().err == "warning: to stderr\n"


def test_a_message_that_cannot_be_formatted_is_handed_to_logging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.StringIO()
    handler = TerminalLogHandler(out)
    failed: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "handleError", failed.append)

    bad = _record("%d items", "many")
    handler.emit(bad)

    assert failed == [bad] and out.getvalue() == ""


@pytest.mark.parametrize(
    ("verbosity", "environment", "level"),
    [
        (-1, None, logging.ERROR),
        (0, None, logging.WARNING),
        (1, None, logging.INFO),
        (2, None, logging.INFO),
        (-1, "debug", logging.DEBUG),
        (-1, "info", logging.INFO),
        (1, "info", logging.INFO),  # the environment asks for more, never less
    ],
)
def test_verbosity_sets_every_loggers_level_and_quiet_hides_the_line(
    verbosity: int,
    environment: str | None,
    level: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if environment is None:
        monkeypatch.delenv("PROMPTLAYER_LOG", raising=False)
    else:
        monkeypatch.setenv("PROMPTLAYER_LOG", environment)

    handler = setup_output(verbosity, Secrets.of(["pl_sec"]))

    for name in ("promptlayer_agents", "httpx"):
        logger = logging.getLogger(name)
        assert logger.level == level
        assert [h for h in logger.handlers if isinstance(h, TerminalLogHandler)] == [handler]
    assert StatusLine.quiet is (verbosity < 0)
    assert handler.secrets.mask("pl_sec") == "***"


def test_running_again_replaces_the_handler_and_keeps_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMPTLAYER_LOG", raising=False)
    own = logging.NullHandler()
    logging.getLogger("promptlayer_agents").addHandler(own)
    environments = logging.NullHandler()
    environments.set_name(HANDLER_NAME)
    logging.getLogger("httpx").addHandler(environments)

    setup_output(0)
    second = setup_output(0)

    package = logging.getLogger("promptlayer_agents").handlers
    assert own in package
    assert [h for h in package if isinstance(h, TerminalLogHandler)] == [second]
    assert environments not in logging.getLogger("httpx").handlers
    assert second.secrets.mask("anything") == "anything"

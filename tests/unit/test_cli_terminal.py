"""What the command line prints around its results: error summaries on one line, status text cut
to the terminal, each log message once and above the status line, counts in the summary's words."""

from __future__ import annotations

import io
import logging

import pytest

from promptlayer_agents.cli._common import one_line
from promptlayer_agents.cli._terminal import (
    StatusLine,
    TerminalLogHandler,
    counts_text,
    fit,
)

NGINX_502 = """HTTP 502: <html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
</body>
</html> [request id r-9]"""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_an_html_error_page_is_reduced_to_its_title_on_one_line() -> None:
    assert one_line(NGINX_502) == "HTTP 502: 502 Bad Gateway [request id r-9]"


def test_an_html_page_without_a_title_gives_its_first_words() -> None:
    text = "not JSON (HTTP 200): '<!DOCTYPE html>\\n<html><body><p>Sign  in\\n to continue</p>'"

    assert one_line(text) == "not JSON (HTTP 200): Sign in to continue"


def test_long_messages_are_cut_and_plain_ones_kept() -> None:
    assert one_line("HTTP 400: a < b\nand c > d") == "HTTP 400: a < b and c > d"
    assert len(one_line("x" * 1000)) == 160


def test_status_text_fits_the_width_leaving_the_last_column() -> None:
    assert fit("abc", 60) == "abc"
    assert fit("x" * 100, 60) == "x" * 58 + "…"


def test_a_warning_is_printed_once_above_the_status_line() -> None:
    screen = Terminal()
    line = StatusLine(screen)
    handler = TerminalLogHandler(screen)
    logger = logging.getLogger("promptlayer_agents.tests.terminal")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        line.show("waiting 1.0s")
        logger.warning("run of %r: %s", "bot", "Unexpected input variables: x")
        logger.warning("run of %r: %s", "bot", "Unexpected input variables: x")
    finally:
        logger.removeHandler(handler)
        line.clear()

    shown = screen.getvalue()
    assert shown.count("warning: run of 'bot': Unexpected input variables: x\n") == 1
    assert shown.endswith("x\nwaiting 1.0s\r\x1b[2K")  # the status line drawn again below it


def test_counts_use_the_summary_words() -> None:
    assert counts_text({}) == "0 succeeded, 0 failed, 0 errors, 0 unknown"
    assert counts_text({"SUCCESS": 2, "ERROR": 1}) == "2 succeeded, 0 failed, 1 error, 0 unknown"
    assert counts_text({"FAILED": 1, "UNKNOWN": 2, "ERROR": 3}) == (
        "0 succeeded, 1 failed, 3 errors, 2 unknown"
    )


def test_the_command_replaces_the_environment_handler_and_takes_its_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from promptlayer_agents._logging import HANDLER_NAME, log_from_environment
    from promptlayer_agents.cli._terminal import setup_output

    monkeypatch.setenv("PROMPTLAYER_LOG", "info")
    log_from_environment()
    setup_output(0)
    for name in ("promptlayer_agents", "httpx"):
        logger = logging.getLogger(name)
        assert not [h for h in logger.handlers if h.get_name() == HANDLER_NAME]
        assert logger.level == logging.INFO  # the flags alone would say WARNING
    monkeypatch.delenv("PROMPTLAYER_LOG")
    setup_output(0)
    assert logging.getLogger("promptlayer_agents").level == logging.WARNING

"""PROMPTLAYER_LOG: which values switch logging on, what the lines printed look like, that the key
from the environment never shows in them, and that switching on twice prints each line once."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable, Iterator

import pytest

import promptlayer_agents._logging as logging_module
from promptlayer_agents._logging import (
    HANDLER_NAME,
    LOGGERS,
    level_from_environment,
    log_from_environment,
)

KEY = "pl_env_key_0123"


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """What the handler prints on stderr. The loggers start as the package leaves them (a
    NullHandler, no level), apart from the rest of the process, and are put back afterwards."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    before = [(logger, list(logger.handlers), logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.handlers[:] = [logging.NullHandler()]
        logger.setLevel(logging.NOTSET)
        logger.propagate = False
    yield lambda: capsys.readouterr().err
    for logger, handlers, level, propagate in before:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.mark.parametrize(
    ("value", "level"),
    [("debug", logging.DEBUG), ("info", logging.INFO), (" INFO ", logging.INFO), ("Debug", 10)],
)
def test_debug_and_info_in_any_case_name_a_level(value: str, level: int) -> None:
    assert level_from_environment({"PROMPTLAYER_LOG": value}) == level


@pytest.mark.parametrize("environ", [{}, {"PROMPTLAYER_LOG": ""}, {"PROMPTLAYER_LOG": "  "}])
def test_unset_or_empty_is_off_without_a_word(environ: dict[str, str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert level_from_environment(environ) is None


def test_another_value_is_ignored_with_a_warning_naming_the_accepted_ones() -> None:
    with pytest.warns(UserWarning) as caught:
        assert level_from_environment({"PROMPTLAYER_LOG": " Verbose "}) is None

    assert [str(w.message) for w in caught] == [
        "PROMPTLAYER_LOG='verbose' is ignored: use debug or info"
    ]
    assert caught[0].filename != logging_module.__file__  # it points at a caller, not at itself


def test_the_package_and_httpx_print_to_stderr_in_one_format(stderr: Callable[[], str]) -> None:
    log_from_environment({"PROMPTLAYER_LOG": "info"})

    logging.getLogger("promptlayer_agents.run").info("started %s", 787)
    logging.getLogger("httpx").info("HTTP Request: POST")
    logging.getLogger("promptlayer_agents").debug("not at info")

    lines = stderr().splitlines()
    pattern = r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\S+) (\w+)\] (.*)"
    shown = [re.fullmatch(pattern, line) for line in lines]
    assert [m.groups() if m else line for m, line in zip(shown, lines, strict=True)] == [
        ("promptlayer_agents.run", "INFO", "started 787"),
        ("httpx", "INFO", "HTTP Request: POST"),
    ]
    assert [logging.getLogger(name).level for name in LOGGERS] == [logging.INFO] * 2


def test_nothing_is_switched_on_without_the_variable(stderr: Callable[[], str]) -> None:
    levels = [logging.getLogger(name).level for name in LOGGERS]

    log_from_environment({})
    logging.getLogger("promptlayer_agents").warning("to the application's handlers only")

    assert stderr() == ""
    assert [logging.getLogger(name).level for name in LOGGERS] == levels


def test_switching_on_twice_prints_each_line_once(stderr: Callable[[], str]) -> None:
    log_from_environment({"PROMPTLAYER_LOG": "debug"})
    log_from_environment({"PROMPTLAYER_LOG": "debug"})

    logging.getLogger("promptlayer_agents").debug("once")

    assert stderr().count("once") == 1
    for name in LOGGERS:
        named = [h for h in logging.getLogger(name).handlers if h.get_name() == HANDLER_NAME]
        assert len(named) == 1


def test_the_key_from_the_environment_never_shows(stderr: Callable[[], str]) -> None:
    log_from_environment({"PROMPTLAYER_LOG": "debug", "PROMPTLAYER_API_KEY": f" {KEY}\n"})

    logging.getLogger("httpx").info("sent %s with %r", "X-API-KEY", KEY)
    logging.getLogger("promptlayer_agents").debug("plain %d", 7)

    shown = stderr()
    assert KEY not in shown
    assert "] sent X-API-KEY with '***'\n" in shown
    assert "] plain 7\n" in shown


def test_without_a_key_nothing_is_masked(stderr: Callable[[], str]) -> None:
    log_from_environment({"PROMPTLAYER_LOG": "debug"})

    logging.getLogger("promptlayer_agents").debug("XXXX %s", "test")

    assert stderr().endswith("] XXXX test\n")

"""What the command line shows on a terminal while it works: a status line, a progress bar, and the
package's log messages printed above them.

The status line and the bar write to stderr, and only when stderr is a terminal, so pipes and files
get results alone. They are cut to the terminal's width so that each redraw replaces the line in
place instead of wrapping onto a new one.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, TextIO

from .._logging import HANDLER_NAME, LOGGERS, level_from_environment
from .._secrets import Secrets

if TYPE_CHECKING:
    from .. import ExecutionResult

REFRESH = 0.1  # seconds between progress bar redraws
BAR_WIDTH = 24
MIN_BAR_WIDTH = 10  # a narrower bar says nothing the counts do not
DEFAULT_COLUMNS = 80


def columns(stream: TextIO) -> int:
    """The width of the terminal `stream` writes to ($COLUMNS, else 80, when it cannot tell)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or DEFAULT_COLUMNS
    except (AttributeError, ValueError, OSError):
        try:
            return int(os.environ.get("COLUMNS", DEFAULT_COLUMNS))
        except ValueError:
            return DEFAULT_COLUMNS


def fit(text: str, width: int) -> str:
    """`text` on one line, cut to leave the last column free (a full line would wrap)."""
    text = " ".join(text.split())
    room = max(width - 1, 1)
    return text if len(text) <= room else text[: room - 1] + "…"


class StatusLine:
    """One line on stderr, rewritten in place; nothing at all when stderr is not a terminal or the
    command runs with --quiet. Messages printed with `above` go on their own line above it."""

    quiet: ClassVar[bool] = False
    active: ClassVar[StatusLine | None] = None  # the line on screen now, for log messages

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not self.quiet
        self._text = ""

    def show(self, text: str) -> None:
        """Replace the line with `text` (cut to the terminal's width)."""
        if self.enabled:
            self._text = fit(text, columns(self.stream))
            self.stream.write("\r\x1b[2K" + self._text)
            self.stream.flush()
            StatusLine.active = self

    def above(self, message: str) -> None:
        """Print `message` on a line of its own, then draw the status line again below it."""
        self.stream.write("\r\x1b[2K" + message + "\n" + self._text)
        self.stream.flush()

    def clear(self) -> None:
        """Remove the line (a message printed afterwards starts at the left margin)."""
        if self._text:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._text = ""
        if StatusLine.active is self:
            StatusLine.active = None


def wait_text(partial: ExecutionResult, elapsed: float) -> str:
    """The status line of an execution being waited on: nodes done out of all, time waited, the
    execution, then each node's status (the part cut first on a narrow terminal)."""
    from ..rules import is_final  # here: the parser (--help) loads this module, not the rules

    done = sum(1 for node in partial.nodes.values() if is_final(node.status))
    statuses = " · ".join(f"{name} {node.status}" for name, node in partial.nodes.items())
    total = len(partial.nodes) or "?"
    return f"{done}/{total} nodes done · {elapsed:.1f}s · execution {partial.execution_id}" + (
        f" · {statuses}" if statuses else ""
    )


class WaitStatus:
    """The status line while waiting on an execution (see `wait_text`)."""

    def __init__(self, line: StatusLine) -> None:
        self.line = line
        self.start = time.monotonic()

    def __call__(self, partial: ExecutionResult) -> None:
        self.line.show(wait_text(partial, time.monotonic() - self.start))


def counts_text(statuses: Mapping[str, int]) -> str:
    """Finished inputs by outcome, in the words of the batch summary and its progress bar alike:
    succeeded, failed, errors (no result: refused, or timed out) and unknown (may have started)."""
    errors = statuses.get("ERROR", 0)
    return (
        f"{statuses.get('SUCCESS', 0)} succeeded, {statuses.get('FAILED', 0)} failed, "
        f"{errors} error{'' if errors == 1 else 's'}, {statuses.get('UNKNOWN', 0)} unknown"
    )


def duration(seconds: float) -> str:
    """A short duration for a progress line: 42s, 3m05s, 1h02m; >99h past that (a rate near
    zero gives any number, infinity included)."""
    if not seconds < 99 * 3600:
        return ">99h"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def progress_text(
    done: int, total: int, statuses: Mapping[str, int], rate: float, width: int
) -> str:
    """A batch's progress on one line of `width` columns. It leads with what matters most:
    inputs done out of all, rate (inputs a second) and time left; then the outcome counts (only
    those that are not zero, when all four do not fit); then a bar, if room is left."""
    room = max(width - 1, 1)  # a full line would wrap
    left = duration((total - done) / rate) if rate > 0 else "0s" if done >= total else "?"
    text = f"{done}/{total} done · {rate:.1f}/s · {left} left"
    for counts in _count_forms(statuses):
        if counts and len(text) + 3 + len(counts) <= room:
            text += f" · {counts}"
            break
    space = min(room - len(text) - 3, BAR_WIDTH)  # " [" and "]"
    if space >= MIN_BAR_WIDTH:
        filled = space * done // total if total else space
        text += " [" + "#" * filled + "-" * (space - filled) + "]"
    return fit(text, width)


SHORT_WORDS = {"SUCCESS": "ok", "FAILED": "failed", "ERROR": "err", "UNKNOWN": "unk"}


def _count_forms(statuses: Mapping[str, int]) -> list[str]:
    """The outcome counts, longest first: all four in the summary's words; those not zero; those
    not zero in short words (`97 ok, 2 unk`)."""
    parts = counts_text(statuses).split(", ")
    nonzero = [i for i, key in enumerate(SHORT_WORDS) if statuses.get(key, 0)]
    short = [f"{statuses[key]} {word}" for key, word in SHORT_WORDS.items() if statuses.get(key)]
    return [", ".join(parts), ", ".join(parts[i] for i in nonzero), ", ".join(short)]


class ProgressBar:
    """A batch's progress line (see `progress_text`), redrawn at most every REFRESH seconds."""

    def __init__(self, total: int, line: StatusLine) -> None:
        self.total = total
        self.line = line
        self.start = time.monotonic()
        self._drawn = 0.0
        self._skipped: int | None = None  # done at the first update: finished in an earlier run
        self._stopped = False

    def stop(self) -> None:
        """Clear the line now and draw it no more: on Ctrl-C, while the runs in flight end."""
        self._stopped = True
        self.line.clear()

    def update(self, done: int, statuses: Mapping[str, int], *, force: bool = False) -> None:
        """Redraw, at most every REFRESH seconds unless `force`; never once stopped."""
        now = time.monotonic()
        if self._stopped or (not force and now - self._drawn < REFRESH):
            return
        self._drawn = now
        if self._skipped is None:
            self._skipped = done
        elapsed = now - self.start
        rate = (done - self._skipped) / elapsed if elapsed > 0 else 0.0
        if self.line.enabled:
            width = columns(self.line.stream)
            self.line.show(progress_text(done, self.total, statuses, rate, width))


def clear_status() -> None:
    """Remove the status line or progress bar on screen, if any: before an error or the word
    that the command was interrupted, which must not be glued to it or left under it."""
    if StatusLine.active is not None:
        StatusLine.active.clear()


class TerminalLogHandler(logging.Handler):
    """Prints the package's log messages on stderr, each distinct message once, above the status
    line or progress bar when one is shown."""

    def __init__(self, stream: TextIO | None = None, secrets: Secrets | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.secrets = secrets or Secrets()
        self._seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        try:  # masked: httpx's and httpcore's lines may carry what a server sent
            message = f"{record.levelname.lower()}: {self.secrets.mask(record.getMessage())}"
        except (TypeError, ValueError):
            self.handleError(record)
            return
        if message in self._seen:
            return
        self._seen.add(message)
        stream = self.stream or sys.stderr
        line = StatusLine.active
        if line is not None and line.stream is stream:
            line.above(message)
        else:
            stream.write(message + "\n")
            stream.flush()


def setup_output(verbosity: int, secrets: Secrets | None = None) -> TerminalLogHandler:
    """How much the command says on stderr: -q (< 0) errors only, no status line or bar; default
    warnings; -v (> 0) also retries and each request. Log lines have `secrets` masked."""
    StatusLine.quiet = verbosity < 0
    level = logging.ERROR if verbosity < 0 else logging.INFO if verbosity > 0 else logging.WARNING
    asked = level_from_environment()  # PROMPTLAYER_LOG: more, never less, than the flags say
    level = level if asked is None else min(level, asked)
    handler = TerminalLogHandler(secrets=secrets)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if _replaced(h)]:
            logger.removeHandler(old)  # main() run again in the same process
        logger.setLevel(level)
        logger.addHandler(handler)
    return handler


def _replaced(handler: logging.Handler) -> bool:
    """A handler the command's own replaces: an earlier run's, or PROMPTLAYER_LOG's (which
    would print each message a second time)."""
    return isinstance(handler, TerminalLogHandler) or handler.get_name() == HANDLER_NAME

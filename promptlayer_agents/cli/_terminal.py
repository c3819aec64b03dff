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

from .._secrets import Secrets

if TYPE_CHECKING:
    from .. import ExecutionResult

REFRESH = 0.1  # seconds between progress bar redraws
BAR_WIDTH = 24
DEFAULT_COLUMNS = 80
LOGGERS = ("promptlayer_agents", "httpx")  # httpx logs each request at INFO


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


class WaitStatus:
    """Elapsed time and node statuses of an execution being waited on."""

    def __init__(self, line: StatusLine) -> None:
        self.line = line
        self.start = time.monotonic()

    def __call__(self, partial: ExecutionResult) -> None:
        nodes = " · ".join(f"{n.name} {n.status}" for n in partial.nodes.values())
        elapsed = time.monotonic() - self.start
        self.line.show(f"waiting {elapsed:5.1f}s  execution {partial.execution_id}  {nodes}")


def counts_text(statuses: Mapping[str, int]) -> str:
    """Finished inputs by outcome, in the words of the batch summary and its progress bar alike:
    succeeded, failed, errors (no result: refused, or timed out) and unknown (may have started)."""
    errors = statuses.get("ERROR", 0)
    return (
        f"{statuses.get('SUCCESS', 0)} succeeded, {statuses.get('FAILED', 0)} failed, "
        f"{errors} error{'' if errors == 1 else 's'}, {statuses.get('UNKNOWN', 0)} unknown"
    )


class ProgressBar:
    """Inputs done out of the total, their outcomes, rate and time left for a batch."""

    def __init__(self, total: int, line: StatusLine) -> None:
        self.total = total
        self.line = line
        self.start = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, statuses: Mapping[str, int], *, force: bool = False) -> None:
        """Redraw, at most every REFRESH seconds unless `force`."""
        now = time.monotonic()
        if not force and now - self._drawn < REFRESH:
            return
        self._drawn = now
        elapsed = max(now - self.start, 1e-9)
        rate = done / elapsed
        left = f"{(self.total - done) / rate:.0f}s left" if rate > 0 else "--"
        filled = int(BAR_WIDTH * done / self.total) if self.total else BAR_WIDTH
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.line.show(
            f"[{bar}] {done}/{self.total}: {counts_text(statuses)}, {rate:.1f}/s, {left}"
        )


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
    handler = TerminalLogHandler(secrets=secrets)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, TerminalLogHandler)]:
            logger.removeHandler(old)  # main() run again in the same process
        logger.setLevel(level)
        logger.addHandler(handler)
    return handler
